"""Accounts in the database: password hashes, queue rights, API tokens, web sessions,
failed logins and the audit log.

An account is ``("agent", LOGIN)`` or ``("contact", EMAIL)``. Tokens and sessions are
found by the SHA-256 of their secret; the secret itself never reaches this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..errors import BadValue, NotFound
from ..model import ApiToken, AuditEntry
from .account_rows import AgentQueueRightRow, ApiTokenRow, AuditRow, LoginFailureRow, WebSessionRow
from .core_reads import core_rows
from .rows import AgentRow, ContactRow, CustomerRow, QueueRow, table_of

#: The kinds of account that log in.
ACCOUNT_KINDS = ("agent", "contact")


def put_queue_rights(session: Session, agent_id: int, rights: Mapping[str, str]) -> bool:
    """Make ``rights`` (queue name -> ``read``/``write``; ``none`` drops it) the agent's whole set of
    queue rights; True if anything changed. A queue that does not exist is a :class:`NotFound`."""
    wanted: dict[int, str] = {}
    for name, access in rights.items():
        if access not in ("read", "write", "none"):
            raise BadValue(f"queue right for '{name}' must be read, write or none, got {access!r}")
        queue = session.scalar(select(QueueRow).where(QueueRow.name == name))
        if queue is None:
            raise NotFound(f"unknown queue '{name}' in the agent's queue rights")
        if access != "none":
            wanted[queue.id] = access
    current = {
        r.queue_id: r.access
        for r in session.scalars(select(AgentQueueRightRow).where(AgentQueueRightRow.agent_id == agent_id))
    }
    if current == wanted:
        return False
    session.execute(delete(AgentQueueRightRow).where(AgentQueueRightRow.agent_id == agent_id))
    session.add_all(AgentQueueRightRow(agent_id=agent_id, queue_id=q, access=a) for q, a in wanted.items())
    session.flush()
    return True


#: Queue rights of the agents ``ids`` (an expanding parameter), by queue name. Built once: the
#: API asks for the calling agent's rights at every request.
_QUEUE_RIGHTS = (
    select(AgentQueueRightRow.agent_id, QueueRow.name, AgentQueueRightRow.access)
    .join(QueueRow, QueueRow.id == AgentQueueRightRow.queue_id)
    .where(AgentQueueRightRow.agent_id.in_(bindparam("ids", expanding=True)))
    .order_by(QueueRow.name)
)

#: :data:`_QUEUE_RIGHTS` of the one agent ``id``.
_QUEUE_RIGHTS_OF = (
    select(AgentQueueRightRow.agent_id, QueueRow.name, AgentQueueRightRow.access)
    .join(QueueRow, QueueRow.id == AgentQueueRightRow.queue_id)
    .where(AgentQueueRightRow.agent_id == bindparam("id"))
    .order_by(QueueRow.name)
)

_AGENTS = table_of(AgentRow)
#: The live API token with the hash ``secret_hash`` (not revoked, not expired at ``now``) and its
#: owner, in one statement, as Core rows: ``token_id``, the active agent's columns (``login``,
#: ``name``, ``role``, ``line``, ``email``, ``access``, ``active``; None for a contact's token),
#: the contact's ``contact_email``, ``queue`` and ``access_right``, one row per queue right of the
#: agent (by queue name; one row with ``None`` for an agent without rights or a contact's token).
#: The API asks at every request for the token, then the policy for the calling agent and its
#: queue rights: three statements before, and an ORM entity for the agent (its result layer cost
#: more than the statement).
_TOKEN_OWNER = (
    select(
        ApiTokenRow.id.label("token_id"),
        _AGENTS.c.login,
        _AGENTS.c.name,
        _AGENTS.c.role,
        _AGENTS.c.line,
        _AGENTS.c.email,
        _AGENTS.c.access,
        _AGENTS.c.active,
        ContactRow.email.label("contact_email"),
        ContactRow.id.label("contact_id"),
        ContactRow.name.label("contact_name"),
        ContactRow.phone.label("contact_phone"),
        ContactRow.customer_id.label("contact_customer_id"),
        ContactRow.customer_admin.label("contact_customer_admin"),
        CustomerRow.key.label("contact_customer"),
        QueueRow.name.label("queue"),
        AgentQueueRightRow.access.label("access_right"),
    )
    .select_from(ApiTokenRow)
    .outerjoin(_AGENTS, (_AGENTS.c.id == ApiTokenRow.agent_id) & _AGENTS.c.active.is_(True))
    .outerjoin(ContactRow, ContactRow.id == ApiTokenRow.contact_id)
    .outerjoin(CustomerRow, CustomerRow.id == ContactRow.customer_id)
    .outerjoin(AgentQueueRightRow, AgentQueueRightRow.agent_id == _AGENTS.c.id)
    .outerjoin(QueueRow, QueueRow.id == AgentQueueRightRow.queue_id)
    .where(
        ApiTokenRow.secret_hash == bindparam("secret_hash"),
        ApiTokenRow.revoked_at.is_(None),
        or_(
            ApiTokenRow.expires_at.is_(None),
            ApiTokenRow.expires_at > bindparam("now", type_=ApiTokenRow.expires_at.type),
        ),
    )
    .order_by(QueueRow.name)
)


def queue_rights(session: Session, agent_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Queue rights of these agents: agent id -> {queue name: ``read``/``write``} (sorted by queue)."""
    ids = sorted(set(agent_ids))
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    connection = session.connection()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        one = len(chunk) == 1  # the calling agent's, at every API request: no IN list to expand
        rows = connection.execute(*((_QUEUE_RIGHTS_OF, {"id": chunk[0]}) if one else (_QUEUE_RIGHTS, {"ids": chunk})))
        for agent_id, queue, access in rows:
            found[agent_id][queue] = access
    return found


class AccountRepo:
    """Account data access inside one transaction (a mixin of :class:`deskframe.store.Repository`)."""

    session: Session
    now: dt.datetime

    #: from :class:`~.directory_repo.DirectoryRepo`, another part of the same Repository
    keep_agent: Callable[[Any, dict[str, str]], None]
    keep_contact: Callable[[Any], None]

    # --- accounts and passwords -------------------------------------------
    def _account_row(self, kind: str, name: str) -> AgentRow | ContactRow | None:
        if kind == "agent":
            return self.session.scalar(select(AgentRow).where(AgentRow.login == name, AgentRow.active.is_(True)))
        if kind == "contact":
            return self.session.scalar(select(ContactRow).where(ContactRow.email == name.strip().lower()))
        raise BadValue(f"account kind must be one of {', '.join(ACCOUNT_KINDS)}, got {kind!r}")

    def account_id(self, kind: str, name: str) -> int:
        """The row id of an agent (by login) or contact (by e-mail); :class:`NotFound` if there is none."""
        row = self._account_row(kind, name)
        if row is None:
            raise NotFound(f"unknown {kind} '{name}'")
        return row.id

    def password_hash(self, kind: str, name: str) -> tuple[int, str | None] | None:
        """``(row id, argon2 hash or None)`` of an account, or None when there is no such account."""
        row = self._account_row(kind, name)
        return None if row is None else (row.id, row.password_hash)

    def set_password_hash(self, kind: str, name: str, password_hash: str) -> None:
        """Store a new password hash for an account (:class:`NotFound` if there is no such account)."""
        row = self._account_row(kind, name)
        if row is None:
            raise NotFound(f"unknown {kind} '{name}'")
        row.password_hash = password_hash

    def account_language(self, kind: str, name: str) -> str | None:
        """The page language an account chose (``en``, ``ru``), None when it chose none or does not exist."""
        row = self._account_row(kind, name)
        return None if row is None else row.language

    def language_by_email(self, address: str) -> str | None:
        """The page language chosen by the contact, else the active agent, with this e-mail address; else None."""
        mail = address.strip().lower()
        found = self.session.scalar(select(ContactRow.language).where(ContactRow.email == mail))
        if found is None:
            found = self.session.scalar(
                select(AgentRow.language)
                .where(func.lower(AgentRow.email) == mail, AgentRow.active.is_(True), AgentRow.language.is_not(None))
                .order_by(AgentRow.id)
                .limit(1)
            )
        return found

    def set_account_language(self, kind: str, name: str, language: str | None) -> bool:
        """Store the page language of an account (None: forget it); True if it changed.
        :class:`NotFound` if there is no such account."""
        row = self._account_row(kind, name)
        if row is None:
            raise NotFound(f"unknown {kind} '{name}'")
        changed = row.language != language
        row.language = language
        return changed

    def end_sessions_of(self, kind: str, name: str) -> int:
        """End every live web session of an account (its password changed); returns how many."""
        column = WebSessionRow.agent_id if kind == "agent" else WebSessionRow.contact_id
        result = self.session.execute(
            update(WebSessionRow)
            .where(column == self.account_id(kind, name), WebSessionRow.ended_at.is_(None))
            .values(ended_at=self.now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def _owner(self, agent_id: int | None, contact_id: int | None) -> tuple[str, str, str | None] | None:
        if agent_id is not None:
            agent = self.session.execute(
                select(AgentRow.login, AgentRow.language).where(AgentRow.id == agent_id, AgentRow.active.is_(True))
            ).first()
            return ("agent", agent[0], agent[1]) if agent is not None else None
        contact = self.session.execute(
            select(ContactRow.email, ContactRow.language).where(ContactRow.id == contact_id)
        ).first()
        return ("contact", contact[0], contact[1]) if contact is not None and contact[0] else None

    # --- API tokens ----------------------------------------------------------
    def add_token(
        self, kind: str, name: str, *, secret_hash: str, label: str, expires_at: dt.datetime | None
    ) -> ApiToken:
        """Store a new token of an account; returns it as listed."""
        account = self.account_id(kind, name)
        row = ApiTokenRow(
            secret_hash=secret_hash,
            name=label,
            agent_id=account if kind == "agent" else None,
            contact_id=account if kind == "contact" else None,
            created_at=self.now,
            expires_at=expires_at,
            revoked_at=None,
        )
        self.session.add(row)
        self.session.flush()
        return self._token(row)

    def _token(self, row: ApiTokenRow) -> ApiToken:
        agent = self.session.scalar(select(AgentRow.login).where(AgentRow.id == row.agent_id)) if row.agent_id else None
        contact = (
            self.session.scalar(select(ContactRow.email).where(ContactRow.id == row.contact_id))
            if row.contact_id
            else None
        )
        return ApiToken(
            id=row.id,
            name=row.name,
            created_at=row.created_at,
            agent=agent,
            contact=contact,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )

    def list_tokens(self, *, kind: str | None = None, name: str | None = None) -> list[ApiToken]:
        """Every token (optionally of one account), oldest first."""
        query = select(ApiTokenRow).order_by(ApiTokenRow.id)
        if kind is not None and name is not None:
            account = self.account_id(kind, name)
            column = ApiTokenRow.agent_id if kind == "agent" else ApiTokenRow.contact_id
            query = query.where(column == account)
        return [self._token(r) for r in self.session.scalars(query)]

    def token(self, token_id: int) -> ApiToken:
        """One token as listed (:class:`NotFound` if there is none with this id)."""
        row = self.session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"unknown token {token_id}")
        return self._token(row)

    def revoke_token(self, token_id: int) -> tuple[ApiToken, bool]:
        """Revoke a token now; returns it and whether this call revoked it (False: it was already)."""
        row = self.session.get(ApiTokenRow, token_id, with_for_update=True)
        if row is None:
            raise NotFound(f"unknown token {token_id}")
        fresh = row.revoked_at is None
        if fresh:
            row.revoked_at = self.now
        return self._token(row), fresh

    def token_owner(self, secret_hash: str) -> tuple[str, str, int] | None:
        """``(kind, name, token id)`` of the live token with this hash: not revoked, not expired
        (at the transaction's ``now``), of an account that still exists (an active agent); else None.
        What the agent's row says and its queue rights, or the contact's row and its customer's
        key, read with the token, are kept for this transaction
        (:meth:`~.directory_repo.DirectoryRepo.keep_agent`, ``keep_contact``): the policy's
        look-ups of the calling account then read nothing more."""
        found = core_rows(self.session, _TOKEN_OWNER, {"secret_hash": secret_hash, "now": self.now})
        if not found:
            return None
        first = found[0]
        if first.login is not None:
            self.keep_agent(first, {r.queue: r.access_right for r in found if r.queue is not None})
            return "agent", first.login, first.token_id
        if first.contact_email is None:
            return None
        self.keep_contact(first)
        return "contact", first.contact_email, first.token_id

    # --- web sessions ------------------------------------------------------
    def add_session(self, kind: str, name: str, *, secret_hash: str, expires_at: dt.datetime) -> None:
        """Start a web session of an account."""
        account = self.account_id(kind, name)
        self.session.add(
            WebSessionRow(
                secret_hash=secret_hash,
                agent_id=account if kind == "agent" else None,
                contact_id=account if kind == "contact" else None,
                created_at=self.now,
                expires_at=expires_at,
                ended_at=None,
            )
        )
        # sessions long over are of no use: drop them as new ones start
        self.session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < self.now - dt.timedelta(days=30)))

    def session_owner(self, secret_hash: str) -> tuple[str, str, str | None] | None:
        """``(kind, name, language)`` of the live session with this hash (not ended, not expired), else
        None; ``language`` is the page language the account chose (None: none)."""
        row = self.session.scalar(
            select(WebSessionRow).where(
                WebSessionRow.secret_hash == secret_hash,
                WebSessionRow.ended_at.is_(None),
                WebSessionRow.expires_at > self.now,
            )
        )
        return None if row is None else self._owner(row.agent_id, row.contact_id)

    def end_session(self, secret_hash: str) -> bool:
        """End a session (logout); True if a live one was ended."""
        result = self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.secret_hash == secret_hash, WebSessionRow.ended_at.is_(None))
            .values(ended_at=self.now)
        )
        return bool(getattr(result, "rowcount", 0))

    # --- failed logins -----------------------------------------------------
    def add_login_failure(self, account: str, address: str, *, keep: dt.timedelta) -> None:
        """Record a failed login now; failures older than ``keep`` are dropped on the way."""
        self.session.add(LoginFailureRow(at=self.now, account=account[:320], address=address[:100]))
        self.session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < self.now - keep))

    def login_failures(
        self, account: str, address: str, since: dt.datetime
    ) -> tuple[list[dt.datetime], list[dt.datetime]]:
        """Times of failed logins since ``since``: of this account, and from this address."""

        def times(column: InstrumentedAttribute[str], value: str) -> list[dt.datetime]:
            return list(
                self.session.scalars(
                    select(LoginFailureRow.at)
                    .where(column == value, LoginFailureRow.at >= since)
                    .order_by(LoginFailureRow.at)
                )
            )

        return times(LoginFailureRow.account, account[:320]), times(LoginFailureRow.address, address[:100])

    # --- audit log ---------------------------------------------------------
    def add_audit(
        self,
        kind: str,
        *,
        actor_kind: str | None = None,
        actor: str | None = None,
        address: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Write one audit record at the transaction's ``now``."""
        self.session.add(
            AuditRow(
                at=self.now,
                kind=kind,
                actor_kind=actor_kind,
                actor=actor,
                address=address[:100] if address else None,
                detail=detail,
            )
        )

    def list_audit(
        self, *, kinds: Iterable[str] = (), since: dt.datetime | None = None, actor: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Audit records, newest first, filtered by kind, time and actor."""
        query = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        wanted = list(kinds)
        if wanted:
            query = query.where(AuditRow.kind.in_(wanted))
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        return [
            AuditEntry(
                id=r.id,
                at=r.at,
                kind=r.kind,
                actor_kind=r.actor_kind,
                actor=r.actor,
                address=r.address,
                detail=r.detail,
            )
            for r in self.session.scalars(query)
        ]
