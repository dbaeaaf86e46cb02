"""Frozen events handed to the notify hooks after the change that fired them commits."""

from __future__ import annotations

import datetime as dt

import attrs

from .model import Article, Ticket
from .money import Money


@attrs.frozen
class TicketOpened:
    """A ticket was created; ``article`` is its first article (if any)."""

    ticket: Ticket
    article: Article | None


@attrs.frozen
class ArticleAdded:
    """An article was appended to an existing or new ticket."""

    ticket: Ticket
    article: Article


@attrs.frozen
class TicketChanged:
    """A ticket field changed (``action`` is state, priority, owner, lock, queue, merge, customer, ...)."""

    ticket: Ticket
    action: str
    old: str | None
    new: str | None
    actor: str | None
    reason: str | None = None


@attrs.frozen
class SlaEvent:
    """An SLA clock of a ticket reached its warning point or its due time."""

    ticket: Ticket
    clock: str
    due: dt.datetime
    at: dt.datetime


@attrs.frozen
class InvoiceIssued:
    """An invoice became immutable and got its number; ``link`` is its public link (``[billing]
    public_url``), None when the issuer did not give one."""

    number: str
    customer: str
    contract: str | None
    period: str
    total: Money
    link: str | None = None
