"""RELIABILITY 20: an OTRS import re-run, or resumed after a kill, ends with the same counts and sums;
no time-accounting unit is imported (or billed) twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from deskframe.actors import Actor
from deskframe_otrs.mapping import minutes_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SCRIPT = Path(sys.executable).parent / "deskframe"


def snapshot(desk):
    """Everything an import produced, comparable between two desks (no local ids)."""
    tickets = {}
    for row in desk.tickets.list(limit=None):
        t = desk.tickets.get(row["number"])
        tickets[t.number] = (
            t.subject,
            t.state,
            t.priority,
            t.queue,
            t.owner,
            t.locked_by,
            t.customer,
            t.contact,
            t.merged_into,
            t.created_at,
            t.updated_at,
            tuple(
                (
                    a.direction,
                    a.channel,
                    a.subject,
                    a.text,
                    a.sender,
                    a.agent,
                    a.visible_to_customer,
                    a.raw_sha256,
                    tuple(sorted((f.filename, f.sha256) for f in a.attachments)),
                )
                for a in t.articles
            ),
            tuple((h.ticket, h.at, h.action, h.actor, h.old, h.new, h.reason) for h in t.history),
        )
    time_entries = sorted((e.ticket, e.agent, e.minutes, e.work_date, e.note) for e in desk.time.entries())
    directory = (
        sorted((c.key, c.name) for c in desk.directory.customers()),
        sorted((c.name, c.email or "", c.customer or "") for c in desk.directory.contacts()),
        sorted((a.login, a.name, a.email or "") for a in desk.directory.agents()),
    )
    return tickets, time_entries, directory


def expected_minutes(writer):
    """What OTRS holds, converted: the sum every complete import must end with."""
    rows = writer.q("SELECT x.time_unit FROM time_accounting x JOIN ticket t ON t.id = x.ticket_id")
    minutes = [minutes_for(Decimal(str(r[0])), Decimal(1)) for r in rows]
    return len([m for m in minutes if m]), sum(minutes)


def test_killed_import_resumes_to_the_same_result(make_desk, otrs_source, run_import):
    src = otrs_source(bulk=30)  # the realistic tickets plus 30 simple ones: 38 tickets
    entries, minutes = expected_minutes(src.writer)

    reference = make_desk()
    full = run_import(reference, src.url, "--batch", "2")
    assert full["tickets"]["new"] == 38
    assert (full["time_entries"], full["minutes"]) == (entries, minutes)

    desk = make_desk()
    env = dict(os.environ, DESKFRAME_OTRS_BATCH_PAUSE="0.25")
    proc = subprocess.Popen(
        [str(SCRIPT), "--config", str(desk.config.path), "import", "otrs", "--source", src.url, "--batch", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(desk.tickets.list(limit=None)) >= 6:  # three batches committed
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the import ended before it could be killed: {proc.stderr.read().decode()}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    done = len(desk.tickets.list(limit=None))
    assert 6 <= done < 38

    resumed = run_import(desk, src.url, "--batch", "2")
    assert resumed["resumed_after_ticket_id"] > 0
    assert resumed["tickets"]["read"] < 38  # it continued, it did not start over
    assert snapshot(desk) == snapshot(reference)
    assert len(desk.time.entries()) == entries
    assert sum(e.minutes for e in desk.time.entries()) == minutes

    # and any further run, plain or re-reading everything, adds nothing and counts nothing twice
    for flags in ((), ("--since", "2000-01-01")):
        again = run_import(desk, src.url, *flags)
        assert (
            again["tickets"]["new"],
            again["tickets"]["updated"],
            again["articles"],
            again["attachments"],
            again["history"],
            again["time_entries"],
            again["minutes"],
        ) == (0, 0, 0, 0, 0, 0, 0), flags
    assert snapshot(desk) == snapshot(reference)


def test_a_ticket_the_core_refuses_is_reported_and_the_run_goes_on(desk, factory, otrs_source, run_import):
    """A number already used locally: that ticket is reported, its batch neighbours are imported."""
    src = otrs_source(orphans=False)
    live = desk.tickets.open(subject="live", body="x", actor=Actor.operator())
    src.writer.q("UPDATE ticket SET tn = %s WHERE id = %s", (live.number, src.data.ids["t4"]))
    summary = run_import(desk, src.url, "--batch", "3")
    assert summary["tickets"]["new"] == 7
    assert [(r["kind"], r["otrs_id"]) for r in summary["skipped"] if "already exists" in r["reason"]] == [
        ("ticket", str(src.data.ids["t4"]))
    ]
    assert desk.tickets.get(src.data.numbers["t5"]).subject == "Call from phantom"
