"""The outbox table's row (migrations 0016 and 0022). Only ``deskframe.store`` imports this module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .rows import Base, FreeText, UTCDateTime


class OutboxRow(Base):
    """One outgoing message, fixed at enqueue, and its delivery state.

    ``raw`` holds the message's bytes as composed once at enqueue by its delivery (NULL: composed
    at each attempt). ``recipients`` is stored as ``"\\na@b\\nc@d\\n"`` (lower-cased addresses framed by newlines,
    so one recipient is found with a plain substring match); ``recipients_json`` keeps them as given.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    state: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[str] = mapped_column(FreeText())
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    recipients: Mapped[str] = mapped_column(FreeText())
    recipients_json: Mapped[Any] = mapped_column(JSON)
    sender: Mapped[str | None] = mapped_column(FreeText())
    channel: Mapped[str | None] = mapped_column(String(100))
    ticket_number: Mapped[str | None] = mapped_column(String(40), index=True)
    article_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(FreeText())
    body_text: Mapped[str] = mapped_column(FreeText())
    body_html: Mapped[str | None] = mapped_column(FreeText())
    headers: Mapped[Any] = mapped_column(JSON)
    attachments: Mapped[Any] = mapped_column(JSON)
    data: Mapped[Any] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(FreeText())
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
