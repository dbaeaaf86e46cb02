"""The OpenAPI 3.1 document of the REST API, generated from the app's route table.

Every :class:`~deskframe.web.api.routing.ApiRoute` the app serves (the core's ``/api/v1``
routes and those plugins register through ``register_routes``, inside a ``Mount`` or not)
becomes one operation; any other route is left out. Nothing here is kept by hand: a route's
``access`` gives its security requirement (``public``: none; else a Bearer token or the
session cookie), its ``params``, ``body`` and ``response`` give parameters and schemas, its
``errors`` give ``application/problem+json`` responses.

Schemas named by a route (``response="Ticket"``) are looked up in the document's components:
the core's (``SCHEMAS`` of :mod:`deskframe.web.api.schemas`, when that module exists) and
:data:`PROBLEM`. A name found in neither is an error when the document is built, so a typo
fails the first test that asks for the document rather than producing a dangling ``$ref``.

``GET /api/openapi.json`` (:func:`openapi_json`) serves the document; it is built once per app.
"""

from __future__ import annotations

import http
import importlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount

from ...accounts.cookies import COOKIE_NAME
from .routing import ApiRoute

#: The OpenAPI version the document follows.
OPENAPI_VERSION = "3.1.0"
#: The media type of every error answer (RFC 9457).
PROBLEM_MEDIA_TYPE = "application/problem+json"
#: The schema of an RFC 9457 problem; ``errors`` names the fields at fault; the API may add members
#: (a 409 of a lock names its ``holder``).
PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem: what went wrong, for people and for programs.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "The fields at fault (empty when no one field is).",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["title", "status"],
}
#: How a caller proves who it is: an API token, or the session cookie of ``POST /login``.
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `deskframe token create`: `Authorization: Bearer TOKEN`.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE_NAME,
        "description": "The signed session cookie set by `POST /login` or `POST /portal/login`; "
        "changes also need the session's CSRF token in the `X-CSRF-Token` header.",
    },
}
_CONVERTER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z_]+)?\}")
_STATE_KEY = "openapi_document"


def api_routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, ApiRoute]]:
    """``(full path, route)`` of every :class:`ApiRoute` in ``routes``, descending into mounts."""
    for route in routes:
        if isinstance(route, ApiRoute):
            yield prefix + _CONVERTER.sub(r"{\1}", route.path), route
        elif isinstance(route, Mount):
            yield from api_routes(route.routes, prefix + route.path)


def core_schemas() -> dict[str, Any]:
    """The named schemas of the core API (``SCHEMAS`` of ``deskframe.web.api.schemas``), if any."""
    try:
        module = importlib.import_module(f"{__package__}.schemas")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.schemas":
            raise
        return {}
    return dict(getattr(module, "SCHEMAS", {}))


def build_document(
    routes: Iterable[BaseRoute], *, version: str, components: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the :class:`ApiRoute` objects among ``routes``.

    ``components``: named schemas routes may refer to (default :func:`core_schemas`).
    Raises ``ValueError`` for two routes with one operation id or method and path, and for
    a schema name that is not among the components."""
    schemas = {"Problem": PROBLEM, **(core_schemas() if components is None else dict(components))}
    paths: dict[str, dict[str, Any]] = {}
    seen: dict[str, str] = {}
    tags: dict[str, None] = {}
    for path, route in api_routes(routes):
        where = f"{route.method} {path}"
        if route.operation_id in seen:
            raise ValueError(f"operation id {route.operation_id!r} of {where} is also {seen[route.operation_id]}")
        seen[route.operation_id] = where
        item = paths.setdefault(path, {})
        method = route.method.lower()
        if method in item:
            raise ValueError(f"two API routes answer {where}")
        item[method] = _operation(route, path, schemas)
        tags.setdefault(route.tag)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "deskframe API",
            "version": version,
            "description": "The REST API of a deskframe help desk. Bodies have the shapes of "
            "`--format json` (docs/json.md); errors are RFC 9457 problems.",
        },
        "tags": [{"name": tag} for tag in sorted(tags)],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }


def _operation(route: ApiRoute, path: str, schemas: Mapping[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
        "x-access": route.access,
    }
    if route.action:
        op["x-policy-action"] = route.action
    op["security"] = [] if route.access == "public" else [{"bearer": []}, {"session": []}]
    parameters = [_parameter(p, route) for p in route.params]
    declared = {p.name for p in route.params if p.where == "path"}
    for name in _CONVERTER.findall(path):
        if name not in declared:  # a path parameter the route did not describe: still a parameter
            parameters.append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(route.body, route, schemas)}},
        }
    op["responses"] = _responses(route, schemas)
    return op


def _parameter(param: Any, route: ApiRoute) -> dict[str, Any]:
    if param.where not in ("path", "query"):
        raise ValueError(f"ApiRoute {route.operation_id}: parameter {param.name!r} is in {param.where!r}")
    schema: dict[str, Any] = {"type": param.type}
    if param.enum:
        schema["enum"] = list(param.enum)
    out: dict[str, Any] = {
        "name": param.name,
        "in": param.where,
        "required": param.required or param.where == "path",
        "schema": schema,
    }
    if param.description:
        out["description"] = param.description
    return out


def _schema(value: dict[str, Any] | str, route: ApiRoute, schemas: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(value, str):
        if value not in schemas:
            raise ValueError(f"ApiRoute {route.operation_id}: no schema named {value!r} among the components")
        return {"$ref": f"#/components/schemas/{value}"}
    return value


def _responses(route: ApiRoute, schemas: Mapping[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": http.HTTPStatus(route.status).phrase}
    if route.status != 204:
        if route.media_type == "application/json":
            schema = _schema(route.response, route, schemas) if route.response is not None else {}
            success["content"] = {"application/json": {"schema": schema}}
        else:
            success["content"] = {route.media_type: {"schema": {"type": "string", "format": "binary"}}}
    responses: dict[str, Any] = {str(route.status): success}
    errors = set(route.errors)
    if route.access != "public":
        errors.add(401)
    if route.body is not None:
        errors.add(413)
    for status in sorted(errors):
        responses[str(status)] = {
            "description": http.HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return responses


def document_of(app: Any) -> dict[str, Any]:
    """The document of ``app`` (a Starlette app), built on first use and kept on ``app.state``."""
    cached = getattr(app.state, _STATE_KEY, None)
    if cached is None:
        from ... import __version__

        cached = build_document(app.routes, version=__version__)
        setattr(app.state, _STATE_KEY, cached)
    return cached


async def openapi_json(request: Request) -> JSONResponse:
    """``GET /api/openapi.json``: the OpenAPI 3.1 document of this app's API routes."""
    return JSONResponse(document_of(request.app), headers={"Cache-Control": "no-cache"})
