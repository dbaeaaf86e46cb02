"""Issue 18, defect 9: ``invoice issue --period`` racing ``invoice run`` (or another issue) finishes.

A run deletes and rebuilds the period's drafts; an issue started before it used to
stop at the first draft that had vanished (``unknown invoice 'draft-10'``), and of
two issues at once one stopped at the first draft the other had issued. Each issue
now skips such drafts and goes on. Each racer is a Desk of its own, as a second
process would be. Numbers stay gapless and no entry is billed twice.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from test_billing_ledger import CONFIG, ModelPlugin, linked_entries, log

from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.services import billing as ledger_module
from deskframe.testing import Factory

PERIOD = "2026-10"
CONTRACTS = 24


def clock() -> dt.datetime:
    return dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def billed(make_desk, monkeypatch):
    monkeypatch.setattr(ledger_module, "BATCH_CONTRACTS", 2)  # a run of many short transactions
    desk = make_desk(CONFIG, plugins=[ModelPlugin()], clock=clock)
    f = Factory(desk)
    f.agent("alice")
    for n in range(CONTRACTS):
        f.customer(f"c{n:02d}")
        f.contract(f"c{n:02d}", key=f"k{n:02d}", pricing="pm", start=dt.date(2026, 1, 1))
        ticket = desk.tickets.open(subject=f"Fix {n}", body="x", customer=f"c{n:02d}", actor=Actor.operator())
        log(desk, ticket.number, 10 + n, dt.date(2026, 10, 5))
    desk.billing.run(PERIOD, actor=Actor.operator())
    return desk


def _twin(desk: Desk) -> Desk:
    return Desk(load_config(desk.config.path, desk.plugins.registry), desk.plugins, clock=clock)


def _race(desks, works):
    barrier = threading.Barrier(len(desks))
    outcomes: list = [None] * len(desks)

    def run(i):
        barrier.wait()
        try:
            outcomes[i] = works[i](desks[i])
        except Exception as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(desks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def _check_ledger(desk):
    invoices = desk.billing.invoices(period=PERIOD)
    issued = [i for i in invoices if i.status == "issued"]
    numbers = sorted(int(re.fullmatch(r"INV-2026-(\d{5})", i.number).group(1)) for i in issued)
    assert numbers == list(range(1, len(issued) + 1))  # gapless, none twice
    by_contract = [i.contract for i in invoices]
    assert sorted(by_contract) == sorted(set(by_contract))  # one invoice (draft or issued) per contract
    linked = [e for i in invoices for e in linked_entries(desk.billing.invoice(i.number or f"draft-{i.id}"))]
    assert len(linked) == len(set(linked)) == CONTRACTS
    return issued


@pytest.mark.parametrize("round_", range(2))
def test_issue_racing_a_run_skips_vanished_drafts_and_finishes(billed, round_):
    other = _twin(billed)
    try:
        outcomes = _race(
            [billed, other],
            [
                lambda d: d.billing.issue(period=PERIOD, actor=Actor.operator()),
                lambda d: [d.billing.run(PERIOD, actor=Actor.operator()) for _ in range(3)],
            ],
        )
    finally:
        other.close()
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    issued = _check_ledger(billed)
    assert len(outcomes[0]) == len(issued)
    billed.billing.issue(period=PERIOD, actor=Actor.operator())  # whatever the run drafted after the issue ended
    assert len(_check_ledger(billed)) == CONTRACTS


def test_two_issues_at_once_both_finish_and_share_the_drafts(billed):
    other = _twin(billed)
    try:
        outcomes = _race([billed, other], [lambda d: d.billing.issue(period=PERIOD, actor=Actor.operator())] * 2)
    finally:
        other.close()
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    mine, theirs = ({i.number for i in o} for o in outcomes)
    assert not mine & theirs and len(mine | theirs) == CONTRACTS
    assert len(_check_ledger(billed)) == CONTRACTS


def test_issuing_one_vanished_draft_by_name_is_still_an_error(billed):
    from deskframe.errors import NotFound

    draft = billed.billing.invoices(period=PERIOD)[0]
    billed.billing.run(PERIOD, actor=Actor.operator())  # rebuilds: the draft's id is gone
    with pytest.raises(NotFound):
        billed.billing.issue(ref=f"draft-{draft.id}", actor=Actor.operator())
