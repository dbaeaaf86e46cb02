"""deskframe's reference e-mail channel: intake from Maildir, mbox, IMAP and POP3; replies over SMTP.

Hooks implemented here:

* ``register_channel_types`` - the ``email`` channel type (settings: :mod:`.settings`;
  the channel: :mod:`.channel`; sources: :mod:`.sources` (Maildir, mbox), :mod:`.imap`,
  :mod:`.pop3`). ``deskframe intake run`` polls it; a source is only moved, flagged or
  deleted after the core committed the message.
* ``article_added`` / ``ticket_opened`` - an outbound article on an e-mail channel is sent
  over SMTP; a ticket opened by e-mail on a channel with ``autoreply`` gets an automatic
  acknowledgement (:mod:`.outbound`).

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
    from deskframe import ChannelType


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
def article_added(event: deskframe.ArticleAdded, desk: Any) -> None:
    """Send an outbound article of an e-mail channel to the ticket's contact."""
    if event.article.direction == "out":
        from .outbound import deliver

        deliver(event.ticket, event.article, desk)


@deskframe.hookimpl
def ticket_opened(event: deskframe.TicketOpened, desk: Any) -> None:
    """Acknowledge a ticket opened by e-mail; send a ticket opened with an outbound article."""
    article = event.article
    if article is None:
        return
    from .outbound import acknowledge, deliver

    if article.direction == "out":
        deliver(event.ticket, article, desk)
    elif article.direction == "in":
        acknowledge(event.ticket, article, desk)
