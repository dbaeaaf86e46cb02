"""The REST API under ``/api/v1``: routes described by :class:`~.routing.ApiRoute`, so the
OpenAPI document and the authorisation tests are built from the same route table.

:func:`routes` lists every core API route; :func:`deskframe.web.create_app` mounts them.
Each concept has its module (:mod:`.tickets`, :mod:`.ticket_actions`, :mod:`.articles`,
:mod:`.time`, :mod:`.directory`, :mod:`.invoices`, :mod:`.sla`, :mod:`.search`,
:mod:`.auth`); :mod:`.base` does what every operation shares, :mod:`.schemas` holds the
JSON Schemas, :mod:`.errors` the problem+json answers.
"""

from __future__ import annotations

from typing import Any

from .routing import ApiRoute


def routes(desk: Any = None) -> list[ApiRoute]:
    """Every core ``/api/v1`` route (``desk`` is for symmetry with plugins' routes: unused)."""
    from . import articles, auth, directory, invoices, search, sla, ticket_actions, tickets, time

    modules = (auth, tickets, ticket_actions, articles, time, sla, search, directory, invoices)
    return [route for module in modules for route in module.routes()]
