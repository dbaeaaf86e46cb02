"""The audit log: which events are recorded and their JSON shape (``deskframe audit list``)."""

from __future__ import annotations

from typing import Any

from ..model import AuditEntry

#: A successful login (web session).
LOGIN = "login"
#: A failed login: wrong password, unknown account, or refused while blocked.
LOGIN_FAILED = "login_failed"
#: A session ended by ``POST /logout``.
LOGOUT = "logout"
#: An API token created (``detail`` names its id and name).
TOKEN_CREATED = "token_created"
#: An API token revoked.
TOKEN_REVOKED = "token_revoked"
#: A password set or changed.
PASSWORD_SET = "password_set"

KINDS = (LOGIN, LOGIN_FAILED, LOGOUT, TOKEN_CREATED, TOKEN_REVOKED, PASSWORD_SET)


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """The JSON shape of one record: ``id, at, kind, actor_kind, actor, address, detail`` (``at`` stays a
    datetime: JSON shows it in ISO 8601, tables in the desk's zone)."""
    return {
        "id": entry.id,
        "at": entry.at,
        "kind": entry.kind,
        "actor_kind": entry.actor_kind,
        "actor": entry.actor,
        "address": entry.address,
        "detail": entry.detail,
    }
