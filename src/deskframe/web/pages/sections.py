"""Plugins' sections on a customer's page (the ``customer_sections`` hook), and who is asking,
for the plugin routes those sections link to.

The agent page ``/customers/{key}`` and the portal's ticket list render what
:func:`customer_sections` returns with ``sections.html``: each section's title and links are
escaped text, its ``html`` is inserted as is only when the plugin returned
:class:`markupsafe.Markup` (rendered by its own autoescaping template).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from ...actors import Actor
from ...extensions import PageSection
from . import session


def customer_sections(desk: Any, customer: str, actor: Actor, language: str, *, portal: bool) -> list[PageSection]:
    """The plugins' sections for ``customer``'s page as ``actor`` sees it (blocking: run in a thread).

    A value that is not a :class:`PageSection` is dropped; ``html`` that is not Markup is escaped."""
    shown = []
    for section in desk.hooks.customer_sections(desk, customer, actor, language, portal):
        if not isinstance(section, PageSection):
            continue
        html = section.html if isinstance(section.html, Markup) else Markup.escape(section.html or "")
        shown.append(PageSection(section.name, section.title, section.links, html, section.empty))
    return shown


async def request_actor(request: Request) -> Actor | None:
    """The :class:`~deskframe.actors.Actor` of whoever is logged in (session cookie or Bearer
    token): ``Actor.agent(login)`` or ``Actor.contact(email)``; None for nobody. For plugin
    routes that a :class:`PageSection` links to: ask the policy with it and answer 404 otherwise."""
    who = await session.principal(request)
    if who is None:
        return None
    if who.kind == "agent":
        return Actor.agent(who.name)
    if who.kind == "contact":
        return Actor.contact(who.name)
    return None
