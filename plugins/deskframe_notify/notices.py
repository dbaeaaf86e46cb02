"""From a change's event to the notifications it causes (inside the change's transaction).

:func:`kinds` turns a (hook, event) pair into the notification events of docs/notify.md;
:func:`messages` applies the rules of each, resolves recipients, and drops a recipient that
opted out, that auto-replied to us, whose hourly limit is spent or who already had
``digest_after`` notifications about the ticket within ``digest_window``: from then on, for
one window, its notifications about the ticket are held (a history line each) and the worker's
``notify_digest`` job sends them as one digest when the window ends (:mod:`.digest`). Every
skipped notification is a ``notify_skipped`` history line on its ticket, saying why.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe.actors import Actor
from deskframe.model import Ticket
from deskframe.numbering import tag_subject
from deskframe.outbound import ChangeView, OutboundMessage

from . import digest
from . import recipients as who
from .render import find, render
from .settings import EVENTS, NotifySettings

ACTOR = Actor.plugin("deskframe_notify")
SKIPPED = "notify_skipped"
TOPIC = "notify."
DIGEST = "digest"
#: Agent-facing events (``second_line_wait`` and the rest are the customer's).
_CLOSED = ("resolved", "closed")


@attrs.frozen
class Notice:
    """One notification event: its kind, ticket (if any) and template values."""

    event: str
    ticket: Ticket | None
    values: dict[str, Any] = attrs.field(factory=dict)
    customer: str | None = None
    owner: str | None = None
    key: str | None = None  # makes the dedupe key: one message per (key, recipient), ever


def _local(view: ChangeView, at: dt.datetime | None) -> str:
    if at is None:
        return ""
    zone = view.config.timezone
    return f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _first_article(view: ChangeView, number: str) -> int | None:
    full = view.ticket(number, full=True)
    return full.articles[0].id if full and full.articles else None


def kinds(hook: str, event: Any, view: ChangeView) -> list[Notice]:
    """The notification events of one change event."""
    if hook == "ticket_opened":
        article = event.article
        return [Notice("ticket_opened", event.ticket, {"text": article.text if article else ""})]
    if hook == "article_added":
        article, ticket = event.article, event.ticket
        if article.direction == "out" and article.visible_to_customer:
            return [Notice("agent_reply", ticket, {"text": article.text, "agent": article.agent or ""})]
        if article.direction == "in" and _first_article(view, ticket.number) != article.id:
            return [Notice("customer_reply", ticket, {"text": article.text})]
        return []
    if hook == "ticket_changed":
        ticket = event.ticket
        if event.action == "state" and view.config.tickets.states.get(event.new or "") in _CLOSED:
            old_type = view.config.tickets.states.get(event.old or "")
            return [] if old_type in _CLOSED else [Notice("ticket_resolved", ticket)]
        if event.action == "owner" and event.new and event.new != event.actor:
            return [Notice("ticket_assigned", ticket, {"by": event.actor or ""}, owner=event.new)]
        return []
    if hook in ("sla_warning", "sla_breached"):
        ticket = event.ticket
        values = {"clock": event.clock, "due": _local(view, event.due)}
        key = f"{ticket.number}:{event.clock}:{event.due.isoformat()}"
        found = [Notice(hook, ticket, values, key=f"{hook}:{key}")]
        if hook == "sla_warning" and ticket.line >= 2 and ticket.state_type not in _CLOSED:
            found.append(Notice("second_line_wait", ticket, values, key=f"second_line_wait:{key}"))
        return found
    if hook == "invoice_issued":
        invoice = {
            "number": event.number,
            "period": event.period,
            "total": f"{event.total.amount} {event.total.currency}",
            "link": getattr(event, "link", None) or "",
        }
        return [
            Notice("invoice_issued", None, {"invoice": invoice}, customer=event.customer, key=f"invoice:{event.number}")
        ]
    return []


def _owned_elsewhere(notice: Notice, view: ChangeView) -> str | None:
    """Why the customer's copy of this notice is another plugin's message, or None."""
    ticket = notice.ticket
    if ticket is None:
        return None
    table = view.config.channel(ticket.channel) if ticket.channel else None
    if notice.event == "ticket_opened":
        if table is not None and table.get("type") == "email":
            return "the e-mail channel acknowledges new tickets itself ([channels] autoreply)"
        if any(e.message.topic == "autoreply" for e in view.entries(ticket.number)):
            return "an acknowledgement is already in the outbox"
    if notice.event == "agent_reply":
        article_id = notice.values.get("article_id")
        if any(
            e.message.article_id is not None and e.message.article_id == article_id for e in view.entries(ticket.number)
        ):
            return "the reply itself is delivered to the customer by its channel"
    return None


def auto_replied(view: ChangeView, ticket: Ticket | None, address: str, loop_address: str | None) -> bool:
    """Whether ``address`` sent automatic mail (an auto-reply, a bounce, a list) on ``ticket``
    (the e-mail plugin's loop rules, :func:`deskframe_email.autoreply.is_automatic`)."""
    if ticket is None:
        return False
    full = view.ticket(ticket.number, full=True)
    for article in full.articles if full else ():
        if article.direction != "in" or (article.sender or "").strip().lower() != address or not article.raw_sha256:
            continue
        raw = view.blob(article.raw_sha256)
        if not raw:
            continue
        from deskframe_email.autoreply import is_automatic

        headers = BytesParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024], headersonly=True)
        if is_automatic(headers, loop_address=loop_address):
            return True
    return False


def _sender(settings: NotifySettings, config: Any, ticket: Ticket | None) -> tuple[str | None, str | None]:
    """(channel name, From address): ``[notify] channel``, else the ticket's e-mail channel, else the first."""
    names = [settings.channel, ticket.channel if ticket else None]
    names += [t.get("name") for t in config.channels if t.get("type") == "email"]
    for name in names:
        table = config.channel(name) if name else None
        if table is not None and table.get("type") == "email":
            return str(name), table.get("address")
    return None, None


def _recent(view: ChangeView, ticket: Ticket, address: str, since: dt.datetime) -> int:
    """Notifications to ``address`` about ``ticket`` since ``since``, digests included."""
    return sum(
        1
        for entry in view.entries(ticket.number)
        if entry.message.topic.startswith(TOPIC) and entry.enqueued_at >= since and address in entry.message.recipients
    )


def _hourly(view: ChangeView, address: str) -> int:
    since = view.now - dt.timedelta(hours=1)
    return sum(view.messages_to(address, since=since, topic=TOPIC + k) for k in (*EVENTS, DIGEST))


def _values(notice: Notice, view: ChangeView, recipient: who.Recipient) -> dict[str, Any]:
    ticket = notice.ticket
    values: dict[str, Any] = {"event": notice.event, "recipient": recipient.address, "language": recipient.language}
    if ticket is not None:
        customer = view.customer(ticket.customer) if ticket.customer else None
        values.update(
            ticket=ticket, customer=customer.name if customer else "", due=_local(view, view.next_due(ticket.number))
        )
    values.update(notice.values)
    return values


def messages(hook: str, event: Any, view: ChangeView, settings: NotifySettings) -> list[OutboundMessage]:
    """The notifications of one change event (see the module docstring)."""
    out: list[OutboundMessage] = []
    for notice in kinds(hook, event, view):
        if hook == "article_added":
            notice = attrs.evolve(notice, values={**notice.values, "article_id": event.article.id})
        seen: set[str] = set()
        for rule in settings.rules_for(notice.event):
            for target in rule.to:
                found = who.resolve(
                    target, settings, view, ticket=notice.ticket, customer=notice.customer, owner=notice.owner
                )
                for recipient in found:
                    if recipient.address in seen:
                        continue
                    seen.add(recipient.address)
                    message = _one(notice, rule.template, target, recipient, view, settings, pending=out)
                    if message is not None:
                        out.append(message)
    return out


def _skip(view: ChangeView, notice: Notice, recipient: who.Recipient, why: str) -> None:
    if notice.ticket is not None:
        reason = f"{notice.event} to {recipient.address}: {why}"
        view.note(notice.ticket.number, SKIPPED, new=notice.event, reason=reason[:500], actor=ACTOR)


def _one(
    notice: Notice,
    template: str,
    target: str,
    recipient: who.Recipient,
    view: ChangeView,
    settings: NotifySettings,
    *,
    pending: list[OutboundMessage],
) -> OutboundMessage | None:
    if settings.opted_out(recipient.agent, recipient.address, notice.event):
        _skip(view, notice, recipient, "opted out ([notify] opt_out)")
        return None
    if target == "customer" and _owned_elsewhere(notice, view) is not None:
        return None  # the channel's own message (acknowledgement, the reply itself) covers it
    _channel, sender = _sender(settings, view.config, notice.ticket)
    if sender and recipient.address == sender.lower():
        return None
    if auto_replied(view, notice.ticket, recipient.address, sender):
        _skip(view, notice, recipient, "the address sent automatic mail on this ticket (loop rules)")
        return None
    already = sum(1 for m in pending if recipient.address in m.recipients)
    if _hourly(view, recipient.address) + already >= settings.max_per_hour:
        _skip(view, notice, recipient, f"hourly limit of {settings.max_per_hour} notifications reached")
        return None
    topic, name = TOPIC + notice.event, template
    values = _values(notice, view, recipient)
    if notice.ticket is not None:
        history = view.ticket(notice.ticket.number, full=True)
        start = digest.holding(history.history if history else (), recipient.address, view.now, settings.digest_window)
        if start is None:
            since = view.now - settings.digest_window
            count = _recent(view, notice.ticket, recipient.address, since)
            count += sum(1 for m in pending if recipient.address in m.recipients and m.ticket == notice.ticket.number)
            start = view.now if count >= settings.digest_after else None
        if start is not None:
            _skip(view, notice, recipient, digest.held_reason(start, recipient.language))
            return None
    key = f"notify:{notice.key}:{recipient.address}" if notice.key else None
    return mail(
        view.config,
        settings,
        view.now,
        ticket=notice.ticket,
        template=name,
        values=values,
        address=recipient.address,
        language=recipient.language,
        topic=topic,
        event=notice.event,
        dedupe_key=key,
        on_error=lambda why: _skip(view, notice, recipient, why),
    )


def mail(
    config: Any,
    settings: NotifySettings,
    now: dt.datetime,
    *,
    ticket: Ticket | None,
    template: str,
    values: dict[str, Any],
    address: str,
    language: str,
    topic: str,
    event: str,
    dedupe_key: str | None,
    on_error: Callable[[str], None],
) -> OutboundMessage | None:
    """One notification e-mail rendered from ``template`` in ``language``; None (after
    ``on_error(why)``) when the template is missing or fails."""
    path = find(template, language, settings, config)
    if path is None:
        on_error(f"no template {template!r}")
        return None
    try:
        subject, text = render(path, values)
    except Exception as exc:
        on_error(f"template {template!r}: {type(exc).__name__}: {exc}")
        return None
    if ticket is not None:
        subject = tag_subject(config.tickets.subject_hook, ticket.number, subject)
    channel, sender = _sender(settings, config, ticket)
    headers = [("Date", email.utils.format_datetime(now)), ("Auto-Submitted", "auto-generated")]
    headers += [("X-Auto-Response-Suppress", "All"), ("Content-Language", language)]
    if sender:
        headers.append(("X-Loop", sender))
    return OutboundMessage(
        kind="email",
        recipients=(address,),
        subject=subject,
        text=text,
        headers=headers,
        sender=sender,
        channel=channel,
        ticket=ticket.number if ticket else None,
        dedupe_key=dedupe_key[:200] if dedupe_key else None,
        topic=topic,
        data={"language": language, "event": event},
    )
