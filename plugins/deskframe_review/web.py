"""``GET /reviews/{token}``: the review behind an unguessable link (``deskframe review CUSTOMER --link``).

The same mechanism as the invoice links (``deskframe_invoicing.web``): a malformed token is
still looked up as a value no token can equal, every miss is the same bare 404, and the page
carries ``Cache-Control: private, no-store``, ``X-Robots-Tag: noindex``, ``Referrer-Policy:
no-referrer`` and a CSP allowing inline styles only. ``?period=2026-10`` picks the period
(default: the current month), in the customer's language.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from deskframe.errors import DeskframeError
from deskframe.web.link_pages import HEADERS, lookup_token, not_found

PATH = "/reviews/{token}"


def _page(desk: Any, token: str, period: str | None) -> tuple[int, str]:
    from . import make_review, render_review
    from .links import customer_of

    customer = customer_of(desk, token)
    if customer is None:
        return 404, ""
    try:
        review, view = make_review(desk, customer, period)
    except DeskframeError as exc:
        return 400, str(exc)
    return 200, str(render_review(desk, review, view, "html"))


async def review_page(request: Request) -> Response:
    desk: Any = request.app.state.desk
    token = request.path_params.get("token", "")
    lookup = lookup_token(token)
    status, body = await run_in_threadpool(_page, desk, lookup, request.query_params.get("period"))
    if status == 404:
        return not_found()
    if status == 400:
        return PlainTextResponse(body, status_code=400, headers=HEADERS)
    return Response(body, media_type="text/html; charset=utf-8", headers=HEADERS)


def routes() -> list[Route]:
    """The routes this plugin registers."""
    return [Route(PATH, review_page, methods=["GET"], name="review_link")]
