"""Issue 13, the HTTP plumbing around the API: CORS off by default and on for ``/api/`` with
``[web] cors_origins``; ``[web] max_body`` answers 413 before a body is read (announced by
Content-Length, or counted while a chunked body streams in); config errors name the key."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import pytest
import uvicorn
from api_world import build_world, close_world
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import deskframe
from deskframe.accounts.settings import DEFAULT_MAX_BODY, parse_web
from deskframe.errors import ConfigError
from deskframe.tables import TableReader
from deskframe.testing import free_port as _free_port
from deskframe.web.body_limit import BodyLimit

ORIGIN = "https://portal.example.com"
#: The cap the module's desk is configured with.
CAP = 4096


class Echo:
    """A plugin route that reads its whole body and says how much it read."""

    def __init__(self) -> None:
        self.calls = 0

    @deskframe.hookimpl
    def register_routes(self, register):  # type: ignore[no-untyped-def]
        async def echo(request: Request) -> JSONResponse:
            self.calls += 1
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
            return JSONResponse({"read": size})

        register(Route("/api/x/echo", echo, methods=["POST"]))
        register(Route("/echo", echo, methods=["POST"]))


@pytest.fixture(scope="module")
def echo() -> Echo:
    return Echo()


@pytest.fixture(scope="module")
def world(tmp_path_factory, echo):  # type: ignore[no-untyped-def]
    built = build_world(
        tmp_path_factory, config=f'[web]\ncors_origins = ["{ORIGIN}"]\nmax_body = "4KB"\n', plugins=[echo]
    )
    yield built
    close_world(built)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):  # type: ignore[no-untyped-def]
    built = build_world(tmp_path_factory)
    yield built
    close_world(built)


def test_cors_is_off_by_default(plain):  # type: ignore[no-untyped-def]
    web = plain.client()
    answer = web.get("/api/x/ping", headers={"Origin": ORIGIN})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
    preflight = web.options(
        "/api/x/ping", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )  # no CORS: the route knows no OPTIONS
    assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers
    assert plain.desk.config.web is None or plain.desk.config.web.max_body == DEFAULT_MAX_BODY


def test_cors_on_for_the_api_of_configured_origins_only(world):  # type: ignore[no-untyped-def]
    web = world.client()
    answer = web.get("/api/x/ping", headers={"Origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    preflight = web.options(
        "/api/x/tickets/1",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers
    # another origin is not allowed; paths outside /api/ get no CORS at all
    other = web.options(
        "/api/x/ping", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in web.get("/healthz", headers={"Origin": ORIGIN}).headers
    # the security headers are still there
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_body_announced_too_large_gets_413_before_the_app_runs(world, echo):  # type: ignore[no-untyped-def]
    web = world.client()
    assert web.post("/api/x/echo", content=b"x" * CAP).json() == {"read": CAP}
    before = echo.calls
    for path in ("/api/x/echo", "/echo", "/login", "/api/x/tickets/1/notes"):
        answer = web.post(path, content=b"x" * (CAP + 1), headers={"Origin": ORIGIN})
        assert answer.status_code == 413, path
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["status"] == 413 and str(CAP) in problem["detail"]
    assert echo.calls == before  # the endpoint never ran
    # the 413 of an API path carries CORS headers, so a page can read it
    answer = web.post("/api/x/echo", content=b"x" * (CAP + 1), headers={"Origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    bad = web.post("/echo", content=b"x", headers={"Content-Length": "12abc"})
    assert bad.status_code == 400


def test_a_chunked_body_over_the_cap_gets_413_and_is_not_read_past_it(world, echo):  # type: ignore[no-untyped-def]
    web = world.client()

    def chunks(n: int, size: int = 1000):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield b"y" * size

    ok = web.post("/api/x/echo", content=chunks(4))  # no Content-Length: Transfer-Encoding chunked
    assert ok.status_code == 200 and ok.json() == {"read": 4000}
    big = web.post("/api/x/echo", content=chunks(1000))
    assert big.status_code == 413 and big.headers["content-type"] == "application/problem+json"


def test_over_real_http_a_huge_content_length_is_refused_without_waiting_for_the_body(world):  # type: ignore[no-untyped-def]
    """A client announces 10 GB and sends 5 bytes: the answer comes at once (the server does not
    wait for the rest), and the connection is closed."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(world.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(
                b"POST /api/x/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10000000000\r\n\r\nhello"
            )
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                piece = conn.recv(65536)  # a server waiting for the body would time out here (30 s)
                if not piece:
                    break
                data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), head
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["status"] == 413
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_middleware_reads_no_more_than_the_cap():  # type: ignore[no-untyped-def]
    """Chunks are pulled only while the total stays under the cap: a 10 MB stream costs 5 chunks."""
    pulled = []
    sent: list[dict] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():  # type: ignore[no-untyped-def]
        pulled.append(1)
        return {"type": "http.request", "body": b"z" * 1000, "more_body": len(pulled) < 10_000}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyLimit(app, max_body=4500)(scope, receive, send))
    assert len(pulled) == 5 and sent[0]["status"] == 413


@pytest.mark.parametrize(
    "table,key,words",
    [
        ({"cors_origins": "https://a.example"}, "web.cors_origins", "must be an array"),
        ({"cors_origins": ["https://a.example/path"]}, "web.cors_origins", "not an origin"),
        ({"cors_origins": ["*", "https://a.example"]}, "web.cors_origins", "not an origin"),
        ({"cors_origins": ["ftp://a.example"]}, "web.cors_origins", "not an origin"),
        ({"max_body": "25 parsecs"}, "web.max_body", "not a size"),
        ({"max_body": 10}, "web.max_body", "between"),
        ({"max_body": "3GB"}, "web.max_body", "between"),
        ({"max_body": True}, "web.max_body", "number of bytes"),
        ({"max_body": 2.5}, "web.max_body", "number of bytes"),
    ],
)
def test_bad_web_settings_name_the_key(table, key, words):  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        parse_web(TableReader(table, "web"))
    assert info.value.key == key and words in str(info.value), str(info.value)


def test_good_web_settings():  # type: ignore[no-untyped-def]
    assert parse_web(TableReader({}, "web")).max_body == 25 * 1024 * 1024
    assert parse_web(TableReader({}, "web")).cors_origins == ()
    for value, size in (
        ("25MB", 25 * 1024**2),
        ("512 kb", 512 * 1024),
        ("1GiB", 1024**3),
        (2048, 2048),
        ("4096", 4096),
    ):
        assert parse_web(TableReader({"max_body": value}, "web")).max_body == size
    origins = ["https://A.example", "http://localhost:8080", "https://a.example"]
    assert parse_web(TableReader({"cors_origins": origins}, "web")).cors_origins == (
        "https://a.example",
        "http://localhost:8080",
    )
    assert parse_web(TableReader({"cors_origins": ["*"]}, "web")).cors_origins == ("*",)


def test_http_errors_under_api_are_problems_and_plain_text_elsewhere(plain):  # type: ignore[no-untyped-def]
    web = plain.client()
    for path in ("/api/nope", "/api/x/accounts"):  # an unknown API path; a plugin route's own 401
        answer = web.get(path)
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["status"] == answer.status_code in (401, 404)
    assert web.get("/api/x/accounts").headers["www-authenticate"] == "Bearer"
    assert web.delete("/api/x/ping").json()["status"] == 405
    elsewhere = web.get("/nope")
    assert elsewhere.status_code == 404 and elsewhere.headers["content-type"].startswith("text/plain")
