"""Sanitize hostile HTML from mail with nh3 (ammonia), in bounded time.

What goes: ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<embed>``,
``<svg>``/``<math>`` (with their content), ``<base>``, ``<meta>`` (so no
refresh), ``<form>``, every ``on*`` event handler, ``javascript:``/``data:``
and other non-web URL schemes, CSS properties outside a short list, and every
``style`` attribute whose value holds ``expression(``, ``javascript:``/``vbscript:``
(as in ``url(javascript:...)``), ``behavior`` or ``-moz-binding``, also when CSS
comments, escapes (``\\65 xpression``) or white space hide them (:func:`style_is_hostile`).
What stays: paragraphs, line breaks, lists, tables, headings, emphasis,
links (``rel="noopener noreferrer"``), images with http(s) or ``cid:`` sources.

Bounded time: html5ever spends quadratic time on some hostile shapes (tens of
thousands of nested ``<div>``, one text node with a huge number of character
references). So input above ``max_chars`` is truncated (and a note says so),
nesting deeper than :data:`MAX_NESTING` loses its extra opening tags, and large
documents are cleaned in chunks cut at tag boundaries (each chunk's output is
well-formed, so the joined result is still safe).
"""

from __future__ import annotations

import re

import attrs
import nh3

#: Characters of HTML that are sanitized; the rest is cut off (the raw mail keeps it).
DEFAULT_MAX_HTML_CHARS = 1_000_000
#: Opening tags deeper than this are dropped before sanitizing.
MAX_NESTING = 200
#: Documents larger than this are sanitized in chunks of :data:`CHUNK_CHARS`.
CHUNK_THRESHOLD = 131_072
CHUNK_CHARS = 32_768

TAGS = (set(nh3.ALLOWED_TAGS) | {"font", "tfoot"}) - {"area", "map"}
CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "template",
    "noscript",
    "title",
    "xml",
    "noembed",
    "noframes",
}
_COMMON = {"title", "lang", "dir", "align", "valign", "width", "height", "style"}
ATTRIBUTES = {tag: set(attrs_) for tag, attrs_ in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = _COMMON
ATTRIBUTES.setdefault("td", set()).update({"bgcolor", "nowrap"})
ATTRIBUTES.setdefault("th", set()).update({"bgcolor", "nowrap"})
ATTRIBUTES.setdefault("table", set()).update({"border", "cellpadding", "cellspacing", "bgcolor"})
ATTRIBUTES["font"] = {"color", "face", "size"}
ATTRIBUTES["img"] = ATTRIBUTES.get("img", set()) | {"border"}
URL_SCHEMES = {"http", "https", "mailto", "cid", "tel"}
STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-decoration",
    "text-align",
    "vertical-align",
    "white-space",
    "margin",
    "margin-left",
    "margin-right",
    "margin-top",
    "margin-bottom",
    "padding",
    "padding-left",
    "padding-right",
    "padding-top",
    "padding-bottom",
    "border",
    "border-collapse",
    "width",
    "height",
    "line-height",
    "list-style-type",
    "display",
}

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "keygen",
}
_SELF_CLOSING_SIBLINGS = {"p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody"}
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\r\n|\n|\f|(.))", re.DOTALL)
_NOT_CSS_INK = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")
_HOSTILE_CSS = ("expression(", "javascript:", "vbscript:", "behavior", "behaviour", "-moz-binding")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})[^<>]{0,2048}>")
_TRUNCATED_NOTE = (
    "<p><em>[HTML truncated at {limit} of {size} characters; the original is kept in the raw message]</em></p>"
)


@attrs.frozen
class CleanHtml:
    """The result of :func:`clean_html`: safe HTML and whether the input was cut."""

    html: str
    truncated: bool = False
    original_chars: int = 0


def limit_nesting(html: str, max_depth: int = MAX_NESTING) -> str:
    """``html`` with opening tags beyond ``max_depth`` open elements removed (linear time).

    A simplified tree builder: void elements do not nest, ``<p>``/``<li>``/``<td>``...
    close an open sibling of the same name, a closing tag pops up to its match.
    """
    if html.count("<") <= max_depth:
        return html
    stack: list[str] = []
    counts: dict[str, int] = {}

    def visit(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or match.group(0).endswith("/>"):
            return match.group(0)
        if closing:
            if counts.get(name):
                while stack:
                    top = stack.pop()
                    counts[top] -= 1
                    if top == name:
                        break
            return match.group(0)
        if name in _SELF_CLOSING_SIBLINGS and stack and stack[-1] == name:
            stack.pop()
            counts[name] -= 1
        if len(stack) >= max_depth:
            return ""
        stack.append(name)
        counts[name] = counts.get(name, 0) + 1
        return match.group(0)

    return _TAG.sub(visit, html)


def _chunks(html: str, size: int = CHUNK_CHARS) -> list[str]:
    """Cut ``html`` into pieces of about ``size`` characters, before a tag where possible."""
    pieces = []
    start = 0
    while len(html) - start > size:
        end = start + size
        cut = html.rfind("<", end - size // 4, end)
        if cut <= start:
            cut = max(html.rfind(" ", end - size // 4, end), html.rfind("\n", end - size // 4, end))
        if cut <= start:
            amp = html.rfind("&", end - 12, end)
            cut = amp if amp > start and ";" not in html[amp:end] else end
        pieces.append(html[start:cut])
        start = cut
    pieces.append(html[start:])
    return pieces


def _unescape_css(match: re.Match[str]) -> str:
    hex_digits, char = match.group(1), match.group(2)
    if hex_digits:
        code = int(hex_digits, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return char or ""


def style_is_hostile(value: str) -> bool:
    """True if a ``style`` value holds script: ``expression(``, ``url(javascript:...)``,
    ``behavior``, ``-moz-binding``, after CSS comments, escapes and white space are undone."""
    text = _CSS_COMMENT.sub("", value)
    text = _CSS_ESCAPE.sub(_unescape_css, text)
    text = _NOT_CSS_INK.sub("", _CSS_COMMENT.sub("", text)).lower()
    return any(token in text for token in _HOSTILE_CSS)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style" and style_is_hostile(value):
        return None  # the whole style goes: what is left of a hostile one is not worth keeping
    return value


def _nh3(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
    )


def clean_html(html: str, *, max_chars: int = DEFAULT_MAX_HTML_CHARS) -> CleanHtml:
    """Sanitize ``html``; input beyond ``max_chars`` characters is cut off and noted in the output."""
    size = len(html)
    truncated = size > max_chars
    if truncated:
        html = html[:max_chars]
    html = limit_nesting(html)
    if len(html) > CHUNK_THRESHOLD:
        out = "".join(_nh3(piece) for piece in _chunks(html))
    else:
        out = _nh3(html)
    if truncated:
        out += _TRUNCATED_NOTE.format(limit=max_chars, size=size)
    return CleanHtml(html=out, truncated=truncated, original_chars=size)


def sanitize_html(html: str, *, max_chars: int = DEFAULT_MAX_HTML_CHARS) -> str:
    """Safe HTML for storage and display (see the module docstring)."""
    return clean_html(html, max_chars=max_chars).html
