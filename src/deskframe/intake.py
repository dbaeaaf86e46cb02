"""The core of ``Desk.intake``: dedupe, thread, route, append (inside one transaction)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from . import numbering
from .events import ArticleAdded, TicketOpened
from .files import safe_filename
from .model import Contact, InboundMessage, IntakeResult, Route
from .services import DirectoryLookup
from .store import BlobTooLarge, Repository

if TYPE_CHECKING:
    from .desk import Desk

REOPEN_TYPES = ("pending", "resolved", "closed")


def dedupe_key(message: InboundMessage) -> str:
    """The channel-local identity of a message (its external id, else a hash of the raw bytes)."""
    if message.external_id:
        return message.external_id
    return "sha256:" + hashlib.sha256(message.raw or message.text.encode("utf-8")).hexdigest()


def _thread(desk: "Desk", repo: Repository, message: InboundMessage) -> Any:
    settings = desk.settings
    candidates = [message.ticket_number] if message.ticket_number else []
    candidates += numbering.numbers_in_subject(settings.subject_hook, message.subject)
    for number in candidates:
        if not repo.ticket_exists(number):
            continue
        row = repo.ticket_row(number)
        # our own numbers, and numbers kept from an imported system (old [Ticket#...] subjects)
        if numbering.is_valid(settings.number_layout, settings.system_id, number) or repo.is_imported(row):
            return repo.follow_merges(row)
    row = repo.ticket_by_message_ids(message.references)
    return repo.follow_merges(row) if row is not None else None


def _may_thread(desk: "Desk", repo: Repository, ticket: Any, route: Route) -> bool:
    """A reply lands on another customer's ticket only if the sender belongs to that customer."""
    owner = repo.customer_key(ticket.customer_id)
    return owner is None or owner == route.customer or desk.settings.allow_foreign_replies


def run_intake(desk: "Desk", repo: Repository, message: InboundMessage, events: list[tuple[str, Any]]) -> IntakeResult:
    key = dedupe_key(message)
    seen = repo.intake_key(message.channel, key)
    if seen is not None:
        return IntakeResult(ticket=repo.ticket_row_by_id(seen.ticket_id).number,
                            article_id=seen.article_id, created=False, duplicate=True)
    if message.message_id:
        existing = repo.article_by_message_id(message.message_id)
        if existing is not None:
            ticket = repo.ticket_row_by_id(existing.ticket_id)
            repo.record_intake_key(message.channel, key, ticket, existing)
            return IntakeResult(ticket=ticket.number, article_id=existing.id, created=False, duplicate=True)

    settings = desk.settings
    route = desk.hooks.route_message(message, DirectoryLookup(repo))
    ticket = _thread(desk, repo, message)
    if ticket is not None and not _may_thread(desk, repo, ticket, route):
        ticket = None
    created = ticket is None
    if created:
        ticket = _open_for(desk, repo, message, route)
    else:
        if ticket.state_type in REOPEN_TYPES:
            desk._set_state(repo, ticket, settings.first_state("open"), None, events, reason="customer wrote")
        desk.sla.on_customer_message(repo, ticket, repo.now)

    raw_sha = desk.blobs.put(message.raw, limit=False, sync=False) if message.raw else None
    files = []
    for attachment in message.attachments:
        name = safe_filename(attachment.filename)
        try:
            sha = desk.blobs.put(attachment.data, sync=False)
        except BlobTooLarge:
            repo.history(ticket, None, "attachment_too_large", new=name,
                         reason=f"{len(attachment.data)} bytes; kept in the raw source only")
            continue
        files.append((name, attachment.content_type or "application/octet-stream", len(attachment.data), sha))
    article = repo.add_article(
        ticket, direction="in", channel=message.channel, sender=message.sender,
        recipients=message.recipients, subject=message.subject or "(no subject)", text=message.text,
        html=message.html, message_id=message.message_id, references=message.references, agent_id=None,
        visible=True, raw_sha256=raw_sha, attachments=files, created_at=message.received_at)
    repo.history(ticket, message.sender, "article", new=str(article.id), reason=f"via {message.channel}")
    repo.record_intake_key(message.channel, key, ticket, article)
    repo.touch(ticket)
    hook = "ticket_opened" if created else "article_added"
    if desk.hooks.wants(hook):
        view, article_view = repo.ticket_view(ticket), repo.article_view(article, attachments=bool(files))
        events.append((hook, TicketOpened(view, article_view) if created else ArticleAdded(view, article_view)))
    return IntakeResult(ticket=ticket.number, article_id=article.id, created=created)


def _open_for(desk: "Desk", repo: Repository, message: InboundMessage, route: Route) -> Any:
    settings = desk.settings
    contact_row = None
    email = (route.contact_email or ("" if route.contact_phone else message.sender) or "").strip().lower()
    if not email and route.contact_phone:
        contact_row = repo.contact_row_by_phone(route.contact_phone)
        if contact_row is None:
            repo.upsert_contact(Contact(name=route.contact_name or route.contact_phone, phone=route.contact_phone,
                                        customer=route.customer))
            contact_row = repo.contact_row_by_phone(route.contact_phone)
    if email:
        contact_row = repo.contact_row_by_email(email)
        if contact_row is None:
            repo.upsert_contact(Contact(name=route.contact_name or message.sender_name or email,
                                        email=email, customer=route.customer))
            contact_row = repo.contact_row_by_email(email)
    customer_row = repo.customer_row(route.customer) if route.customer else None
    contract = repo.contract_row(route.contract) if route.contract else None
    control = message.headers if message.trusted else {}
    queue = (control.get("x-deskframe-queue") or "").strip() or route.queue or (
        settings.default_queue if customer_row else settings.unknown_queue)
    wanted = (control.get("x-deskframe-priority") or "").strip() or desk.hooks.classify_priority(message, route)
    priority = settings.priority_level(wanted) if wanted else None
    return desk._create(repo, subject=message.subject or "(no subject)",
                        priority=priority or settings.default_priority, channel=message.channel, queue=queue,
                        customer_id=customer_row.id if customer_row else None,
                        contact_id=contact_row.id if contact_row else None,
                        contract_id=contract.id if contract else None,
                        lines=contract.lines if contract else None, actor=message.sender)
