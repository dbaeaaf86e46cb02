"""Database URLs read without SQLAlchemy: parsing, masking the password, checking the syntax.

The config loader checks ``[desk] database`` on every command, and the quick ticket listing
(:mod:`deskframe.store.quick_list`) opens the database through the DB-API driver, so neither
may import SQLAlchemy just to read a URL. :func:`parse_url` follows SQLAlchemy's own
``make_url`` (the same pattern, the same unquoting, the same query handling), so a URL means
the same here as to the engine; tests/core/test_quick_list_urls.py compares the two on
generated URLs.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, quote_plus, unquote

#: SQLAlchemy 2's URL pattern (``sqlalchemy.engine.url._parse_url``), matched from the start.
_PATTERN = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
        """,
    re.X,
)


class UrlSyntaxError(ValueError):
    """The text is not a database URL at all (no ``scheme://``)."""


class DbUrl(NamedTuple):
    """The parts of a database URL, as SQLAlchemy's ``URL`` holds them (unquoted)."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    #: query arguments; a name given more than once holds a tuple of its values
    query: dict[str, str | tuple[str, ...]]

    @property
    def backend(self) -> str:
        """``sqlite``, ``postgresql`` ...: the driver name without ``+driver``."""
        return self.drivername.split("+", 1)[0]

    def render(self, *, hide_password: bool = True) -> str:
        """The URL as text, as SQLAlchemy's ``URL.render_as_string`` writes it."""
        text = self.drivername + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=" +"))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += ":" + str(self.port)
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + "&".join(
                f"{quote_plus(key)}={quote_plus(value)}"
                for key in sorted(self.query)
                for value in _values(self.query[key])
            )
        return text


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def parse_url(text: str) -> DbUrl:
    """The parts of ``text``; :class:`UrlSyntaxError` if it is no URL, ``ValueError`` for a
    port that is not a number (as SQLAlchemy's ``make_url`` raises ``ArgumentError`` / ``ValueError``)."""
    match = _PATTERN.match(text)
    if match is None:
        raise UrlSyntaxError("Could not parse a database URL from the given text")
    parts = match.groupdict()
    query: dict[str, str | tuple[str, ...]] = {}
    if parts["query"] is not None:
        for key, value in parse_qsl(parts["query"]):
            if key in query:
                query[key] = (*_values(query[key]), value)
            else:
                query[key] = value

    def unquoted(name: str) -> str | None:
        value = parts[name]
        return None if value is None else unquote(value)

    return DbUrl(
        drivername=parts["name"],
        username=unquoted("username"),
        password=unquoted("password"),
        host=parts["ipv4host"] or parts["ipv6host"],
        port=None if parts["port"] is None else int(parts["port"]),  # "h:/db" is a bad port, as there
        database=unquoted("database"),
        query=query,
    )


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit to print; an unparseable URL is masked too."""
    try:
        return parse_url(url).render(hide_password=True)
    except ValueError:
        pass
    # unparseable: whatever lies between the user name's ':' and the last '@' may be a password
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    start = head.find("://") + 3 if "://" in head else 0
    colon = head.find(":", start)
    return f"{head[: colon + 1]}***@{tail}" if colon >= 0 else url


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable database URL (bad syntax, bad port), or None; never shows the password."""
    try:
        parsed = parse_url(url)
    except UrlSyntaxError:
        return f"not a database URL: {mask_url(url)!r} (e.g. sqlite:///deskframe.db)"
    except ValueError:
        return f"not a database URL: {mask_url(url)!r} (host or port malformed; a port is a number 1-65535)"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"port out of range (1-65535): {parsed.port}"
    return None
