"""The invoice ledger with a minimal pricing model defined here (the reference models are tested in plugins)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import deskframe
from deskframe import Money, PricingModelType
from deskframe.actors import Actor
from deskframe.billing import InvoiceLine, PricingResult
from deskframe.errors import DomainError


class PerMinute:
    """1 RUB per started minute of billable time; held if an estimate exists unapproved."""

    currency = "RUB"

    def __init__(self, table):
        self.rate = Decimal(table.get("rate", "1"))

    def price(self, ctx):
        lines, held = [], []
        for e in ctx.entries:
            if not e.billable:
                continue
            est = ctx.estimates.get(e.ticket)
            if est is not None and not est.approved:
                held.append(e)
                continue
            amount = Money(self.rate * e.minutes, "RUB").rounded()
            lines.append(
                InvoiceLine(
                    description=e.ticket_subject,
                    quantity=Decimal(e.minutes),
                    unit="min",
                    unit_price=Money(self.rate, "RUB"),
                    amount=amount,
                    ticket=e.ticket,
                    agent=e.agent,
                    work_date=e.work_date,
                    original_date=e.work_date if e.late else None,
                    entry_ids=(e.id,),
                    estimate_hours=est.hours if est else None,
                )
            )
        return PricingResult("RUB", tuple(lines), tuple(held))


class ModelPlugin:
    @deskframe.hookimpl
    def register_pricing_models(self, register):
        register(PricingModelType("per-minute", PerMinute))


class Announcements:
    def __init__(self):
        self.numbers = []

    @deskframe.hookimpl
    def invoice_issued(self, event, desk):
        self.numbers.append(event.number)


CONFIG = """
[billing]
tax_rate = "20%"
series = "INV"
public_url = "http://127.0.0.1:8123"
[billing.vendor]
name = "Studio LLC"
[pricing.pm]
model = "per-minute"
rate = "1.5"
"""


@pytest.fixture
def announcements():
    return Announcements()


@pytest.fixture
def billing(make_desk, announcements):
    desk = make_desk(
        CONFIG,
        plugins=[ModelPlugin(), announcements],
        clock=lambda: dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc),
    )
    from deskframe.testing import Factory

    f = Factory(desk)
    f.customer("acme", name="ACME LLC")
    f.contract("acme", key="acme-hourly", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    return desk


def log(desk, number, minutes, day, **kw):
    return desk.time.log(number, actor=Actor.agent("alice"), minutes=minutes, date=day, **kw)


def test_run_issue_is_idempotent_and_never_bills_twice(billing, announcements):
    t = billing.tickets.open(subject="Fix header", body="x", customer="acme", actor=Actor.operator())
    log(billing, t.number, 10, dt.date(2026, 10, 5))
    log(billing, t.number, 20, dt.date(2026, 10, 6))
    log(billing, t.number, 5, dt.date(2026, 10, 7), billable=False)
    report = billing.billing.run("2026-10", actor=Actor.operator())
    assert report.drafted == ["acme-hourly"]
    again = billing.billing.run("2026-10", actor=Actor.operator())  # rebuilds the draft, no duplicate
    assert again.drafted == ["acme-hourly"]
    drafts = billing.billing.invoices(period="2026-10")
    assert len(drafts) == 1 and drafts[0].status == "draft"
    assert drafts[0].subtotal == Money("45.00", "RUB")
    assert drafts[0].tax == Money("9.00", "RUB") and drafts[0].total == Money("54.00", "RUB")
    issued = billing.billing.issue(period="2026-10", actor=Actor.operator())
    assert [i.number for i in issued] == ["INV-2026-00001"]
    assert announcements.numbers == ["INV-2026-00001"]
    # a second run and issue change nothing
    assert billing.billing.run("2026-10", actor=Actor.operator()).skipped_issued == ["acme-hourly"]
    assert billing.billing.issue(period="2026-10", actor=Actor.operator()) == []
    assert len(billing.billing.invoices()) == 1
    assert announcements.numbers == ["INV-2026-00001"]
    # November has nothing new to bill
    assert billing.billing.run("2026-11", actor=Actor.operator()).nothing_to_bill == ["acme-hourly"]


def test_late_entry_goes_on_next_invoice_with_original_date(billing):
    t = billing.tickets.open(subject="Fix header", body="x", customer="acme", actor=Actor.operator())
    log(billing, t.number, 10, dt.date(2026, 10, 5))
    billing.billing.run("2026-10", actor=Actor.operator())
    billing.billing.issue(period="2026-10", actor=Actor.operator())
    log(billing, t.number, 30, dt.date(2026, 10, 30))  # logged after October was issued
    log(billing, t.number, 60, dt.date(2026, 11, 2))
    billing.billing.run("2026-11", actor=Actor.operator())
    november = billing.billing.issue(period="2026-11", actor=Actor.operator())[0]
    assert november.number == "INV-2026-00002"
    dates = sorted((line.work_date, line.original_date) for line in november.lines)
    assert dates == [(dt.date(2026, 10, 30), dt.date(2026, 10, 30)), (dt.date(2026, 11, 2), None)]
    assert november.subtotal == Money("135.00", "RUB")


def test_unapproved_estimate_holds_time_until_approved(billing):
    t = billing.tickets.open(subject="Redesign", body="x", customer="acme", actor=Actor.operator())
    billing.tickets.estimate(t.number, hours=Decimal("3"), actor=Actor.operator())
    log(billing, t.number, 60, dt.date(2026, 10, 5))
    report = billing.billing.run("2026-10", actor=Actor.operator())
    assert report.nothing_to_bill == ["acme-hourly"] and report.held_entries == 1
    billing.tickets.estimate(t.number, approve=True, actor=Actor.agent("alice"))
    billing.billing.run("2026-10", actor=Actor.operator())
    draft = billing.billing.invoices(period="2026-10")[0]
    assert draft.lines[0].estimate_hours == Decimal("3") and draft.subtotal == Money("90.00", "RUB")
    history = [h.action for h in billing.tickets.get(t.number).history]
    assert "estimate" in history and "estimate_approved" in history


def test_void_issues_credit_note_and_releases_time(billing, announcements):
    t = billing.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    log(billing, t.number, 100, dt.date(2026, 10, 5))
    billing.billing.run("2026-10", actor=Actor.operator())
    invoice = billing.billing.issue(period="2026-10", actor=Actor.operator())[0]
    with pytest.raises(DomainError):
        billing.billing.void(invoice.number, "", actor=Actor.operator())
    credit = billing.billing.void(invoice.number, "wrong rate", actor=Actor.operator())
    assert credit.number == "CN-2026-00001" and credit.kind == "credit"
    assert credit.total == -invoice.total and credit.credit_for == invoice.number
    assert billing.billing.invoice(invoice.number).status == "void"
    with pytest.raises(DomainError):
        billing.billing.void(invoice.number, "again", actor=Actor.operator())
    # the time is billable again: a new run of the period drafts a new invoice
    assert billing.billing.run("2026-10", actor=Actor.operator()).drafted == ["acme-hourly"]
    reissued = billing.billing.issue(period="2026-10", actor=Actor.operator())[0]
    assert reissued.number == "INV-2026-00002" and reissued.total == invoice.total
    assert announcements.numbers == ["INV-2026-00001", "CN-2026-00001", "INV-2026-00002"]


def test_crash_inside_issue_leaves_no_half_issued_invoice_and_no_number_gap(billing, monkeypatch):
    t = billing.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    log(billing, t.number, 10, dt.date(2026, 10, 5))
    billing.billing.run("2026-10", actor=Actor.operator())
    from deskframe.store import Repository

    original = Repository.invoice_view

    def crash(self, row):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Repository, "invoice_view", crash)
    with pytest.raises(RuntimeError):
        billing.billing.issue(period="2026-10", actor=Actor.operator())
    monkeypatch.setattr(Repository, "invoice_view", original)
    draft = billing.billing.invoices(period="2026-10")[0]
    assert draft.status == "draft" and draft.number is None
    assert billing.billing.issue(period="2026-10", actor=Actor.operator())[0].number == "INV-2026-00001"


def test_invoice_cli(billing, cli):
    t = billing.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    run = cli(billing)
    assert run("ticket", "estimate", t.number, "--hours", "2", "--approve").exit_code == 0
    log(billing, t.number, 10, dt.date(2026, 10, 5))
    out = run("invoice", "run", "--period", "2026-10", "--format", "json")
    assert json.loads(out.output)["drafted"] == ["acme-hourly"]
    listed = json.loads(run("invoice", "list", "--format", "json").output)
    assert listed[0]["number"].startswith("draft-") and listed[0]["total"] == "18.00"
    assert run("invoice", "issue", listed[0]["number"]).exit_code == 0
    shown = json.loads(run("invoice", "show", "INV-2026-00001", "--format", "json").output)
    assert shown["lines"][0]["estimate_hours"] == "2" and shown["lines"][0]["time_entries"]
    assert "INV-2026-00001" in run("invoice", "show", "INV-2026-00001").output
    link = run("invoice", "link", "INV-2026-00001").output.strip()
    assert link.startswith("http://127.0.0.1:8123/invoices/") and len(link.rsplit("/", 1)[1]) >= 32
    assert billing.billing.by_token(link.rsplit("/", 1)[1]).number == "INV-2026-00001"
    assert billing.billing.by_token("wrong") is None
    bad = run("invoice", "void", "INV-2026-00001")
    assert bad.exit_code == 2  # --reason is required
    assert run("invoice", "void", "INV-2026-00001", "--reason", "typo").exit_code == 0


STUDIO = (
    CONFIG
    + """
[pricing.studio]
model = "hourly"
currency = "RUB"
rates = { default = "1500.00" }
increment = "15m"
"""
)


@pytest.fixture
def studio(make_desk):
    desk = make_desk(
        STUDIO, plugins=[ModelPlugin()], clock=lambda: dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)
    )
    from deskframe.testing import Factory

    f = Factory(desk)
    f.agent("alice")
    for key in ("acme", "beta", "gamma"):
        f.customer(key)
        f.contract(key, key=f"{key}-hourly", pricing="studio", start=dt.date(2026, 1, 1))
    return desk


def linked_entries(invoice):
    return sorted(i for line in invoice.lines for i in line.entry_ids)


def test_a_line_per_ticket_links_every_entry_and_holds_unapproved_time(studio):
    fix = studio.tickets.open(subject="Fix header", body="x", customer="acme", actor=Actor.operator())
    redesign = studio.tickets.open(subject="Redesign", body="x", customer="acme", actor=Actor.operator())
    studio.tickets.estimate(redesign.number, hours=Decimal("3"), actor=Actor.operator())
    ids = [log(studio, fix.number, m, dt.date(2026, 10, d)).id for m, d in ((7, 5), (20, 6), (50, 7))]
    held = log(studio, redesign.number, 60, dt.date(2026, 10, 8)).id
    report = studio.billing.run("2026-10", actor=Actor.operator())
    assert report.drafted == ["acme-hourly"] and report.held_entries == 1
    (draft,) = studio.billing.invoices(period="2026-10")
    (line,) = draft.lines  # one line for the ticket: 15 + 30 + 60 = 105 min = 1.75 h x 1500.00
    assert line.ticket == fix.number and line.amount == Money("2625.00", "RUB")
    assert linked_entries(draft) == sorted(ids)
    assert [h["id"] for h in draft.held] == [held]
    studio.billing.issue(period="2026-10", actor=Actor.operator())
    # the held entry stayed unbilled: once approved, November bills it as a late line
    studio.tickets.estimate(redesign.number, approve=True, actor=Actor.agent("alice"))
    studio.billing.run("2026-11", actor=Actor.operator())
    (november,) = studio.billing.invoices(period="2026-11")
    assert linked_entries(november) == [held]
    assert november.lines[0].original_date == dt.date(2026, 10, 8)


def test_drafts_are_written_in_batches_each_invoice_whole(studio, monkeypatch):
    from deskframe.services import billing as ledger

    monkeypatch.setattr(ledger, "BATCH_CONTRACTS", 2)
    tickets = {
        key: studio.tickets.open(subject=f"Work for {key}", body="x", customer=key, actor=Actor.operator())
        for key in ("acme", "beta", "gamma")
    }
    entries = {key: [log(studio, t.number, 30, dt.date(2026, 10, d)).id for d in (1, 2)] for key, t in tickets.items()}
    model = studio.config.pricing_models["studio"]
    originals = {name: getattr(type(model), name) for name in ("price", "price_groups")}

    def crashing(original):
        def crash_on_gamma(self, context, *args):
            if context.contract.key == "gamma-hourly":
                raise RuntimeError("power cut")
            return original(self, context, *args)

        return crash_on_gamma

    for name, original in originals.items():  # both the per-entry and the summed path
        monkeypatch.setattr(type(model), name, crashing(original))
    with pytest.raises(RuntimeError):
        studio.billing.run("2026-10", actor=Actor.operator())
    # the first batch (acme, beta) is committed whole; the failed one left nothing behind
    drafts = {i.contract: i for i in studio.billing.invoices(period="2026-10")}
    assert sorted(drafts) == ["acme-hourly", "beta-hourly"]
    assert all(linked_entries(drafts[f"{k}-hourly"]) == entries[k] for k in ("acme", "beta"))
    for name, original in originals.items():
        monkeypatch.setattr(type(model), name, original)
    report = studio.billing.run("2026-10", actor=Actor.operator())  # a re-run rebuilds the drafts, bills nothing twice
    assert report.drafted == ["acme-hourly", "beta-hourly", "gamma-hourly"]
    drafts = {i.contract: i for i in studio.billing.invoices(period="2026-10")}
    assert {k: linked_entries(v) for k, v in drafts.items()} == {f"{k}-hourly": v for k, v in entries.items()}
    assert all(d.subtotal == Money("1500.00", "RUB") for d in drafts.values())


def test_an_entry_billed_meanwhile_refuses_the_whole_batch(studio):
    t = studio.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    entry = log(studio, t.number, 30, dt.date(2026, 10, 5)).id
    studio.billing.run("2026-10", actor=Actor.operator())
    (draft,) = studio.billing.invoices(period="2026-10")
    line = InvoiceLine(
        description="again",
        quantity=Decimal(1),
        unit="h",
        unit_price=Money("1", "RUB"),
        amount=Money("1.00", "RUB"),
        entry_ids=(entry,),
    )
    with pytest.raises(DomainError, match="billed by another invoice"), studio.store.write() as repo:
        repo.add_invoice(
            kind="invoice",
            customer_id=1,
            contract_id=None,
            period="2026-10",
            currency="RUB",
            lines=[line],
            subtotal=Decimal(1),
            tax_rate=Decimal(0),
            tax=Decimal(0),
            total=Decimal(1),
            held=[],
            vendor={},
        )
    assert len(studio.billing.invoices(period="2026-10")) == 1
    assert linked_entries(studio.billing.invoice(f"draft-{draft.id}")) == [entry]
