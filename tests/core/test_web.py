"""`deskframe serve`: the app factory, /healthz, plugin routes and security headers, over real HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import deskframe
from deskframe.web import create_app


class RoutePlugin:
    @deskframe.hookimpl
    def register_routes(self, register):
        async def hello(request):
            desk = request.app.state.desk
            return PlainTextResponse(f"{len(desk.directory.customers())} customers")

        register(Route("/hello", hello))


def test_app_serves_health_and_plugin_routes(make_desk, factory=None):
    desk = make_desk(plugins=[RoutePlugin()])
    client = TestClient(create_app(desk))
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert health.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in health.headers["content-security-policy"]
    assert client.get("/hello").text == "0 customers"
    assert client.get("/nope").status_code == 404


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_over_real_http(desk):
    port = _free_port()
    script = Path(sys.executable).parent / "deskframe"
    proc = subprocess.Popen(
        [str(script), "--config", str(desk.config.path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    body = resp.read()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b'{"status":"ok"}'
    finally:
        proc.terminate()
        proc.wait(10)
