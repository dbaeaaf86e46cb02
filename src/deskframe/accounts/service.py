"""The accounts service: passwords, logins with throttling, web sessions, API tokens, the audit log.

The CLI commands and the web routes call :class:`Accounts`; it owns its transactions.
Setting a password, creating, listing and revoking tokens and reading the audit log name
their :class:`~deskframe.actors.Actor` and ask :func:`deskframe.policy.check` first (an
account may manage its own password and tokens; everything else is an admin's, or the
trusted CLI operator's).
Passwords are verified outside any write transaction (argon2 takes tens of milliseconds
on purpose), so a login never holds SQLite's write lock while hashing.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from .. import policy
from ..actors import Actor
from ..errors import BadValue, DomainError, NotFound
from ..model import ApiToken, AuditEntry
from ..rights import Rights, of_agent, of_contact
from . import audit, throttle, tokens
from .settings import PAGE_LANGUAGES, WebSettings, signing_key, web_settings

#: How the audit log names the anonymous trusted operator (the CLI without ``--agent``).
OPERATOR_AUDIT = ("system", "cli")


def audit_actor(actor: Actor) -> tuple[str, str]:
    """``(actor_kind, actor)`` as the audit log records who made a change."""
    if not actor.name:
        return OPERATOR_AUDIT
    return actor.kind, actor.name


class LoginRefused(DomainError):
    """Wrong login or password (one message for both, so it does not tell which accounts exist)."""

    def __init__(self) -> None:
        super().__init__("wrong login or password")


class LoginThrottled(DomainError):
    """Too many failed logins for this account or address; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"too many failed logins: try again in {retry_after} seconds")


@attrs.frozen
class Principal:
    """Who a request (or a command) acts as: an account with its rights.

    ``via`` is ``session`` (a signed cookie; ``session`` holds its secret, which CSRF tokens
    are bound to) or ``token`` (an API token; ``token_id`` names it). ``language`` is the page
    language the account chose (:meth:`Accounts.set_language`; read for sessions), None: none."""

    kind: str
    name: str
    rights: Rights
    via: str
    session: str | None = attrs.field(default=None, repr=False)
    token_id: int | None = None
    language: str | None = None


@attrs.frozen
class NewSession:
    """A session just started by a login: its secret (for the cookie) and when it ends."""

    principal: Principal
    secret: str = attrs.field(repr=False)
    expires_at: dt.datetime


def _kind(kind: str) -> str:
    if kind not in ("agent", "contact"):
        raise BadValue(f"account kind must be agent or contact, got {kind!r}")
    return kind


def _account(kind: str, name: str) -> tuple[str, str]:
    """``(kind, name)`` of an account as the policy compares it with an actor (e-mails in lower case)."""
    kind = _kind(kind)
    return kind, name.strip().lower() if kind == "contact" else name.strip()


class Accounts:
    """Accounts of one desk: built from its store, clock and config (see :meth:`of`)."""

    def __init__(
        self,
        store: Any,
        clock: Callable[[], dt.datetime],
        *,
        settings: WebSettings | None = None,
        data_dir: Path | None = None,
        hasher: Any = None,
    ):
        self.store = store
        self.clock = clock
        self.settings = settings or WebSettings()
        self.data_dir = Path(data_dir) if data_dir is not None else Path("data")
        self._hasher = hasher
        self._key: bytes | None = None
        self._dummy: str | None = None
        #: argon2 takes 64 MiB per hash: at most this many at once per process, whatever the thread pool
        #: size, so a flood of logins queues instead of exhausting memory.
        self._hashing = threading.BoundedSemaphore(max(2, min(8, os.cpu_count() or 2)))

    @classmethod
    def of(cls, desk: Any, *, hasher: Any = None) -> Accounts:
        """The accounts service of a :class:`~deskframe.desk.Desk` (the one place that reads the desk);
        ``hasher`` replaces the default argon2 parameters (tests use cheap ones)."""
        return cls(
            desk.store, desk.clock, settings=web_settings(desk.config), data_dir=desk.config.data_dir, hasher=hasher
        )

    # --- plumbing ------------------------------------------------------------
    @property
    def hasher(self) -> Any:
        """The argon2 hasher (argon2-cffi is imported on first use)."""
        if self._hasher is None:
            from .passwords import hasher

            self._hasher = hasher()
        return self._hasher

    @property
    def dummy_hash(self) -> str:
        """A hash made with this service's parameters, checked when an account has no password, so
        that answering for an unknown account takes as long as for a known one."""
        if self._dummy is None:
            from .passwords import DUMMY_HASH

            default = self._hasher is None
            self._dummy = DUMMY_HASH if default else self.hasher.hash("deskframe: no password set")
        return self._dummy

    @property
    def key(self) -> bytes:
        """The signing key of cookies and CSRF tokens (read or generated on first use)."""
        if self._key is None:
            self._key = signing_key(self.settings, self.data_dir)
        return self._key

    # --- rights ------------------------------------------------------------
    def rights(self, kind: str, name: str) -> Rights:
        """What the account may do (:class:`NotFound` if there is no such account)."""
        with self.store.read() as repo:
            return self._rights(repo, _kind(kind), name)

    @staticmethod
    def _rights(repo: Any, kind: str, name: str) -> Rights:
        if kind == "agent":
            return of_agent(repo.agent(name))
        contact = repo.contact_by_email(name)
        if contact is None:
            raise NotFound(f"unknown contact '{name}'")
        return of_contact(contact)

    # --- passwords ---------------------------------------------------------
    def set_password(self, kind: str, name: str, password: str, *, actor: Actor) -> None:
        """Hash and store a new password of an agent (login) or contact (e-mail); the account's web
        sessions end (whoever logged in with the old password must log in again)."""
        from .passwords import hash_password

        kind = _kind(kind)
        with self.store.read() as repo:
            policy.check(actor, "account.password", repo=repo, account=_account(kind, name))
            repo.account_id(kind, name)  # NotFound before the (slow) hashing
        with self._hashing:
            hashed = hash_password(password, self.hasher)
        with self.store.write() as repo:
            repo.set_password_hash(kind, name, hashed)
            ended = repo.end_sessions_of(kind, name)
            detail = f"{kind} {name}" + (f", {ended} session(s) ended" if ended else "")
            who = audit_actor(actor)
            repo.add_audit(audit.PASSWORD_SET, actor_kind=who[0], actor=who[1], detail=detail)

    def login(self, kind: str, name: str, password: str, *, address: str, language: str | None = None) -> NewSession:
        """Check a password and start a web session; :class:`LoginRefused` or :class:`LoginThrottled` otherwise.

        Every outcome is audited; a failure counts against the account and the address.
        ``language``: the page language chosen before logging in (the login page's choice); it
        becomes the account's setting when the account has none yet."""
        kind = _kind(kind)
        name = name.strip() if isinstance(name, str) else ""
        account = tokens.digest(throttle.account_key(kind, name))  # kept hashed: a mistyped password stays unread
        now = self.clock()
        with self.store.read() as repo:
            by_account, by_address = repo.login_failures(account, address, now - throttle.KEEP)
            found = repo.password_hash(kind, name) if name else None
        until = max(
            (u for u in (throttle.blocked_until(by_account, now), throttle.blocked_until(by_address, now)) if u),
            default=None,
        )
        known = name if found is not None else None
        if until is not None:
            with self.store.write() as repo:
                repo.add_audit(audit.LOGIN_FAILED, actor_kind=kind, actor=known, address=address, detail="blocked")
            raise LoginThrottled(max(1, int((until - now).total_seconds() + 0.999)))
        from .passwords import verify

        with self._hashing:
            verdict = verify(found[1] if found else None, password, self.hasher, dummy=self.dummy_hash)
        if not verdict.ok:
            reason = "wrong password" if found and found[1] else ("no password set" if found else "unknown account")
            with self.store.write() as repo:
                repo.add_login_failure(account, address, keep=throttle.KEEP)
                repo.add_audit(audit.LOGIN_FAILED, actor_kind=kind, actor=known, address=address, detail=reason)
            raise LoginRefused()
        secret = tokens.new_secret("dfs_")
        expires = now + self.settings.session_lifetime
        with self.store.write() as repo:
            if verdict.new_hash is not None:  # argon2 parameters changed since it was hashed
                repo.set_password_hash(kind, name, verdict.new_hash)
            repo.add_session(kind, name, secret_hash=tokens.digest(secret), expires_at=expires)
            repo.add_audit(audit.LOGIN, actor_kind=kind, actor=name, address=address)
            rights = self._rights(repo, kind, name)
            chosen = repo.account_language(kind, name)
            if chosen is None and language in PAGE_LANGUAGES:
                own = Actor.agent(name) if kind == "agent" else Actor.contact(name)
                policy.check(own, "account.language", repo=repo, account=_account(kind, name))
                repo.set_account_language(kind, name, language)
                chosen = language
        principal = Principal(kind, name, rights, "session", session=secret, language=chosen)
        return NewSession(principal, secret, expires)

    # --- settings ----------------------------------------------------------
    def set_language(self, kind: str, name: str, language: str | None, *, actor: Actor) -> bool:
        """Make ``language`` (one of :data:`~.settings.PAGE_LANGUAGES`; None: none, Accept-Language
        decides) the page language of an account, on every device it logs in from; True if it changed.
        An account sets its own (the policy's ``account.language``); an admin anyone's."""
        kind = _kind(kind)
        if language is not None and language not in PAGE_LANGUAGES:
            raise BadValue(f"language must be one of {', '.join(PAGE_LANGUAGES)}, got {language!r}")
        with self.store.write() as repo:
            policy.check(actor, "account.language", repo=repo, account=_account(kind, name))
            return bool(repo.set_account_language(kind, name, language))

    def language(self, kind: str, name: str) -> str | None:
        """The page language an account chose, or None."""
        with self.store.read() as repo:
            return repo.account_language(_kind(kind), name)

    # --- sessions ----------------------------------------------------------
    def session_principal(self, secret: str) -> Principal | None:
        """The principal of a live session secret (from a cookie whose signature was checked), else None."""
        with self.store.read() as repo:
            owner = repo.session_owner(tokens.digest(secret))
            if owner is None:
                return None
            kind, name, language = owner
            rights = self._rights(repo, kind, name)
            return Principal(kind, name, rights, "session", session=secret, language=language)

    def logout(self, secret: str, *, address: str | None = None) -> bool:
        """End a session; True if it was live."""
        with self.store.write() as repo:
            owner = repo.session_owner(tokens.digest(secret))
            ended = repo.end_session(tokens.digest(secret))
            if owner is not None:
                repo.add_audit(audit.LOGOUT, actor_kind=owner[0], actor=owner[1], address=address)
        return ended

    # --- API tokens --------------------------------------------------------
    def create_token(
        self,
        kind: str,
        name: str,
        *,
        label: str | None = None,
        lifetime: dt.timedelta | None = None,
        actor: Actor,
    ) -> tuple[str, ApiToken]:
        """A new token of an account: ``(secret, token)``; the secret is shown once and never stored."""
        kind = _kind(kind)
        label = (label or "").strip() or "token"
        if len(label) > 200 or not label.isprintable():
            raise BadValue("--name: one printable line of at most 200 characters")
        secret = tokens.new_secret()
        expires = self.clock() + lifetime if lifetime is not None else None
        with self.store.write() as repo:
            policy.check(actor, "token.create", repo=repo, account=_account(kind, name))
            who = audit_actor(actor)
            token = repo.add_token(kind, name, secret_hash=tokens.digest(secret), label=label, expires_at=expires)
            repo.add_audit(
                audit.TOKEN_CREATED,
                actor_kind=who[0],
                actor=who[1],
                detail=f"token {token.id} '{label}' of {kind} {name}"
                + (f", expires {expires.isoformat()}" if expires else ""),
            )
        return secret, token

    def tokens(self, kind: str | None = None, name: str | None = None, *, actor: Actor) -> list[ApiToken]:
        """Every token (an admin's view), or those of one account; oldest first."""
        account = _account(kind, name) if kind and name else None
        with self.store.read() as repo:
            policy.check(actor, "token.list", repo=repo, account=account)
            return repo.list_tokens(kind=_kind(kind) if kind else None, name=name)

    def revoke_token(self, token_id: int, *, actor: Actor) -> tuple[ApiToken, bool]:
        """Revoke a token: ``(token, True)``, or ``(token, False)`` if it was revoked before."""
        with self.store.write() as repo:
            found = repo.token(token_id)
            of = _account("agent", found.agent) if found.agent else _account("contact", found.contact or "")
            policy.check(actor, "token.revoke", repo=repo, account=of)
            token, fresh = repo.revoke_token(token_id)
            if fresh:
                who = audit_actor(actor)
                owner = f"agent {token.agent}" if token.agent else f"contact {token.contact}"
                repo.add_audit(
                    audit.TOKEN_REVOKED, actor_kind=who[0], actor=who[1], detail=f"token {token.id} of {owner}"
                )
        return token, fresh

    def token_principal(self, secret: str) -> Principal | None:
        """The principal of a live API token (not revoked, not expired), else None."""
        if not tokens.looks_like_token(secret):
            return None
        with self.store.read() as repo:
            owner = repo.token_owner(tokens.digest(secret))
            if owner is None:
                return None
            kind, name, token_id = owner
            return Principal(kind, name, self._rights(repo, kind, name), "token", token_id=token_id)

    # --- audit -------------------------------------------------------------
    def audit_log(
        self,
        *,
        kinds: Iterable[str] = (),
        since: dt.datetime | None = None,
        by: str | None = None,
        limit: int = 100,
        actor: Actor,
    ) -> list[AuditEntry]:
        """Audit records, newest first (``by``: only those of this login or e-mail); ``actor`` is who
        reads them (admins and the trusted operator only: the policy's ``audit.read``)."""
        unknown = sorted(set(kinds) - set(audit.KINDS))
        if unknown:
            raise BadValue(f"--kind: unknown kind {unknown[0]!r} (known: {', '.join(audit.KINDS)})")
        with self.store.read() as repo:
            policy.check(actor, "audit.read", repo=repo)
            return repo.list_audit(kinds=kinds, since=since, actor=by, limit=limit)
