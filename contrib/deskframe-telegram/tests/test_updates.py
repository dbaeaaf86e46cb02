"""Update -> InboundMessage, without a server."""

from __future__ import annotations

import datetime as dt

import pytest

from deskframe_telegram import outbound, updates


def update(**message):
    base = {
        "message_id": 42,
        "date": 1_790_000_000,
        "chat": {"id": 777, "type": "private"},
        "from": {"id": 777, "first_name": "Ivan", "last_name": "Petrov", "username": "ivan_p"},
    }
    return {"update_id": 9, "message": {**base, **message}}


def test_a_text_message():
    msg = updates.to_inbound("tg", update(text="Line one\nline two"), ticket_number="2026")
    assert msg.external_id == "777:42" and msg.message_id == "telegram:tg:777:42"
    assert msg.sender == "telegram:777" and msg.sender_name == "Ivan Petrov (@ivan_p)"
    assert msg.subject == "Telegram: Line one" and msg.text == "Line one\nline two"
    assert msg.received_at == dt.datetime.fromtimestamp(1_790_000_000, dt.timezone.utc)
    assert msg.ticket_number == "2026" and not msg.trusted
    assert updates.parse_raw(msg.raw, "tg").external_id == "777:42"  # quarantine retry reads it again


def test_subject_is_short_and_cannot_name_a_ticket():
    msg = updates.to_inbound("tg", update(text="[Ticket#2026010110000011] " + "x" * 300))
    assert msg.subject.startswith("Telegram: (Ticket#2026010110000011) x")
    assert len(msg.subject) == len("Telegram: ") + updates.SUBJECT_CHARS and msg.subject.endswith("...")


def test_a_group_message_keeps_its_author_and_chat():
    msg = updates.to_inbound(
        "tg", update(text="hi", chat={"id": -100123, "type": "supergroup"}, **{"from": {"id": 5, "first_name": "Анна"}})
    )
    assert msg.external_id == "-100123:42" and msg.sender == "telegram:5" and msg.sender_name == "Анна"


def test_a_sticker_and_a_service_message():
    sticker = updates.to_inbound("tg", update(sticker={"file_id": "s", "emoji": "👍"}))
    assert sticker.text == "[Telegram sticker 👍]"
    with pytest.raises(updates.NotAMessage):
        updates.to_inbound("tg", update(left_chat_member={"id": 1}))
    with pytest.raises(updates.NotAMessage):
        updates.to_inbound("tg", {"update_id": 1, "my_chat_member": {}})


def test_malformed_updates_raise_value_error():
    with pytest.raises(ValueError, match="message_id"):
        updates.to_inbound("tg", update(text="x", message_id="42"))
    with pytest.raises(ValueError, match="date"):
        updates.to_inbound("tg", update(text="x", date=None))
    with pytest.raises(ValueError, match="JSON"):
        updates.parse_raw(b"\xff", "tg")


@pytest.mark.parametrize("length", [1, 4096, 4097, 9000])
def test_chunks_keep_the_text_and_the_limit(length):
    text = ("word " * 3000)[:length].strip() or "w"
    pieces = outbound.chunks(text)
    assert all(0 < len(p) <= outbound.MAX_TEXT for p in pieces)
    assert "".join(p.replace(" ", "") for p in pieces) == text.replace(" ", "")
