"""Issue 18, defect 6: the OTRS import kept terminal escape sequences in subjects and bodies.

An imported article's plain text goes through :func:`deskframe.text.clean_text` like live
intake: ESC sequences, backspaces and C1 controls are removed, tab and newline kept.
"""

from __future__ import annotations

import datetime as dt
import re

import otrs_fixture
import pytest

pytestmark = pytest.mark.postgres

FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_imported_subjects_and_bodies_have_no_terminal_controls(desk, otrs_source, run_import):
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    number = otrs_fixture.tn(dt.date(2024, 3, 15), 77)
    tid = w.ticket(number, "Сбой\x1b[2J\x1b[H сервера", created=dt.datetime(2024, 3, 15, 9, 0))
    w.article(
        tid,
        sender="customer",
        a_from="Mallory <mallory@evil.example>",
        subject="Re:\x1b]0;pwned\x07 сбой",
        body="Нажмите \x1b]8;;https://evil.example/\x1b\\сюда\x1b]8;;\x1b\\.\r\nПароль: abc\x08\x08\x08***"
        "\x9b31m\tконец\n",
        when=dt.datetime(2024, 3, 15, 9, 0),
        mime=True,
    )
    run_import(desk, src.url)
    ticket = desk.tickets.get(number)
    article = ticket.articles[-1]
    for value in (ticket.subject, article.subject, article.text, article.sender or ""):
        assert not FORBIDDEN.search(value), repr(value)
    assert ticket.subject == "Сбой сервера"
    assert article.text.startswith("Нажмите сюда.\nПароль: abc***\tконец")
