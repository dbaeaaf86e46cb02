"""RELIABILITY 16 over real HTTP: `deskframe serve` in a subprocess, requests from urllib."""

from __future__ import annotations

import os

import pytest
from chat_support import SECRET, SECRET_ENV, Served, body_of, chat_config, message, post, signature, signed_headers

pytestmark = pytest.mark.slow

SECOND = '[[channels]]\nname = "unset-chat"\ntype = "chat"\nsecret_env = "DESKFRAME_TEST_CHAT_UNSET"\n'


@pytest.fixture
def served(make_desk, monkeypatch):
    monkeypatch.delenv("DESKFRAME_TEST_CHAT_UNSET", raising=False)
    desk = make_desk(chat_config(max_body_bytes=8192) + SECOND)  # loading the config needs no secret
    env = {k: v for k, v in os.environ.items() if k != "DESKFRAME_TEST_CHAT_UNSET"}
    env[SECRET_ENV] = SECRET
    server = Served(desk.config.path, env)
    try:
        yield desk, server.wait()
    finally:
        server.stop()


def test_webhook_over_real_http(served):
    desk, server = served
    url = server.base + "/channels/site-chat/messages"
    count = lambda: len(desk.tickets.list(limit=None))  # noqa: E731

    body = body_of(message("m-1"))
    assert post(url, body) == (401, {"error": "missing or wrong signature"})
    assert post(url, body, {"X-Deskframe-Signature": signature(body, "guess")})[0] == 401
    assert post(url, body, {"X-Deskframe-Signature": signature(body)[:-1] + "0"})[0] == 401
    assert count() == 0 and desk.cursors.all("site-chat") == {}

    status, first = post(url, body, signed_headers(body))
    assert status == 200 and first["created"] is True and first["duplicate"] is False
    assert count() == 1

    status, replay = post(url, body, signed_headers(body))
    assert (status, replay["ticket"], replay["duplicate"]) == (200, first["ticket"], True)
    assert count() == 1 and len(desk.tickets.get(first["ticket"]).articles) == 1

    follow = body_of(message("m-2", text="and smoke"))
    status, second = post(url, follow, signed_headers(follow))
    assert (status, second["ticket"], second["created"]) == (200, first["ticket"], False)

    bad = b'{"message_id": "m-3",'
    status, error = post(url, bad, signed_headers(bad))
    assert status == 422 and error["error"].startswith("body is not JSON")

    big = body_of(message("m-4", text="x" * 9000))
    assert post(url, big, signed_headers(big))[0] == 413

    # first messages of a new conversation arriving together still open one ticket
    from concurrent.futures import ThreadPoolExecutor

    bodies = [body_of(message(f"burst-{i}", conversation_id="c-burst", text=f"part {i}")) for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda b: post(url, b, signed_headers(b)), bodies))
    assert {status for status, _ in answers} == {200}
    assert len({answer["ticket"] for _, answer in answers}) == 1
    assert sum(answer["created"] for _, answer in answers) == 1
    assert count() == 2

    assert post(server.base + "/channels/unset-chat/messages", body, signed_headers(body))[0] == 503
    assert post(server.base + "/channels/nope/messages", body, signed_headers(body))[0] == 404
    assert count() == 2
    assert len(desk.tickets.get(first["ticket"]).articles) == 2
    log = server.stop()
    assert "DESKFRAME_TEST_CHAT_UNSET is not set" in log
