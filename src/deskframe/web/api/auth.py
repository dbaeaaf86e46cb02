"""``GET /api/v1/me``: who the token or session is (kind, name, role, queue rights, customer).

Authentication itself (a Bearer token, or the session cookie with a CSRF token for changes)
is done for every route by :mod:`.base` through :mod:`deskframe.accounts.web_routes`."""

from __future__ import annotations

from typing import Any

from .base import Call, operation
from .routing import ApiRoute


async def me(call: Call) -> Any:
    return {**call.principal.rights.as_dict(), "via": call.principal.via}


def routes() -> list[ApiRoute]:
    """The ``me`` route."""
    return [
        operation(
            "/me",
            "GET",
            me,
            operation_id="auth.me",
            summary="The calling account: kind, name, role, queue rights, customer",
            tag="auth",
            access="contact",
            response="Me",
        )
    ]
