"""``GET /invoices/{token}`` (html) and ``GET /invoices/{token}.csv``: the invoice link.

The token is the unguessable part of ``deskframe invoice link NUMBER``. A wrong,
malformed or draft token gets the same bare 404: a malformed token is still looked
up (as a value no token can equal), so both take one database query and never
branch on a partial match. Responses carry ``Cache-Control: private, no-store``,
``X-Robots-Tag: noindex``, ``Referrer-Policy: no-referrer`` and a CSP that allows
inline styles and nothing else.

One route serves both (``{token}`` also matches ``TOKEN.csv``, and the core orders
routes by path, so two routes could not be told apart reliably).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from deskframe.billing import Invoice

from . import csv_format, html_format

PATH = "/invoices/{token}"
#: ``secrets.token_urlsafe`` alphabet; the ledger's tokens are 32 characters.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
#: Looked up instead of a malformed token: not in the token alphabet, so it matches nothing.
_NEVER = "!" * 32
_CSV_SUFFIX = ".csv"

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def not_found() -> Response:
    """The one answer for every token that does not open an issued invoice."""
    return PlainTextResponse("Not Found", status_code=404, headers=HEADERS)


def split(raw: str) -> tuple[str, str]:
    """``("TOKEN", "html")`` or ``("TOKEN", "csv")`` from the path parameter."""
    if raw.endswith(_CSV_SUFFIX):
        return raw[: -len(_CSV_SUFFIX)], "csv"
    return raw, "html"


def _safe_filename(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", number) or "invoice"


async def invoice_page(request: Request) -> Response:
    desk: Any = request.app.state.desk
    token, fmt = split(request.path_params.get("token", ""))
    lookup = token if _TOKEN.fullmatch(token) else _NEVER
    invoice: Invoice | None = await run_in_threadpool(desk.billing.by_token, lookup)
    if invoice is None or invoice.status == "draft" or not invoice.number:
        return not_found()
    if fmt == "csv":
        body = csv_format.render("invoice", invoice)
        headers = dict(HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="{_safe_filename(invoice.number)}.csv"'
        return Response(body, media_type=csv_format.MEDIA_TYPE, headers=headers)
    billing = desk.config.billing
    page = await run_in_threadpool(
        functools.partial(
            html_format.render,
            "invoice",
            invoice,
            locale=billing.locale,
            agent_label=billing.agent_label,
            payment_terms_days=billing.payment_terms_days,
        )
    )
    return Response(page, media_type=html_format.MEDIA_TYPE, headers=HEADERS)


def routes() -> list[Route]:
    """The routes this plugin registers."""
    return [Route(PATH, invoice_page, methods=["GET"], name="invoice_link")]


def register_all(register: Callable[[Route], None]) -> None:
    for route in routes():
        register(route)
