"""What an API route says about itself: :class:`ApiRoute`, a Starlette route with the facts
the OpenAPI document (``/api/openapi.json``) and the authorisation tests read.

The core's ``/api/v1`` routes and a plugin's API routes (registered through the
``register_routes`` hook) are both :class:`ApiRoute` objects; any other route is left out
of the document. One :class:`ApiRoute` serves one method of one path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

#: Who may call a route at all (the policy module still decides each call):
#: ``public`` anyone; ``contact`` contacts and agents; ``agent`` agents; ``admin`` admins only.
ACCESS_LEVELS = ("public", "contact", "agent", "admin")

Endpoint = Callable[[Request], Awaitable[Response]]


@attrs.frozen
class Param:
    """A path or query parameter of an :class:`ApiRoute`: ``where`` is ``path`` or ``query``;
    ``type`` a JSON Schema type name (``string``, ``integer``, ``boolean``); ``enum`` the
    allowed values, if fixed."""

    name: str
    where: str = "query"
    type: str = "string"
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] = ()


class ApiRoute(Route):
    """One operation of the REST API (one method of one path), described for its document.

    ``operation_id`` is unique (``tickets.show``); ``tag`` groups operations (``tickets``);
    ``access`` is one of :data:`ACCESS_LEVELS`; ``action`` the :data:`deskframe.policy.ACTIONS`
    name a change asks about; ``body`` and ``response`` are JSON Schemas (dicts) or names
    of schemas in the document's components; ``status`` the success status and ``errors``
    the other statuses the route may answer.
    """

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        method: str,
        operation_id: str,
        summary: str,
        tag: str,
        access: str,
        action: str | None = None,
        params: tuple[Param, ...] = (),
        body: dict[str, Any] | str | None = None,
        response: dict[str, Any] | str | None = None,
        status: int = 200,
        errors: tuple[int, ...] = (),
        media_type: str = "application/json",
    ):
        if access not in ACCESS_LEVELS:
            raise ValueError(f"ApiRoute {operation_id}: access must be one of {ACCESS_LEVELS}, not {access!r}")
        super().__init__(path, endpoint, methods=[method.upper()], name=operation_id)
        self.method = method.upper()
        self.operation_id = operation_id
        self.summary = summary
        self.tag = tag
        self.access = access
        self.action = action
        self.params = params
        self.body = body
        self.response = response
        self.status = status
        self.errors = errors
        self.media_type = media_type
