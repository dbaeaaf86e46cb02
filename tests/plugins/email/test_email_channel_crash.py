"""RELIABILITY 1: kill ``deskframe intake run`` at any point; after a restart every message exists exactly once.

A Maildir of 200 messages (with and without Message-ID, Cyrillic, replies that
thread, unparseable ones) is imported by a real ``deskframe intake run --once``
process that is SIGKILLed at random moments, then ended by the channel's test
hook right after a commit and before the acknowledgement
(``DESKFRAME_EMAIL_TEST_CRASH_AFTER``), then run to completion.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from mailservers import channel_toml, deliver, make_maildir, message

pytestmark = pytest.mark.slow

N = 200
COMMAND = [sys.executable, "-c", "from deskframe.cli import main; main()"]


def corpus(n: int) -> list[bytes]:
    out = []
    for i in range(n):
        if i % 40 == 17:
            out.append(bytes(range(256)) * 4 + str(i).encode())  # unparseable: quarantine
        elif i % 10 == 3:
            out.append(message(f"Без идентификатора {i}", msgid=None, body=f"Письмо номер {i}.\n"))
        elif i % 10 == 6 and i > 10:
            parent = f"<crash{i - 5}@customer.example>"
            out.append(
                message(
                    f"Re: question {i - 5}",
                    msgid=f"<crash{i}@customer.example>",
                    extra={"In-Reply-To": parent, "References": parent},
                    body=f"Follow-up {i}.\n",
                )
            )
        else:
            out.append(message(f"Question {i}", msgid=f"<crash{i}@customer.example>", body=f"Body {i}.\n"))
    return out


def intake(config, *, env=None, kill=None):
    """Run ``intake run --once``; ``kill(proc)`` may SIGKILL it while it works."""
    proc = subprocess.Popen(
        [*COMMAND, "--config", str(config), "intake", "run", "--once", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    if kill is not None:
        kill(proc)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out.decode(), err.decode()


def killer(box, left, delay):
    """SIGKILL once at most ``left`` messages are still in new/, ``delay`` seconds later."""

    def kill(proc):
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if len(os.listdir(box / "new")) <= left:
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.002)

    return kill


def test_killed_at_random_moments_then_resumed(make_desk, tmp_path):
    raws = corpus(N)
    box = make_maildir(tmp_path / "mail")
    for i, raw in enumerate(raws):
        deliver(box, raw, name=f"17900{i:05d}.M{i}P1.crash")
    desk = make_desk(channel_toml(source=f"maildir:{box}"))
    config = desk.config.path

    rng = random.Random(20261102)
    killed = 0
    for left in (185, 150, 110, 70):  # kill at random moments while messages are being taken in
        code, _, err = intake(config, kill=killer(box, left, rng.uniform(0, 0.03)))
        assert code in (0, -signal.SIGKILL), err
        killed += code == -signal.SIGKILL
    left = len(os.listdir(box / "new"))
    code, _, err = intake(config, env={"DESKFRAME_EMAIL_TEST_CRASH_AFTER": "3"})
    assert code == 70, err  # committed three messages, died before acknowledging the third
    assert len(os.listdir(box / "new")) == left - 2
    code, out, err = intake(config)
    assert code == 0, err
    final = json.loads(out)[0]
    assert final["duplicates"] >= 1  # the committed-but-unacknowledged one, recognised

    assert killed >= 3, "the runs ended before they could be killed"
    assert os.listdir(box / "new") == [], final
    assert len(os.listdir(box / "cur")) == N  # every file still there, none deleted

    unparseable = [r for r in raws if not r.startswith(b"From:")]
    parseable = [r for r in raws if r.startswith(b"From:")]
    stored: list[bytes] = []
    for row in desk.tickets.list(limit=None):
        for article in desk.tickets.get(row["number"]).articles:
            stored.append(desk.blobs.get(article.raw_sha256))
    assert sorted(stored) == sorted(parseable)  # each message exactly once, raw source kept
    with desk.store.read() as repo:
        held = repo.quarantine_items("held")
    assert sorted(desk.blobs.get(h["raw_sha256"]) for h in held) == sorted(unparseable)
    follow_ups = sum(1 for r in parseable if b"In-Reply-To" in r)
    assert len(desk.tickets.list(limit=None)) == len(parseable) - follow_ups
