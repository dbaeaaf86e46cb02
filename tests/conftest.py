"""Fixtures shared by the whole suite: deskframe's own (``deskframe.testing``) and one headless
Chromium per test module for every test that renders a page (tests/browser, the invoice pages).

The test modules that hold a test marked ``slow`` (they start processes and take seconds each)
run first, whole and in their own order: under pytest-xdist the long ones are then spread over
the workers at the start instead of one of them finishing alone at the end.

Playwright's sync API runs an event loop in the thread while its driver is open: a second
``sync_playwright()`` then fails, and so does ``asyncio.run`` in any later test. So every page
test takes this one ``browser``, and it is closed when its module ends.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["deskframe.testing"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ON_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
#: Launch flags: no sandbox (containers), no GPU, no calls home.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]


#: The fixtures that make a desk on the test database (``DESKFRAME_TEST_DATABASE_URL``).
DATABASE_FIXTURES = frozenset({"make_desk"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a ``slow`` test first (each module kept whole: its module fixtures are made once).

    scripts/test runs a test marked ``sqlite_pass`` or ``postgres_pass`` in that pass only: it
    would do the same in the other one. So such a test may not take a desk on the test database
    (``make_desk``), the one thing that differs between the passes."""
    for item in items:
        used = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        marked = [name for name in ("sqlite_pass", "postgres_pass") if item.get_closest_marker(name) is not None]
        if marked and used:
            raise pytest.UsageError(f"{item.nodeid} is marked {marked[0]} but uses {', '.join(sorted(used))}")
    slow = {getattr(item, "module", None) for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: getattr(item, "module", None) not in slow)  # a stable sort: the order is otherwise kept


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the test module (Debian's ``/usr/bin/chromium``, launched
    through ``executable_path``; Playwright never downloads a browser). Without chromium or
    playwright the test skips, naming what to install, except on CI (``CI=true``), where it fails."""
    if CHROMIUM is None:
        if ON_CI:
            pytest.fail("chromium is not installed, and CI must run the browser tests (apt-get install chromium)")
        pytest.skip("needs chromium (apt-get install chromium)")
    if ON_CI:
        import playwright.sync_api as sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    with sync_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
