"""The invoice ledger: drafts per contract and period, issue with gapless numbers, credit notes.

Rules:
* ``run(period)`` prices every contract with a pricing model and something to bill
  (unbilled time entries up to the period's end, and what the model charges by
  itself). An issued invoice for the contract and period is never touched, so
  re-running changes nothing already issued; a draft is rebuilt from scratch.
* Transactions: drafts are written in batches of ``BATCH_CONTRACTS`` contracts,
  one transaction per batch. Each invoice is still all-or-nothing - its row, its
  lines and its entry links commit together or not at all - so a crash mid-run
  leaves whole drafts or none, never half an invoice; a batch that fails rolls
  back as a whole and a re-run redoes it. Drafts are not numbered and not
  announced, so committing several at once loses nothing that one transaction
  per invoice would give, while a commit per contract (an fsync each on SQLite)
  was most of a run's time. Issuing stays one transaction per invoice.
* A time entry is linked to the invoice line that billed it and is never priced
  again; time logged late for an already issued period is picked up by the next
  period's run as a line marked with its original date.
* ``issue`` draws the number inside the issuing transaction (gapless per series
  and year) and makes the invoice immutable; ``void`` issues a credit note that
  reverses it and releases its time entries for a later invoice.
* Amounts: each line is rounded half-up to the currency's minor unit by the
  pricing model; the subtotal is the sum of rounded lines; tax is the subtotal
  times the vendor's tax rate, rounded once; total = subtotal + tax.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .. import policy
from ..billing.model import BillingContext, Invoice, InvoiceLine, NewInvoice, PricingResult, TimeGroup, TimeRules
from ..errors import BadValue, DomainError, NotFound
from ..events import InvoiceIssued
from ..model import Contract
from ..money import Money
from .context import month_bounds

if TYPE_CHECKING:
    from ..actors import Actor
    from ..services.context import ServiceContext

#: Contracts drafted per write transaction: few enough that the write lock is held
#: briefly (other writers wait at most one batch, about a second and a half at 500
#: contracts and 125,000 entries), many enough that commits and the bulk statements
#: of a batch cost little per contract (a batch's entries lie all over the time
#: entries table, so each batch rewrites most of its pages whatever its size).
BATCH_CONTRACTS = 500


@attrs.define
class RunReport:
    """What one ``invoice run`` did, per contract."""

    period: str
    drafted: list[str] = attrs.field(factory=list)
    skipped_issued: list[str] = attrs.field(factory=list)
    nothing_to_bill: list[str] = attrs.field(factory=list)
    held_entries: int = 0
    #: time no contract of the period bills, per ticket (see :func:`not_billed_reason`)
    not_billed: list[dict[str, Any]] = attrs.field(factory=list)


class Ledger:
    """The billing service: invoice runs, issuing, credit notes, payments and invoice reads."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    @property
    def settings(self) -> Any:
        """The ``[billing]`` settings."""
        return self.ctx.config.billing

    def _model(self, name: str | None) -> Any:
        model = self.ctx.config.pricing_models.get(name) if name is not None else None
        if model is None:
            raise BadValue(
                f"unknown pricing model '{name}' (configured: "
                f"{', '.join(sorted(self.ctx.config.pricing_models)) or 'none'})"
            )
        return model

    def run(self, period: str, on_progress: Callable[[int], None] | None = None, *, actor: Actor) -> RunReport:
        """Draft every contract's invoice for ``period``; ``on_progress(1)`` after each contract."""
        start, end = month_bounds(period)
        report = RunReport(period)
        with self.ctx.store.read() as reader:
            policy.check(actor, "invoice.run", repo=reader)
            contracts = reader.billing_contracts(start, end)
        for first in range(0, len(contracts), BATCH_CONTRACTS):
            self._draft_batch(contracts[first : first + BATCH_CONTRACTS], period, start, end, report, on_progress)
        report.drafted.sort()
        report.skipped_issued.sort()
        report.nothing_to_bill.sort()
        with self.ctx.store.read() as reader:
            report.not_billed = [
                dict(item, why=not_billed_reason(item, period)) for item in reader.unbillable_time(start, end)
            ]
        return report

    def _draft_batch(
        self,
        batch: list[tuple[int, int, Contract]],
        period: str,
        start: dt.date,
        end: dt.date,
        report: RunReport,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        """Rebuild the drafts of a batch of contracts (by id) in one transaction.

        Everything is read inside the transaction, so the entries priced are exactly
        those the lines link: an issued invoice is skipped, the contract's old draft
        is deleted (its entries released) and the contract priced afresh.
        """
        with self.ctx.store.write() as repo:
            repo.lock_contracts([cid for cid, _, _ in batch])
            statuses = repo.period_invoice_status(period)
            issued = {cid for cid, _, _ in batch if "issued" in statuses.get(cid, ())}
            todo = [cid for cid, _, _ in batch if cid not in issued]
            repo.delete_drafts(todo, period)
            estimates = repo.estimates_by_contract(todo)
            calendars = self.ctx.config.calendar_objects
            contexts = {
                cid: BillingContext(
                    contract=contract,
                    period=period,
                    period_start=start,
                    period_end=end,
                    estimates=estimates.get(cid, {}),
                    calendars=calendars,
                )
                for cid, _, contract in batch
                if cid not in issued
            }
            rules = {}
            for cid, context in contexts.items():
                found = self._time_rules(context)
                if found is not None:
                    rules[cid] = found
            summed = repo.time_groups(rules, dict(calendars), end, start) if rules else {}
            rest = [cid for cid in todo if cid not in rules]
            stream = repo.unbilled_by_contract(end, start, only=rest) if rest else iter(())
            pending = next(stream, None)
            drafts = []
            for contract_id, customer_id, contract in batch:
                if on_progress is not None:
                    on_progress(1)
                if contract_id in issued:
                    report.skipped_issued.append(contract.key)
                    continue
                context = contexts[contract_id]
                if contract_id in rules:
                    draft = self._draft_summed(
                        repo, context, tuple(summed.get(contract_id, ())), contract_id, customer_id, report
                    )
                else:
                    while pending is not None and pending[0] < contract_id:
                        pending = next(stream, None)
                    entries = pending[1] if pending is not None and pending[0] == contract_id else []
                    draft = self._draft(attrs.evolve(context, entries=tuple(entries)), contract_id, customer_id, report)
                if draft is not None:
                    drafts.append(draft)
            for _ in stream:  # the query is read to its end before anything is written
                pass
            repo.add_drafts(drafts)
            if rules:
                repo.drop_time_groups()
        drafted = {d.contract_id for d in drafts}
        report.drafted.extend(contract.key for contract_id, _, contract in batch if contract_id in drafted)

    def _time_rules(self, context: BillingContext) -> TimeRules | None:
        """The model's :class:`TimeRules` for this contract, or None (it prices entries one by one)."""
        model = self._model(context.contract.pricing)
        time_rules = getattr(model, "time_rules", None)
        if time_rules is None or not callable(getattr(model, "price_groups", None)):
            return None
        return time_rules(context)

    def _draft(
        self, context: BillingContext, contract_id: int, customer_id: int, report: RunReport
    ) -> NewInvoice | None:
        """Price one contract; the draft to write, or None when there is nothing to bill."""
        result = self._model(context.contract.pricing).price(context)
        held = [
            {
                "id": e.id,
                "ticket": e.ticket,
                "agent": e.agent,
                "minutes": e.minutes,
                "work_date": e.work_date.isoformat(),
                "reason": "estimate not approved",
            }
            for e in result.held
        ]
        return self._new_invoice(context, result, held, (), contract_id, customer_id, report)

    def _draft_summed(
        self,
        repo: Any,
        context: BillingContext,
        groups: tuple[TimeGroup, ...],
        contract_id: int,
        customer_id: int,
        report: RunReport,
    ) -> NewInvoice | None:
        """Price one contract from its summed time (:class:`TimeRules`); as :meth:`_draft`."""
        result = self._model(context.contract.pricing).price_groups(context, groups)
        held = [
            {
                "id": e.id,
                "ticket": e.ticket,
                "agent": e.agent,
                "minutes": e.minutes,
                "work_date": e.work_date.isoformat(),
                "reason": "estimate not approved",
            }
            for e in result.held
        ]
        held += repo.held_entries([groups[i] for i in result.held_groups])
        links = tuple(
            (position, groups[i].key, groups[i].entries)
            for position, line in enumerate(result.lines, 1)
            for i in line.entry_groups
        )
        return self._new_invoice(context, result, held, links, contract_id, customer_id, report)

    def _new_invoice(
        self,
        context: BillingContext,
        result: PricingResult,
        held: list[dict[str, Any]],
        links: tuple[tuple[int, tuple[Any, ...], int], ...],
        contract_id: int,
        customer_id: int,
        report: RunReport,
    ) -> NewInvoice | None:
        key = context.contract.key
        report.held_entries += len(held)
        if not result.lines:
            report.nothing_to_bill.append(key)
            return None
        self._check_lines(result.lines, result.currency, key)
        subtotal = sum((line.amount for line in result.lines), Money.zero(result.currency))
        tax = (subtotal * self.settings.tax_rate).rounded()
        return NewInvoice(
            customer_id=customer_id,
            contract_id=contract_id,
            period=context.period,
            currency=result.currency,
            lines=result.lines,
            subtotal=subtotal.amount,
            tax_rate=self.settings.tax_rate,
            tax=tax.amount,
            total=(subtotal + tax).amount,
            held=held,
            vendor=dict(self.settings.vendor),
            group_links=links,
        )

    @staticmethod
    def _check_lines(lines: tuple[InvoiceLine, ...], currency: str, contract: str) -> None:
        for line in lines:
            if line.amount.currency != currency or line.amount != line.amount.rounded():
                raise DomainError(
                    f"contract '{contract}': pricing model returned a line not rounded to "
                    f"{currency} minor units: {line.description!r} {line.amount}"
                )

    def _issue_row(self, repo: Any, row: Any, now: dt.datetime) -> None:
        local_year = self.ctx.local_date(now).year
        series = self.settings.credit_series if row.kind == "credit" else self.settings.series
        key = f"{series}-{local_year}"
        row.number = f"{key}-{repo.draw_number(key):05d}"
        row.status = "issued"
        row.issued_at = now
        if row.kind == "invoice":
            row.due_date = self.ctx.local_date(now) + dt.timedelta(days=self.settings.payment_terms_days)
        row.buyer = repo.invoice_buyer(row)  # the buyer's ИНН/КПП/address, frozen with the invoice
        row.link_token = secrets.token_urlsafe(24)

    def issue(self, *, actor: Actor, period: str | None = None, ref: str | None = None) -> list[Invoice]:
        """Issue one draft (``ref`` = ``draft-ID``) or every draft of a period; one transaction each.

        For a period, a draft that vanished meanwhile (a concurrent ``run`` rebuilt it under
        a new id) or that another process issued first is skipped; drafts a concurrent run
        created meanwhile are issued too, until the period has none left that this call
        has not tried.
        """
        if bool(period) == bool(ref):
            raise BadValue("give either a period or one draft to issue")
        if period:
            _check_period(period)
        with self.ctx.store.read() as reader:
            policy.check(actor, "invoice.issue", repo=reader)
        if ref:
            return [self._issue_one(ref)]
        issued: list[Invoice] = []
        tried: set[int] = set()
        while True:
            with self.ctx.store.read() as repo:
                fresh = [row.id for row in repo.invoice_rows(period=period, status="draft") if row.id not in tried]
            if not fresh:
                return issued
            for draft_id in fresh:
                tried.add(draft_id)
                try:
                    invoice = self._issue_one(f"draft-{draft_id}")
                except NotFound:
                    continue  # rebuilt by a run, or issued by another process, since we listed it
                issued.append(invoice)

    def _issue_one(self, ref: str) -> Invoice:
        """Issue the draft ``ref`` in one transaction (NotFound if it is no longer a draft)."""
        with self.ctx.store.write() as repo:
            contract_id = repo.invoice_row(ref).contract_id
            if contract_id is not None:  # a run rebuilding this contract's draft goes first
                repo.lock_contracts([contract_id])
            row = repo.invoice_row(ref, for_update=True)  # re-read after the wait: still a draft?
            if row.status != "draft":
                raise DomainError(f"invoice {row.number} is already {row.status}")
            self._issue_row(repo, row, repo.now)
            repo.flush()
            invoice = repo.invoice_view(row)
            events = self._issued(invoice, row.link_token)
            failures = self.ctx.enqueue_outbound(repo, events)
        self.ctx.fire_events(events, failures)
        return invoice

    def void(self, number: str, reason: str, *, actor: Actor) -> Invoice:
        """Cancel an issued invoice by issuing a credit note; its time becomes billable again."""
        if not reason.strip():
            raise BadValue("voiding an invoice needs a reason")
        with self.ctx.store.write() as repo:
            policy.check(actor, "invoice.void", repo=repo)
            row = repo.invoice_row(number, for_update=True)
            if row.status != "issued" or row.kind != "invoice":
                raise DomainError(f"only an issued invoice can be voided; {number} is {row.status} {row.kind}")
            original = repo.invoice_view(row)
            lines = [
                attrs.evolve(line, quantity=-line.quantity, amount=-line.amount, entry_ids=(), kind="credit")
                for line in original.lines
            ]
            credit = repo.add_invoice(
                kind="credit",
                customer_id=row.customer_id,
                contract_id=row.contract_id,
                period=row.period,
                currency=row.currency,
                lines=lines,
                subtotal=-row.subtotal,
                tax_rate=row.tax_rate,
                tax=-row.tax,
                total=-row.total,
                held=[],
                vendor=dict(row.vendor or {}),
                credit_for_id=row.id,
                reason=reason,
            )
            repo.release_entries(row)
            row.status, row.reason = "void", reason
            self._issue_row(repo, credit, repo.now)
            repo.flush()
            view = repo.invoice_view(credit)
            events = self._issued(view, credit.link_token)
            failures = self.ctx.enqueue_outbound(repo, events)
        self.ctx.fire_events(events, failures)
        return view

    def _issued(self, invoice: Invoice, token: str | None) -> list[tuple[str, Any]]:
        """The ``invoice_issued`` event of ``invoice`` (its messages are enqueued with the issue),
        with its public link when it has a link token."""
        link = f"{self.settings.public_url}/invoices/{token}" if token else None
        event = InvoiceIssued(
            invoice.number or "", invoice.customer, invoice.contract, invoice.period, invoice.total, link
        )
        return [("invoice_issued", event)]

    def invoices(
        self,
        *,
        period: str | None = None,
        status: str | None = None,
        customer: str | None = None,
        unpaid: bool = False,
        overdue: bool = False,
    ) -> list[Invoice]:
        """Invoices and credit notes by id; ``unpaid``: issued invoices with a balance left,
        ``overdue``: those of them past their due date (today in the desk's zone)."""
        if period is not None:
            _check_period(period)
        if unpaid or overdue:
            status = "issued"
        with self.ctx.store.read() as repo:
            if customer is not None:
                repo.customer_row(customer)
            found = [repo.invoice_view(r) for r in repo.invoice_rows(period=period, status=status, customer=customer)]
            today = self.ctx.local_date(repo.now)
        if unpaid or overdue:
            found = [i for i in found if i.kind == "invoice" and i.balance.amount > 0]
        if overdue:
            found = [i for i in found if i.overdue(today)]
        return found

    def pay(
        self, number: str, amount: Decimal, paid_on: dt.date, reference: str | None = None, *, actor: Actor
    ) -> Invoice:
        """Record a payment against an issued invoice; partial payments add up.

        Refused (DomainError) for a draft, a void invoice, a credit note, and a payment
        beyond the balance left. ``amount`` must be positive in the currency's minor units.
        """
        if amount <= 0:
            raise ValueError(f"a payment must be positive, got {amount}")
        with self.ctx.store.write() as repo:
            policy.check(actor, "invoice.pay", repo=repo)
            row = repo.invoice_row(number, for_update=True)
            if row.kind != "invoice" or row.status != "issued":
                what = "a credit note" if row.kind == "credit" else f"{row.status}"
                raise DomainError(f"invoice {row.number or number} is {what}: only an issued invoice takes payments")
            money = Money(amount, row.currency)
            if money != money.rounded():
                raise ValueError(f"{amount} has more decimals than {row.currency} has minor units")
            paid = sum(repo.paid_sums([row.id]).values(), Decimal(0))
            balance = row.total - paid
            if amount > balance:
                raise DomainError(
                    f"invoice {row.number}: a payment of {amount} {row.currency} is more than "
                    f"the balance of {balance} {row.currency}"
                )
            repo.add_payment(row, amount, paid_on, reference, actor.history_name)
            return repo.invoice_view(row)

    def invoice(self, ref: str) -> Invoice:
        """The invoice ``ref`` (a number or ``draft-ID``)."""
        with self.ctx.store.read() as repo:
            return repo.invoice_view(repo.invoice_row(ref))

    def by_token(self, token: str) -> Invoice | None:
        """The issued invoice of a public link's token, or None."""
        with self.ctx.store.read() as repo:
            row = repo.invoice_by_token(token) if token else None
            return repo.invoice_view(row) if row else None

    def link(self, number: str) -> str:
        """The public link of an issued invoice."""
        with self.ctx.store.read() as repo:
            row = repo.invoice_row(number)
            if row.link_token is None:
                raise DomainError(f"invoice {number} is a draft: issue it first")
            return f"{self.settings.public_url}/invoices/{row.link_token}"


def not_billed_reason(item: dict[str, Any], period: str) -> str:
    """Why an invoice run left a ticket's time unbilled, and what to do about it, in words."""
    number, customer, contract = item["ticket"], item["customer"], item["contract"]
    if item["reason"] == "no_customer":
        return (
            f"unknown sender, no customer: assign one with "
            f"'deskframe ticket customer {number} --customer ID --agent LOGIN'"
        )
    if item["reason"] == "no_contract":
        return (
            f"customer {customer} had no contract for this ticket: add one, then "
            f"'deskframe ticket customer {number} --customer {customer} --agent LOGIN'"
        )
    if item["reason"] == "no_pricing":
        return f"contract {contract} has no pricing model"
    return f"contract {contract} does not run in {period}"


def estimate_hours(text: str) -> Decimal:
    """Hours as a positive decimal (``"2.5"``)."""
    try:
        hours = Decimal(text)
    except Exception:
        raise BadValue(f"--hours: not a number: {text!r}") from None
    if hours <= 0 or hours != hours.quantize(Decimal("0.01")):
        raise BadValue(f"--hours: must be positive with at most 2 decimals, got {text!r}")
    return hours


def _check_period(period: str) -> None:
    """``BadValue`` unless ``period`` is a month ``YYYY-MM``."""
    month_bounds(period)
