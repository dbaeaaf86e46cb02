"""``deskframe agent password``, ``contact password``, ``token create|list|revoke`` and ``audit list``.

A password is read from a hidden prompt (asked twice) on a terminal, or from the first line
of stdin with ``--stdin``; it is never an argument, so it never shows in ``ps`` or shell
history, and no output or error repeats it. The accounts service (and argon2 with it) is
imported inside the commands, so ``deskframe --help`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from ..errors import BadValue
from ..model import ApiToken
from .context import actor_for, pass_desk
from .output import FORMAT_OPTION, ROW_ID, emit, emit_one

#: The longest line read as a password (the service refuses anything over 1024 characters).
MAX_PASSWORD_LINE = 4096


def read_password(use_stdin: bool) -> str:
    """The new password: one line of stdin with ``--stdin``, else a hidden prompt asked twice (terminal only)."""
    if use_stdin:
        line = sys.stdin.readline(MAX_PASSWORD_LINE)
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadValue("stdin is not a terminal: pass --stdin to read the password from it")
    return str(click.prompt("New password", hide_input=True, confirmation_prompt=True, show_default=False))


def _accounts(desk: Any) -> Any:
    from ..accounts.service import Accounts

    return Accounts.of(desk)


STDIN_OPTION = click.option(
    "--stdin", "use_stdin", is_flag=True, help="Read the password from the first line of stdin (for scripts)."
)


@click.command("password")
@click.argument("login")
@STDIN_OPTION
@pass_desk
def agent_password(desk: Any, login: str, use_stdin: bool) -> None:
    """Set the login password of agent LOGIN (hidden prompt, or --stdin)."""
    accounts = _accounts(desk)
    accounts.rights("agent", login)  # an unknown agent is named before a password is asked
    accounts.set_password("agent", login, read_password(use_stdin), actor=actor_for())
    click.echo(f"password of agent {login} set")


@click.command("password")
@click.argument("email")
@STDIN_OPTION
@pass_desk
def contact_password(desk: Any, email: str, use_stdin: bool) -> None:
    """Set the portal password of the contact with EMAIL (hidden prompt, or --stdin)."""
    accounts = _accounts(desk)
    accounts.rights("contact", email)
    accounts.set_password("contact", email, read_password(use_stdin), actor=actor_for())
    click.echo(f"portal password of contact {email.strip().lower()} set")


def _owner(agent: str | None, contact: str | None, *, required: bool) -> tuple[str | None, str | None]:
    if agent and contact:
        raise click.UsageError("give --agent or --contact, not both")
    if required and not (agent or contact):
        raise click.UsageError("give --agent LOGIN or --contact EMAIL")
    if agent:
        return "agent", agent
    if contact:
        return "contact", contact
    return None, None


def token_json(token: ApiToken, now: dt.datetime) -> dict[str, Any]:
    """The JSON shape of a token (never its secret): id, name, agent, contact, times, state."""
    return {
        "id": token.id,
        "name": token.name,
        "agent": token.agent,
        "contact": token.contact,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "state": token.state(now),
    }


@click.group("token")
def token_group() -> None:
    """API tokens of agents and contacts (Authorization: Bearer TOKEN)."""


@token_group.command("create")
@click.option("--agent", help="Login of the agent the token acts as.")
@click.option("--contact", help="E-mail of the contact the token acts as.")
@click.option("--name", "label", help="What the token is for (shown by 'token list').")
@click.option("--expires", help="Lifetime such as 90d, 12h, 2w (default: never).")
@FORMAT_OPTION
@pass_desk
def token_create(
    desk: Any, agent: str | None, contact: str | None, label: str | None, expires: str | None, fmt: str
) -> None:
    """Create a token and print it once (only its hash is kept)."""
    from ..accounts.tokens import parse_lifetime

    kind, name = _owner(agent, contact, required=True)
    lifetime = parse_lifetime(expires)
    secret, token = _accounts(desk).create_token(kind, name, label=label, lifetime=lifetime, actor=actor_for())
    if fmt == "json":
        emit_one(dict(token_json(token, desk.clock()), token=secret), fmt, "")
        return
    click.echo(secret)
    until = f", expires {token.expires_at.isoformat()}" if token.expires_at else ""
    click.echo(f"token {token.id} of {kind} {name}{until}: shown once, store it now", err=True)


@token_group.command("list")
@click.option("--agent", help="Only this agent's tokens.")
@click.option("--contact", help="Only this contact's tokens.")
@FORMAT_OPTION
@pass_desk
def token_list(desk: Any, agent: str | None, contact: str | None, fmt: str) -> None:
    """List tokens (id, owner, name, expiry, state); never their secrets."""
    kind, name = _owner(agent, contact, required=False)
    now = desk.clock()
    rows = [token_json(t, now) for t in _accounts(desk).tokens(kind, name, actor=actor_for())]
    emit(rows, ("id", "name", "agent", "contact", "expires_at", "state"), fmt, empty="No tokens.")


@token_group.command("revoke")
@click.argument("token_id", metavar="ID", type=ROW_ID)
@pass_desk
def token_revoke(desk: Any, token_id: int) -> None:
    """Revoke token ID: it authenticates nothing from now on."""
    token, fresh = _accounts(desk).revoke_token(token_id, actor=actor_for())
    click.echo(f"token {token.id} revoked" if fresh else f"token {token.id} was already revoked")


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """``--since``: an ISO instant with offset, or a duration back from now (``1h``, ``7d``)."""
    from ..sla import parse_duration
    from .sla_cmd import parse_instant

    try:
        return now - parse_duration(text)
    except (ValueError, OverflowError):
        return parse_instant(text, "--since")


@click.group("audit")
def audit_group() -> None:
    """The audit log: logins, failed logins, tokens created and revoked, passwords set."""


@audit_group.command("list")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (repeatable): login, login_failed, ...")
@click.option("--since", help="ISO instant with offset, or a duration back from now (1h, 7d).")
@click.option("--actor", help="Only records of this login or e-mail.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@FORMAT_OPTION
@pass_desk
def audit_list(desk: Any, kinds: tuple[str, ...], since: str | None, actor: str | None, limit: int, fmt: str) -> None:
    """List audit records, newest first."""
    from ..accounts.audit import entry_json

    start = parse_since(since, desk.clock()) if since else None
    entries = _accounts(desk).audit_log(kinds=kinds, since=start, by=actor, limit=limit, actor=actor_for())
    emit(
        [entry_json(e) for e in entries],
        ("id", "at", "kind", "actor_kind", "actor", "address", "detail"),
        fmt,
        empty="No audit records.",
    )
