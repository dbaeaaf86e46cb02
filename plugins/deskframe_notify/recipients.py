"""Who a rule's ``to`` names, as of the change's transaction: (address, language, agent login).

* ``customer`` - the ticket's contact (an invoice: its customer's contacts with an address,
  the ``customer_admin`` ones when there are any);
* ``owner`` - the ticket's owner agent;
* ``queue-watchers`` - the agents ``[notify] watchers`` names for the ticket's queue;
* ``oncall`` - the agent on duty in the ``[oncall.NAME]`` rotations (``[notify] oncall`` picks
  them; default all), only outside the rotation's business calendar;
* an e-mail address - itself.

The language: the one the recipient chose for its pages, when it is an agent or a customer
contact with an account that chose one (the EN/RU buttons, docs/web.md); else ``[notify]
languages`` by agent login, e-mail address, e-mail domain or customer key; else ``[notify] language``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from deskframe.model import Agent, Ticket
from deskframe.outbound import ChangeView

from .settings import NotifySettings


@attrs.frozen
class Recipient:
    """One address a notification goes to, in ``language``; ``agent`` is the login if it is one."""

    address: str
    language: str
    agent: str | None = None


def language(settings: NotifySettings, *keys: str | None) -> str:
    """The first language ``[notify] languages`` gives for one of ``keys``, else the default."""
    for key in keys:
        if not key:
            continue
        key = key.lower()
        candidates = [key, key.rsplit("@", 1)[1]] if "@" in key else [key]
        for candidate in candidates:
            if candidate in settings.languages:
                return settings.languages[candidate]
    return settings.language


def _agent(settings: NotifySettings, agent: Agent | None) -> list[Recipient]:
    if agent is None or not agent.email or "@" not in agent.email:
        return []
    address = agent.email.strip().lower()
    return [Recipient(address, language(settings, agent.login, address), agent.login)]


def _customer(
    settings: NotifySettings, view: ChangeView, ticket: Ticket | None, customer: str | None
) -> list[Recipient]:
    if ticket is not None:
        address = (ticket.contact or "").strip().lower()
        if "@" not in address:
            return []
        return [Recipient(address, language(settings, address, ticket.customer))]
    if not customer:
        return []
    contacts = [c for c in view.contacts(customer) if c.email and "@" in c.email]
    admins = [c for c in contacts if c.customer_admin]
    return [
        Recipient(c.email.strip().lower(), language(settings, c.email, customer))
        for c in (admins or contacts)
        if c.email
    ]


def duty_agents(settings: NotifySettings, view: ChangeView, at: dt.datetime) -> list[str]:
    """The logins on duty at ``at`` in the configured rotations, outside their business hours."""
    rotations = view.config.sections.get("oncall") or {}
    if not rotations:
        return []
    from deskframe_sla.oncall import on_duty

    names = settings.oncall if settings.oncall is not None else tuple(rotations)
    logins: list[str] = []
    for name in names:
        rotation = rotations.get(name)
        if rotation is None:
            continue
        calendar = view.config.calendar_objects.get(rotation.business_calendar or "")
        if calendar is not None and calendar.is_working(at):
            continue  # business hours: the owner and the watchers have it
        login = on_duty(rotation, at)
        if login and login not in logins:
            logins.append(login)
    return logins


def resolve(
    target: str,
    settings: NotifySettings,
    view: ChangeView,
    *,
    ticket: Ticket | None,
    customer: str | None = None,
    owner: str | None = None,
) -> list[Recipient]:
    """The recipients ``target`` names for this event, each in its language (see the module docstring)."""
    found = _resolve(target, settings, view, ticket=ticket, customer=customer, owner=owner)
    return [attrs.evolve(r, language=view.account_language(r.address) or r.language) for r in found]


def _resolve(
    target: str,
    settings: NotifySettings,
    view: ChangeView,
    *,
    ticket: Ticket | None,
    customer: str | None = None,
    owner: str | None = None,
) -> list[Recipient]:
    """The recipients ``target`` names for this event."""
    if target == "customer":
        return _customer(settings, view, ticket, customer)
    if target == "owner":
        login = owner if owner is not None else (ticket.owner if ticket else None)
        return _agent(settings, view.agent(login)) if login else []
    if target == "queue-watchers":
        logins: Iterable[str] = settings.watchers.get(ticket.queue, ()) if ticket else ()
        return [r for login in logins for r in _agent(settings, view.agent(login))]
    if target == "oncall":
        return [r for login in duty_agents(settings, view, view.now) for r in _agent(settings, view.agent(login))]
    return [Recipient(target, language(settings, target))]
