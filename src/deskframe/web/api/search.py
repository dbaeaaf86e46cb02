"""``GET /api/v1/search?q=...``: full-text search over the tickets the caller may see
(``ticket search --format json``)."""

from __future__ import annotations

from typing import Any

from ...textsearch import query_terms
from .base import Call, operation
from .errors import ApiError
from .routing import ApiRoute, Param
from .schemas import array_of

#: The most hits one search answers.
MAX_HITS = 200


async def search(call: Call) -> Any:
    q, limit = call.params["q"], call.params.get("limit", 50)
    try:
        query_terms(q)
    except ValueError as exc:
        raise ApiError(422, str(exc), field="q") from None
    if not 1 <= limit <= MAX_HITS:
        raise ApiError(422, f"limit must be from 1 to {MAX_HITS}", field="limit")
    return await call.run(call.desk.tickets.search, q, limit, actor=call.actor)


def routes() -> list[ApiRoute]:
    """The search route."""
    return [
        operation(
            "/search",
            "GET",
            search,
            operation_id="search.tickets",
            summary="Tickets whose articles hold every word of q, best match first",
            tag="search",
            access="contact",
            action="ticket.read",
            params=(
                Param("q", required=True, description="words; WORD* matches a prefix"),
                Param("limit", type="integer", description=f"1-{MAX_HITS} (default 50)"),
            ),
            response=array_of("SearchHit"),
            errors=(422,),
        )
    ]
