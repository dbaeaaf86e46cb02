"""Issue 18, fuzzing: arbitrary JSON trees against the chat payload parser and its webhook.

``payload.parse`` either returns a message or raises ``PayloadError`` (one line); the
webhook answers a signed arbitrary body with 200 (stored) or a clear 4xx, never a 500
or an exception. Bounded by ``max_examples``; ``benchmarks/fuzz.py --target chat`` runs
the same properties for minutes.

Found by it and fixed: an integer of more than 4,300 digits (``ValueError`` from the
JSON decoder), a lone surrogate escape in ``text`` (stored text must be UTF-8), and a
timestamp whose UTC conversion overflows (``0001-01-01T00:00:00+01:00``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from chat_support import SECRET, SECRET_ENV, chat_config, signed_headers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from deskframe.web import create_app
from deskframe_chat import payload

URL = "/channels/site-chat/messages"

#: Scalars that stress the parser: huge and negative numbers, odd floats, control and surrogate characters.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**31, 2**63, -(2**63), 10**30, 0, -1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e300, -1e300, 1.5]),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("a\x00\x1b\u202e\ud800\r\n é@.:/+-Z0123456789T"), max_size=30),
    st.sampled_from(
        [
            "2026-03-02T10:00:00+03:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2026-03-02T10:00:00",
            "ann@acme.example",
            "https://files.example/a.png",
            "aGk=",
            "",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=20,
)


def _maybe(key: str, value: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), value.map(lambda v: {key: v}))


sender = st.one_of(
    json_values,
    st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe("id", st.one_of(st.text(min_size=1, max_size=20), st.integers(), json_values)),
        _maybe("name", st.one_of(st.text(max_size=30), json_values)),
        _maybe("email", st.one_of(st.sampled_from(["ann@acme.example", "bad", "A@B.C"]), json_values)),
    ),
)
attachment = st.one_of(
    json_values,
    st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe(
            "filename",
            st.one_of(st.sampled_from(["log.txt", "../../etc/passwd", "CON", "a\u202egpj.exe"]), json_values),
        ),
        _maybe("content_type", st.one_of(st.just("text/plain"), json_values)),
        _maybe("base64", st.one_of(st.sampled_from(["aGk=", "!!", ""]), json_values)),
        _maybe("url", st.one_of(st.sampled_from(["https://f.example/a", "javascript:x", "http://"]), json_values)),
    ),
)
#: Near-valid payloads: each documented key present or not, with a sensible or an arbitrary value.
payloads = st.one_of(
    json_values,
    st.builds(
        lambda *parts: {k: v for part in parts for k, v in part.items()},
        _maybe("message_id", st.one_of(st.text(min_size=1, max_size=20), st.integers(), json_values)),
        _maybe("conversation_id", st.one_of(st.sampled_from(["c-1", "c-2"]), json_values)),
        _maybe("sender", sender),
        _maybe("text", st.one_of(st.text(max_size=200), json_values)),
        _maybe("timestamp", scalars),
        _maybe("attachments", st.one_of(st.lists(attachment, max_size=3), json_values)),
        _maybe("extra", json_values),
    ),
)


#: Valid messages with one field replaced by an arbitrary value (most are stored, some refused).
valid = st.builds(
    lambda mid, conv, text, changes: {
        "message_id": mid,
        "conversation_id": conv,
        "sender": {"id": "u-7"},
        "text": text,
        "timestamp": "2026-03-02T10:00:00+03:00",
        **changes,
    },
    st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12),
    st.sampled_from(["c-1", "c-2", "c-3"]),
    st.text(min_size=1, max_size=300),
    st.one_of(
        st.just({}),
        st.dictionaries(st.sampled_from(sorted(payload.TOP_KEYS)), json_values, max_size=1),
        st.builds(lambda s: {"sender": s}, sender),
    ),
)


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not JSON documents of the usual kind: bytes, deep nesting, huge numbers."""
    return st.one_of(
        st.binary(max_size=200),
        st.just(b"[" * 5000 + b"]" * 5000),
        st.just(b"1" * 5000),
        st.just(b'{"text": "\\ud800"}'),
        st.just(b"\xef\xbb\xbf{}"),
    )


def check_parse(data: Any) -> None:
    """The property of :func:`payload.parse`: a message, or one ``PayloadError`` line."""
    body = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    try:
        message = payload.parse(body)
    except payload.PayloadError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert message.message_id and message.text is not None
    message.text.encode("utf-8")  # storable


def check_webhook(client: TestClient, data: Any) -> None:
    """The property of the webhook: a signed body gets 200 or a 4xx with a one-line error, never a 5xx."""
    body = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    response = client.post(URL, content=body, headers=signed_headers(body))
    assert response.status_code in (200, 413, 422), (response.status_code, response.text, body[:300])
    if response.status_code != 200:
        error = response.json()["error"]
        assert error and "\n" not in error


def run_parse(max_examples: int, seed: int | None = None) -> None:
    """Run the parser property ``max_examples`` times (``seed`` for benchmarks/fuzz.py)."""
    test = settings(max_examples=max_examples, deadline=None, database=None, derandomize=seed is None)(
        given(st.one_of(valid, payloads, raw_bodies()))(check_parse)
    )
    if seed is not None:
        test = __import__("hypothesis").seed(seed)(test)
    test()


def run_webhook(make_client: Callable[[], TestClient], max_examples: int, seed: int | None = None) -> None:
    """Run the webhook property against one desk's app."""
    client = make_client()

    def prop(data: Any) -> None:
        check_webhook(client, data)

    test = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        suppress_health_check=list(HealthCheck),
    )(given(st.one_of(valid, payloads, raw_bodies()))(prop))
    if seed is not None:
        test = __import__("hypothesis").seed(seed)(test)
    test()


def test_parse_either_parses_or_rejects_in_one_line() -> None:
    run_parse(max_examples=200)


def test_webhook_never_answers_500(make_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(SECRET_ENV, SECRET)
    desk = make_desk(chat_config())
    run_webhook(lambda: TestClient(create_app(desk), raise_server_exceptions=True), max_examples=60)


@pytest.mark.parametrize(
    "body",
    [
        b"1" * 5000,
        json.dumps(
            {"message_id": "m", "conversation_id": "c", "sender": {"id": "u"}, "text": "\ud800", "timestamp": 0}
        ).encode(),
        json.dumps(
            {
                "message_id": "m",
                "conversation_id": "c",
                "sender": {"id": "u"},
                "text": "hi",
                "timestamp": "0001-01-01T00:00:00+01:00",
            }
        ).encode(),
    ],
)
def test_found_by_fuzzing_are_422(make_desk, monkeypatch, body) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(SECRET_ENV, SECRET)
    client = TestClient(create_app(make_desk(chat_config())), raise_server_exceptions=False)
    response = client.post(URL, content=body, headers=signed_headers(body))
    assert response.status_code == 422, response.text
