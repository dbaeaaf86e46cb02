"""``deskframe invoice run|issue|list|show|void|link`` and ``deskframe ticket estimate``."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import click

from .. import serialize
from ..billing.formats import render_options
from ..errors import BadValue
from ..plugins import Plugins
from ..progress import progress
from ..services.context import month_bounds
from ..text import clean_text
from .context import actor_for, pass_desk
from .output import FORMAT_OPTION, emit_one, safe_json, table, write_output

LIST_COLUMNS = (
    "number",
    "status",
    "kind",
    "period",
    "customer",
    "contract",
    "total",
    "issued_at",
    "due_date",
    "balance",
)


def _amount(ctx: click.Context, param: click.Parameter, value: str) -> Decimal:
    """``--amount``: a positive decimal with a dot (``1500``, ``1500.00``); no exponents, no commas."""
    text = (value or "").strip()
    if not re.fullmatch(r"\d{1,15}(\.\d+)?", text):
        raise click.BadParameter(f"not an amount such as 1500.00: {value!r}")
    amount = Decimal(text)
    if amount <= 0:
        raise click.BadParameter(f"must be more than zero, got {value!r}")
    return amount


def build_invoice_group(plugins: Plugins) -> click.Group:
    """The ``invoice`` group; ``--format`` offers table, json and every registered invoice format."""
    formats = [f for f in plugins.registry.items("output_formats") if "invoice" in f.kinds]
    list_formats = [f for f in formats if "invoices" in f.kinds]
    choice = click.Choice(["table", "json", *[f.name for f in formats]])
    list_choice = click.Choice(["table", "json", *[f.name for f in list_formats]])
    by_name = {f.name: f for f in formats}

    @click.group("invoice")
    def invoice_group() -> None:
        """Monthly invoices: draft, issue (gapless numbers), list, show, void (credit note), link."""

    @invoice_group.command("run")
    @click.option("--period", required=True, help="A month, YYYY-MM.")
    @click.option(
        "--allow-open-period", is_flag=True, help="Draft a month that has not ended yet (in the desk's time zone)."
    )
    @FORMAT_OPTION
    @pass_desk
    def invoice_run(desk: Any, period: str, allow_open_period: bool, fmt: str) -> None:
        """Create (or rebuild) draft invoices of every contract with something to bill."""
        end = month_bounds(period)[1]
        if desk.local_date() < end and not allow_open_period:
            raise BadValue(
                f"period {period} has not ended (today is {desk.local_date()} in {desk.config.timezone}); "
                f"add --allow-open-period to draft it anyway"
            )
        with desk.store.read() as repo:
            count = len(repo.billable_contracts(*month_bounds(period)))
        with progress(f"invoice run {period}", count) as advance:
            report = desk.billing.run(period, on_progress=advance, actor=actor_for())
        data = {
            "period": period,
            "drafted": report.drafted,
            "skipped_issued": report.skipped_issued,
            "nothing_to_bill": report.nothing_to_bill,
            "held_entries": report.held_entries,
            "not_billed": report.not_billed,
        }
        emit_one(
            data,
            fmt,
            f"{period}: drafted {len(report.drafted)}, already issued {len(report.skipped_issued)}, "
            f"nothing to bill {len(report.nothing_to_bill)}, held entries {report.held_entries}"
            + not_billed_text(report.not_billed),
        )

    @invoice_group.command("issue")
    @click.argument("ref", required=False)
    @click.option("--period", help="Issue every draft of this month.")
    @pass_desk
    def invoice_issue(desk: Any, ref: str | None, period: str | None) -> None:
        """Issue one draft (draft-ID, as listed) or all drafts of --period."""
        issued = desk.billing.issue(period=period, ref=ref, actor=actor_for())
        for invoice in issued:
            click.echo(f"issued {invoice.number} {invoice.customer} {invoice.total}")
        if not issued:
            click.echo("No drafts to issue.")

    @invoice_group.command("list")
    @click.option("--period")
    @click.option("--status", type=click.Choice(["draft", "issued", "void"]))
    @click.option("--customer")
    @click.option("--unpaid", is_flag=True, help="Only issued invoices with a balance left to pay.")
    @click.option("--overdue", is_flag=True, help="Only unpaid invoices past their due date.")
    @click.option("--format", "fmt", type=list_choice, default="table", show_default=True)
    @click.option("--output", "-o", help="Write to this file instead of stdout.")
    @pass_desk
    def invoice_list(
        desk: Any,
        period: str | None,
        status: str | None,
        customer: str | None,
        unpaid: bool,
        overdue: bool,
        fmt: str,
        output: str | None,
    ) -> None:
        """List invoices and credit notes."""
        if (unpaid or overdue) and status not in (None, "issued"):
            raise click.BadParameter(
                f"--unpaid and --overdue list issued invoices, not {status} ones", param_hint="'--status'"
            )
        invoices = desk.billing.invoices(
            period=period, status=status, customer=customer, unpaid=unpaid, overdue=overdue
        )
        if fmt == "json":
            rows = [dict(serialize.invoice(i), number=i.number or f"draft-{i.id}") for i in invoices]
            write_output(safe_json(serialize.dumps(rows)) + "\n", output)
        elif fmt == "table":  # times in the desk's zone, money with its currency
            rows = [
                dict(
                    serialize.invoice(i, lines=False),
                    number=i.number or f"draft-{i.id}",
                    total=i.total,
                    issued_at=i.issued_at,
                )
                for i in invoices
            ]
            write_output((table(rows, LIST_COLUMNS) if rows else "No invoices.") + "\n", output)
        else:
            write_output(render(desk, by_name[fmt], "invoices", invoices), output)

    @invoice_group.command("show")
    @click.argument("ref")
    @click.option("--format", "fmt", type=choice, default="table", show_default=True)
    @click.option("--output", "-o", help="Write to this file instead of stdout.")
    @pass_desk
    def invoice_show(desk: Any, ref: str, fmt: str, output: str | None) -> None:
        """Show one invoice (NUMBER, or draft-ID)."""
        invoice = desk.billing.invoice(ref)
        if fmt == "json":
            write_output(safe_json(serialize.dumps(serialize.invoice(invoice))) + "\n", output)
        elif fmt == "table":
            write_output(clean_text(render_invoice(invoice)) + "\n", output)
        else:
            write_output(render(desk, by_name[fmt], "invoice", invoice), output)

    @invoice_group.command("void")
    @click.argument("number")
    @click.option("--reason", required=True)
    @pass_desk
    def invoice_void(desk: Any, number: str, reason: str) -> None:
        """Cancel an issued invoice with a credit note (its time is billed again later)."""
        credit = desk.billing.void(number, reason, actor=actor_for())
        click.echo(f"issued credit note {credit.number} for {number} ({credit.total})")

    @invoice_group.command("paid")
    @click.argument("number")
    @click.option("--amount", required=True, callback=_amount, help="Amount received, e.g. 1500.00.")
    @click.option(
        "--date",
        "paid_on",
        required=True,
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Date the customer paid, YYYY-MM-DD.",
    )
    @click.option("--reference", help="Bank reference or payment order number.")
    @FORMAT_OPTION
    @pass_desk
    def invoice_paid(desk: Any, number: str, amount: Decimal, paid_on: Any, reference: str | None, fmt: str) -> None:
        """Record a payment against an issued invoice (partial payments add up)."""
        if reference is not None and not reference.strip():
            raise click.BadParameter("must not be empty", param_hint="'--reference'")
        if paid_on.date() > desk.local_date():
            raise click.BadParameter(f"{paid_on.date().isoformat()} is in the future", param_hint="'--date'")
        try:
            invoice = desk.billing.pay(number, amount, paid_on.date(), reference=reference, actor=actor_for())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--amount'") from None
        data = {
            "number": invoice.number,
            "currency": invoice.currency,
            "total": serialize.money(invoice.total),
            "paid": serialize.money(invoice.total - invoice.balance),
            "balance": serialize.money(invoice.balance),
            "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        }
        emit_one(
            data,
            fmt,
            f"{invoice.number}: paid {data['paid']} of {data['total']} {invoice.currency}, "
            f"balance {data['balance']} {invoice.currency}",
        )

    @invoice_group.command("link")
    @click.argument("number")
    @pass_desk
    def invoice_link(desk: Any, number: str) -> None:
        """Print the unguessable URL under which `deskframe serve` shows the invoice."""
        click.echo(desk.billing.link(number))

    return invoice_group


def not_billed_text(items: list[dict[str, Any]]) -> str:
    """The ``not billed`` lines of ``invoice run``: per ticket, its minutes and why."""
    if not items:
        return ""
    minutes = sum(i["minutes"] for i in items)
    lines = [f"\nnot billed: {minutes} min on {len(items)} ticket{'s' * (len(items) != 1)}"]
    for i in items:
        lines.append(
            f"  {i['ticket']}  {i['customer'] or '-'}  {i['minutes']} min "
            f"({i['first_date']}..{i['last_date']}): {i['why']}"
        )
    return "\n".join(lines)


def render(desk: Any, output_format: Any, kind: str, data: Any) -> str | bytes:
    """Call a format's ``render`` with the options it declares (locale, timezone, agent label, terms)."""
    return output_format.render(kind, data, **render_options(desk.config, output_format))


def render_invoice(invoice: Any) -> str:
    title = invoice.number or f"draft-{invoice.id}"
    lines = [
        (
            f"{'Credit note' if invoice.kind == 'credit' else 'Invoice'} {title} ({invoice.status})  "
            f"{invoice.customer_name} [{invoice.customer}]  contract {invoice.contract or '-'}  period {invoice.period}"
        )
    ]
    if invoice.credit_for:
        lines.append(f"  credits {invoice.credit_for}: {invoice.reason}")
    for line in invoice.lines:
        when = line.original_date or line.work_date
        when = when.isoformat() if when is not None else ""  # a date takes no string format spec
        mark = " (logged late)" if line.original_date else ""
        est = f" est {line.estimate_hours}h" if line.estimate_hours is not None else ""
        lines.append(
            f"  {when or '':<10} {line.ticket or '-':<17} {line.agent or '-':<8} "
            f"{line.quantity:>8} {line.unit:<4} x {line.unit_price.amount:>10} = {line.amount.amount:>12}"
            f"  {line.description}{est}{mark}"
        )
    lines.append(
        f"  subtotal {invoice.subtotal}  tax {invoice.tax_rate * 100:.2f}% {invoice.tax}  total {invoice.total}"
    )
    if invoice.kind == "invoice" and invoice.status == "issued":
        lines.append(
            f"  due {invoice.due_date.isoformat() if invoice.due_date else '-'}  "
            f"paid {invoice.total - invoice.balance}  balance {invoice.balance}"
        )
    for held in invoice.held:
        lines.append(
            f"  held: {held['ticket']} {held['agent']} {held['minutes']} min on {held['work_date']} ({held['reason']})"
        )
    return "\n".join(lines)
