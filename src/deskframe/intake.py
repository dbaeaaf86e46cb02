"""The core of ``Desk.intake``: dedupe, thread, route, append (inside one transaction)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from . import numbering
from .events import ArticleAdded, TicketOpened
from .files import safe_filename
from .intake_batch import IntakeBatch, ident
from .intake_writer import PendingWrites, ticket_row
from .model import InboundMessage, IntakeResult, Route
from .store import BlobTooLarge, Repository
from .text import clean_message

if TYPE_CHECKING:
    from .desk import Desk

REOPEN_TYPES = ("pending", "resolved", "closed")


def dedupe_key(message: InboundMessage) -> str:
    """The channel-local identity of a message (its external id, else a hash of the raw bytes)."""
    if message.external_id:
        return message.external_id
    return "sha256:" + hashlib.sha256(message.raw or message.text.encode("utf-8")).hexdigest()


def _thread(desk: "Desk", repo: Repository, batch: IntakeBatch, message: InboundMessage) -> Any:
    settings = desk.settings
    candidates = [message.ticket_number] if message.ticket_number else []
    candidates += numbering.numbers_in_subject(settings.subject_hook, message.subject)
    for attempt in range(2):
        for number in candidates:
            row = repo.ticket_row_or_none(number)
            if row is None:
                continue
            # our own numbers, and numbers kept from an imported system (old [Ticket#...] subjects)
            if numbering.is_valid(settings.number_layout, settings.system_id, number) or repo.is_imported(row):
                return repo.follow_merges(row)
        if attempt or not candidates or not batch.writes.has_tickets():
            break
        batch.writes.write()  # the number may be a ticket opened earlier in this batch: look again
    ticket = batch.thread_by_references(message.references)
    if ticket is None:
        return None
    return repo.follow_merges(repo.ticket_row_by_id(_resolved(batch, ticket)))


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


def _may_thread(desk: "Desk", repo: Repository, ticket: Any, route: Route) -> bool:
    """A reply lands on another customer's ticket only if the sender belongs to that customer."""
    owner = repo.customer_key(ticket.customer_id)
    return owner is None or owner == route.customer or desk.settings.allow_foreign_replies


def run_intake_batch(desk: "Desk", repo: Repository, messages: list[InboundMessage],
                     events: list[tuple[str, Any]]) -> list[IntakeResult]:
    """Store ``messages`` in the open transaction: decide each one, then write them together.

    The notify events are built once, at the end, from the written rows.
    """
    keys = [dedupe_key(m) for m in messages]
    messages = [clean_message(m) for m in messages]  # no terminal controls in stored plain text (after the keys)
    batch = IntakeBatch(repo, messages, keys, PendingWrites(desk, repo))
    outcomes: list[Any] = []
    with repo.deferred_history():
        for message, key in zip(messages, keys):
            outcomes.append(run_intake(desk, repo, batch, message, key, events))
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
        if desk.hooks.wants(hook):
            opened.append((hook, ticket, article))
    if opened:
        repo.flush()
        views = repo.ticket_views_by_id({ticket.id for _, ticket, _ in opened})
        for hook, ticket, article in opened:
            article_view = repo.article_view(article.row, attachments=bool(article.files))
            events.append((hook, TicketOpened(views[ticket.id], article_view) if hook == "ticket_opened"
                           else ArticleAdded(views[ticket.id], article_view)))
    return results


def _duplicate(repo: Repository, batch: IntakeBatch, ticket: Any, article: Any) -> IntakeResult:
    ticket_id, article_id = _resolved(batch, ticket), _resolved(batch, article) if article is not None else None
    return IntakeResult(ticket=repo.ticket_row_by_id(ticket_id).number, article_id=article_id,
                        created=False, duplicate=True)


def run_intake(desk: "Desk", repo: Repository, batch: IntakeBatch, message: InboundMessage, key: str,
               events: list[tuple[str, Any]]) -> Any:
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

    settings = desk.settings
    route = desk.hooks.route_message(message, batch.directory)
    ticket = _thread(desk, repo, batch, message)
    if ticket is not None and not _may_thread(desk, repo, ticket, route):
        ticket = None
    created = ticket is None
    if created:
        ticket = _open_for(desk, batch, message, route)
    else:
        if ticket.state_type in REOPEN_TYPES:
            desk._set_state(repo, ticket, settings.first_state("open"), None, events, reason="customer wrote")
        desk.sla.on_customer_message(repo, ticket, repo.now)
        repo.touch(ticket)

    # small blobs go into the blobs table with the batch, larger ones into files (synced before commit)
    raw_sha = desk.blobs.put_in_transaction(message.raw, batch.blobs, limit=False) if message.raw else None
    files, notes = [], []
    for attachment in message.attachments:
        name = safe_filename(attachment.filename)
        try:
            sha = desk.blobs.put_in_transaction(attachment.data, batch.blobs)
        except BlobTooLarge:
            notes.append(dict(actor=None, action="attachment_too_large", new=name,
                              reason=f"{len(attachment.data)} bytes; kept in the raw source only"))
            continue
        files.append((name, attachment.content_type or "application/octet-stream", len(attachment.data), sha))
    article = batch.writes.article(ticket, dict(
        direction="in", channel=message.channel, sender=message.sender, recipients=list(message.recipients),
        subject=message.subject or "(no subject)", text=message.text, html=message.html,
        message_id=message.message_id, references=list(message.references), agent_id=None, visible=True,
        raw_sha256=raw_sha, created_at=received_time(message, repo.now)), files, notes)
    batch.remember(message.channel, key, ticket, article)
    batch.article_added(message.message_id, article, ticket)
    return article, created


def _open_for(desk: "Desk", batch: IntakeBatch, message: InboundMessage, route: Route) -> Any:
    settings = desk.settings
    contact = None
    email = (route.contact_email or ("" if route.contact_phone else message.sender) or "").strip().lower()
    if not email and route.contact_phone:
        contact = batch.contact_row_by_phone(route.contact_phone)
        if contact is None:
            contact = batch.add_contact(name=route.contact_name or route.contact_phone, email=None,
                                        phone=route.contact_phone, customer=route.customer)
    if email:
        contact = batch.contact_row(email)
        if contact is None:
            contact = batch.add_contact(name=route.contact_name or message.sender_name or email, email=email,
                                        phone=None, customer=route.customer)
    customer_row = batch.customer_row(route.customer) if route.customer else None
    contract = batch.contract_row(route.contract) if route.contract else None
    control = message.headers if message.trusted else {}
    queue = (control.get("x-deskframe-queue") or "").strip() or route.queue or (
        settings.default_queue if customer_row else settings.unknown_queue)
    wanted = (control.get("x-deskframe-priority") or "").strip() or desk.hooks.classify_priority(message, route)
    priority = settings.priority_level(wanted) if wanted else None
    values = desk._ticket_values(subject=message.subject or "(no subject)",
                                 priority=priority or settings.default_priority, channel=message.channel,
                                 queue_id=batch.queue_id(queue), customer_id=customer_row.id if customer_row else None,
                                 contact_id=None, contract_id=contract.id if contract else None,
                                 lines=contract.lines if contract else None)
    return batch.writes.ticket(values, contact, message.sender)
