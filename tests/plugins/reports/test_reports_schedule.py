"""The report schedule: due days by the contract's calendar, ``report due``, the worker job that
enqueues each report once (run twice, and by two workers at once), delivery to a real SMTP
server, and bad ``report_every`` / ``report_to`` refused naming the key."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import sys
import threading
from pathlib import Path

import pytest

from deskframe.actors import Actor
from deskframe.model import Contract, Customer
from deskframe.testing import Clock

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "outbox"))

from outbox_support import Sink, deliver_all, mail_config

OP = Actor.operator()
MSK = dt.timezone(dt.timedelta(hours=3))

#: Calendar ``msk``: Monday to Friday, 2 November 2026 (a Monday, after the Sunday that follows
#: October) is a holiday, so October's report is due on Tuesday 3 November. Contracts without an
#: SLA policy fall back to Monday to Friday: due Monday 2 November.
CONFIG = """timezone = "Europe/Moscow"
[calendars.msk]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
extra_holidays = ["2026-11-02"]
[sla.std]
type = "targets"
calendar = "msk"
[sla.std.targets]
P1 = { first_response = "1h", resolution = "8h" }
[billing]
locale = "en"
"""


def at(day: int, hour: int = 9, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=MSK)


def setup(make_desk, extra: str = "", clock: Clock | None = None):
    desk = make_desk(CONFIG + extra, clock=clock or Clock(at(1, 9, month=10)))
    desk.directory.add_customer(Customer(key="acme", name="Acme & Co"), actor=OP)
    desk.directory.add_customer(Customer(key="beta", name="Beta"), actor=OP)
    desk.directory.add_contract(
        Contract(
            key="acme-m",
            customer="acme",
            support_type="8x5",
            sla="std",
            params={"report_every": "month", "report_to": ["boss@acme.example", "cto@acme.example"]},
            start=dt.date(2026, 1, 1),
        ),
        actor=OP,
    )
    desk.directory.add_contract(
        Contract(
            key="beta-w",
            customer="beta",
            support_type="8x5",
            params={"report_every": "week", "report_to": ["ops@beta.example"], "locale": "ru"},
            start=dt.date(2026, 1, 1),
        ),
        actor=OP,
    )
    desk.directory.add_contract(Contract(key="beta-plain", customer="beta", support_type="8x5"), actor=OP)
    return desk


def due_json(cli, desk, *args: str) -> list[dict]:
    result = cli(desk)("report", "due", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_contract(rows: list[dict]) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        out.setdefault(row["contract"], []).append((row["period"], row["due"], row["state"]))
    return out


def test_due_day_skips_the_weekend_and_the_holiday(make_desk, cli):
    desk = setup(make_desk)
    # Sunday 1 November: October has ended, its report waits for the first working day
    rows = due_json(cli, desk, "--at", "2026-11-01")
    assert by_contract(rows)["acme-m"] == [("2026-10", "2026-11-03", "pending")]
    # Monday 2 November is a holiday of the contract's calendar: still pending
    assert by_contract(due_json(cli, desk, "--at", "2026-11-02"))["acme-m"] == [("2026-10", "2026-11-03", "pending")]
    assert by_contract(due_json(cli, desk, "--at", "2026-11-03"))["acme-m"] == [("2026-10", "2026-11-03", "due")]
    # beta has no SLA policy: Monday to Friday, so week 44 (26 Oct - 1 Nov) is due on Monday 2 Nov
    assert by_contract(due_json(cli, desk, "--at", "2026-11-02"))["beta-w"] == [("2026-W44", "2026-11-02", "due")]
    # a contract without a schedule is not listed
    assert "beta-plain" not in by_contract(rows)


def test_report_due_json_shape_and_table(make_desk, cli):
    desk = setup(make_desk)
    rows = due_json(cli, desk, "--at", "2026-11-03")
    acme = next(r for r in rows if r["contract"] == "acme-m")
    assert acme == {
        "contract": "acme-m",
        "customer": "acme",
        "period": "2026-10",
        "due": "2026-11-03",
        "state": "due",
        "outbox_id": None,
        "to": ["boss@acme.example", "cto@acme.example"],
    }
    table = cli(desk)("report", "due", "--at", "2026-11-03")
    assert table.exit_code == 0 and "acme-m" in table.output and "2026-W44" in table.output
    bad = cli(desk)("report", "due", "--at", "November")
    assert bad.exit_code == 2 and "--at" in bad.output


def test_job_enqueues_one_message_per_period_even_run_twice(make_desk, cli):
    clock = Clock(at(3, 9))
    desk = setup(make_desk, clock=clock)
    job = next(j for j in desk.plugins.registry.items("jobs") if j.name == "reports")
    assert job.run(desk) == {"enqueued": 2}
    assert job.run(desk) == {"enqueued": 0}
    send = cli(desk)("--now", at(3, 10).isoformat(), "report", "send")
    assert send.exit_code == 0 and "reports enqueued: 0" in send.output
    entries = desk.outbox.list(limit=None)
    assert sorted(e.message.dedupe_key for e in entries) == ["report:acme-m:2026-10", "report:beta-w:2026-W44"]
    rows = by_contract(due_json(cli, desk, "--at", "2026-11-03"))
    assert rows["acme-m"] == [("2026-10", "2026-11-03", "queued")]
    # the next month: October stays listed as handed, November is not due before December
    clock.now = at(20, 9)
    assert job.run(desk) == {"enqueued": 1}  # only beta's week 46
    rows = by_contract(due_json(cli, desk, "--at", "2026-11-20"))
    assert rows["acme-m"] == [("2026-10", "2026-11-03", "queued")]
    assert [p for p, _, _ in rows["beta-w"]] == ["2026-W44", "2026-W46"]


def test_two_workers_at_once_enqueue_each_report_once(make_desk):
    """Two desks on one database (two workers) find the same due reports and hand them to the
    outbox at the same moment: one outbox row per report (on PostgreSQL the second insert waits
    for the first and conflicts on the dedupe key)."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe_reports import sending

    clock = Clock(at(3, 9))
    desk = setup(make_desk, clock=clock)
    other = Desk(load_config(desk.config.path, desk.plugins.registry), desk.plugins, clock=clock)
    try:
        due = {d: [r for r in sending.due_reports(d) if r.state == "due"] for d in (desk, other)}
        assert len(due[desk]) == len(due[other]) == 2
        start = threading.Barrier(2)
        ids: dict[int, list[int]] = {}
        errors: list[Exception] = []

        def work(d):
            try:
                start.wait()
                ids[id(d)] = [sending.enqueue_once(d, item) for item in due[d]]
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(d,)) for d in (desk, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert ids[id(desk)] == ids[id(other)]  # both workers name the same outbox rows
        assert len(desk.outbox.list(limit=None)) == 2
        # and whole runs of the job by both workers at once add nothing more
        results: list[dict] = []
        start2 = threading.Barrier(2)

        def run(d):
            start2.wait()
            results.append(sending.run(d))

        threads = [threading.Thread(target=run, args=(d,)) for d in (desk, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert results == [{"enqueued": 0}, {"enqueued": 0}]
        assert len(desk.outbox.list(limit=None)) == 2
    finally:
        other.close()


@pytest.fixture
def sink():
    with Sink() as server:
        yield server


def test_report_mail_reaches_a_real_smtp_server(make_desk, sink):
    desk = setup(make_desk, mail_config(sink.url), clock=Clock(at(3, 9)))
    job = next(j for j in desk.plugins.registry.items("jobs") if j.name == "reports")
    assert job.run(desk) == {"enqueued": 2}
    assert deliver_all(desk) == 2
    mails = {tuple(sorted(rcpt)): raw for _, rcpt, raw in sink.messages}
    acme = email.message_from_bytes(mails[("boss@acme.example", "cto@acme.example")], policy=email.policy.default)
    assert str(acme["Subject"]).startswith("Support report: Acme & Co,")
    assert "support@desk.example" in str(acme["From"])
    html = acme.get_body(("html",)).get_content()
    assert "<svg" in html and "Acme &amp; Co" in html  # the HTML report with its charts
    assert "Opened" in acme.get_body(("plain",)).get_content()
    beta = email.message_from_bytes(mails[("ops@beta.example",)], policy=email.policy.default)
    assert str(beta["Subject"]).startswith("Отчёт о поддержке: Beta,")  # the contract's language
    assert all(e.state == "sent" for e in desk.outbox.list(limit=None))


@pytest.mark.parametrize(
    ("params", "key", "words"),
    [
        ({"report_every": "daily", "report_to": ["a@b.example"]}, "report_every", "week, month, quarter"),
        ({"report_every": "month", "report_to": "a@b.example"}, "report_to", "list"),
        ({"report_every": "month", "report_to": ["not an address"]}, "report_to", "not an e-mail address"),
        ({"report_every": "month"}, "report_to", "go together"),
    ],
)
def test_bad_schedule_params_are_refused_naming_the_key(make_desk, cli, tmp_path, params, key, words):
    desk = setup(make_desk)
    path = tmp_path / "directory.toml"
    inline = ", ".join(f"{k} = {json.dumps(v)}" for k, v in params.items())
    path.write_text(
        f'[[contracts]]\nid = "acme-bad"\ncustomer = "acme"\nsupport_type = "8x5"\nparams = {{ {inline} }}\n',
        encoding="utf-8",
    )
    result = cli(desk)("apply", str(path))
    assert result.exit_code == 2, result.output
    assert f"contracts[0].params.{key}" in result.output and words in result.output
    added = cli(desk)(
        "contract",
        "add",
        "--id",
        "acme-bad",
        "--customer",
        "acme",
        "--support-type",
        "8x5",
        "--params",
        json.dumps(params),
    )
    assert added.exit_code == 2, added.output
    assert f"params.{key}" in added.output and words in added.output
    assert "acme-bad" not in {c.key for c in desk.directory.contracts()}
