"""Files a person attaches to an article through a form (the customer portal, the agent pages).

:meth:`UploadService.attach` stores each file once in the desk's content-addressed blob store
(small ones in the database, in the same transaction) and names it on the article; the file
name is made safe (:func:`deskframe.files.safe_filename`) and a file over ``[desk]
attachment_max_bytes`` is refused (:class:`~deskframe.store.blobs.BlobTooLarge`, exit 1) with
nothing stored. The actor must be allowed to write the article's kind on that ticket
(``ticket.article``: a contact on its own customer's ticket, to its own inbound article only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from .. import policy
from ..errors import BadValue, Forbidden, NotFound
from ..files import safe_filename
from ..model import Attachment

if TYPE_CHECKING:
    from ..actors import Actor
    from .context import ServiceContext

#: The most files one form attaches to an article.
MAX_FILES = 20


@attrs.frozen
class Upload:
    """One uploaded file: its name as the browser sent it, its declared type, its bytes."""

    filename: str
    content_type: str
    data: bytes = attrs.field(repr=False)


class UploadService:
    """Attaches uploaded files to an existing article."""

    def __init__(self, ctx: ServiceContext):
        self.ctx = ctx

    def attach(self, number: str, article_id: int, uploads: Sequence[Upload], *, actor: Actor) -> list[Attachment]:
        """Attach ``uploads`` to article ``article_id`` of ticket ``number``; returns what was attached."""
        if len(uploads) > MAX_FILES:
            raise BadValue(f"at most {MAX_FILES} files per message, got {len(uploads)}")
        if not uploads:
            return []
        with self.ctx.change() as (repo, _events):
            row = repo.ticket_row(number, for_update=True)
            policy.check(actor, "ticket.article", repo=repo, ticket=row)
            article = repo.article_row(article_id)
            if article.ticket_id != row.id:
                raise NotFound(f"ticket {number} has no article {article_id}")
            if actor.kind == "contact" and (article.direction != "in" or article.sender != actor.name):
                raise Forbidden(str(actor), "ticket.article", "a contact attaches files to its own messages only")
            pending: dict[str, bytes] = {}
            attached = []
            for upload in uploads:
                digest = self.ctx.blobs.put_in_transaction(upload.data, pending)
                kind = (upload.content_type or "application/octet-stream").split(";")[0].strip()[:200]
                attached.append(
                    Attachment(
                        filename=safe_filename(upload.filename),
                        content_type=kind or "application/octet-stream",
                        size=len(upload.data),
                        sha256=digest,
                    )
                )
            repo.insert_blobs(pending)
            repo.insert_attachments([dict(article_id=article.id, **attrs.asdict(a)) for a in attached])
            repo.history(row, actor.history_name, "attachments", new=str(article.id))
            self.ctx.blobs.flush()  # blob files durable before the rows naming them commit
        return attached
