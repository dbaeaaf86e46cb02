"""Fixtures of the outbox tests: a real SMTP server (aiosmtpd) on loopback that can go down and
come back on the same port, a settable clock, and a desk whose e-mail channel sends to it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from outbox_support import Clock, Sink


@pytest.fixture
def sink():
    with Sink() as server:
        yield server


@pytest.fixture
def clock():
    return Clock()
