"""Fixtures of the notification tests: the outbox tests' real SMTP sink (aiosmtpd on loopback)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "outbox"))

from outbox_support import Sink


@pytest.fixture
def sink():
    with Sink() as server:
        yield server
