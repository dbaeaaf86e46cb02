"""``/tickets``: the agents' ticket list, and ``/tickets/rows``, its rows alone (what the page's
htmx polling swaps in every 30 seconds, with the same filters).

Filters come from the query string: ``state`` (``open`` by default, ``all``, a state or a state
type), ``queue``, ``owner`` (``me`` is the logged-in agent), ``priority``, ``customer``, ``line``,
``q`` (full-text search), ``order`` (``due``: overdue first, the default).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...errors import DomainError
from ...services.worklist import WorkFilter
from . import session
from .render import page

#: The query parameters the list keeps (in its links, its form and its polling URL).
FILTER_KEYS = ("state", "queue", "owner", "priority", "customer", "line", "q", "order")
#: Seconds between two refreshes of the list.
REFRESH_SECONDS = 30


def work_filter(params: Any, login: str) -> WorkFilter:
    """The :class:`WorkFilter` of a query string (``owner=me``: ``login``); ``ValueError`` for a bad line."""

    def value(key: str) -> str | None:
        text = (params.get(key) or "").strip()
        return text[:200] or None

    line = value("line")
    owner = value("owner")
    return WorkFilter(
        state=value("state") or "open",
        queue=value("queue"),
        owner=login if owner == "me" else owner,
        priority=value("priority"),
        customer=value("customer"),
        line=int(line) if line else None,
        text=value("q"),
        order=value("order") or "due",
    )


def kept(params: Any, **changes: str | None) -> dict[str, str]:
    """The list's filters of ``params`` with ``changes`` (None drops one), empty ones left out."""
    out = {key: params.get(key, "") for key in FILTER_KEYS}
    out.update({key: value or "" for key, value in changes.items()})
    return {key: value for key, value in out.items() if value}


def load(desk: Any, params: Any, login: str, *, counts: bool) -> dict[str, Any]:
    """The list's rows for the filters of ``params`` (``error`` instead when they are bad) and,
    with ``counts``, the sidebar's queue counts, for agent ``login``: blocking, run it in a
    thread. One read transaction for both (the agent's rights are read once)."""
    actor = _actor(login)
    error = None
    rows: list[dict[str, Any]] = []
    with desk.store.one_read():
        try:
            rows = desk.worklist.rows(work_filter(params, login), actor=actor)
        except (DomainError, ValueError) as exc:
            error = str(exc)
        queue_counts = desk.worklist.queue_counts(actor=actor) if counts else None
    filters = kept(params)
    return {
        "rows": rows,
        "error": error,
        "counts": queue_counts,
        "filters": filters,
        "query": urlencode(filters),
        "refresh": REFRESH_SECONDS,
        "priority_names": desk.settings.priority_names,
    }


def _actor(login: str) -> Any:
    from ...actors import Actor

    return Actor.agent(login)


async def ticket_list(request: Request) -> Response:
    """``GET /tickets``: sidebar with queue counts, filters, search box and the rows."""
    who, language, frame = await session.agent_frame(request)
    desk = request.app.state.desk
    context = await run_in_threadpool(load, desk, request.query_params, who.name, counts=True)
    context.update(
        frame,
        states=list(desk.settings.states),
        priorities=list(desk.settings.priority_names.items()),
        kept=lambda **changes: urlencode(kept(request.query_params, **changes)),
        me=who.name,
    )
    status = 400 if context["error"] else 200
    return page(request, "tickets/list.html", context, language=language, status_code=status)


async def ticket_rows(request: Request) -> Response:
    """``GET /tickets/rows``: the list's ``<tbody>`` alone, for the htmx refresh."""
    who, language, frame = await session.agent_frame(request)
    context = await run_in_threadpool(load, request.app.state.desk, request.query_params, who.name, counts=False)
    context.update(frame)
    return page(request, "tickets/rows.html", context, language=language)
