"""What every API operation does around its own work: who asks, may it call the route at all,
CSRF for cookie sessions, parameters and body checked against the route's description, the
blocking service call off the event loop, and errors as problem+json.

:func:`operation` builds an :class:`~.routing.ApiRoute` from a handler ``async (call) ->
result``; the handler gets a :class:`Call` and returns a JSON value (sent with the route's
success status) or a ready :class:`~starlette.responses.Response`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ... import serialize
from ...accounts.rights import may_administer, may_see_internal
from ...accounts.web_routes import authenticate, authenticated, check_csrf
from ...actors import Actor
from ...errors import DeskframeError, Forbidden, NotFound
from . import validate
from .errors import ApiError, core_error, problem
from .routing import ApiRoute, Param
from .schemas import body_schema

if TYPE_CHECKING:
    from ...accounts.service import Principal
    from ...desk import Desk

log = logging.getLogger(__name__)

#: Integer parameters lie in (-INT32, INT32), as the database's integer columns.
INT32 = 2**31

#: Methods that change something (CSRF-checked for cookie sessions).
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def actor_of(principal: Principal) -> Actor:
    """The :class:`~deskframe.actors.Actor` a signed-in account acts as."""
    return Actor.agent(principal.name) if principal.kind == "agent" else Actor.contact(principal.name)


@attrs.frozen
class Call:
    """One API request as a handler sees it: the desk, who asks (``principal``, ``actor``),
    the parameters (``params``: path and query, converted to their types) and the body."""

    request: Request
    desk: Desk
    principal: Principal
    actor: Actor
    params: dict[str, Any]
    body: dict[str, Any]

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in the threadpool (every service call blocks on the database)."""
        return await run_in_threadpool(fn, *args, **kwargs)

    @property
    def internal(self) -> bool:
        """Whether the caller may see internal notes, time entries and agents' personal data."""
        return may_see_internal(self.principal.rights)


Handler = Callable[[Call], Awaitable[Any]]
#: A route's work that only reads: ``(call) -> result``, blocking (see :func:`operation`'s ``blocking``).
Reader = Callable[[Call], Any]


def _gate(principal: Principal, access: str) -> None:
    """The route's access level (:data:`~.routing.ACCESS_LEVELS`): contacts never call agents'
    routes, only admins call admins' routes. The policy still decides every call."""
    if access == "agent" and principal.kind != "agent":
        raise ApiError(403, "this operation is for agents")
    if access == "admin" and not may_administer(principal.rights):
        raise ApiError(403, "this operation is for admins")


def _convert(param: Param, raw: str) -> Any:
    """A query or path value as its declared type; 422 naming the parameter otherwise."""
    value: Any = raw
    if "\x00" in raw:
        raise ApiError(422, "must not contain NUL characters", field=param.name)
    if param.type == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(422, f"'{raw}' is not an integer", field=param.name) from None
        if not -INT32 <= value < INT32:  # the database's integers
            raise ApiError(422, f"{value} is out of range", field=param.name)
    elif param.type == "boolean":
        if raw.lower() not in ("true", "false", "1", "0"):
            raise ApiError(422, f"'{raw}' is not true or false", field=param.name)
        value = raw.lower() in ("true", "1")
    if param.enum and raw not in param.enum:
        raise ApiError(422, f"must be one of {', '.join(param.enum)}", field=param.name)
    return value


def _params(request: Request, params: tuple[Param, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for param in params:
        source = request.path_params if param.where == "path" else request.query_params
        raw = source.get(param.name)
        if raw is None or (raw == "" and param.where == "query"):
            if param.required:
                raise ApiError(422, f"the parameter '{param.name}' is required", field=param.name)
            continue
        out[param.name] = _convert(param, str(raw))
    return out


async def _body(request: Request, schema: dict[str, Any] | str | None) -> dict[str, Any]:
    """The JSON object a changing request sends, checked against the route's schema."""
    if schema is None:
        return {}
    raw = await request.body()
    if not raw.strip():
        data: Any = {}
    else:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("application/json", "") and not kind.endswith("+json"):
            raise ApiError(415, "send the body as application/json")
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(422, "the body must be a JSON object")
    found = validate.problem(data, body_schema(schema) or {})
    if found:
        field, message = found
        raise ApiError(422, f"{field}: {message}", field=field)
    return data


def json_response(value: Any, status: int = 200) -> Response:
    """A JSON answer with the CLI's value shapes (:func:`deskframe.serialize.compact`)."""
    return Response(serialize.compact(value), status_code=status, media_type="application/json")


def plain_json_response(value: Any, status: int = 200) -> Response:
    """:func:`json_response` of a value without floats and with UTC datetimes only (tickets and
    their rows): the same bytes, written faster (:func:`deskframe.serialize.compact_bytes`)."""
    return Response(serialize.compact_bytes(value), status_code=status, media_type="application/json")


async def _hidden(call: Call) -> bool:
    """Whether the ticket the path names is one the caller may not see (or none at all)."""
    number = call.params.get("number")
    if number is None:
        return False
    try:
        await call.run(call.desk.tickets.get, number, full=False, actor=call.actor)
    except (Forbidden, NotFound):
        return True
    return False


async def readable(call: Call, number: str, field: str | None) -> None:
    """Refuse (422 naming ``field``) a ticket named in a body or query that does not exist or
    that the caller may not see: one answer for both, as for a path's ticket (``field`` None:
    the path's own ticket, refused with 404)."""
    try:
        await call.run(call.desk.tickets.get, number, full=False, actor=call.actor)
    except (Forbidden, NotFound):
        if field is None:
            raise ApiError(404, f"unknown ticket '{number}'") from None
        raise ApiError(422, f"unknown ticket '{number}'", field=field) from None


async def _failure(exc: Exception, call: Call | None, request: Request) -> Response:
    if isinstance(exc, ApiError):
        return exc.response()
    if isinstance(exc, HTTPException):
        return problem(exc.status_code, str(exc.detail), headers=exc.headers)
    if isinstance(exc, DeskframeError) and call is not None:
        if isinstance(exc, Forbidden) and await _hidden(call):  # no existence leaks
            return problem(404, f"unknown ticket '{call.params['number']}'")
        given = {**call.params, **call.body}
        path = {k: str(v) for k, v in call.params.items() if k in request.path_params}
        found = core_error(exc, path=path, given=given)
        if found is not None:
            return found.response()
    log.exception("API %s %s failed", request.method, request.url.path)
    return problem(500, "the server failed to answer this request")


def _read_call(request: Request, access: str, params: tuple[Param, ...], reader: Reader) -> tuple[Call, Any, Any]:
    """A reading route's whole blocking part in one thread and one read transaction (the desk's
    ``store.one_read()``): who asks (token or session), the access gate, the parameters and
    ``reader``. The policy's reads of the caller's account in ``reader`` then reuse the rows the
    authentication read (the repository keeps them for its transaction): a revoked token or
    changed rights count from the next request on, as for every other route.

    ``(call, result, None)``, or ``(call, None, error)`` when ``reader`` failed (an error before
    the call exists is raised)."""
    desk: Desk = request.app.state.desk
    with desk.store.one_read():
        principal = authenticated(request)
        _gate(principal, access)
        call = Call(request, desk, principal, actor_of(principal), _params(request, params), {})
        try:
            return call, reader(call), None
        except Exception as exc:  # answered by _failure, which needs the call
            return call, None, exc


def operation(
    path: str,
    method: str,
    handler: Handler | Reader,
    *,
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
    blocking: bool = False,
) -> ApiRoute:
    """An :class:`ApiRoute` at ``/api/v1`` + ``path`` running ``handler`` as described above.

    ``blocking`` (GET routes only): ``handler`` is a plain function ``(call) -> result`` that
    only reads; it runs off the event loop together with the authentication, in one read
    transaction (:func:`_read_call`): one thread hand-off and one database snapshot per request
    instead of one for the token and more for the work. On SQLite (``store.quick_reads``: a
    local file, and a reader never waits for the writer) that call runs on the event loop
    itself, with no thread hand-off: the hand-off (the worker thread's wake-up, the GIL passing
    between it and the loop, the loop's wake-up by the result) cost about as much CPU as the
    show route's own work (1.9 against 1.2 ms of server CPU per request over HTTP). A uvicorn
    worker serves one request's Python at a time either way; on PostgreSQL, whose statements
    wait for round trips, the threadpool lets the loop go on meanwhile."""
    method = method.upper()
    if blocking and method != "GET":
        raise ValueError(f"{operation_id}: only a GET route reads in one blocking call")
    all_errors = tuple(sorted({401, *((403,) if access in ("agent", "admin") else ()), *errors}))

    async def endpoint(request: Request) -> Response:
        call: Call | None = None
        try:
            if blocking:
                if request.app.state.desk.store.quick_reads:  # SQLite: no thread hand-off (see operation)
                    call, result, error = _read_call(request, access, params, handler)
                else:
                    call, result, error = await run_in_threadpool(_read_call, request, access, params, handler)
                if error is not None:
                    raise error
                return result if isinstance(result, Response) else json_response(result, status)
            principal = await authenticate(request)
            _gate(principal, access)
            if method in CHANGING:
                check_csrf(request, principal)
            values = _params(request, params)
            data = await _body(request, body) if method in CHANGING else {}
            call = Call(request, request.app.state.desk, principal, actor_of(principal), values, data)
            result = await handler(call)
        except Exception as exc:  # every failure answers problem+json
            return await _failure(exc, call, request)
        return result if isinstance(result, Response) else json_response(result, status)

    endpoint.__name__ = operation_id.replace(".", "_")
    return ApiRoute(
        "/api/v1" + path,
        endpoint,
        method=method,
        operation_id=operation_id,
        summary=summary,
        tag=tag,
        access=access,
        action=action,
        params=params,
        body=body,
        response=response,
        status=status,
        errors=all_errors,
        media_type=media_type,
    )
