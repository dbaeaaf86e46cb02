"""Fixtures of the real-browser tests: Debian's Chromium driven by Playwright (launched
through ``executable_path``; Playwright never downloads a browser), one browser per session,
a fresh context per test (the module's ``browser`` is tests/conftest.py's) and the served desk;
the helpers that log in and save screenshots are in ``browser_pages.py``.

Every test here is marked ``browser`` (``scripts/test`` runs them in the SQLite pass). Without
chromium or playwright they skip, naming what to install, except on CI (``CI=true``), where a
missing browser fails them: CI never skips them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_pages import make_server


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module", autouse=True)
def browser_first(browser: Any) -> Any:
    """Every test here drives the browser: launch it (or skip, without chromium) before the
    module's desk and server fixtures start a ``deskframe serve`` the test could not use.
    (Autouse fixtures of a scope are set up before the others of that scope.)"""
    return browser


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies) in English."""
    ctx = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """A factory of further contexts: ``new_context(lang="ru")``; all closed after the test."""
    made: list[Any] = []

    def make(lang: str = "en", **options: Any) -> Any:
        ctx = browser.new_context(
            locale="ru-RU" if lang == "ru" else "en-US", extra_http_headers={"Accept-Language": lang}, **options
        )
        ctx.set_default_timeout(15_000)
        made.append(ctx)
        return ctx

    try:
        yield make
    finally:
        for ctx in made:
            ctx.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: Any) -> Iterator[Any]:
    """A running ``deskframe serve`` on its own desk (module scope: one per scenario file)."""
    desk = make_server(tmp_path_factory.mktemp("desk"))
    desk.start()
    try:
        yield desk
    finally:
        desk.stop()
