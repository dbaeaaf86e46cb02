"""`deskframe serve`: the app factory, /healthz, plugin routes and security headers, over real HTTP."""

from __future__ import annotations

import urllib.request

from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import deskframe
from deskframe.testing import free_port, start_serve, stop_serve, wait_until_serving
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


def test_serve_command_over_real_http(desk):
    port = free_port()
    proc = start_serve(desk.config.path, port)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.read() == b'{"status":"ok"}'
    finally:
        stop_serve(proc)
