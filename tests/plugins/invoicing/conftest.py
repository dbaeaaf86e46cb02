"""Fixtures for the deskframe_invoicing tests (deskframe.testing fixtures come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from invoicing_helpers import Billed, billed_desk


@pytest.fixture
def billed(make_desk) -> Billed:
    """A desk with INV-2026-00001 (September) and INV-2026-00002 (October) issued."""
    return billed_desk(make_desk)
