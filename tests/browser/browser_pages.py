"""Helpers of the real-browser tests: screenshots, console watching, the desk every scenario
serves, and the steps that log in and reply (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ON_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
#: Where screenshots go (gitignored; CI uploads the directory as an artifact).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


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
