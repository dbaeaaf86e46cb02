"""The HTTP side of deskframe, served by ``deskframe serve``: the app factory (:mod:`.app`)
and, in subpackages, the REST API, the agent pages and the customer portal."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
