"""``/customers/{key}``: one customer for an agent - contacts, contracts, open tickets, the hours
logged this month, invoices with their public links, and the plugins' sections
(``customer_sections`` hook: an account review ...) (money and dates in the page's locale)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...actors import Actor
from ...errors import DomainError, NotFound
from ...services.worklist import WorkFilter
from . import session
from .render import page
from .sections import customer_sections


def load(desk: Any, key: str, login: str, language: str = "en") -> dict[str, Any]:
    """What the customer page shows (blocking: run in a thread); ``NotFound`` for an unknown key."""
    actor = Actor.agent(login)
    customer = next((c for c in desk.directory.customers() if c.key == key), None)
    if customer is None:
        raise NotFound(f"no customer {key}")
    today = desk.local_date()
    period = f"{today.year:04d}-{today.month:02d}"
    entries = desk.time.entries(customer=key, period=period)
    invoices = []
    for invoice in desk.billing.invoices(customer=key):
        link = None
        if invoice.status == "issued" and invoice.number:
            try:
                link = desk.billing.link(invoice.number)
            except DomainError:
                link = None
        invoices.append((invoice, link))
    return {
        "customer": customer,
        "contacts": desk.directory.contacts(customer=key),
        "contracts": desk.directory.contracts(customer=key),
        "tickets": desk.worklist.rows(WorkFilter(customer=key, limit=200), actor=actor),
        "period": period,
        "minutes": sum(e.minutes for e in entries),
        "billable_minutes": sum(e.minutes for e in entries if e.billable),
        "invoices": invoices,
        "priority_names": desk.settings.priority_names,
        "sections": customer_sections(desk, key, actor, language, portal=False),
    }


async def customer_view(request: Request) -> Response:
    """``GET /customers/{key}``."""
    who, language, frame = await session.agent_frame(request)
    desk = request.app.state.desk
    try:
        data = await run_in_threadpool(load, desk, request.path_params["key"], who.name, language)
    except NotFound:
        raise HTTPException(404, "no such customer") from None
    return page(request, "customer.html", {**frame, **data}, language=language)
