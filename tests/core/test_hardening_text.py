"""Issue 18, defect 6: terminal escape injection.

Bodies with ESC sequences (``ESC [2J``, OSC 8 links), backspaces and NULs were stored raw
and written unchanged to the terminal by ``ticket show``. Now intake stores plain text
without C0/C1 controls (tab and newline kept, CRLF and CR normalised), and every CLI
output of outside text is cleaned with the same function, :func:`deskframe.text.clean_text`.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from deskframe import InboundMessage
from deskframe.actors import Actor
from deskframe.text import clean_line, clean_text

UTC = dt.timezone.utc
#: What a terminal must never get from outside text: C0 but tab/newline, DEL, C1.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE_SUBJECT = "Invoice\x1b[2J\x1b[H question\x07"
HOSTILE_BODY = (
    "Hello,\r\nplease \x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\ to pay.\r\n"
    "Password: hunter\x08\x08\x08\x08\x08\x08******\x00\n"
    "\x9b31mred\x9b0m and \x1bPq#0;2;0;0;0\x1b\\sixel\tcolumn\rend"
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("plain текст\twith tab\nand newline", "plain текст\twith tab\nand newline"),
        ("a\x1b[2Jb", "ab"),
        ("x\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\y", "xclicky"),
        ("title\x1b]0;pwned\x07!", "title!"),
        ("pass\x08\x08\x08word", "password"),
        ("l1\r\nl2\rl3", "l1\nl2\nl3"),
        ("n\x00u\x7fl", "nul"),
        ("c1 \x9b31mred", "c1 red"),
        ("open \x1b]8;;http://x\nrest of body", "open 8;;http://x\nrest of body"),  # unterminated: text kept
        ("bare \x1b", "bare "),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert not FORBIDDEN.search(clean_text(raw))


def test_clean_text_leaves_clean_text_alone() -> None:
    text = "Привет\tмир\n" * 1000
    assert clean_text(text) is text
    assert clean_line("a\tb\r\nc") == "a b c"


def test_intake_stores_plain_text_without_controls(desk) -> None:  # type: ignore[no-untyped-def]
    message = InboundMessage(
        channel="mail",
        external_id="esc-1",
        received_at=dt.datetime(2026, 10, 5, 9, tzinfo=UTC),
        sender="ann@acme.example",
        sender_name="Ann\x1b[8m hidden",
        subject=HOSTILE_SUBJECT,
        text=HOSTILE_BODY,
        raw=HOSTILE_BODY.encode("utf-8"),
    )
    result = desk.intake.receive(message)
    ticket = desk.tickets.get(result.ticket)
    article = ticket.articles[0]
    for value in (ticket.subject, article.subject, article.text, article.sender or ""):
        assert not FORBIDDEN.search(value), repr(value)
    assert article.subject == "Invoice question"
    assert "click here to pay." in article.text and "Password: hunter******" in article.text
    assert "sixel\tcolumn\nend" in article.text
    assert desk.blobs.get(article.raw_sha256) == HOSTILE_BODY.encode("utf-8")  # the raw source is kept as it came
    # the same message again is still a duplicate (the dedupe key is taken before cleaning)
    assert desk.intake.receive(message).duplicate


def test_agent_text_is_stored_clean_too(desk, factory) -> None:  # type: ignore[no-untyped-def]
    factory.agent("alice")
    ticket = desk.tickets.open(
        subject=HOSTILE_SUBJECT, body=HOSTILE_BODY, customer=factory.customer("acme").key, actor=Actor.operator()
    )
    desk.tickets.note(ticket.number, actor=Actor.agent("alice"), body="note\x1b[2J\x00")
    desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="reply\x08\x08ok")
    stored = desk.tickets.get(ticket.number)
    assert stored.subject == "Invoice question"
    assert [a.text for a in stored.articles][1:] == ["note", "replyok"]
    assert not any(FORBIDDEN.search(a.text + a.subject) for a in stored.articles)


def _plant(desk, number: str) -> None:  # type: ignore[no-untyped-def]
    """Put hostile text into the database as it was stored before the fix (PostgreSQL takes no NUL)."""
    from sqlalchemy import update

    from deskframe.store.rows import ArticleRow, TicketRow

    body = HOSTILE_BODY.replace("\x00", "")
    with desk.store.write() as repo:
        ticket_id = repo.ticket_row(number).id
        repo.session.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(subject=HOSTILE_SUBJECT))
        repo.session.execute(
            update(ArticleRow)
            .where(ArticleRow.ticket_id == ticket_id)
            .values(subject=HOSTILE_SUBJECT, text=body, sender="x\x1b]8;;http://e\x07@evil.example")
        )


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_cli_writes_no_terminal_controls(desk, cli, factory, fmt) -> None:  # type: ignore[no-untyped-def]
    """Text stored before the fix is cleaned on the way to the terminal."""
    customer = factory.customer("acme", name="ACME")
    ticket = desk.tickets.open(subject="Invoice", body="pay", customer=customer.key, actor=Actor.operator())
    _plant(desk, ticket.number)
    run = cli(desk)
    outputs = [
        run("ticket", "show", ticket.number, "--format", fmt),
        run("ticket", "list", "--format", fmt),
        run("ticket", "search", "Invoice", "--format", fmt),
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert not FORBIDDEN.search(result.output), repr(result.output)
    if fmt == "table":
        assert "click here to pay." in outputs[0].output


def test_error_lines_write_no_terminal_controls(desk, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(desk)("ticket", "show", "\x1b[2J\x1b]0;owned\x07")
    assert result.exit_code != 0
    assert "Error: unknown ticket" in result.output
    assert not FORBIDDEN.search(result.output), repr(result.output)
