"""The intake service: store inbound messages (dedupe, thread, route, append) in one transaction.

What a message becomes is decided by :func:`deskframe.intake.route.run_intake_batch`; this
service owns the transaction around it, its retries and the notify events it fires.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .. import policy
from ..actors import Actor
from ..errors import Conflict
from ..intake.lookups import without_nul
from ..intake.route import run_intake_batch

if TYPE_CHECKING:
    from ..hooks import Hooks
    from ..model import InboundMessage, IntakeResult
    from ..store import BlobStore
    from .context import ServiceContext
    from .sla import SlaService
    from .tickets import TicketService

#: Transactions an intake batch gets when racing writers take its unique keys first.
INTAKE_ATTEMPTS = 10
#: Who stores inbound messages (history names each message's sender).
INTAKE_ACTOR = Actor.system("intake")


class IntakeService:
    """Stores inbound messages; what :mod:`deskframe.intake.route` needs is public here."""

    def __init__(self, ctx: ServiceContext, tickets: TicketService, sla: SlaService):
        self.ctx = ctx
        self.tickets = tickets
        self.sla = sla

    @property
    def settings(self) -> Any:
        """The ``[tickets]`` settings."""
        return self.ctx.settings

    @property
    def hooks(self) -> Hooks:
        """The desk's hooks (resolve hooks route and classify messages)."""
        return self.ctx.hooks

    @property
    def blobs(self) -> BlobStore:
        """Where raw messages and attachments go."""
        return self.ctx.blobs

    def local_date(self, when: dt.datetime | None = None) -> dt.date:
        """Today (or ``when``'s date) in the desk's time zone."""
        return self.ctx.local_date(when)

    def receive(self, message: InboundMessage, *, actor: Actor = INTAKE_ACTOR) -> IntakeResult:
        """Store one inbound message: dedupe, thread, route, append; one transaction.

        A message seen before (same channel and external id, or same Message-ID)
        changes nothing and is reported as a duplicate.
        """
        return self._store([message], actor)[0]

    def receive_many(self, messages: list[InboundMessage], *, actor: Actor = INTAKE_ACTOR) -> list[IntakeResult]:
        """Store a batch of inbound messages in one transaction (same rules as :meth:`receive`).

        All or nothing: if one message fails, nothing of the batch is stored and the
        error is raised, so a caller can retry the batch one message at a time.
        """
        return self._store(messages, actor)

    def _store(self, messages: list[InboundMessage], actor: Actor) -> list[IntakeResult]:
        """One transaction; again, from the start, if another writer took a unique key meanwhile:
        another intake that stored the same message (or created the same sender's contact)
        first makes the commit fail on a unique key. The next attempt sees its rows: the
        message is then a duplicate (looked up and acknowledged), never quarantined.
        """
        messages = [without_nul(m) for m in messages]
        for attempt in range(1, INTAKE_ATTEMPTS + 1):
            try:
                with self.ctx.change() as (repo, events):
                    policy.check(actor, "intake.receive", repo=repo)
                    results = run_intake_batch(self, repo, messages, events)
                    self.ctx.blobs.flush()  # blobs durable before the rows that name them commit
                    return results
            except Conflict:
                if attempt == INTAKE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")
