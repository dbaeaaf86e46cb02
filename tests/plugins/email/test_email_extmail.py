"""Real-world mail: other help desks' own test mails through the e-mail channel (issue 18).

The 187 mails of ``../shared/corpora/extmail`` (Zammad's parser corpus, OTRS's
EmailParser and PostMaster samples, Request Tracker's test mails) are read from
the shared folder, delivered into a Maildir and taken in by the real ``email``
channel (``deskframe intake run --once``'s poll) on the test database. Then:

* every mail is an article or a quarantine entry (found by its raw bytes);
* delivering all of them a second time adds no article and no quarantine entry;
* every expectation the other projects state holds: subject, sender, body words,
  attachment names (see ``extmail.check``; ``benchmarks/extmail_match.py`` prints the counts).

Skipped when the shared folder is absent, except with ``CI=true``, where that fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import extmail
import pytest

from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV

MAILS = extmail.load_mails() if extmail.available() else []


def _require_corpus() -> None:
    if MAILS:
        return
    reason = f"shared real-world mail corpus not found at {extmail.CORPUS}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: it must be there)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def taken_in(tmp_path_factory):
    """A desk that took the corpus in twice: ``(desk, outcomes after 1st, reports, outcomes after 2nd)``."""
    _require_corpus()
    root: Path = tmp_path_factory.mktemp("extmail")
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    config = root / "deskframe.toml"
    config.write_text(
        f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n' + extmail.channel_table(root / "maildir"), encoding="utf-8"
    )
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    try:
        first = extmail.deliver_and_poll(desk, root / "maildir", MAILS, round_=1)
        after_first = extmail.stored_outcomes(desk)
        second = extmail.deliver_and_poll(desk, root / "maildir", MAILS, round_=2)
        after_second = extmail.stored_outcomes(desk)
        yield desk, after_first, (first, second), after_second
    finally:
        desk.close()
        drop()


def test_every_mail_is_an_article_or_quarantined(taken_in):
    _, stored, (first, _), _ = taken_in
    assert first.stopped is None
    assert first.fetched == len(MAILS)
    lost = [
        entry["file"]
        for entry, raw in MAILS
        if extmail.digest(raw) not in stored.articles and extmail.digest(raw) not in stored.quarantined
    ]
    assert lost == []
    assert stored.article_count + stored.quarantine_count == len(MAILS)


def test_a_second_delivery_adds_nothing(taken_in):
    _, before, (_, second), after = taken_in
    assert second.fetched == len(MAILS)
    assert second.created == 0 and second.appended == 0 and second.quarantined == 0
    assert second.duplicates == len(MAILS)
    assert (after.article_count, after.quarantine_count) == (before.article_count, before.quarantine_count)


@pytest.mark.parametrize(
    "index",
    range(len(MAILS)) if MAILS else [pytest.param(0, id="corpus-missing")],
    ids=(lambda i: MAILS[i][0]["file"]) if MAILS else None,
)
def test_stated_expectations_hold(taken_in, index):
    _, stored, _, _ = taken_in
    entry, raw = MAILS[index]
    key = extmail.digest(raw)
    stated = [field for field in extmail.FIELDS if field in entry]
    if key in stored.quarantined:
        assert not stated, f"{entry['file']} quarantined: {stored.quarantined[key]}"
        return
    articles = stored.articles[key]
    assert len(articles) == 1
    misses = [
        f"{r.field}: expected {r.expected!r}, stored {r.got!r}" for r in extmail.check(entry, articles[0]) if not r.ok
    ]
    assert misses == []
