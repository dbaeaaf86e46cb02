"""Fixtures for the e-mail plugin tests: the generated corpus, real servers on loopback.

* ``corpus`` - the parser corpus (:mod:`make_corpus`).
* ``dovecot`` (session) - a real Dovecot (IMAP, IMAPS, POP3, POP3S) started by
  ``scripts/start-dovecot``; skipped with the reason if it cannot start, except
  with ``CI=true``, where that is a failure.
* ``smtp_sink`` - a real SMTP server (``aiosmtpd``) on 127.0.0.1 that keeps what it receives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus
from mailservers import Dovecot, SmtpSink

ROOT = Path(__file__).resolve().parents[3]


def skip_or_fail(reason: str) -> None:
    """Skip a test needing a real server, or fail it on CI where the server must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: real servers are required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus() -> dict[str, bytes]:
    return make_corpus.build_corpus()


@pytest.fixture(scope="session")
def dovecot_server():
    script = ROOT / "scripts" / "start-dovecot"
    try:
        done = subprocess.run([str(script)], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        yield f"scripts/start-dovecot could not run: {exc}"
        return
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-5:])
        yield f"scripts/start-dovecot failed (exit {done.returncode}): {tail}"
        return
    info = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    server = Dovecot(info)
    try:
        yield server
    finally:
        subprocess.run([str(script), "--stop", info["dir"]], capture_output=True, timeout=60)


@pytest.fixture
def dovecot(dovecot_server, monkeypatch) -> Dovecot:
    if isinstance(dovecot_server, str):
        skip_or_fail(dovecot_server)
    monkeypatch.setenv("TEST_MAIL_PASSWORD", dovecot_server.password)
    return dovecot_server


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
