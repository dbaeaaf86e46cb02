"""Agent replies on chat tickets go through the outbox to the callback URL (a real HTTP receiver on
127.0.0.1); ``send`` runs the worker's delivery pass."""

from __future__ import annotations

import json

import attrs
from chat_support import SECRET, SECRET_ENV, CallbackReceiver, body_of, message, signature, signed_headers

from deskframe.actors import Actor
from deskframe.testing import Factory
from deskframe_chat import outbound, settings

URL = "/channels/site-chat/messages"


def make(chat_desk, client_for, callback_url=None, **keys):
    """A chat desk with agent ``alice`` and one conversation's ticket: (desk, factory, number)."""
    desk = chat_desk(callback_url, **keys)
    factory = Factory(desk)
    factory.agent("alice")
    return desk, factory, open_chat(desk, client_for(desk))


def open_chat(desk, client, conversation="c-1"):
    body = body_of(message(conversation_id=conversation))
    return client.post(URL, content=body, headers=signed_headers(body)).json()["ticket"]


def history(desk, number, prefix="chat_"):
    return [(h.action, h.new, h.reason) for h in desk.tickets.get(number).history if h.action.startswith(prefix)]


def outcome(desk, number):
    """The outbox's history lines of the ticket: ``sent`` and ``delivery_failed``."""
    return [
        (h.action, h.new, h.reason) for h in desk.tickets.get(number).history if h.action in ("sent", "delivery_failed")
    ]


def send(desk):
    """One delivery pass (what ``deskframe worker`` runs)."""
    return desk.outbox.deliver_pass("test-worker")


#: Give up after one outbox attempt, so a failure is final within a test.
ONE_ATTEMPT = "\n[outbox]\nmax_attempts = 1\n"


def test_reply_is_posted_signed_to_the_callback(chat_desk, client_for):
    with CallbackReceiver() as receiver:
        desk, _factory, number = make(chat_desk, client_for, receiver.url)
        article = desk.tickets.reply(number, actor=Actor.agent("alice"), body="Unplug it, please.")
        assert receiver.requests == []  # enqueued with the reply, not sent from the hook
        assert send(desk).sent == 1
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    assert sent["path"] == "/replies"
    assert sent["headers"]["X-Deskframe-Signature"] == signature(sent["body"], SECRET)
    assert sent["headers"]["Content-Type"] == "application/json"
    assert json.loads(sent["body"]) == {
        "conversation_id": "c-1",
        "text": "Unplug it, please.",
        "ticket": number,
        "article_id": article.id,
    }
    assert outcome(desk, number) == [("sent", str(article.id), "via chat to c-1")]


def test_failing_callback_is_retried_with_backoff_then_recorded(chat_desk, client_for):
    with CallbackReceiver(statuses=(500,)) as receiver:
        desk, _factory, number = make(
            chat_desk, client_for, receiver.url, callback_tries=3, callback_backoff=0.05, extra_config=ONE_ATTEMPT
        )
        article = desk.tickets.reply(number, actor=Actor.agent("alice"), body="Try this.")
        assert send(desk).failed == 1
    assert len(receiver.requests) == 3
    gaps = [b["at"] - a["at"] for a, b in zip(receiver.requests, receiver.requests[1:])]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1  # 0.05 s, then doubled
    assert outcome(desk, number) == [("delivery_failed", str(article.id), "chat to c-1: after 3 attempt(s): HTTP 500")]
    assert desk.last_hook_failures == []  # a failed delivery is recorded, not raised


def test_a_retry_that_succeeds_is_delivered(chat_desk, client_for):
    with CallbackReceiver(statuses=(503, 200)) as receiver:
        desk, _factory, number = make(chat_desk, client_for, receiver.url)
        desk.tickets.reply(number, actor=Actor.agent("alice"), body="Try this.")
        assert send(desk).sent == 1
    assert len(receiver.requests) == 2
    assert outcome(desk, number)[0][0] == "sent"


def test_a_callback_still_failing_is_retried_later_by_the_outbox(chat_desk, client_for, clock):
    with CallbackReceiver(statuses=(503, 503, 200)) as receiver:
        desk, _factory, number = make(chat_desk, client_for, receiver.url, callback_tries=2, callback_backoff=0.01)
        desk.tickets.reply(number, actor=Actor.agent("alice"), body="Try this.")
        assert send(desk).retrying == 1
        (entry,) = desk.outbox.list(ticket=number)
        assert (entry.state, entry.last_error) == ("queued", "after 2 attempt(s): HTTP 503")
        clock.advance(minutes=5)
        assert send(desk).sent == 1
    assert len(receiver.requests) == 3
    assert outcome(desk, number)[0][0] == "sent"


def test_client_errors_are_not_retried(chat_desk, client_for):
    with CallbackReceiver(statuses=(400,)) as receiver:
        desk, _factory, number = make(chat_desk, client_for, receiver.url)
        desk.tickets.reply(number, actor=Actor.agent("alice"), body="Try this.")
        assert send(desk).failed == 1  # a client error is final at once
    assert len(receiver.requests) == 1
    assert outcome(desk, number)[0][:1] == ("delivery_failed",)
    assert outcome(desk, number)[0][2] == "chat to c-1: after 1 attempt(s): HTTP 400"


def test_unreachable_callback_is_recorded(chat_desk, client_for):
    from chat_support import free_port

    desk, _factory, number = make(
        chat_desk, client_for, f"http://127.0.0.1:{free_port()}/nobody", callback_tries=2, extra_config=ONE_ATTEMPT
    )
    desk.tickets.reply(number, actor=Actor.agent("alice"), body="Hello?")
    send(desk)
    action, _, reason = outcome(desk, number)[0]
    assert action == "delivery_failed" and reason.startswith("chat to c-1: after 2 attempt(s): URLError")


def test_without_callback_url_the_failure_is_visible(chat_desk, client_for):
    desk, _factory, number = make(chat_desk, client_for)
    desk.tickets.reply(number, actor=Actor.agent("alice"), body="Hello?")
    assert send(desk).failed == 1
    assert outcome(desk, number)[0][2] == "chat to c-1: channel site-chat has no callback_url"


def test_missing_secret_at_delivery_is_recorded(chat_desk, client_for, monkeypatch):
    with CallbackReceiver() as receiver:
        desk, _factory, number = make(chat_desk, client_for, receiver.url)
        monkeypatch.delenv(SECRET_ENV)
        desk.tickets.reply(number, actor=Actor.agent("alice"), body="Hello?")
        send(desk)
    assert receiver.requests == []
    assert SECRET_ENV in outcome(desk, number)[0][2]


def test_notes_other_channels_and_non_chat_tickets_are_not_posted(chat_desk, client_for):
    with CallbackReceiver() as receiver:
        desk, factory, number = make(chat_desk, client_for, receiver.url)
        desk.tickets.note(number, actor=Actor.agent("alice"), body="internal")
        desk.tickets.add_article(
            number, direction="out", channel="support-mail", body="by mail", actor=Actor.agent("alice")
        )
        desk.tickets.add_article(
            number, direction="in", channel="site-chat", body="customer again", actor=Actor.operator()
        )
        other = factory.ticket(channel="support-mail")
        desk.tickets.reply(other.number, actor=Actor.agent("alice"), body="mail reply")
        send(desk)
    assert receiver.requests == []
    assert history(desk, number) == [] and outcome(desk, number) == []
    assert [e.message.kind for e in desk.outbox.list()] in ([], ["email"], ["email", "email"])  # never chat


def test_backoff_doubles_from_the_configured_start():
    chat = settings.parse_settings(
        {"name": "c", "type": "chat", "secret_env": "X", "callback_url": "http://127.0.0.1:9/none"}
    )
    waits = []
    with CallbackReceiver(statuses=(500,)) as receiver:
        chat = attrs.evolve(chat, callback_url=receiver.url)
        outcome = outbound.post_signed(chat, "k", {"a": 1}, sleep=waits.append)
    assert (outcome.delivered, outcome.attempts) == (False, 3)
    assert waits == [0.5, 1.0]
