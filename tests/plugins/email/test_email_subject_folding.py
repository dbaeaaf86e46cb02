"""A long Russian subject keeps every space through folding, sending and parsing.

The standard library folds a long non-ASCII ``Subject`` between two encoded words, where
RFC 2047 decoders drop the space ("Новый ответпо"); deskframe folds inside the words.
"""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from deskframe.outbound import OutboundMessage
from deskframe_email.compose import compose_reply

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

SUBJECTS = [
    "Новый ответ по заявке: Не работает меню на сайте кафе Восток, и ещё кое-что про акции",
    "Re: Счёт за октябрь — оплата по безналичному расчёту, вопросы по актам сверки и НДС",
    "短い",
    "Plain ASCII subject that is long enough to be folded by the generator at seventy-eight columns",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_reply_subject_survives_folding(subject: str) -> None:
    raw = compose_reply(
        from_addr="support@pixel-studio.example",
        to_addrs=["olga@cafe-vostok.example"],
        subject=subject,
        body="Готово.",
        ticket_number="2026100110000019",
        message_id_domain="pixel-studio.example",
    )
    header_lines = raw.split(b"\n\n", 1)[0].splitlines()
    assert all(len(line) <= 998 for line in header_lines)
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == f"[Ticket#2026100110000019] {subject}"


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_file_delivered_subject_survives_folding(subject: str) -> None:
    from deskframe.file_delivery import as_email

    raw = as_email(OutboundMessage(kind="email", recipients=("olga@cafe-vostok.example",), subject=subject, text="x"))
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject
