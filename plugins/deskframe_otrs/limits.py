"""Intake's limits applied to imported rows (pure functions, no database).

* An article text over intake's size limit (the e-mail channel's ``max_bytes``, see
  :func:`.mail.size_limit`) is cut to that many bytes of UTF-8 with a visible note at
  its end, the way the e-mail parser notes what a limit cut: ``[deskframe: ...]``.
  The raw source, when OTRS has one, is kept whole as a blob.
* A time entry over a day, or negative, is implausible: imported (the sums stay OTRS's)
  but listed at the end of the run. One the database cannot hold is not imported.
"""

from __future__ import annotations

#: Minutes one time entry may plausibly hold (a full day).
MAX_ENTRY_MINUTES = 24 * 60
#: The largest minutes value the ``time_entries.minutes`` column holds (a 32-bit integer).
STORABLE_MINUTES = 2**31 - 1


def cut_text(
    text: str, limit: int, original_chars: int | None = None, *, raw_kept: bool = False
) -> tuple[str, str | None]:
    """``(text, None)`` if ``text`` is within ``limit`` bytes of UTF-8, else the cut text with a
    visible note appended, and the note.

    ``original_chars`` is the length of the source's text when only its first part was read
    (a longer original counts as cut even if what was read fits).
    """
    chars = max(original_chars or 0, len(text))
    cut = chars > len(text)
    prefix = utf8_prefix(text, limit)
    if prefix is not None:
        text, cut = prefix, True
    if not cut:
        return text, None
    rest = "the full raw source is kept" if raw_kept else "the rest is only in OTRS"
    note = f"text cut at {limit} bytes, the size limit of intake; the original has {chars} characters; {rest}"
    return f"{text}\n\n[deskframe: {note}]", note


def utf8_prefix(text: str, limit: int, step: int = 1 << 20) -> str | None:
    """The longest prefix of ``text`` within ``limit`` bytes of UTF-8, or None if all of it fits.

    Encodes ``step`` characters at a time, so a large text is never held twice as bytes.
    """
    if len(text) * 4 <= limit:  # fits whatever its characters
        return None
    used = 0
    for start in range(0, len(text), step):
        chunk = text[start : start + step].encode("utf-8", "surrogatepass")
        if used + len(chunk) > limit:
            return text[:start] + chunk[: limit - used].decode("utf-8", "ignore")
        used += len(chunk)
    return None


def time_problem(minutes: int) -> str | None:
    """Why a time entry of ``minutes`` is implausible, or None."""
    if minutes < 0:
        return "negative time (an OTRS correction?)"
    if minutes > MAX_ENTRY_MINUTES:
        return f"more than 24 h ({MAX_ENTRY_MINUTES} minutes) in one entry"
    return None


def storable(minutes: int) -> bool:
    """Whether the database can hold ``minutes`` in one time entry."""
    return -STORABLE_MINUTES <= minutes <= STORABLE_MINUTES
