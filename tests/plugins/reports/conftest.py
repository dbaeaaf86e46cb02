"""Fixtures of the deskframe_reports tests (deskframe.testing's come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from reports_helpers import Scenario, build


@pytest.fixture
def scenario(make_desk) -> Scenario:
    """The October 2026 desk of reports_helpers."""
    return build(make_desk)
