"""The language of a page, among the languages the pages are translated to.

* A logged-in user: the account's own setting (chosen with the header's language buttons,
  ``POST /language``, stored on the account, so it holds on every device it logs in from),
  else the browser's ``Accept-Language``.
* Nobody logged in (the login pages): the language chosen on such a page, kept in the
  ``deskframe_lang`` cookie for a year, else ``Accept-Language``. A login adopts the cookie's
  language as the account's setting when the account has none yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from ...accounts.settings import LANGUAGE_COOKIE, PAGE_LANGUAGES

if TYPE_CHECKING:
    from ...accounts.service import Principal

#: The languages of the pages' catalogs; the first is the fallback.
LANGUAGES: tuple[str, ...] = PAGE_LANGUAGES
#: The cookie that keeps the language chosen on a page nobody is logged in to.
COOKIE = LANGUAGE_COOKIE


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


def request_language(request: Request, who: Principal | None = None) -> str:
    """:func:`choose` for a request: for a logged-in ``who``, its account's language, else
    ``Accept-Language``; without one, the cookie's language, else ``Accept-Language``."""
    setting = who.language if who is not None else request.cookies.get(COOKIE)
    return choose(setting, request.headers.get("accept-language"))
