"""The core of intake (:class:`~deskframe.services.intake.IntakeService`): dedupe, thread, route, append (inside one transaction)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from .. import numbering
from ..events import ArticleAdded, TicketOpened
from ..files import safe_filename
from ..model import InboundMessage, IntakeResult, Route
from ..store import BlobTooLarge, Repository
from ..text import clean_message
from .lookups import IntakeBatch, ident
from .writes import PendingWrites, ticket_row

if TYPE_CHECKING:
    from ..services.intake import IntakeService

REOPEN_TYPES = ("pending", "resolved", "closed")


def dedupe_key(message: InboundMessage) -> str:
    """The channel-local identity of a message (its external id, else a hash of the raw bytes)."""
    if message.external_id:
        return message.external_id
    return "sha256:" + hashlib.sha256(message.raw or message.text.encode("utf-8")).hexdigest()


def _thread(
    service: IntakeService, repo: Repository, batch: IntakeBatch, message: InboundMessage, route: Route
) -> tuple[Any, Any]:
    """(the ticket ``message`` continues, or None; the ticket it named but may not enter, or None).

    Candidates in order: the channel's own continuation (``message.ticket_number``, e.g. a
    chat conversation's ticket), ticket numbers quoted in the subject, then the tickets
    of the articles its References name (newest first). The first one the sender may
    write into (:func:`_may_thread`) wins.
    """
    settings = service.settings
    refused = None
    if message.ticket_number:
        row = repo.ticket_row_or_none(message.ticket_number)
        if row is not None:
            target = repo.follow_merges(row)
            if _same_customer(service, repo, target, route):
                return target, None
            refused = row
    numbers = numbering.numbers_in_subject(settings.subject_hook, message.subject)
    for attempt in range(2):
        missing = []
        for number in numbers:
            row = repo.ticket_row_or_none(number)
            if row is None:
                missing.append(number)
                continue
            # our own numbers, and numbers kept from an imported system (old [Ticket#...] subjects)
            if not (numbering.is_valid(settings.number_layout, settings.system_id, number) or repo.is_imported(row)):
                continue
            target = repo.follow_merges(row)
            if _may_thread(service, repo, batch, message, route, target, named=row, answers_desk=False):
                return target, None
            refused = refused or row
        if attempt or not missing or not batch.writes.has_tickets():
            break
        batch.writes.write()  # the number may be a ticket opened earlier in this batch: look again
        numbers = missing
    for ref, answers_desk in batch.tickets_by_references(message.references):
        row = repo.ticket_row_by_id(_resolved(batch, ref))
        target = repo.follow_merges(row)
        if _may_thread(service, repo, batch, message, route, target, named=row, answers_desk=answers_desk):
            return target, None
        refused = refused or target
    return None, refused


def received_time(message: InboundMessage, now: dt.datetime) -> dt.datetime:
    """When an inbound article was received: the channel's time (delivery, or the Date
    header), but never after the desk's own present, so a desk running on a replayed or
    simulated clock (``--now``) never shows a request as written after its answer."""
    received = message.received_at
    if received is None or received.tzinfo is None or received > now:
        return now
    return received


def _resolved(batch: IntakeBatch, ref: Any) -> int:
    """The database id of ``ref``, writing the batch's pending objects first if it is one of them."""
    if not isinstance(ref, int) and getattr(ref, "row", True) is None:
        batch.writes.write()
    return ident(ref)


def _same_customer(service: IntakeService, repo: Repository, ticket: Any, route: Route) -> bool:
    """A reply lands on another customer's ticket only if the sender belongs to that customer."""
    owner = repo.customer_key(ticket.customer_id)
    return owner is None or owner == route.customer or service.settings.allow_foreign_replies


def _may_thread(
    service: IntakeService,
    repo: Repository,
    batch: IntakeBatch,
    message: InboundMessage,
    route: Route,
    ticket: Any,
    *,
    named: Any,
    answers_desk: bool,
) -> bool:
    """Whether the sender of ``message`` is related to ``ticket`` (``named`` before following merges).

    Related: the ticket's original contact; a contact of the ticket's customer (by contact
    or, through routing, by domain); an address that wrote into the ticket or that an agent
    wrote to; or, unless the sender belongs to another customer, a reply to a message the
    desk sent on the ticket (``answers_desk``). ``allow_foreign_replies`` lets people of
    other customers in; a sender no customer knows always needs a relation.
    """
    contact_ids = {ticket.contact_id, named.contact_id} - {None}
    for contact_id, customer_id in batch.sender_contacts((message.sender, route.contact_email), route.contact_phone):
        if (contact_id is not None and contact_id in contact_ids) or (
            customer_id is not None and customer_id == ticket.customer_id
        ):
            return True
    owner = repo.customer_key(ticket.customer_id)
    if owner is not None and owner == route.customer:
        return True
    if route.customer is not None and service.settings.allow_foreign_replies:
        return True
    foreign = route.customer is not None and owner is not None
    if answers_desk and not foreign:
        return True
    return (message.sender or "").strip().lower() in batch.correspondents(ticket.id)


def run_intake_batch(
    service: IntakeService, repo: Repository, messages: list[InboundMessage], events: list[tuple[str, Any]]
) -> list[IntakeResult]:
    """Store ``messages`` in the open transaction: decide each one, then write them together.

    The notify events are built once, at the end, from the written rows.
    """
    keys = [dedupe_key(m) for m in messages]
    messages = [clean_message(m) for m in messages]  # no terminal controls in stored plain text (after the keys)
    batch = IntakeBatch(repo, messages, keys, PendingWrites(service, repo))
    outcomes: list[Any] = []
    with repo.deferred_history():
        for message, key in zip(messages, keys):
            outcomes.append(run_intake(service, repo, batch, message, key, events))
        batch.writes.write()
    batch.write()
    repo.insert_blobs(batch.blobs)
    results, opened = [], []
    for outcome in outcomes:
        if isinstance(outcome, IntakeResult):
            results.append(outcome)
            continue
        article, created = outcome
        ticket = ticket_row(article.ticket)
        results.append(IntakeResult(ticket=ticket.number, article_id=article.row.id, created=created))
        hook = "ticket_opened" if created else "article_added"
        if service.hooks.wants(hook):
            opened.append((hook, ticket, article))
    if opened:
        repo.flush()
        views = repo.ticket_views_by_id({ticket.id for _, ticket, _ in opened})
        for hook, ticket, article in opened:
            article_view = repo.article_view(article.row, attachments=bool(article.files))
            events.append(
                (
                    hook,
                    TicketOpened(views[ticket.id], article_view)
                    if hook == "ticket_opened"
                    else ArticleAdded(views[ticket.id], article_view),
                )
            )
    return results


def _duplicate(repo: Repository, batch: IntakeBatch, ticket: Any, article: Any) -> IntakeResult:
    ticket_id, article_id = _resolved(batch, ticket), _resolved(batch, article) if article is not None else None
    return IntakeResult(
        ticket=repo.ticket_row_by_id(ticket_id).number, article_id=article_id, created=False, duplicate=True
    )


def run_intake(
    service: IntakeService,
    repo: Repository,
    batch: IntakeBatch,
    message: InboundMessage,
    key: str,
    events: list[tuple[str, Any]],
) -> Any:
    """Decide one message: an :class:`IntakeResult` for a duplicate, else (pending article, created)."""
    seen = batch.seen(message.channel, key)
    if seen is not None:
        return _duplicate(repo, batch, *seen)
    if message.message_id:
        existing = batch.first_article(message.message_id)
        if existing is not None:
            article, ticket = existing
            batch.remember(message.channel, key, ticket, article)
            return _duplicate(repo, batch, ticket, article)

    settings = service.settings
    route = service.hooks.route_message(message, batch.directory)
    ticket, refused = _thread(service, repo, batch, message, route)
    created = ticket is None
    notes: list[dict[str, Any]] = []
    if created:
        ticket = _open_for(service, batch, message, route)
        if refused is not None:  # the named ticket gets nothing; the new one says what was named
            notes.append(
                dict(
                    actor=None,
                    action="thread_refused",
                    new=refused.number,
                    reason=f"{message.sender or 'the sender'} has no relation to ticket {refused.number} "
                    "(not its contact, its customer's, an address it wrote to or answering "
                    "its mail): opened a new ticket",
                )
            )
    else:
        if ticket.state_type in REOPEN_TYPES:
            service.tickets.apply_state(
                repo, ticket, settings.first_state("open"), None, events, reason="customer wrote"
            )
        service.sla.on_customer_message(repo, ticket, repo.now)
        repo.touch(ticket)
        batch.correspondent_added(ticket.id, message.sender)

    # small blobs go into the blobs table with the batch, larger ones into files (synced before commit)
    raw_sha = service.blobs.put_in_transaction(message.raw, batch.blobs, limit=False) if message.raw else None
    files = []
    for attachment in message.attachments:
        name = safe_filename(attachment.filename)
        try:
            sha = service.blobs.put_in_transaction(attachment.data, batch.blobs)
        except BlobTooLarge:
            notes.append(
                dict(
                    actor=None,
                    action="attachment_too_large",
                    new=name,
                    reason=f"{len(attachment.data)} bytes; kept in the raw source only",
                )
            )
            continue
        files.append((name, attachment.content_type or "application/octet-stream", len(attachment.data), sha))
    article = batch.writes.article(
        ticket,
        dict(
            direction="in",
            channel=message.channel,
            sender=message.sender,
            recipients=list(message.recipients),
            subject=message.subject or "(no subject)",
            text=message.text,
            html=message.html,
            message_id=message.message_id,
            references=list(message.references),
            agent_id=None,
            visible=True,
            raw_sha256=raw_sha,
            created_at=received_time(message, repo.now),
        ),
        files,
        notes,
    )
    batch.remember(message.channel, key, ticket, article)
    batch.article_added(message.message_id, article, ticket)
    return article, created


def _open_for(service: IntakeService, batch: IntakeBatch, message: InboundMessage, route: Route) -> Any:
    settings = service.settings
    contact = None
    email = (route.contact_email or ("" if route.contact_phone else message.sender) or "").strip().lower()
    if not email and route.contact_phone:
        contact = batch.contact_row_by_phone(route.contact_phone)
        if contact is None:
            contact = batch.add_contact(
                name=route.contact_name or route.contact_phone,
                email=None,
                phone=route.contact_phone,
                customer=route.customer,
            )
    if email:
        contact = batch.contact_row(email)
        if contact is None:
            contact = batch.add_contact(
                name=route.contact_name or message.sender_name or email,
                email=email,
                phone=None,
                customer=route.customer,
            )
    customer_row = batch.customer_row(route.customer) if route.customer else None
    contract = batch.contract_row(route.contract) if route.contract else None
    control = message.headers if message.trusted else {}
    queue = (
        (control.get("x-deskframe-queue") or "").strip()
        or route.queue
        or (settings.default_queue if customer_row else settings.unknown_queue)
    )
    wanted = (control.get("x-deskframe-priority") or "").strip() or service.hooks.classify_priority(message, route)
    priority = settings.priority_level(wanted) if wanted else None
    values = service.tickets.new_ticket_values(
        subject=message.subject or "(no subject)",
        priority=priority or settings.default_priority,
        channel=message.channel,
        queue_id=batch.queue_id(queue),
        customer_id=customer_row.id if customer_row else None,
        contact_id=None,
        contract_id=contract.id if contract else None,
        lines=contract.lines if contract else None,
    )
    return batch.writes.ticket(values, contact, message.sender)
