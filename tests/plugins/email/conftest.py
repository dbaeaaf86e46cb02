"""Fixtures for the e-mail plugin tests: the generated corpus and output checks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402


@pytest.fixture(scope="session")
def corpus() -> dict[str, bytes]:
    return make_corpus.build_corpus()
