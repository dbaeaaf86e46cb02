"""Agent replies on telegram tickets go through the outbox to sendMessage (``outbox deliver``, the
worker's pass); failures land in the ticket's history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deskframe.actors import Actor
from deskframe_telegram import outbound


@pytest.fixture
def ticket(tg_desk, fake, cli, factory_for) -> tuple[Any, str]:
    desk = tg_desk()
    factory_for(desk).agent("alice")
    fake.user_writes(111, "Где мой счёт?")
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert json.loads(result.output)[0]["created"] == 1
    (row,) = desk.tickets.list()
    return desk, row["number"]


@pytest.fixture
def factory_for():
    from deskframe.testing import Factory

    return Factory


def reply(cli: Any, desk: Any, number: str, body: str) -> Any:
    result = cli(desk)("ticket", "reply", number, "--agent", "alice", "--body", body)
    assert result.exit_code == 0, result.output
    delivered = cli(desk)("outbox", "deliver")
    assert delivered.exit_code == 0, delivered.output
    return result


def history(desk: Any, number: str, action: str) -> list[Any]:
    return [h for h in desk.tickets.get(number).history if h.action == action]


def test_a_reply_reaches_send_message_and_is_marked_sent(ticket, fake, cli):
    desk, number = ticket
    reply(cli, desk, number, "Счёт отправлен вчера.")
    assert [(m["chat_id"], m["text"]) for m in fake.sent] == [(111, "Счёт отправлен вчера.")]
    (sent,) = history(desk, number, "sent")
    assert "via telegram to telegram:111" in sent.reason
    out = [a for a in desk.tickets.get(number).articles if a.direction == "out"]
    assert out[0].message_id == f"telegram:tg:111:a{out[0].id}"
    assert history(desk, number, "delivery_failed") == []


def test_a_rejected_reply_is_recorded_as_failed(ticket, fake, cli, no_sleep):
    desk, number = ticket
    fake.fail_sends(403)
    reply(cli, desk, number, "Hello?")
    assert fake.sent == [] and no_sleep == []  # 403 is final: no retry
    (failed,) = history(desk, number, "delivery_failed")
    assert "sendMessage: HTTP 403 fake error 403" in failed.reason
    assert history(desk, number, "sent") == []


def test_server_errors_and_flood_control_are_retried(ticket, fake, cli, no_sleep):
    desk, number = ticket
    fake.fail_sends(502)
    fake.fail_sends(429, retry_after=3)
    reply(cli, desk, number, "Third time lucky")
    assert [m["text"] for m in fake.sent] == ["Third time lucky"]
    assert no_sleep == [1.0, 3.0]
    assert len(history(desk, number, "sent")) == 1


def test_too_many_failures_give_up(ticket, fake, cli, no_sleep):
    desk, number = ticket
    fake.fail_sends(500, 500, 500)
    reply(cli, desk, number, "never arrives")
    (entry,) = desk.outbox.list(ticket=number)  # 5xx: the outbox tries again later
    assert entry.state == "queued" and "after 3 attempt(s)" in entry.last_error and fake.sent == []


def test_a_long_reply_is_split(ticket, fake, cli):
    desk, number = ticket
    body = "\n".join(f"line {i}: " + "x" * 90 for i in range(60))  # ~6000 characters
    reply(cli, desk, number, body)
    assert len(fake.sent) == 2 and all(len(m["text"]) <= outbound.MAX_TEXT for m in fake.sent)
    assert "\n".join(m["text"] for m in fake.sent) == body


def test_notes_and_other_channels_are_not_sent(ticket, fake, cli):
    desk, number = ticket
    assert cli(desk)("ticket", "note", number, "--agent", "alice", "--body", "internal").exit_code == 0
    desk.tickets.add_article(
        number, direction="out", body="sent by e-mail", channel="email-desk", actor=Actor.agent("alice")
    )
    assert cli(desk)("outbox", "deliver").exit_code == 0
    assert fake.sent == [] and [e.message.kind for e in desk.outbox.list()] in ([], ["email"])


def test_a_reply_on_a_ticket_of_no_channel_is_ignored(tg_desk, fake, cli, factory_for):
    desk = tg_desk()
    factory_for(desk).agent("alice")
    t = desk.tickets.open(subject="Phone call", body="x", actor=Actor.operator())
    reply(cli, desk, t.number, "answer")
    assert fake.sent == [] and history(desk, t.number, "telegram_delivery_failed") == []
    assert desk.outbox.list() == []


def test_merged_ticket_answers_the_private_chat_of_its_sender(ticket, fake, cli):
    desk, number = ticket
    other = desk.tickets.open(subject="Older", body="x", channel="tg", actor=Actor.operator())
    desk.tickets.merge(number, other.number, actor=Actor.operator())
    reply(cli, desk, other.number, "Answer on the merged ticket")
    assert [(m["chat_id"], m["text"]) for m in fake.sent] == [(111, "Answer on the merged ticket")]
