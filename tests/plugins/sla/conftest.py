"""Fixtures for the deskframe_sla plugin tests (the deskframe.testing fixtures come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from sla_plugin_util import make_calendars

from deskframe.sla import Calendar


@pytest.fixture
def calendars() -> dict[str, Calendar]:
    """Named calendars without public holidays (see sla_plugin_util.make_calendars)."""
    return make_calendars()
