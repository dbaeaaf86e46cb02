"""A ticket's articles, and attachment downloads (``GET /api/v1/attachments/{id}``).

A download is always ``Content-Disposition: attachment`` (never shown inline, so a stored
HTML or SVG file cannot run in the desk's origin) with the stored name made safe
(:func:`deskframe.files.safe_filename`), sent as RFC 6266 ``filename`` (ASCII) and
``filename*`` (UTF-8), and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ...files import safe_filename
from .base import Call, operation
from .routing import ApiRoute, Param
from .schemas import array_of
from .tickets import NUMBER
from .views import agent_mails
from .views import articles as article_views

#: A content type sent as it is stored (anything else goes as application/octet-stream).
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


def content_disposition(name: str | None) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` for a stored name."""
    safe = safe_filename(name)
    ascii_name = safe.encode("ascii", "replace").decode("ascii").replace("?", "_")
    ascii_name = re.sub(r'["\\]', "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"


def media_type(stored: str | None) -> str:
    """The stored content type when it is a plain ``type/subtype``, else ``application/octet-stream``."""
    value = (stored or "").split(";")[0].strip().lower()
    return value if _MEDIA_TYPE.match(value) else "application/octet-stream"


async def list_articles(call: Call) -> Any:
    def read() -> Any:
        found = call.desk.tickets.get(call.params["number"], actor=call.actor)
        return found, frozenset() if call.internal else agent_mails(call.desk)

    found, mails = await call.run(read)
    return article_views(found.articles, internal=call.internal, agent_mails=mails)


async def download(call: Call) -> Any:
    file, data = await call.run(call.desk.tickets.attachment, call.params["id"], actor=call.actor)
    return Response(
        data,
        media_type=media_type(file.content_type),
        headers={
            "Content-Disposition": content_disposition(file.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def routes() -> list[ApiRoute]:
    """The article list and the attachment download."""
    return [
        operation(
            "/tickets/{number}/articles",
            "GET",
            list_articles,
            operation_id="articles.list",
            summary="A ticket's articles (a contact: those visible to the customer)",
            tag="articles",
            access="contact",
            action="ticket.read",
            params=(NUMBER,),
            response=array_of("Article"),
            errors=(404,),
        ),
        operation(
            "/attachments/{id}",
            "GET",
            download,
            operation_id="attachments.download",
            summary="Download an attachment (always as a file)",
            tag="articles",
            access="contact",
            action="ticket.read",
            params=(Param("id", where="path", type="integer", required=True, description="attachment id"),),
            response={"type": "string", "format": "binary"},
            errors=(404, 422),
            media_type="application/octet-stream",
        ),
    ]
