"""Several ``deskframe worker`` processes on one PostgreSQL share a Maildir (issue 15, Workers).

Three workers poll one 1,000-mail Maildir: a channel's poll is held under an advisory lock, so one
worker polls it at a time and no mail is fetched by two at once; each mail becomes exactly one
article. Then ``kill -9`` hits the worker holding the poll, twice, mid-run: the lock goes with the
dead worker's session, another worker takes the channel over, mail stored but not yet
acknowledged is fetched again and deduplicated. Nothing is lost; duplicates (articles beyond one
per mail) are at most the number of kills - the test counts and prints them.
"""

from __future__ import annotations

import os
import signal

import psycopg
import pytest
from sqlalchemy import func, select
from worker_support import Worker, channel_toml, make_maildir, totals, unique_tag, wait_for

from deskframe.store.rows import ArticleRow

pytestmark = [pytest.mark.slow, pytest.mark.postgres_pass]

MAILS = 1000
FAST = '\n[worker]\nintake_every = "1s"\nsla_every = "1s"\n'


def article_figures(desk) -> tuple[int, int]:
    """(articles, distinct Message-IDs among them)."""
    with desk.store.read() as repo:
        articles = repo.session.scalar(select(func.count(ArticleRow.id)))
        distinct = repo.session.scalar(select(func.count(func.distinct(ArticleRow.message_id))))
    return int(articles or 0), int(distinct or 0)


def stop_all(workers: list[Worker]) -> list[int]:
    # a SIGTERM before a worker installed its handler (still importing, on a loaded machine) would
    # end it with -15: stop each one once it is up
    wait_for(lambda: all(w.started() or w.process.poll() is not None for w in workers), "every worker to be up")
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    return [worker.wait() for worker in workers]


def test_three_workers_share_a_maildir_each_mail_one_article(desk_dir, tmp_path):
    box = make_maildir(tmp_path / "mail", MAILS, unique_tag())
    desk = desk_dir("postgres", channel_toml(box) + FAST)
    workers = [Worker(desk.config, tmp_path / f"w{i}.log") for i in range(3)]
    try:
        wait_for(lambda: not os.listdir(box / "new"), "the Maildir to be taken in")
        wait_for(lambda: article_figures(desk.desk)[0] >= MAILS, "every mail to be stored")
    finally:
        codes = stop_all(workers)
    assert codes == [0, 0, 0]
    assert article_figures(desk.desk) == (MAILS, MAILS)
    assert len(os.listdir(box / "cur")) == MAILS
    counts = [totals(w.records()) for w in workers]
    assert sum(c["created"] for c in counts) == MAILS
    # no mail was fetched by two workers at once (that would show as deduplicated re-fetches)
    assert sum(c["duplicates"] for c in counts) == 0
    polled = [sum(1 for r in w.records() if r["event"] == "run" and r["unit"] == "intake:mail") for w in workers]
    print(f"3 workers, {MAILS} mails: created per worker {[c['created'] for c in counts]}, polls {polled}")


def lock_holders(url: str, prefix: str) -> list[str]:
    """Application names of the sessions (named ``prefix...``) holding an advisory lock."""
    with psycopg.connect(url.replace("+psycopg", "").split("?")[0]) as conn:
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE %s",
            (prefix + "%",),
        ).fetchall()
    return [r[0] for r in rows]


def test_kill_9_twice_mid_run_loses_nothing(desk_dir, tmp_path):
    tag = unique_tag()
    box = make_maildir(tmp_path / "mail", MAILS, tag)
    desk = desk_dir("postgres", channel_toml(box) + FAST)
    serial = iter(range(100))

    def start() -> Worker:
        n = next(serial)
        return Worker(desk.config, tmp_path / f"w{n}.log", "--jobs", "intake", app_name=f"{tag}-{n}")

    workers = {w.app_name: w for w in (start() for _ in range(3))}
    killed: list[Worker] = []
    try:
        for _ in range(2):
            done = len(os.listdir(box / "cur"))
            holder: list[str] = []

            def polling(done: int = done, holder: list[str] = holder) -> bool:
                holder[:] = lock_holders(desk.url, tag)
                return bool(holder) and len(os.listdir(box / "cur")) > done  # the holder is storing mail

            wait_for(polling, "a worker polling the channel")
            victim = workers.pop(holder[0])
            victim.process.send_signal(signal.SIGKILL)
            victim.wait()
            killed.append(victim)
            assert os.listdir(box / "new"), "the Maildir was taken in before the kill: not mid-run"
            replacement = start()
            workers[replacement.app_name] = replacement
        wait_for(lambda: not os.listdir(box / "new"), "the Maildir to be taken in")
        wait_for(lambda: article_figures(desk.desk)[0] >= MAILS, "every mail to be stored")
    finally:
        codes = stop_all(list(workers.values()))
    assert codes == [0, 0, 0]
    articles, distinct = article_figures(desk.desk)
    duplicates = articles - MAILS
    refetched = sum(totals(w.records())["duplicates"] for w in [*killed, *workers.values()])
    print(
        f"kill -9 x{len(killed)} mid-run, {MAILS} mails: articles {articles}, distinct Message-IDs {distinct}, "
        f"duplicates {duplicates}, stored-but-unacknowledged mails fetched again and deduplicated {refetched}"
    )
    assert distinct == MAILS  # nothing lost
    assert 0 <= duplicates <= len(killed)
    assert len(os.listdir(box / "cur")) == MAILS
