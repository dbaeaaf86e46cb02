"""Fuzzing the e-mail parser and intake: seeds, mutations and the property every input must keep.

Shared by ``test_email_fuzz_intake.py`` (bounded, part of the suite) and
``benchmarks/fuzz.py --target email`` (runs for minutes on demand).

* :func:`seed_mails`: real mails to mutate, the shared ``extmail`` corpus when it
  is there (other help desks' test mails), else the generated corpus of
  :mod:`make_corpus`.
* :func:`mutate`: one of a few byte-level mutations real damage looks like.
* :func:`parse_or_reason`: ``parse_message`` must give a well-formed message or
  an :class:`UnparseableMessage` with a reason; anything else is a bug.
* :class:`IntakeHarness`: delivers one input into a Maildir and runs the real
  channel's poll; the input must end as an article, a follow-up, a duplicate of
  a stored message, or a quarantine entry, with its raw bytes kept;
  :func:`scratch_harness` builds one on a fresh desk.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import extmail
import make_corpus
from email_checks import assert_well_formed

from deskframe_email.parse import UnparseableMessage, parse_message

#: Seeds larger than this are left out (mutating them is slow and adds little).
MAX_SEED_BYTES = 64 * 1024
MUTATIONS = ("cut", "insert", "replace", "flip", "drop_line", "repeat_line", "swap_eol", "junk_first")
NOISE = (
    b"\xff\xfe",
    b"=?utf-8?b?",
    b"?=",
    b"\r\n",
    b"\n\n",
    b"--",
    b"boundary=",
    b"charset=gb2312",
    b"Content-Type: multipart/mixed; boundary=x\n",
    b"\x1b$B",
    b"\x00",
    b"From: ",
    b"<script>",
)


def seed_mails() -> list[bytes]:
    """Real mails to mutate (see the module docstring)."""
    if extmail.available():
        seeds = [raw for _, raw in extmail.load_mails()]
    else:
        seeds = list(make_corpus.build_corpus().values())
    return [raw for raw in seeds if 0 < len(raw) <= MAX_SEED_BYTES]


def mutate(raw: bytes, how: str, position: int, noise: bytes) -> bytes:
    """``raw`` damaged in one way (``how`` from :data:`MUTATIONS`) at ``position``."""
    at = position % (len(raw) + 1)
    if how == "cut":
        return raw[:at]
    if how == "insert":
        return raw[:at] + noise + raw[at:]
    if how == "replace":
        return raw[:at] + noise + raw[at + len(noise) :]
    if how == "flip":
        return raw[:at] + bytes([raw[at] ^ (noise[0] | 1)]) + raw[at + 1 :] if at < len(raw) and noise else raw
    lines = raw.split(b"\n")
    line = position % len(lines)
    if how == "drop_line":
        return b"\n".join(lines[:line] + lines[line + 1 :])
    if how == "repeat_line":
        return b"\n".join(lines[: line + 1] + lines[line:])
    if how == "swap_eol":
        return raw.replace(b"\r\n", b"\n") if b"\r\n" in raw else raw.replace(b"\n", b"\r\n")
    return noise + b"\n" + raw  # junk_first


def parse_or_reason(raw: bytes) -> str | None:
    """Parse ``raw``; ``None`` if it gave a well-formed message, else the quarantine reason.

    Any exception other than :class:`UnparseableMessage` propagates: that is a parser bug.
    """
    try:
        message = parse_message(raw, channel="fuzz")
    except UnparseableMessage as exc:
        assert exc.reason
        return exc.reason
    assert_well_formed(message, raw, strict_html=False)
    return None


class IntakeHarness:
    """One desk with a Maildir ``email`` channel; :meth:`take` runs one input through it."""

    def __init__(self, desk: Any, maildir: Path):
        from deskframe.intake.polling import build_channel

        self.desk = desk
        self.maildir = maildir
        for sub in ("tmp", "new", "cur"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        self.channel = build_channel(desk, extmail.CHANNEL)
        self._names = itertools.count(1)

    def take(self, raw: bytes) -> str:
        """Deliver ``raw`` and poll; returns how it ended (``created``, ``appended``,
        ``duplicates`` or ``quarantined``) after checking that it was accounted for."""
        from deskframe.intake.polling import poll

        name = f"1790000000.F{next(self._names):07d}P1.fuzz"
        (self.maildir / "tmp" / name).write_bytes(raw)
        (self.maildir / "tmp" / name).rename(self.maildir / "new" / name)
        report = poll(self.desk, self.channel)
        assert report.stopped is None, report.stopped
        assert report.fetched == 1
        outcomes = {key: getattr(report, key) for key in ("created", "appended", "duplicates", "quarantined")}
        assert sum(outcomes.values()) == 1, outcomes
        assert not any((self.maildir / "new").iterdir()), "left in new/"
        outcome = next(key for key, count in outcomes.items() if count)
        if outcome != "duplicates" and raw:  # a duplicate is the message stored before under the same id
            assert self.desk.blobs.exists(hashlib.sha256(raw).hexdigest()), "raw bytes not kept"
        return outcome


def scratch_harness(root: Path, database: str | None) -> tuple[IntakeHarness, Callable[[], None]]:
    """An :class:`IntakeHarness` on a fresh desk under ``root`` (a new SQLite file, or a
    new schema on the PostgreSQL ``database``); the second value closes and drops it."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins
    from deskframe.store.scratch import scratch_database

    url, drop = scratch_database(database, str(root / "deskframe.db"))
    config = root / "deskframe.toml"
    config.write_text(
        f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n' + extmail.channel_table(root / "maildir"), encoding="utf-8"
    )
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()

    def close() -> None:
        desk.close()
        drop()

    return IntakeHarness(desk, root / "maildir"), close
