"""The review on the customer's pages: a section of the agent page ``/customers/{key}`` and of
the portal (``customer_sections`` hook), and the review behind a login.

* ``GET /customers/{key}/review/{period}`` and ``GET /portal/customers/{key}/review/{period}``:
  the review's HTML page for whoever is logged in (an agent, or a contact), when
  ``desk.directory.may_read_account`` (:func:`deskframe.policy.may_read_account`) lets it read
  the customer's account: every agent, and the customer's ``customer_admin`` contacts. Anyone
  else - nobody logged in, a plain contact, another customer's contact - gets the same bare 404
  as an unknown customer or a malformed period. The page carries the link pages' headers
  (no-store, noindex, CSP with inline styles only).
* The section lists the periods that have notes, and the current month, newest first; the
  portal shows it to ``customer_admin`` contacts only.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deskframe.errors import DeskframeError
from deskframe.web.link_pages import HEADERS, not_found
from deskframe.web.pages.sections import request_actor

#: The agent's and the portal's review page.
AGENT_PATH = "/customers/{key}/review/{period}"
PORTAL_PATH = "/portal/customers/{key}/review/{period}"
#: How many periods the section lists at most.
MAX_PERIODS = 12
_PERIOD = re.compile(r"\d{4}-(?:\d{2}|Q[1-4])")


def periods(desk: Any, customer: str) -> list[str]:
    """The periods worth a review: the current month and every period (month or quarter) with notes, newest first."""
    from .store import PLUGIN

    today = desk.local_date()
    found = {f"{today.year:04d}-{today.month:02d}"}
    for record in desk.records(PLUGIN).list("note", prefix=f"{customer}/"):
        period = record.key.split("/")[1] if record.key.count("/") >= 2 else ""
        if _PERIOD.fullmatch(period):
            found.add(period)
    return sorted(found, reverse=True)[:MAX_PERIODS]


def section(desk: Any, customer: str, actor: Any, language: str, portal: bool) -> list[Any]:
    """The ``Account reviews`` section, or nothing when ``actor`` may not read the customer's account."""
    from deskframe import PageLink, PageSection

    from .i18n import translations

    if not desk.directory.may_read_account(customer, actor=actor):
        return []
    words = translations(language)
    path = PORTAL_PATH if portal else AGENT_PATH
    links = [
        PageLink(words.gettext("Review of %(period)s") % {"period": p}, path.format(key=customer, period=p))
        for p in periods(desk, customer)
    ]
    return [PageSection("account-review", words.gettext("Account reviews"), links)]


def _page(desk: Any, key: str, period: str, actor: Any) -> str | None:
    from . import make_review, render_review
    from .review import find_customer

    if actor is None or not _PERIOD.fullmatch(period):
        return None
    if not desk.directory.may_read_account(key, actor=actor):
        return None
    try:
        find_customer(desk, key)
        review, view = make_review(desk, key, period)
    except DeskframeError:
        return None
    return str(render_review(desk, review, view, "html"))


async def review_page(request: Request) -> Response:
    """The review of ``key`` for ``period`` for a logged-in reader of the customer's account, else 404."""
    actor = await request_actor(request)
    body = await run_in_threadpool(
        _page, request.app.state.desk, request.path_params["key"], request.path_params["period"], actor
    )
    if body is None:
        return not_found()
    return Response(body, media_type="text/html; charset=utf-8", headers=HEADERS)


def routes() -> list[Route]:
    """The agent's and the portal's review page."""
    return [
        Route(AGENT_PATH, review_page, methods=["GET"], name="review_agent"),
        Route(PORTAL_PATH, review_page, methods=["GET"], name="review_portal"),
    ]
