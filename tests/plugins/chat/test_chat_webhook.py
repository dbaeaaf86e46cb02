"""The chat webhook through Starlette's TestClient: signatures, validation, conversations."""

from __future__ import annotations

import json

import pytest
from chat_support import SECRET_ENV, b64, body_of, message, signature, signed_headers

import deskframe
from deskframe import Contact
from deskframe.actors import Actor
from deskframe.testing import Factory

URL = "/channels/site-chat/messages"


def send(client, data, headers=None):
    body = data if isinstance(data, bytes) else body_of(data)
    return client.post(URL, content=body, headers=signed_headers(body) if headers is None else headers)


def count(desk) -> int:
    return len(desk.tickets.list(limit=None))


@pytest.fixture
def desk(chat_desk):
    return chat_desk()


@pytest.fixture
def client(desk, client_for):
    return client_for(desk)


def test_signed_message_opens_a_ticket_in_the_unknown_queue(desk, client):
    response = send(client, message())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["duplicate"] is False and answer["created"] is True
    ticket = desk.tickets.get(answer["ticket"])
    assert ticket.channel == "site-chat" and ticket.queue == "unknown"
    assert ticket.subject == "Chat: Hello, the printer is on fire"
    article = ticket.articles[0]
    assert article.direction == "in" and article.text == "Hello, the printer is on fire"
    assert article.sender == "chat:site-chat:u-7" and article.id == answer["article_id"]
    assert article.created_at.isoformat().startswith("2026-03-02T07:00:00")


BAD_SIGNATURES = [
    {},
    {"X-Deskframe-Signature": "sha256=" + "0" * 64},
    {"X-Deskframe-Signature": signature(b"another body")},
    {"X-Deskframe-Signature": signature(body_of(message()), secret="wrong secret")},
    {"X-Deskframe-Signature": "md5=abc"},
    {"X-Deskframe-Signature": ""},
    {"X-Deskframe-Signature": signature(body_of(message())).upper()},
]


def test_missing_or_wrong_signature_gets_401_and_stores_nothing(desk, client):
    for headers in BAD_SIGNATURES:
        response = send(client, message(), headers=headers)
        assert response.status_code == 401, headers
        assert response.json() == {"error": "missing or wrong signature"}
    assert count(desk) == 0
    assert desk.cursors.all("site-chat") == {}


def test_bad_signature_is_checked_before_the_json(desk, client):
    response = client.post(URL, content=b"{not json", headers={"X-Deskframe-Signature": "sha256=00"})
    assert response.status_code == 401


def test_replay_is_idempotent(desk, client):
    first = send(client, message()).json()
    again = send(client, message())
    assert again.status_code == 200
    assert again.json() == {
        "ticket": first["ticket"],
        "duplicate": True,
        "created": False,
        "article_id": first["article_id"],
    }
    assert count(desk) == 1
    assert len(desk.tickets.get(first["ticket"]).articles) == 1


def test_messages_of_one_conversation_share_a_ticket(desk, client, clock):
    first = send(client, message("m-1")).json()
    clock.advance(minutes=30)
    second = send(client, message("m-2", text="Still burning")).json()
    other = send(client, message("m-3", conversation_id="c-2", text="Different person")).json()
    assert second["ticket"] == first["ticket"] and second["created"] is False
    assert other["ticket"] != first["ticket"] and other["created"] is True
    assert [a.text for a in desk.tickets.get(first["ticket"]).articles] == [
        "Hello, the printer is on fire",
        "Still burning",
    ]


def test_idle_gap_starts_a_new_ticket(chat_desk, client_for, clock):
    desk = chat_desk(idle_gap="2h")
    client = client_for(desk)
    first = send(client, message("m-1")).json()
    clock.advance(hours=1, minutes=59)
    assert send(client, message("m-2")).json()["ticket"] == first["ticket"]
    clock.advance(hours=2, seconds=1)  # idle counts from the last message
    third = send(client, message("m-3")).json()
    assert third["created"] is True and third["ticket"] != first["ticket"]
    clock.advance(minutes=1)
    assert send(client, message("m-4")).json()["ticket"] == third["ticket"]


@pytest.mark.parametrize("state", ["closed", "resolved"])
def test_a_finished_ticket_is_not_continued(chat_desk, client_for, state):
    desk = chat_desk(
        extra_config='[tickets.states]\nnew = "new"\nopen = "open"\nresolved = "resolved"\nclosed = "closed"\n'
    )
    client = client_for(desk)
    first = send(client, message("m-1")).json()
    desk.tickets.set_state(first["ticket"], state, actor=Actor.operator())
    second = send(client, message("m-2", text="It broke again")).json()
    assert second["created"] is True and second["ticket"] != first["ticket"]
    assert desk.tickets.get(first["ticket"]).state == state


def test_pending_ticket_is_continued_and_reopened(chat_desk, client_for):
    desk = chat_desk()
    client = client_for(desk)
    first = send(client, message("m-1")).json()
    desk.tickets.set_state(first["ticket"], "pending", actor=Actor.operator())
    second = send(client, message("m-2")).json()
    assert second["ticket"] == first["ticket"]
    assert desk.tickets.get(first["ticket"]).state == "open"


def test_conversation_follows_a_merge(desk, client):
    first = send(client, message("m-1")).json()
    target = desk.tickets.open(subject="Main ticket", body="x", actor=Actor.operator()).number
    desk.tickets.merge(first["ticket"], target, actor=Actor.operator())
    assert send(client, message("m-2")).json()["ticket"] == target


def test_conversation_never_threads_into_another_customers_ticket(desk, client, factory):
    first = send(client, message("m-1")).json()
    target = factory.ticket(subject="Acme's ticket").number
    desk.tickets.merge(
        first["ticket"], target, actor=Actor.operator()
    )  # an agent's mistake must not leak the conversation into it
    answer = send(client, message("m-2")).json()
    assert answer["created"] is True and answer["ticket"] not in (first["ticket"], target)


def test_text_cannot_thread_into_another_ticket_by_quoting_its_number(desk, client, factory):
    victim = desk.tickets.open(
        subject="Someone else's", body="private", actor=Actor.operator()
    )  # no customer: threadable by number
    answer = send(client, message(text=f"[Ticket#{victim.number}] hi")).json()
    assert answer["created"] is True and answer["ticket"] != victim.number
    assert desk.tickets.get(answer["ticket"]).subject == f"Chat: (Ticket#{victim.number}) hi"


def test_base64_attachment_is_stored_and_url_attachment_kept_as_a_link(desk, client):
    data = message(
        text="see files",
        attachments=[
            {"filename": "log.txt", "content_type": "text/plain", "base64": b64(b"line 1\nline 2\n")},
            {"filename": "shot.png", "url": "https://files.example/shot.png"},
        ],
    )
    answer = send(client, data).json()
    article = desk.tickets.get(answer["ticket"]).articles[0]
    assert [(a.filename, a.content_type, a.size) for a in article.attachments] == [("log.txt", "text/plain", 14)]
    assert desk.blobs.get(article.attachments[0].sha256) == b"line 1\nline 2\n"
    assert article.text == "see files\n\nLinked files (not downloaded):\n- shot.png: https://files.example/shot.png"


def test_attachment_only_message(desk, client):
    data = message(text="", attachments=[{"filename": "a.bin", "base64": b64(b"\x00\x01")}])
    answer = send(client, data).json()
    ticket = desk.tickets.get(answer["ticket"])
    assert ticket.subject == "Chat: a.bin"
    assert ticket.articles[0].attachments[0].content_type == "application/octet-stream"


def test_epoch_timestamp(desk, client):
    answer = send(client, message(timestamp=1772434800)).json()
    assert desk.tickets.get(answer["ticket"]).articles[0].created_at.isoformat().startswith("2026-03-02T07:00:00")


def test_trusted_channel_routes_by_sender_email(chat_desk, client_for):
    desk = chat_desk(trusted=True)
    factory = Factory(desk)
    customer = factory.customer("acme")
    contract = factory.contract(customer.key)
    desk.directory.add_contact(Contact(name="Ivan", email="ivan@acme.example", customer="acme"), actor=Actor.operator())
    data = message(sender={"id": "u-7", "name": "Ivan", "email": "Ivan@ACME.example"})
    ticket = desk.tickets.get(send(client_for(desk), data).json()["ticket"])
    assert (ticket.customer, ticket.contract, ticket.queue) == ("acme", contract.key, "support")
    assert ticket.contact == "ivan@acme.example"


def test_untrusted_channel_ignores_the_claimed_email(desk, client, factory):
    factory.customer("acme")
    desk.directory.add_contact(Contact(name="Ivan", email="ivan@acme.example", customer="acme"), actor=Actor.operator())
    data = message(sender={"id": "u-7", "name": "Ivan", "email": "ivan@acme.example"})
    ticket = desk.tickets.get(send(client, data).json()["ticket"])
    assert ticket.customer is None and ticket.queue == "unknown"
    assert ticket.articles[0].text.endswith("(e-mail given in the chat, not verified: ivan@acme.example)")


BAD_PAYLOADS = [
    (b"{not json", "body is not JSON"),
    (b"\xff\xfe", "body is not UTF-8"),
    (b"[1, 2]", "body must be a JSON object"),
    (body_of({k: v for k, v in message().items() if k != "message_id"}), "missing field 'message_id'"),
    (body_of(message(message_id="")), "'message_id' must be 1-180 printable characters"),
    (body_of(message(message_id="x" * 181)), "'message_id' must be 1-180 printable characters"),
    (body_of(message(conversation_id=True)), "'conversation_id' must be a string or an integer"),
    (body_of(message(sender="u-7")), "'sender' must be an object"),
    (body_of(message(sender={"name": "x"})), "missing field sender.'id'"),
    (body_of(message(sender={"id": "u", "email": "not-an-address"})), "'sender.email' is not an e-mail address"),
    (body_of(message(sender={"id": "u", "role": "admin"})), "unknown field sender.'role'"),
    (body_of(message(text=None)), "'text' must be a string"),
    (body_of(message(text="  ")), "a message needs 'text' or 'attachments'"),
    (body_of(message(text="a\x00b")), "'text' must not contain NUL characters"),
    (body_of(message(timestamp="2026-03-02T10:00:00")), "'timestamp' needs a UTC offset"),
    (body_of(message(timestamp="yesterday")), "'timestamp' is not ISO 8601"),
    (body_of(message(timestamp=True)), "'timestamp' must be ISO 8601"),
    (body_of(message(admin=True)), "unknown field 'admin'"),
    (body_of(message(attachments={"filename": "x"})), "'attachments' must be an array"),
    (body_of(message(attachments=[{"filename": "x"}])), "attachments[0] needs exactly one of 'base64' and 'url'"),
    (body_of(message(attachments=[{"filename": "x", "base64": "***"}])), "attachments[0].'base64' is not valid base64"),
    (
        body_of(message(attachments=[{"filename": "x", "url": "file:///etc/passwd"}])),
        "attachments[0].'url' must be an http:// or https:// URL",
    ),
    (body_of(message(attachments=[{"base64": "AA=="}])), "missing field attachments[0].'filename'"),
]


def test_bad_payloads_get_422_with_one_line(desk, client):
    for body, error in BAD_PAYLOADS:
        response = send(client, body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()["error"]
        assert problem.startswith(error) and "\n" not in problem, (problem, error)
    assert count(desk) == 0


def test_body_over_the_limit_gets_413(chat_desk, client_for):
    desk = chat_desk(max_body_bytes=2048)
    client = client_for(desk)
    big = body_of(message(text="x" * 3000))
    response = client.post(URL, content=big, headers=signed_headers(big))
    assert response.status_code == 413
    # without a Content-Length (chunked) the limit holds as well
    chunks = iter([big[:1000], big[1000:]])
    response = client.post(URL, content=chunks, headers=signed_headers(big))
    assert response.status_code == 413
    assert count(desk) == 0


def test_missing_secret_env_gets_503_and_a_log_line(desk, client, monkeypatch, caplog):
    monkeypatch.delenv(SECRET_ENV)
    response = send(client, message())
    assert response.status_code == 503
    assert SECRET_ENV in caplog.text
    assert count(desk) == 0


def test_unknown_or_non_chat_channel_gets_404(make_desk, secret_env, client_for):
    class Other:
        @deskframe.hookimpl
        def register_channel_types(self, register):
            register(deskframe.ChannelType("test-other", lambda table, desk: None))

    desk = make_desk('[[channels]]\nname = "mail"\ntype = "test-other"\n', plugins=[Other()])
    client = client_for(desk)
    for name in ("mail", "nope"):
        body = body_of(message())
        assert client.post(f"/channels/{name}/messages", content=body, headers=signed_headers(body)).status_code == 404


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_cursor_state_is_json(desk, client):
    answer = send(client, message()).json()
    cursors = desk.cursors.all("site-chat")
    assert json.loads(cursors["conversation:c-1"])["ticket"] == answer["ticket"]
    assert cursors[f"ticket:{answer['ticket']}"] == "c-1"
