"""Page rendering: one Jinja2 environment per language, built on first use.

Templates come from the package data ``deskframe/web/templates/`` (plugins may add template
directories with :meth:`Renderer.add_templates`, searched after the core's). Autoescape is on for
every template. Each environment has the ``jinja2.ext.i18n`` extension with the gettext
catalog of its language installed (``deskframe/web/locale/<lang>/LC_MESSAGES/deskframe_web.po``,
compiled by :func:`deskframe.i18n.catalog_translations`), and Babel filters that format in that
language and in the desk's time zone:

* ``datetime`` (an aware datetime, shown in the desk's zone; ``format`` ``short``/``medium``),
  ``date``, ``money`` (a :class:`~deskframe.money.Money`, or an amount with ``currency=``),
  ``decimal``, ``duration`` (minutes as ``1:30``), ``isoformat``, ``countdown`` (seconds from now
  as ``in 2 hours`` / ``3 hours ago``).
"""

from __future__ import annotations

import datetime as dt
import gettext
import threading
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from .locale import LANGUAGES

if TYPE_CHECKING:
    import jinja2

#: Babel's named date and time formats.
NAMED_FORMATS = ("full", "long", "medium", "short")
#: The gettext domain of the pages' catalogs.
DOMAIN = "deskframe_web"
#: Where the catalogs and templates live (package data).
WEB_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = WEB_DIR / "locale"
TEMPLATES_DIR = WEB_DIR / "templates"


def translations(language: str) -> gettext.NullTranslations:
    """The pages' translations of ``language`` (``en``/``ru``); the message ids when there is no catalog."""
    from ...i18n import catalog_translations

    return catalog_translations(LOCALE_DIR, DOMAIN, language)


class Renderer:
    """The pages' Jinja2 environments (one per language, made on first use) for one desk."""

    def __init__(self, timezone: str = "UTC", template_dirs: tuple[Path, ...] = ()):
        self.timezone = timezone
        self.template_dirs: tuple[Path, ...] = (TEMPLATES_DIR, *template_dirs)
        self._environments: dict[str, jinja2.Environment] = {}
        self._lock = threading.Lock()

    def add_templates(self, directory: Path) -> None:
        """Search ``directory`` for templates too (after the core's); call before the first render."""
        with self._lock:
            self.template_dirs = (*self.template_dirs, Path(directory))
            self._environments.clear()

    def environment(self, language: str) -> jinja2.Environment:
        """The environment of ``language`` (one of :data:`~.locale.LANGUAGES`, else English)."""
        language = language if language in LANGUAGES else LANGUAGES[0]
        env = self._environments.get(language)
        if env is None:
            with self._lock:
                env = self._environments.get(language)
                if env is None:
                    env = self._build(language)
                    self._environments[language] = env
        return env

    def _build(self, language: str) -> jinja2.Environment:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.template_dirs]),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(filters(language, self.timezone))
        env.globals["language"] = language
        return env

    def render(self, language: str, template: str, context: Mapping[str, Any]) -> str:
        """The text of ``template`` rendered in ``language``."""
        return self.environment(language).get_template(template).render(**context)


def filters(language: str, timezone: str) -> dict[str, Any]:
    """The Babel formatting filters of ``language`` in ``timezone``."""
    from zoneinfo import ZoneInfo

    from babel import Locale
    from babel.dates import (
        format_date,
        format_datetime,
        format_timedelta,
        get_date_format,
        get_datetime_format,
        get_time_format,
        parse_pattern,
    )
    from babel.numbers import format_currency, format_decimal

    zone = ZoneInfo(timezone)
    locale = Locale.parse(language)  # once: a language string is parsed again at every call

    patterns: dict[str, tuple[str, Any, Any]] = {}  # this language's parsed patterns, by format name

    def datetime_filter(value: dt.datetime | None, format: str = "short") -> str:
        """As Babel's ``format_datetime`` (tests/web/test_render_filters.py), with the named
        format's patterns parsed once instead of at every call (50 due times a list page)."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        value = value.astimezone(zone)
        if format not in NAMED_FORMATS:
            return str(format_datetime(value, format=format, locale=locale))
        found = patterns.get(format)
        if found is None:
            name: Any = format  # one of NAMED_FORMATS
            found = (
                str(get_datetime_format(name, locale=locale)).replace("'", ""),
                parse_pattern(get_time_format(name, locale=locale)),
                parse_pattern(get_date_format(name, locale=locale)),
            )
            patterns[format] = found
        joined, time_pattern, date_pattern = found
        time_text = time_pattern.apply(value.timetz(), locale, reference_date=value.date())
        return str(joined.replace("{0}", time_text).replace("{1}", date_pattern.apply(value.date(), locale)))

    def date_filter(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(zone).date()
        return str(format_date(value, format=format, locale=locale))

    def money_filter(value: Any, currency: str | None = None) -> str:
        if value is None:
            return ""
        amount = getattr(value, "amount", value)
        code = currency or getattr(value, "currency", None) or "EUR"
        return str(format_currency(Decimal(str(amount)), code, locale=locale))

    def decimal_filter(value: Any) -> str:
        return "" if value is None else str(format_decimal(Decimal(str(value)), locale=locale))

    def duration_filter(minutes: int | None) -> str:
        if minutes is None:
            return ""
        sign = "-" if minutes < 0 else ""
        hours, rest = divmod(abs(int(minutes)), 60)
        return f"{sign}{hours}:{rest:02d}"

    def isoformat_filter(value: dt.datetime | dt.date | None) -> str:
        return "" if value is None else value.isoformat()

    def countdown_filter(seconds: int | None) -> str:
        """``in 2 hours`` / ``3 hours ago`` (``через 2 часа`` / ``3 часа назад``)."""
        if seconds is None:
            return ""
        return str(format_timedelta(seconds, threshold=1.5, add_direction=True, format="long", locale=locale))

    return {
        "datetime": datetime_filter,
        "date": date_filter,
        "money": money_filter,
        "decimal": decimal_filter,
        "duration": duration_filter,
        "isoformat": isoformat_filter,
        "countdown": countdown_filter,
    }


def renderer_of(request: Request) -> Renderer:
    """The app's renderer (made by :func:`attach`)."""
    renderer: Renderer = request.app.state.renderer
    return renderer


def attach(app: Any, desk: Any) -> None:
    """Give ``app`` a :class:`Renderer` in the desk's time zone (nothing is loaded yet)."""
    app.state.renderer = Renderer(timezone=getattr(desk.config, "timezone", "UTC") or "UTC")


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """An HTML response of ``template``; the context gets ``request`` too. Pages are never cached."""
    text = renderer_of(request).render(language, template, {"request": request, **context})
    response = HTMLResponse(text, status_code=status_code, headers=dict(headers or {}))
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["Content-Language"] = language
    return response
