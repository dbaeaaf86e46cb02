"""The language of a page: the user's own setting when it has one (chosen with the header's
language buttons, ``POST /language``, kept in the ``deskframe_lang`` cookie for a year), else
the browser's ``Accept-Language``, among the languages the pages are translated to."""

from __future__ import annotations

from starlette.requests import Request

#: The languages of the pages' catalogs; the first is the fallback.
LANGUAGES: tuple[str, ...] = ("en", "ru")
#: The cookie that keeps the user's chosen language.
COOKIE = "deskframe_lang"


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, best first (``q=0`` left out)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def choose(setting: str | None, accept_language: str | None) -> str:
    """The page language: ``setting`` when it is one of :data:`LANGUAGES`, else the best
    ``Accept-Language`` match (``ru-RU`` matches ``ru``), else English."""
    if setting and setting.lower() in LANGUAGES:
        return setting.lower()
    for tag in parse_accept_language(accept_language):
        primary = tag.replace("_", "-").split("-")[0]
        if primary in LANGUAGES:
            return primary
    return LANGUAGES[0]


def request_language(request: Request, setting: str | None = None) -> str:
    """:func:`choose` for a request: ``setting`` (an account's language, if the caller has one),
    else the user's chosen language (the cookie), else ``Accept-Language``."""
    return choose(setting or request.cookies.get(COOKIE), request.headers.get("accept-language"))
