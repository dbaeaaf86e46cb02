"""Issue 18, defect 2: intakes racing over the same mail never quarantine it.

On PostgreSQL two writers may both find a message new and both store it; the second
commit then hits the ``intake_keys`` primary key. That message is a duplicate: it is
looked up and acknowledged, never quarantined. Each racer is a Desk of its own (own
engine and connections), as a second process would be.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading

import pytest

import deskframe
from deskframe import InboundMessage
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.intake.polling import build_channel, poll

CHANNEL = "support-mail"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def _twin(desk: Desk) -> Desk:
    return Desk(load_config(desk.config.path, desk.plugins.registry), desk.plugins)


def _race(desks, work):
    barrier = threading.Barrier(len(desks))
    outcomes: list = [None] * len(desks)

    def run(i, one):
        barrier.wait()
        try:
            outcomes[i] = work(one)
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def _article_count(desk):
    return sum(len(desk.tickets.get(row["number"]).articles) for row in desk.tickets.list(limit=None))


@pytest.mark.parametrize("round_", range(3))
def test_two_desks_storing_the_same_batch_store_each_message_once(desk, round_):
    batch = [
        InboundMessage(
            channel=CHANNEL,
            external_id=f"r{round_}-{i}",
            received_at=NOW,
            sender=f"user{i}@customer.example",
            subject=f"Question {i}",
            text="x",
            message_id=f"<r{round_}-{i}@customer.example>",
        )
        for i in range(40)
    ]
    twins = [desk, _twin(desk), _twin(desk)]
    try:
        outcomes = _race(twins, lambda one: one.intake.receive_many(batch))
    finally:
        for twin in twins[1:]:
            twin.close()
    assert all(isinstance(o, list) for o in outcomes), outcomes
    for results in zip(*outcomes):
        assert len({r.article_id for r in results}) == 1  # every racer names the same article
        assert sum(not r.duplicate for r in results) <= 1
    assert _article_count(desk) == 40


class Gate:
    """Holds each racer's first routed message until all racers have read the dedupe keys of
    their first batch, so that every racer stores that batch (the window the issue hit 1 in 10)."""

    def __init__(self, racers: int):
        self.barrier = threading.Barrier(racers, timeout=10)
        self.local = threading.local()

    @deskframe.hookimpl
    def route_message(self, message, directory):
        if not getattr(self.local, "passed", False):
            self.local.passed = True
            with contextlib.suppress(threading.BrokenBarrierError):
                self.barrier.wait()
        return None


def _mail(n: int) -> bytes:
    return (
        "\r\n".join(
            [
                f"From: Ivan <ivan{n % 7}@customer.example>",
                "To: support@desk.example",
                f"Subject: Printer {n}",
                "Date: Mon, 02 Nov 2026 09:00:00 +0000",
                f"Message-ID: <race{n}@customer.example>",
                "",
                f"Body {n}",
            ]
        )
    ).encode()


@pytest.mark.parametrize("batch", [1, 50])
def test_three_intakes_on_one_maildir_quarantine_nothing(make_desk, tmp_path, batch):
    box = tmp_path / "mail"
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True)
    for n in range(150):
        (box / "new" / f"1790000000.M{n:04d}P1.test").write_bytes(_mail(n))
    desk = make_desk(
        f'\n[[channels]]\nname = "{CHANNEL}"\ntype = "email"\naddress = "support@desk.example"\n'
        f'source = "maildir:{box}"\nparse_workers = 0\n',
        plugins=[Gate(3)],
    )
    twins = [desk, _twin(desk), _twin(desk)]

    def drain(one):
        channel = build_channel(one, CHANNEL)
        reports = []
        for _ in range(20):
            report = poll(one, channel, batch=batch)
            reports.append(report.as_dict())
            if not any((box / "new").iterdir()):
                break
        return reports

    try:
        outcomes = _race(twins, drain)
    finally:
        for twin in twins[1:]:
            twin.close()
    assert all(isinstance(o, list) for o in outcomes), outcomes
    reports = [r for o in outcomes for r in o]
    assert sum(r["quarantined"] for r in reports) == 0, json.dumps(reports)
    with desk.store.read() as repo:
        assert repo.quarantine_items(status=None) == []
    assert not any((box / "new").iterdir())
    assert _article_count(desk) == 150
