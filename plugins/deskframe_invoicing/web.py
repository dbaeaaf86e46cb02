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
from starlette.responses import Response
from starlette.routing import Route

from deskframe.billing import Invoice
from deskframe.web.link_pages import HEADERS, lookup_token, not_found

from . import csv_format, html_format

PATH = "/invoices/{token}"
_CSV_SUFFIX = ".csv"


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
    lookup = lookup_token(token)
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
