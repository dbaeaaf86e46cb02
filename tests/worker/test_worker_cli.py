"""``deskframe worker`` as a process on a SQLite desk: --once, --jobs, one worker per desk, SIGTERM.

Issue 15 (Workers): ``--once`` runs each job and exits 0; an unknown ``--jobs`` name exits 2 naming
it; a second worker on one SQLite desk exits 2 with a one-line reason (and a crashed first worker
does not leave the desk locked); SIGTERM in the middle of a poll finishes the batch in hand and
exits 0 with nothing half-claimed (every stored mail acknowledged, every unacknowledged one unstored).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal

import pytest
from worker_support import Worker, channel_toml, make_maildir, run_worker, unique_tag, wait_for

import deskframe
from deskframe.testing import registered

pytestmark = pytest.mark.slow


@pytest.mark.sqlite_pass
def test_once_runs_each_job_and_exits_0(desk_dir, tmp_path):
    box = make_maildir(tmp_path / "mail", 5, unique_tag())
    desk = desk_dir("sqlite", channel_toml(box))
    result = run_worker(desk.config, "--once", "--log-format", "json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["event"] for r in records] == ["start", "run", "run", "run", "run", "run", "stop"]
    runs = {r["unit"]: r for r in records if r["event"] == "run"}
    # the reports plugin's job and the notify plugin's digests (nothing to do without [notify])
    assert set(runs) == {"intake:mail", "sla", "outbox", "job:reports", "job:notify_digest"}
    assert runs["job:notify_digest"]["status"] == "ok"
    assert runs["job:reports"]["status"] == "ok" and runs["job:reports"]["counts"] == {"enqueued": 0}
    assert runs["outbox"]["status"] == "ok" and "sent" in runs["outbox"]["counts"]
    assert runs["intake:mail"]["status"] == "ok" and runs["intake:mail"]["counts"]["created"] == 5
    assert runs["sla"]["status"] == "ok" and "breaches" in runs["sla"]["counts"]
    assert len(desk.desk.tickets.list(limit=None)) == 5
    assert os.listdir(box / "new") == []

    text = run_worker(desk.config, "--once", "--jobs", "intake")  # the terminal's lines: a line per run
    assert text.returncode == 0, text.stderr
    assert "intake:mail: fetched 0, created 0" in text.stdout
    assert "sla:" not in text.stdout


@pytest.mark.sqlite_pass
def test_unknown_job_exits_2_naming_it(desk_dir):
    desk = desk_dir("sqlite")
    result = run_worker(desk.config, "--once", "--jobs", "sla,bogus")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown job 'bogus'" in lines[0] and "known: intake, sla, outbox" in lines[0]
    assert result.stdout == ""


class NightlyJob:
    """A plugin's scheduled job: counts its runs."""

    def __init__(self):
        self.runs = 0

    @deskframe.hookimpl
    def register_jobs(self, register):
        register(deskframe.Job("nightly", dt.timedelta(hours=24), self.run))

    def run(self, desk):
        self.runs += 1
        return {"cleaned": 7}


def test_plugin_jobs_run_once_per_period(make_desk, cli):
    desk = make_desk()
    plugin = NightlyJob()
    with registered(desk, plugin):
        first = cli(desk)("worker", "--once", "--jobs", "nightly")
        assert first.exit_code == 0, first.output
        assert plugin.runs == 1 and "job:nightly: cleaned 7" in first.output
        again = cli(desk)("worker", "--once", "--jobs", "nightly")  # another worker, or cron, within the day
        assert again.exit_code == 0, again.output
        assert plugin.runs == 1 and "job:nightly: skipped (ran less than its period ago)" in again.output
        refused = cli(desk)("worker", "--once", "--jobs", "sla,nightly,intake,outboxx")
        assert refused.exit_code == 2 and "unknown job 'outboxx'" in refused.output


class ClashingJob:
    @deskframe.hookimpl
    def register_jobs(self, register):
        register(deskframe.Job("sla", dt.timedelta(minutes=1), lambda desk: None))


def test_a_plugin_job_named_like_a_core_job_is_refused(make_desk, cli):
    desk = make_desk()
    with registered(desk, ClashingJob(), name="clash"):
        result = cli(desk)("worker", "--once")
    assert result.exit_code == 2
    assert "plugin 'clash' registers job 'sla', which the core already has" in result.output


@pytest.mark.sqlite_pass
def test_a_second_worker_on_one_sqlite_desk_exits_2_in_one_line(desk_dir, tmp_path):
    desk = desk_dir("sqlite")
    first = Worker(desk.config, tmp_path / "first.log", "--jobs", "sla")
    wait_for(first.started, "the first worker to start")
    second = run_worker(desk.config, "--once")
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert f"another worker (pid {first.process.pid}) is running on this desk" in lines[0]
    assert "SQLite allows one worker" in lines[0]

    first.process.send_signal(signal.SIGTERM)
    assert first.wait() == 0
    assert run_worker(desk.config, "--once").returncode == 0  # a stopped worker leaves the desk free

    crashed = Worker(desk.config, tmp_path / "crashed.log", "--jobs", "sla")
    wait_for(crashed.started, "the worker to start")
    crashed.kill()  # kill -9: no clean-up runs, the kernel drops the lock with the process
    assert run_worker(desk.config, "--once").returncode == 0


@pytest.mark.sqlite_pass
def test_sigterm_mid_poll_finishes_the_batch_and_exits_0(desk_dir, tmp_path):
    count = 600
    box = make_maildir(tmp_path / "mail", count, unique_tag())
    desk = desk_dir("sqlite", channel_toml(box))
    worker = Worker(desk.config, tmp_path / "worker.log", "--jobs", "intake")
    wait_for(lambda: len(os.listdir(box / "cur")) > 0, "the first batch to be acknowledged")
    worker.process.send_signal(signal.SIGTERM)
    assert worker.wait() == 0
    stored, left = len(os.listdir(box / "cur")), len(os.listdir(box / "new"))
    assert stored + left == count
    assert left > 0, "the poll ran to its end: SIGTERM did not stop it after the batch in hand"
    # nothing half-claimed: every acknowledged mail is a ticket, no unacknowledged one is
    assert len(desk.desk.tickets.list(limit=None)) == stored
    records = worker.records()
    assert records[-1]["event"] == "stop" and records[-1]["signal"] == "SIGTERM"
    print(f"SIGTERM after the first batch: {stored} of {count} mails stored and acknowledged, {left} left")

    rest = run_worker(desk.config, "--once", "--jobs", "intake")  # the next worker takes in the rest
    assert rest.returncode == 0
    assert len(desk.desk.tickets.list(limit=None)) == count and os.listdir(box / "new") == []
