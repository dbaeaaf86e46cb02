"""Fixtures of the real-browser tests: Debian's Chromium driven by Playwright (launched
through ``executable_path``; Playwright never downloads a browser), one browser per session,
a fresh context per test, and helpers that log in and save screenshots.

Every test here is marked ``browser`` (``scripts/test`` runs them in the SQLite pass). Without
chromium or playwright they skip, naming what to install, except on CI (``CI=true``), where a
missing browser fails them: CI never skips them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
#: Where screenshots go (gitignored; CI uploads the directory as an artifact).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session (Debian's ``/usr/bin/chromium``)."""
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


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as ``test-artifacts/screenshots/NAME.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def watch_console(page: Any) -> list[str]:
    """Collect the page's console messages and uncaught errors (``[type] text``) into a list."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(f"[{message.type}] {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"[pageerror] {error}"))
    return seen


#: The desk most scenarios start from: two customers with a contact each (ACME's Ann is a
#: customer_admin), two agents with write rights on the support queue, and one admin.
DIRECTORY = """
[[queues]]
name = "support"

[[customers]]
id = "acme"
name = "ACME LLC"

[[customers]]
id = "globex"
name = "Globex"

[[contacts]]
customer = "acme"
name = "Ann Acme"
email = "ann@acme.example"
customer_admin = true

[[contacts]]
customer = "acme"
name = "Andy Acme"
email = "andy@acme.example"

[[contacts]]
customer = "globex"
name = "Gina Globex"
email = "gina@globex.example"

[[agents]]
login = "alice"
name = "Alice Agent"
email = "alice@vendor.example"
queues = { support = "write" }

[[agents]]
login = "bob"
name = "Bob Agent"
email = "bob@vendor.example"
queues = { support = "write" }

[[agents]]
login = "root"
name = "Root Admin"
email = "root@vendor.example"
access = "admin"

[[contracts]]
id = "acme-2026"
customer = "acme"
support_type = "8x5"
start = "2026-01-01"
params = { portal_priorities = ["P2", "P3"] }
"""


def make_server(root: Path, *, config_extra: str = "") -> Any:
    """A desk in ``root`` with :data:`DIRECTORY` applied and every account's password set; not started."""
    from browser_desk import Server

    desk = Server(root, config_extra=config_extra)
    desk.apply(DIRECTORY)
    for login in ("alice", "bob", "root"):
        desk.password("agent", login)
    for email in ("ann@acme.example", "andy@acme.example", "gina@globex.example"):
        desk.password("contact", email)
    return desk


@pytest.fixture(scope="module")
def served(tmp_path_factory: Any) -> Iterator[Any]:
    """A running ``deskframe serve`` on its own desk (module scope: one per scenario file)."""
    desk = make_server(tmp_path_factory.mktemp("desk"))
    desk.start()
    try:
        yield desk
    finally:
        desk.stop()


def portal_login(page: Any, base: str, email: str, password: str | None = None) -> None:
    """Log ``email`` in to the portal through its form; lands on the ticket list."""
    from browser_desk import PASSWORD

    page.goto(base + "/portal/login")
    page.fill("#email", email)
    page.fill("#password", password or PASSWORD)
    page.click("#portal-login")
    page.wait_for_url(base + "/portal/tickets")


def agent_login(page: Any, base: str, login: str, password: str | None = None) -> None:
    """Log agent ``login`` in through ``/login``; lands on ``/tickets``."""
    from browser_desk import PASSWORD

    page.goto(base + "/login")
    page.fill("#login", login)
    page.fill("#password", password or PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(base + "/tickets**")


def agent_reply(page: Any, base: str, number: str, body: str, canned: str | None = None) -> None:
    """Answer ticket ``number`` on the agent's ticket page (textarea ``body``, optional canned response, "Send")."""
    page.goto(f"{base}/tickets/{number}")
    if canned is not None:
        page.select_option("#reply-canned", canned)
    page.fill("#reply-body", body)
    page.click("#reply-submit")
    page.wait_for_load_state()


def require_agent_pages(desk: Any) -> None:
    """Skip unless the agent ticket pages are served (they come with the ``webui`` branch; merged, they always are)."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(desk.url + "/tickets/rows", timeout=10).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            if ON_CI:
                pytest.fail("the agent ticket pages are not served: CI runs these scenarios on the merged tree")
            pytest.skip("the agent ticket pages are not served on this branch (they come with 'webui')")
    except OSError:
        pass
