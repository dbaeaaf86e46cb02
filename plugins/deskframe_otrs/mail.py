"""Re-parsing an article's raw RFC 822 source.

The e-mail channel plugin's parser is used when one is registered
(``registry.get("channel_types", "email").parse``): it decodes any charset and
sanitizes HTML the same way live intake does. Without it the stdlib ``email``
package (``policy.default``) gives the plain text only; HTML is then left out
(it would be unsanitized), and the article keeps OTRS's HTML body as a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email import policy
from email.parser import BytesParser
from typing import Any

import attrs

from . import mapping

#: The channel table handed to the e-mail plugin's ``parse`` when the config has no e-mail channel
#: (it only needs a valid table; nothing is fetched from the source it names).
PARSE_TABLE = {
    "name": "otrs-import",
    "type": "email",
    "address": "otrs-import@localhost",
    "source": "maildir:/nonexistent/otrs-import",
}
_PROBE = b"From: probe@localhost\r\nSubject: probe\r\nMessage-ID: <probe@localhost>\r\n\r\nprobe\r\n"


@attrs.frozen
class Parsed:
    """What the raw source says; ``problem`` explains text that could not be trusted."""

    text: str | None = None
    html: str | None = None
    subject: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    message_id: str | None = None
    references: tuple[str, ...] = ()
    problem: str | None = None


@attrs.frozen
class Parser:
    """The e-mail plugin's parser bound to a channel table (``None`` -> stdlib fallback)."""

    parse: Callable[[bytes], Any] | None
    note: str | None = None


def email_parser(registry: Any, channels: Iterable[dict[str, Any]] = ()) -> Parser:
    """The e-mail plugin's ``parse`` with the first configured e-mail channel's table (its limits),
    else a minimal table; the stdlib fallback (with a note) if the plugin is absent or refuses."""
    channel_type = registry.get("channel_types", "email") if registry is not None else None
    parse_fn = getattr(channel_type, "parse", None)
    if parse_fn is None:
        return Parser(None)
    table = next((dict(t) for t in channels if t.get("type") == "email"), None) or dict(PARSE_TABLE)

    def bound(raw: bytes) -> Any:
        return parse_fn(raw, table)

    try:
        bound(_PROBE)
    except Exception as exc:
        return Parser(
            None,
            f"the e-mail plugin's parser is not usable ({type(exc).__name__}: {exc}); "
            "raw mail re-parsed with the stdlib email package, HTML left in attachments",
        )
    return Parser(bound)


def size_limit(registry: Any, channels: Iterable[dict[str, Any]], fallback: int) -> int:
    """Intake's size limit for one message, in bytes: the ``max_bytes`` of the first configured
    e-mail channel (or the e-mail plugin's default), read through the e-mail channel type's public
    ``validate``; ``fallback`` (the desk's ``attachment_max_bytes``) without the e-mail plugin."""
    channel_type = registry.get("channel_types", "email") if registry is not None else None
    validate = getattr(channel_type, "validate", None)
    if validate is None:
        return fallback
    table = next((dict(t) for t in channels if t.get("type") == "email"), None) or dict(PARSE_TABLE)
    try:
        value = getattr(validate(table), "max_bytes", None)
    except Exception:  # a table the plugin refuses was reported at start-up
        return fallback
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else fallback


def parse(raw: bytes, parser: Callable[[bytes], Any] | None = None) -> Parsed:
    """Parse ``raw`` with ``parser`` (the e-mail plugin's, bound) or the stdlib; never raises."""
    if parser is not None:
        try:
            msg = parser(raw)
        except Exception as exc:  # the plugin reports unparseable mail by raising
            return Parsed(problem=f"raw source not parseable: {getattr(exc, 'reason', None) or exc}")
        text = msg.text or ""
        return Parsed(
            text=text,
            html=msg.html,
            subject=msg.subject,
            sender=msg.sender or None,
            recipients=tuple(msg.recipients),
            message_id=msg.message_id,
            references=tuple(msg.references),
            problem="undecodable characters in the raw source" if "\ufffd" in text else None,
        )
    return _stdlib(raw)


def _header(msg: Any, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:  # a header the stdlib cannot decode
        return None
    return str(value) if value is not None else None


def _stdlib(raw: bytes) -> Parsed:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        return Parsed(problem=f"raw source not parseable: {type(exc).__name__}: {exc}")
    subject = _header(msg, "subject")
    sender = mapping.address(_header(msg, "from"))
    recipients = mapping.addresses(_header(msg, "to"), _header(msg, "cc"))
    message_id = next(iter(mapping.message_ids(_header(msg, "message-id"))), None)
    references = mapping.message_ids(_header(msg, "references"), _header(msg, "in-reply-to"))
    base = Parsed(subject=subject, sender=sender, recipients=recipients, message_id=message_id, references=references)
    try:
        part = msg.get_body(preferencelist=("plain",))
    except Exception as exc:
        return attrs.evolve(base, problem=f"raw source has a broken MIME structure: {exc}")
    if part is None:
        return base
    charset = part.get_content_charset() or "us-ascii"
    try:
        text = part.get_content()
    except LookupError:
        return attrs.evolve(base, problem=f"unknown charset {charset!r} in the raw source")
    except Exception as exc:
        return attrs.evolve(base, problem=f"raw source body not decodable ({charset}): {type(exc).__name__}")
    if not isinstance(text, str):
        return attrs.evolve(base, problem="raw source body is not text")
    problem = f"bytes not valid in charset {charset!r} in the raw source" if "\ufffd" in text else None
    return attrs.evolve(base, text=text, problem=problem)
