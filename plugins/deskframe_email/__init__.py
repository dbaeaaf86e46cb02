"""deskframe's reference e-mail channel: intake from Maildir, mbox, IMAP and POP3; replies over SMTP.

Hooks implemented here:

* ``register_channel_types`` - the ``email`` channel type (settings: :mod:`.settings`;
  the channel: :mod:`.channel`; sources: :mod:`.sources` (Maildir, mbox), :mod:`.imap`,
  :mod:`.pop3`). ``deskframe intake run`` polls it; a source is only moved, flagged or
  deleted after the core committed the message.
* ``outbound_messages`` - an outbound article on an e-mail channel, and the automatic
  acknowledgement of a ticket opened by e-mail on a channel with ``autoreply``, are written to
  the outbox with the change that causes them (:mod:`.outbound`);
* ``register_deliveries`` - the ``email`` delivery sends them over the channel's SMTP server,
  one connection per delivery pass (:mod:`.smtp`).

Pure modules (no network, no database):

* :mod:`.parse` turns raw RFC 5322 bytes into a :class:`deskframe.model.InboundMessage`
  (best effort; :class:`.parse.UnparseableMessage` only when nothing can be recovered).
* :mod:`.mime` walks the MIME tree (body text, HTML, attachments, forwards, repairs).
* :mod:`.charsets` and :mod:`.headers` decode bodies and headers in any charset.
* :mod:`.sanitize` cleans hostile HTML; :mod:`.htmltext` turns it into readable text.
* :mod:`.tnef` expands ``winmail.dat`` attachments.
* :mod:`.autoreply` decides whether an automatic answer is allowed.
* :mod:`.compose` builds outgoing replies without header injection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import ChannelType, Delivery


def build(table: dict[str, Any], desk: Any) -> Any:
    """The channel type's ``build`` (:func:`.channel.build`; the parser is imported only here)."""
    from .channel import build

    return build(table, desk)


def reparse(raw: bytes, table: dict[str, Any]) -> deskframe.InboundMessage:
    """The channel type's ``parse`` (:func:`.channel.reparse`)."""
    from .channel import reparse

    return reparse(raw, table)


@deskframe.hookimpl
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    from deskframe import ChannelType

    from . import settings as _settings

    register(
        ChannelType(
            _settings.TYPE,
            build,
            validate=_settings.validate,
            parse=reparse,
            description="E-mail: Maildir, mbox, IMAP, POP3 in; SMTP out",
        )
    )


@deskframe.hookimpl
def outbound_messages(hook: str, event: Any, view: Any) -> list[deskframe.OutboundMessage] | None:
    """The e-mail an event causes: an outbound article on an e-mail channel, or the
    acknowledgement of a ticket opened by e-mail (:mod:`.outbound`); enqueued with the change."""
    if hook not in ("article_added", "ticket_opened"):
        return None
    article = event.article
    if article is None:
        return None
    from . import outbound

    if article.direction == "out":
        return outbound.reply(event.ticket, article, view)
    if hook == "ticket_opened" and article.direction == "in":
        return outbound.acknowledge(event.ticket, article, view)
    return None


@deskframe.hookimpl
def register_deliveries(register: Callable[[Delivery], None]) -> None:
    from deskframe import Delivery

    def deliver(message: deskframe.OutboundMessage, desk: Any) -> None:
        from .smtp import deliver

        deliver(message, desk)

    def session(desk: Any) -> Any:
        from .smtp import session

        return session(desk)

    def compose(message: deskframe.OutboundMessage, config: Any, blob: Any) -> bytes:
        from .smtp import compose

        return compose(message, config, blob)

    register(
        Delivery(
            "email",
            deliver,
            session=session,
            description="SMTP, through the e-mail channel's server",
            compose=compose,
            pipelined=True,
            parallel=True,
        )
    )
