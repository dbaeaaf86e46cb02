"""Readable plain text from HTML, with the stdlib :mod:`html.parser`.

Paragraphs and block elements become blank lines, ``<br>`` a line break, list
items ``- item``, links ``text (url)`` (http, https, mailto only), images their
``[alt]`` text; ``<script>``, ``<style>``, ``<head>`` and the like are dropped.

:func:`html_to_text` runs on any HTML, but :mod:`html.parser` takes quadratic
time on some malformed input (``"<x" * 500_000``); callers with untrusted HTML
convert the output of :func:`deskframe_email.sanitize.sanitize_html` (well-formed,
bounded size) instead, which is what :mod:`.parse` does.
"""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

#: Tags that go through the layout-aware parser; the rest of a document is tag-stripped.
MAX_PARSED_TAGS = 50_000

_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
}
_LINE = {"tr", "li", "caption", "thead", "tbody", "tfoot"}
_SKIP = {
    "script",
    "style",
    "head",
    "title",
    "template",
    "noscript",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "applet",
    "xml",
}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_WS = re.compile(r"\s+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_LINE_SPACES = re.compile(r"[ \t]+\n|\n[ \t]+")
_TAGS = re.compile(r"<[^<>]*>")


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.links: list[tuple[str | None, int]] = []

    def _newline(self, count: int = 1) -> None:
        self.out.append("\n" * count)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self._newline()
        elif tag == "hr":
            self._newline()
            self.out.append("-" * 20)
            self._newline()
        elif tag in _BLOCK:
            self._newline(2)
            if tag == "pre":
                self.pre += 1
        elif tag in _LINE:
            self._newline()
            if tag == "li":
                self.out.append("- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.out)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.out.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            href = (href or "").strip()
            if href.lower().startswith(_LINK_SCHEMES) and href not in label:
                shown = href[7:] if href.lower().startswith("mailto:") else href
                if shown != label:
                    self.out.append(f" ({href})" if label else href)
        elif tag in _BLOCK:
            self._newline(2)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.out.append(data if self.pre else _WS.sub(" ", data))

    def text(self) -> str:
        joined = "".join(self.out).replace("\xa0", " ")
        joined = _LINE_SPACES.sub("\n", joined)
        return _MANY_NEWLINES.sub("\n\n", joined).strip()


def _split_at_tag(html: str, max_tags: int) -> tuple[str, str]:
    """``html`` cut before its ``max_tags``-th ``<`` (the whole of it and ``""`` if it has fewer)."""
    if html.count("<") <= max_tags:
        return html, ""
    at = -1
    for _ in range(max_tags):
        at = html.find("<", at + 1)
    return html[:at], html[at:]


def _strip_tags(html: str) -> str:
    text = _TAGS.sub(" ", html)
    return _WS.sub(" ", _html.unescape(text)).strip()


def html_to_text(html: str, *, max_tags: int = MAX_PARSED_TAGS) -> str:
    """Readable text of ``html`` (see the module docstring).

    Only the first ``max_tags`` tags go through :mod:`html.parser` (about 6 us
    each); text after them is kept with its tags simply stripped (sanitized
    input has no script or style content left there), so time stays linear in
    the size of the input whatever its tag density.
    """
    head, tail = _split_at_tag(html, max_tags)
    builder = _TextBuilder()
    try:
        builder.feed(head)
        builder.close()
    except Exception:  # html.parser is lenient; this is only a safety net
        pass
    text = builder.text()
    return f"{text}\n\n{_strip_tags(tail)}".strip() if tail else text
