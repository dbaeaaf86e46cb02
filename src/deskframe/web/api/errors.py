"""The API's errors: RFC 9457 ``application/problem+json`` answers, and how the core's errors
become them.

A problem names the field at fault when there is one::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "a reply needs a body", "errors": [{"field": "body", "message": "..."}]}

The core's errors map to statuses: :class:`~deskframe.errors.NotFound` of what the path names
-> 404 (of a body field or query filter -> 422), other :class:`~deskframe.errors.BadValue` ->
422, :class:`~deskframe.errors.Forbidden` -> 403 (404 when the actor may not even see the
ticket: see :mod:`.base`), :class:`~deskframe.errors.TicketLocked` -> 409 with ``holder``,
any other refusal by the desk's state -> 409.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import Response

from ... import serialize
from ...errors import BadValue, Conflict, DomainError, Forbidden, NotFound, TicketLocked

#: The media type of every error answer.
PROBLEM = "application/problem+json"


class ApiError(Exception):
    """An error answer the API gives as it is (``status``, ``detail``, the fields at fault)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def response(self) -> Response:
        """This error as a problem+json response."""
        return problem(self.status, self.detail, field=self.field, headers=self.headers, extra=self.extra)


def problem(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """An RFC 9457 answer: ``type``, ``title`` (the status's phrase), ``status``, ``detail``, and
    ``errors`` (``[{"field", "message"}]``, empty when no one field is at fault)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": detail}] if field else [],
        **(extra or {}),
    }
    return Response(serialize.compact(body), status_code=status, headers=dict(headers or {}), media_type=PROBLEM)


def _mention(message: str, value: str) -> int:
    """Where ``message`` last mentions ``value`` as a whole word (-1: nowhere)."""
    if not value:
        return -1
    found = [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(value)}(?![\w-])", message)]
    return found[-1] if found else -1


def _mentions(message: str, value: str) -> bool:
    return _mention(message, value) >= 0


def field_at_fault(message: str, fields: Mapping[str, Any]) -> str | None:
    """The field a core error's message is about: the one whose value (a name, a number) it
    mentions last (``contract 'c': unknown pricing model 'nope'`` is about ``pricing``), else
    the one whose own name it mentions; the only field given when there is just one."""
    where = {
        name: _mention(message, str(value))
        for name, value in fields.items()
        if isinstance(value, (str, int)) and not isinstance(value, bool)
    }
    named = [name for name, at in where.items() if at >= 0]
    if named:
        return max(named, key=lambda name: where[name])
    for name in fields:
        if _mentions(message, name):
            return name
    return next(iter(fields)) if len(fields) == 1 else None


def core_error(exc: Exception, *, path: Mapping[str, str], given: Mapping[str, Any]) -> ApiError | None:
    """The :class:`ApiError` for one of the core's errors, or None for anything else (a bug).

    ``path``: the path parameters (a NotFound of one of them is a 404); ``given``: the query
    parameters and body fields the caller sent (a NotFound or BadValue names one of them)."""
    message = str(exc)
    if isinstance(exc, NotFound):
        if any(_mentions(message, value) for value in path.values()):
            return ApiError(404, message)
        return ApiError(422, message, field=field_at_fault(message, given))
    if isinstance(exc, BadValue):
        return ApiError(422, message, field=field_at_fault(message, given))
    if isinstance(exc, Forbidden):
        return ApiError(403, message)
    if isinstance(exc, TicketLocked):
        return ApiError(409, message, extra={"holder": exc.holder})
    if isinstance(exc, (Conflict, DomainError)):
        return ApiError(409, message)
    if isinstance(exc, ValueError):  # the services' own range checks (a payment amount ...)
        return ApiError(422, message, field=field_at_fault(message, given))
    return None


def not_found(what: str) -> ApiError:
    """The 404 of something that does not exist, or that the caller may not see (one answer for both)."""
    return ApiError(404, what)
