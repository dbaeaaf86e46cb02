"""``deskframe intake run --once`` against the fake Bot API, through the CLI."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from telegram_fake import TOKEN, TOKEN_ENV, telegram_config

from deskframe import Contact, Customer
from deskframe.actors import Actor
from deskframe_telegram.channel import TelegramChannel


def poll(cli: Any, desk: Any) -> dict[str, Any]:
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.output)
    return report


def get_updates_offsets(fake: Any) -> list[int | None]:
    return [int(p["offset"]) if "offset" in p else None for m, p in fake.requests if m == "getUpdates"]


def test_messages_become_tickets_and_a_second_poll_adds_nothing(tg_desk, fake, cli):
    desk = tg_desk()
    fake.user_writes(111, "Printer [Ticket#1] is broken\nIt blinks red.")
    last = fake.user_writes(222, "Привет! Не работает VPN", user={"id": 9001, "first_name": "Анна"})

    report = poll(cli, desk)
    assert (report["fetched"], report["created"], report["duplicates"], report["quarantined"]) == (2, 2, 0, 0)

    tickets = {t["subject"]: t for t in desk.tickets.list()}
    assert set(tickets) == {"Telegram: Printer (Ticket#1) is broken", "Telegram: Привет! Не работает VPN"}
    ticket = desk.tickets.get(tickets["Telegram: Привет! Не работает VPN"]["number"])
    assert ticket.channel == "tg" and ticket.queue  # unknown sender: the unknown queue
    (article,) = ticket.articles
    assert article.sender == "telegram:9001" and article.text == "Привет! Не работает VPN"
    assert desk.cursors.get("tg", "offset") == str(last["update_id"] + 1)

    again = poll(cli, desk)
    assert (again["fetched"], again["created"], again["appended"]) == (0, 0, 0)
    assert len(desk.tickets.list()) == 2
    assert get_updates_offsets(fake)[-1] == last["update_id"] + 1


def test_one_open_ticket_per_chat(tg_desk, fake, cli):
    desk = tg_desk()
    fake.user_writes(111, "First question")
    poll(cli, desk)
    fake.user_writes(111, "More details")
    fake.user_writes(333, "Someone else")
    report = poll(cli, desk)
    assert (report["created"], report["appended"]) == (1, 1)
    first = next(t for t in desk.tickets.list() if t["subject"] == "Telegram: First question")
    assert [a.text for a in desk.tickets.get(first["number"]).articles] == ["First question", "More details"]

    desk.tickets.set_state(first["number"], "closed", actor=Actor.operator())
    fake.user_writes(111, "A new problem")
    report = poll(cli, desk)
    assert report["created"] == 1
    new = next(t for t in desk.tickets.list() if t["subject"] == "Telegram: A new problem")
    assert new["number"] != first["number"]
    assert desk.cursors.get("tg", "chat:111") == new["number"]


def test_crash_before_ack_refetches_and_stores_once(tg_desk, fake, cli, monkeypatch):
    desk = tg_desk()
    fake.user_writes(111, "Disk full")
    fake.user_writes(111, "Still full")
    real_ack = TelegramChannel.ack
    crashes: list[str] = []

    def crashing_ack(self: TelegramChannel, message: Any, result: Any) -> None:
        if not crashes:
            crashes.append(message.external_id)
            raise RuntimeError("power failure after the commit")
        real_ack(self, message, result)

    monkeypatch.setattr(TelegramChannel, "ack", crashing_ack)
    crashed = cli(desk)("intake", "run", "--once")
    assert crashed.exit_code != 0 and isinstance(crashed.exception, RuntimeError)
    assert desk.cursors.get("tg", "offset") is None  # never acknowledged
    (ticket,) = desk.tickets.list()
    assert len(desk.tickets.get(ticket["number"]).articles) == 1  # committed before the crash

    report = poll(cli, desk)
    assert (report["fetched"], report["duplicates"], report["appended"], report["created"]) == (2, 1, 1, 0)
    (ticket,) = desk.tickets.list()
    texts = [a.text for a in desk.tickets.get(ticket["number"]).articles]
    assert texts == ["Disk full", "Still full"]
    assert poll(cli, desk)["fetched"] == 0


def test_long_polling_waits_for_an_update(tg_desk, fake, cli):
    desk = tg_desk(poll_timeout=3)
    timer = threading.Timer(0.3, fake.user_writes, args=(111, "arrived while waiting"))
    started = time.monotonic()
    timer.start()
    try:
        report = poll(cli, desk)
    finally:
        timer.cancel()
    assert report["created"] == 1
    assert time.monotonic() - started < 3
    timeouts = [p["timeout"] for m, p in fake.requests if m == "getUpdates"]
    assert timeouts[0] == "3" and set(timeouts[1:]) <= {"0"}  # only the first call of a poll waits


def test_malformed_update_is_quarantined_and_passed(tg_desk, fake, cli):
    desk = tg_desk()
    bad = fake.add_update(
        {"message": {"message_id": 7, "date": 1_790_000_000, "chat": {"id": "not-a-number"}, "text": "hi"}}
    )
    fake.user_writes(111, "after the bad one")
    report = poll(cli, desk)
    assert (report["quarantined"], report["created"]) == (1, 1)
    listed = cli(desk)("intake", "quarantine", "list", "--format", "json")
    (item,) = json.loads(listed.output)
    assert item["channel"] == "tg" and "chat.id" in item["reason"]
    assert int(desk.cursors.get("tg", "offset")) > bad["update_id"]
    assert poll(cli, desk)["fetched"] == 0


def test_other_updates_are_skipped_and_confirmed(tg_desk, fake, cli):
    desk = tg_desk()
    fake.add_update({"callback_query": {"id": "1", "data": "x"}})
    service = fake.user_writes(-100500, None, new_chat_members=[{"id": 5, "first_name": "Bob"}])
    report = poll(cli, desk)
    assert report["fetched"] == 0 and desk.tickets.list() == []
    assert desk.cursors.get("tg", "offset") == str(service["update_id"] + 1)


def test_media_without_text_becomes_a_placeholder(tg_desk, fake, cli):
    desk = tg_desk()
    fake.user_writes(111, None, photo=[{"file_id": "f1", "width": 10, "height": 10}])
    fake.user_writes(111, None, caption="the error dialog", document={"file_id": "f2"})
    poll(cli, desk)
    (ticket,) = desk.tickets.list()
    texts = [a.text for a in desk.tickets.get(ticket["number"]).articles]
    assert texts == [
        "[Telegram photo: not imported, see the chat]",
        "the error dialog\n\n[Telegram document: not imported, see the chat]",
    ]


def test_edited_message_is_a_new_article(tg_desk, fake, cli):
    desk = tg_desk()
    original = fake.user_writes(111, "Server down")
    edited = dict(original["message"], text="Server down since 9:00", edit_date=1_790_000_100)
    fake.add_update({"edited_message": edited})
    poll(cli, desk)
    (ticket,) = desk.tickets.list()
    assert [a.text for a in desk.tickets.get(ticket["number"]).articles] == [
        "Server down",
        "[edited] Server down since 9:00",
    ]


def test_a_contact_routes_the_telegram_user_to_its_customer(tg_desk, fake, cli):
    desk = tg_desk()
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_contact(
        Contact(name="Ivan Petrov", email="telegram:111", customer="acme"), actor=Actor.operator()
    )
    fake.user_writes(111, "We need help")
    poll(cli, desk)
    (ticket,) = desk.tickets.list()
    assert desk.tickets.get(ticket["number"]).customer == "acme"


def test_a_rejected_token_stops_the_poll_without_showing_the_token(tg_desk, fake, cli, monkeypatch):
    desk = tg_desk()
    monkeypatch.setenv(TOKEN_ENV, "999:wrong-token")
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 1
    assert "getUpdates: HTTP 401 Unauthorized" in result.output
    assert "wrong-token" not in result.output and TOKEN not in result.output


def test_a_missing_token_is_a_config_error(tg_desk, cli, monkeypatch):
    desk = tg_desk()
    monkeypatch.delenv(TOKEN_ENV)
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 2
    assert "channels[0].token_env" in result.output and TOKEN_ENV in result.output


def test_an_unreachable_api_is_one_line(make_desk, token_env, cli):
    desk = make_desk(telegram_config("http://127.0.0.1:9"))  # the discard port: nobody listens
    result = cli(desk)("intake", "run", "--once")
    assert result.exit_code == 1
    assert result.output.startswith("Error: channel tg: getUpdates:") and "Traceback" not in result.output
