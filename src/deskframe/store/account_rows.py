"""Rows of accounts: queue rights, API tokens, web sessions, login failures, the audit log (migration 0015).

Secrets are never stored: a token or session row keeps the SHA-256 of its random secret,
passwords live as argon2 hashes on the agent and contact rows (see rows.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .rows import Base, FreeText

#: Length of a hex SHA-256 digest.
DIGEST_LENGTH = 64


class AgentQueueRightRow(Base):
    """An agent's right on one queue: ``read`` or ``write`` (no row: no right)."""

    __tablename__ = "agent_queue_rights"
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True)
    access: Mapped[str] = mapped_column(String(5))


class ApiTokenRow(Base):
    """An API token of an agent or a contact; ``secret_hash`` is the SHA-256 of the token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(FreeText())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class WebSessionRow(Base):
    """A login session of the web; the cookie carries the secret whose SHA-256 is kept here."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]


class LoginFailureRow(Base):
    """One failed login, by account (``agent:LOGIN`` / ``contact:EMAIL``) and client address."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    account: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(100))


class AuditRow(Base):
    """One audit record: a login, a failed login, a token created or revoked, a password set."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(FreeText())
    address: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(FreeText())


Index("ix_login_failures_account_at", LoginFailureRow.account, LoginFailureRow.at)
Index("ix_login_failures_address_at", LoginFailureRow.address, LoginFailureRow.at)
Index("ix_audit_log_kind_at", AuditRow.kind, AuditRow.at)
