"""The real-world mail corpus of ``../shared/corpora/extmail`` and the checks of its expectations.

The 187 mails (Zammad's, OTRS's and Request Tracker's own test mails) are read
from the shared folder at run time, never copied into the project; the folder is
found like :mod:`tests.plugins.otrs.otrs_fixture` finds ``shared/otrs`` (beside
the project root, or ``DESKFRAME_EXTMAIL_DIR``).

Used by ``test_email_extmail.py`` and by ``benchmarks/extmail_match.py`` (which
prints the per-field match counts), so both measure the same thing:

* :func:`load_mails` gives each mail's expectation entry and its raw bytes. Many
  source projects reuse one Message-ID across their samples; as the corpus'
  ``SOURCES.md`` says, the harness (not the data) makes them unique: a repeated
  Message-ID gets the file's name prepended inside the angle brackets.
* :func:`deliver_and_poll` runs them through the real ``email`` channel: a
  Maildir delivery, then the very poll ``deskframe intake run --once`` runs.
* :func:`stored_outcomes` finds, by raw bytes, each mail's article or quarantine entry.
* :func:`check` compares one stored article with its stated expectations.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent
CORPUS = Path(os.environ.get("DESKFRAME_EXTMAIL_DIR") or HERE.parents[3] / "shared" / "corpora" / "extmail")
FIELDS = ("subject", "sender", "body", "attachments")
CHANNEL = "extmail"
_MESSAGE_ID = re.compile(rb"^(message-id:[ \t]*(?:\r?\n[ \t]+)?<)", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def available() -> bool:
    """True when the shared corpus folder is there."""
    return (CORPUS / "expectations.json").is_file()


def _message_id(raw: bytes) -> bytes | None:
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw
    found = re.search(rb"^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\r\n]*>)", head, re.IGNORECASE | re.MULTILINE)
    return found.group(1) if found else None


def _unique_id(raw: bytes, label: str) -> bytes:
    tag = re.sub(rb"[^A-Za-z0-9.-]", b"-", label.encode("ascii", "replace"))
    return _MESSAGE_ID.sub(lambda m: m.group(1) + b"extmail-" + tag + b".", raw, count=1)


def load_mails(corpus: Path = CORPUS) -> list[tuple[dict[str, Any], bytes]]:
    """``(expectation entry, raw bytes)`` of every mail, repeated Message-IDs made unique."""
    entries = json.loads((corpus / "expectations.json").read_text(encoding="utf-8"))["mails"]
    raws = [(corpus / entry["file"]).read_bytes() for entry in entries]
    counts: dict[bytes, int] = {}
    for raw in raws:
        mid = _message_id(raw)
        if mid:
            counts[mid] = counts.get(mid, 0) + 1
    out = []
    for entry, raw in zip(entries, raws, strict=True):
        mid = _message_id(raw)
        if mid and counts[mid] > 1:
            raw = _unique_id(raw, entry["file"])
        out.append((entry, raw))
    return out


def channel_table(maildir: Path) -> str:
    """The ``[[channels]]`` table of the Maildir channel the mails are delivered to."""
    path = str(maildir).replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'\n[[channels]]\nname = "{CHANNEL}"\ntype = "email"\nsource = "maildir:{path}"\n'
        f'address = "support@desk.example"\n'
    )


def deliver(maildir: Path, mails: list[tuple[dict[str, Any], bytes]], round_: int = 1) -> None:
    """Deliver like an MDA (write in ``tmp/``, rename into ``new/``)."""
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for index, (_, raw) in enumerate(mails):
        name = f"17900{round_:05d}.M{index:06d}P1.extmail"
        (maildir / "tmp" / name).write_bytes(raw)
        (maildir / "tmp" / name).rename(maildir / "new" / name)


def deliver_and_poll(desk: Any, maildir: Path, mails: list[tuple[dict[str, Any], bytes]], round_: int = 1) -> Any:
    """Deliver ``mails`` and run one poll of the channel; returns its :class:`PollReport`."""
    from deskframe.intake.polling import build_channel, poll

    deliver(maildir, mails, round_)
    return poll(desk, build_channel(desk, CHANNEL))


def digest(raw: bytes) -> str:
    """The SHA-256 under which the desk keeps ``raw`` (articles and quarantine entries name it)."""
    return hashlib.sha256(raw).hexdigest()


@attrs.frozen
class Outcomes:
    """Where each raw message ended: its article(s), or its quarantine entry, keyed by :func:`digest`."""

    articles: dict[str, list[Any]]
    quarantined: dict[str, str]
    article_count: int
    quarantine_count: int


def stored_outcomes(desk: Any) -> Outcomes:
    """Every stored inbound article and quarantine entry, keyed by the SHA-256 of the raw bytes they keep."""
    articles: dict[str, list[Any]] = {}
    count = 0
    for row in desk.tickets.list(limit=None):
        for article in desk.tickets.get(row["number"]).articles:
            if article.raw_sha256:
                count += 1
                articles.setdefault(article.raw_sha256, []).append(article)
    with desk.store.read() as repo:
        items = repo.quarantine_items("all", CHANNEL)
    held = {item["raw_sha256"]: item["reason"] for item in items if item["raw_sha256"]}
    return Outcomes(articles, held, count, len(items))


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text or "").casefold())


def _html_text(html: str | None) -> str:
    if not html:
        return ""
    from deskframe_email.htmltext import html_to_text

    return html_to_text(html)


@attrs.frozen
class FieldResult:
    """One stated expectation of one mail: whether it held, and what was stored instead."""

    field: str
    ok: bool
    expected: Any
    got: Any


def check(entry: dict[str, Any], article: Any) -> list[FieldResult]:
    """Compare the stored ``article`` with ``entry``'s stated fields (only those stated)."""
    results = []
    if "subject" in entry:
        want, got = _norm(entry["subject"]), _norm(article.subject)
        ok = got == want
        if not ok and "subject_min" in entry:
            ok = len(got) >= entry["subject_min"] and want.startswith(got)
        results.append(FieldResult("subject", ok, want, got))
    if "sender" in entry:
        got = article.sender or ""
        results.append(FieldResult("sender", got.casefold() == entry["sender"].casefold(), entry["sender"], got))
    if "body" in entry:
        hay = _squash(article.text) + "\n" + _squash(_html_text(article.html))
        missing = [word for word in entry["body"] if _squash(word) not in hay]
        results.append(FieldResult("body", not missing, entry["body"], f"text without {missing}"))
    if "attachments" in entry:
        names = [_norm(a.filename) for a in article.attachments]
        missing = [name for name in entry["attachments"] if _norm(name) not in names]
        results.append(FieldResult("attachments", not missing, entry["attachments"], names))
    return results
