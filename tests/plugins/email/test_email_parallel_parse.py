"""Parsing ahead in worker processes (``parse_workers``): same messages, same order, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
from mailservers import channel_toml, deliver, make_maildir

from deskframe_email import parallel
from deskframe_email.sources import Fetched

T = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def fetched_items(corpus, copies=2):
    items = []
    for copy in range(copies):
        for name, raw in sorted(corpus.items()):
            items.append(Fetched((copy, name), f"test:{copy}:{name}", raw, len(raw), T))
    items.insert(5, Fetched("big", "test:big", b"Subject: big\r\n", 10**9, T, left_on_server=True))
    return items


def job(item):
    return None if item.left_on_server else (item.raw, item.received_at)


def inline(item):
    return None if item.left_on_server else parallel.parse_one(item.raw, "mail", 10**7, False, item.received_at)


def run(items, workers, **kw):
    return list(parallel.parse_ahead(iter(items), job, inline, workers, "mail", 10**7, False, **kw))


def test_workers_give_the_same_outcomes_in_the_same_order(corpus):
    items = fetched_items(corpus)
    expected = [(item.label, inline(item)) for item in items]
    got = [(item.label, outcome) for item, outcome in run(items, 2, threshold=4, chunk_size=3)]
    assert got == expected
    kinds = {outcome[0] for _, outcome in expected if outcome}
    assert "ok" in kinds and "unparseable" in kinds  # the corpus holds both kinds


def test_a_small_backlog_is_parsed_in_process(corpus):
    items = fetched_items(corpus, copies=1)[:10]
    seen_children = []
    for _item, _outcome in parallel.parse_ahead(iter(items), job, inline, 2, "mail", 10**7, False, threshold=50):
        seen_children.append(len(multiprocessing.active_children()))
    assert seen_children == [0] * len(items)


def test_a_worker_killed_midway_loses_nothing(corpus):
    items = fetched_items(corpus, copies=3)
    expected = [(item.label, inline(item)) for item in items]
    stream = parallel.parse_ahead(iter(items), job, inline, 2, "mail", 10**7, False, threshold=4, chunk_size=2)
    got = [next(stream)]
    children = multiprocessing.active_children()
    assert children, "the pool should be running"
    for child in children:
        os.kill(child.pid, signal.SIGKILL)
    got += list(stream)
    assert [(item.label, outcome) for item, outcome in got] == expected


#: An intake that starts a one-worker pool, prints its worker's pid and waits to be killed.
KILLED_PARENT = """
import multiprocessing, time
from deskframe_email import parallel
raw = b"From: a@customer.example\\r\\nSubject: hello\\r\\n\\r\\nhi\\r\\n"
stream = parallel.parse_ahead(iter([raw] * 8), lambda r: (r, None), lambda r: None, 1, "mail", 10**7, False,
                              threshold=1, chunk_size=1)
next(stream)
print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_the_workers_end_when_the_intake_is_killed():
    """``kill -9`` of the process that parses ahead runs no clean-up: its workers end anyway
    (they waited for work for ever, an idle interpreter left behind per killed intake)."""
    parent = subprocess.Popen([sys.executable, "-c", KILLED_PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
    finally:
        parent.kill()
        parent.wait()
    assert workers, "the pool should have started a worker"
    deadline = time.monotonic() + 60  # ends the wait only; not a speed bound
    try:
        while any(map(running, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(running, workers)), f"parse workers {workers} outlived their killed parent"
    finally:
        for pid in filter(running, workers):
            os.kill(pid, signal.SIGKILL)


def test_worker_count_auto_leaves_a_core_for_the_store():
    assert parallel.worker_count(0) == 0 and parallel.worker_count(3) == 3
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert parallel.worker_count(None) == max(0, min(parallel.MAX_AUTO_WORKERS, cores - 1))


def test_intake_run_with_parse_workers_imports_every_message_once(make_desk, cli, corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 8)
    reports = []
    for workers in (0, 2):
        box = make_maildir(tmp_path / f"mail{workers}")
        for name, raw in sorted(corpus.items()):
            deliver(box, raw, name=f"1790000000.{name}.test")
        desk = make_desk(channel_toml(source=f"maildir:{box}", parse_workers=workers))
        result = cli(desk)("intake", "run", "--once", "--format", "json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)[0]
        assert os.listdir(box / "new") == [] and report["stopped"] is None
        tickets = sorted((t["subject"], t["state"]) for t in desk.tickets.list(limit=None))
        reports.append(
            ({k: report[k] for k in ("fetched", "created", "appended", "duplicates", "quarantined")}, tickets)
        )
    assert reports[0] == reports[1]
    assert reports[1][0]["fetched"] == len(corpus)


@pytest.mark.parametrize(
    "value, message",
    [
        ('"many"', 'parse_workers: must be "auto" or a number of processes'),
        ("-1", "parse_workers: must be at least 0"),
        ("true", 'parse_workers: must be "auto" or a number of processes'),
    ],
)
def test_parse_workers_must_be_auto_or_a_count(make_desk, value, message, tmp_path):
    from deskframe.errors import ConfigError

    box = make_maildir(tmp_path / "mail")
    with pytest.raises(ConfigError) as err:
        make_desk(channel_toml(source=f"maildir:{box}") + f"parse_workers = {value}\n")
    assert message in str(err.value)
