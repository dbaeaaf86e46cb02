"""``deskframe demo --serve``: the newcomer's one flag to see the web studio's October in a browser.

The demo prints an agent login and a portal login with fresh passwords; both work against the
server it starts (a real process on loopback), and the agent sees the studio's tickets.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deskframe.testing import free_port as _free_port

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

LOGIN = re.compile(r"(agent pages|customer portal): (http://\S+)  login (\S+)  password (\S+)")


def test_demo_serve_prints_logins_that_open_the_agent_pages_and_the_portal(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("DESKFRAME_CONFIG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "deskframe", "demo", str(tmp_path / "studio"), "--serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("serving on") for line in lines):
            line = server.stdout.readline()
            assert line, "demo ended before serving:\n" + "".join(lines)
            lines.append(line)
        logins = {m.group(1): m.groups()[1:] for m in map(LOGIN.search, lines) if m}
        assert set(logins) == {"agent pages", "customer portal"}, "".join(lines)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):  # the server binds after printing
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)

        url, login, password = logins["agent pages"]
        assert url == base + "/login" and login == "masha"
        with httpx.Client(base_url=base, follow_redirects=False) as agent:
            page = agent.get("/login")
            assert page.status_code == 200
            answer = agent.post("/login", data={"login": login, "password": password, "next": "/tickets"})
            assert answer.status_code == 303 and answer.headers["location"].endswith("/tickets")
            listing = agent.get("/tickets", params={"state": "all"})
            assert listing.status_code == 200 and "меню" in listing.text.lower()
            refused = agent.post("/login", data={"login": login, "password": password + "x", "next": "/tickets"})
            assert refused.status_code == 401

        url, email, password = logins["customer portal"]
        assert url == base + "/portal/login" and email == "olga@cafe-vostok.example"
        with httpx.Client(base_url=base, follow_redirects=False) as contact:
            answer = contact.post(
                "/portal/login", data={"email": email, "password": password, "next": "/portal/tickets"}
            )
            assert answer.status_code == 303 and answer.headers["location"].endswith("/portal/tickets")
            assert contact.get("/portal/tickets").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
