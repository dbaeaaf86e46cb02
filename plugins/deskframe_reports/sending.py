"""Scheduled reports: which are due or sent, and the worker job that e-mails the due ones.

Each (contract, period) is mailed at most once: its message carries the outbox
``dedupe_key`` ``report:CONTRACT:PERIOD`` (unique in the outbox table, so two workers that
enqueue it at the same moment store one row: the second gets a conflict, reads the first's
id and records that), and a record ``sent`` with the same key in the plugin's records
(``desk.records("deskframe_reports")``) says which outbox message carries it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from deskframe.actors import Actor
from deskframe.errors import Conflict
from deskframe.model import Contract

from . import schedule

#: What the job and the records act as.
ACTOR = Actor.plugin(schedule.PLUGIN)
#: The record kind of a report handed to the outbox.
SENT = "sent"
#: Outbox states as a schedule shows them.
STATES = {"queued": "queued", "sending": "queued", "sent": "sent", "failed": "failed"}


@attrs.frozen
class DueReport:
    """One scheduled period of one contract and where its mail stands."""

    contract: str
    customer: str
    period: str
    due: dt.date
    #: ``pending`` (its due day has not come), ``due``, ``queued``, ``sent`` or ``failed``.
    state: str
    outbox_id: int | None = None
    to: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``deskframe report due``."""
        return {
            "contract": self.contract,
            "customer": self.customer,
            "period": self.period,
            "due": self.due.isoformat(),
            "state": self.state,
            "outbox_id": self.outbox_id,
            "to": list(self.to),
        }


def scheduled(desk: Any) -> list[tuple[Contract, schedule.Schedule]]:
    """The contracts whose params set a report schedule, by key."""
    found = []
    for contract in sorted(desk.directory.contracts(), key=lambda c: c.key):
        plan = schedule.schedule_of(contract)
        if plan is not None:
            found.append((contract, plan))
    return found


def _handed(desk: Any, record: Any) -> DueReport:
    data = record.data
    state = STATES.get(desk.outbox.show(int(data["outbox_id"])).state, "queued")
    return DueReport(
        data["contract"],
        data["customer"],
        data["period"],
        dt.date.fromisoformat(data["due"]),
        state,
        int(data["outbox_id"]),
        tuple(data["to"]),
    )


def due_reports(desk: Any, at: dt.datetime | None = None) -> list[DueReport]:
    """As of ``at`` (default now), per scheduled contract: every report already handed to the
    outbox, and its latest ended period (``due`` or ``pending`` when not handed yet)."""
    today = schedule.local_today(desk, at)
    records = desk.records(schedule.PLUGIN)
    out = []
    for contract, plan in scheduled(desk):
        handed = [_handed(desk, r) for r in records.list(SENT, prefix=schedule.dedupe_key(contract.key, ""))]
        out.extend(sorted(handed, key=lambda r: r.due))
        period = schedule.latest_period(contract, plan, today)
        if period is None or any(r.period == period.label for r in handed):
            continue
        due = schedule.due_date(period, schedule.working_days(desk, contract))
        state = "due" if due <= today else "pending"
        out.append(DueReport(contract.key, contract.customer, period.label, due, state, None, plan.to))
    return out


def message(desk: Any, item: DueReport) -> Any:
    """The e-mail of one report: the text report as the plain part, the HTML report (charts
    inline as SVG) as the HTML part, in the contract's language."""
    from deskframe import OutboundMessage

    from . import build_report, html_format, text_format
    from .view import View

    report, locale = build_report(desk, item.customer, item.period, contract=item.contract)
    view = View(locale, desk.config.timezone)
    sender, channel = _mail_channel(desk)
    subject = view._("Support report: {customer}, {period}").format(
        customer=report.customer["name"], period=view.period(report)
    )
    return OutboundMessage(
        kind="email",
        recipients=item.to,
        subject=subject,
        text=text_format.render(report, view),
        html=html_format.render(report, view),
        sender=sender,
        channel=channel,
        dedupe_key=schedule.dedupe_key(item.contract, item.period),
        topic="report",
        data={"contract": item.contract, "period": item.period},
    )


def _mail_channel(desk: Any) -> tuple[str | None, str | None]:
    """The address and name of the first e-mail channel (None, None without one)."""
    for table in desk.config.channels:
        if table.get("type") == "email" and table.get("address"):
            return str(table["address"]), str(table.get("name") or "") or None
    return None, None


def enqueue_once(desk: Any, item: DueReport) -> int:
    """Hand one report to the outbox (once, whoever else does it too) and record it; its outbox id."""
    mail = message(desk, item)
    try:
        (entry_id,) = desk.outbox.enqueue([mail], actor=ACTOR)
    except Conflict:  # another worker stored the same dedupe key meanwhile: its row stands
        (entry_id,) = desk.outbox.enqueue([mail], actor=ACTOR)
    data = {
        "contract": item.contract,
        "customer": item.customer,
        "period": item.period,
        "due": item.due.isoformat(),
        "outbox_id": entry_id,
        "to": list(item.to),
    }
    records, key = desk.records(schedule.PLUGIN), schedule.dedupe_key(item.contract, item.period)
    try:
        records.put(SENT, key, data, actor=ACTOR)
    except Conflict:  # another worker wrote the same record meanwhile (the same outbox id)
        if records.get(SENT, key) is None:
            records.put(SENT, key, data, actor=ACTOR)
    return int(entry_id)


def run(desk: Any, at: dt.datetime | None = None) -> dict[str, int]:
    """The worker job: enqueue every due report not yet handed to the outbox."""
    due = [item for item in due_reports(desk, at) if item.state == "due"]
    for item in due:
        enqueue_once(desk, item)
    return {"enqueued": len(due)}
