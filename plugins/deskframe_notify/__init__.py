"""deskframe's reference notification plugin: rules in ``[notify]`` turn a change's events into
e-mail for customers and agents, written to the outbox with the change (docs/notify.md).

Hooks implemented here:

* ``register_config_sections`` - the ``[notify]`` table (:mod:`.settings`): rules, queue
  watchers, on-call rotations to page, opt-outs, limits, languages, templates;
* ``outbound_messages`` (``trylast``: it runs after the channel plugins, so it sees their
  acknowledgement and reply messages in the outbox and does not repeat them) - the
  notifications of each event (:mod:`.notices`), rendered from Jinja2 templates in the
  recipient's language (:mod:`.render`) and delivered by the ``email`` delivery;
* ``register_jobs`` - ``notify_digest``: the digest of the notifications held while a ticket
  changed too often, sent once its window has ended (:mod:`.digest`).

The plugin does nothing unless the configuration has a ``[notify]`` table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe.extensions import ConfigSection

#: The notify hooks whose events can cause notifications.
HOOKS = ("ticket_opened", "article_added", "ticket_changed", "sla_warning", "sla_breached", "invoice_issued")


@deskframe.hookimpl
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Claim ``[notify]``: notification rules and their recipients."""
    from deskframe.extensions import ConfigSection

    from . import settings

    register(ConfigSection("notify", settings.validate, settings.check, "Notifications: [notify], [[notify.rules]]"))


@deskframe.hookimpl
def register_jobs(register: Callable[..., None]) -> None:
    """The ``notify_digest`` job: a digest of each window of held notifications, once it has ended."""
    from . import digest

    register(deskframe.Job("notify_digest", digest.EVERY, digest.run, "send the digests of held notifications"))


@deskframe.hookimpl(trylast=True)
def outbound_messages(hook: str, event: Any, view: Any) -> list[deskframe.OutboundMessage] | None:
    """The notifications an event causes under the ``[notify]`` rules; enqueued with the change."""
    if hook not in HOOKS:
        return None
    settings = view.config.sections.get("notify")
    if settings is None or not settings.enabled:
        return None
    from . import notices

    return notices.messages(hook, event, view, settings)
