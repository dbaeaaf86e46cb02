"""TLS contexts and logins shared by the IMAP, POP3 and SMTP clients."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import EmailSettings, Server


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    """A verifying client context (system CAs, plus ``ca_file`` if configured)."""
    context = ssl.create_default_context()
    if settings.ca_file:
        context.load_verify_locations(cafile=settings.ca_file)
    return context


def login_user(settings: EmailSettings, server: Server) -> str:
    """The user named in the URL, else the channel's address."""
    return server.user or settings.address
