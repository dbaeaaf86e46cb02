#!/usr/bin/env python3
"""Real-world mail: how many of the stated expectations of ``../shared/corpora/extmail`` hold.

The 187 mails (Zammad's parser corpus, OTRS's EmailParser and PostMaster
samples, Request Tracker's test mails) are delivered into a Maildir and taken in
by the real ``email`` channel into a fresh SQLite desk (the poll of ``deskframe
intake run --once``). Each mail's article (found by its raw bytes) is compared
with the expected subject, sender, body words and attachment names, with the
same checks as ``tests/plugins/email/test_email_extmail.py``
(``tests/plugins/email/extmail.py``).

Prints the mails accounted for (article or quarantine), matched/stated per field,
and with ``--misses`` every miss with what was stored instead; ``--json`` prints
the counts as one JSON object.

    .venv/bin/python benchmarks/extmail_match.py [--corpus DIR] [--misses] [--json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "plugins" / "email"))

import extmail  # noqa: E402

CONFIG = """\
[desk]
database = "sqlite:///{db}"
data_dir = "{data}"
"""


def _toml(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')


def build_desk(workdir: Path):
    """A fresh SQLite desk with the installed plugins and one Maildir ``email`` channel."""
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    config = workdir / "deskframe.toml"
    config.write_text(
        CONFIG.format(db=_toml(workdir / "desk.db"), data=_toml(workdir / "data"))
        + extmail.channel_table(workdir / "maildir"),
        encoding="utf-8",
    )
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    return desk


def measure(corpus: Path, workdir: Path) -> dict:
    """Take the corpus in once and compare; returns counts and the list of misses."""
    mails = extmail.load_mails(corpus)
    desk = build_desk(workdir)
    try:
        extmail.deliver_and_poll(desk, workdir / "maildir", mails)
        stored = extmail.stored_outcomes(desk)
    finally:
        desk.close()
    counts = {field: [0, 0] for field in extmail.FIELDS}
    misses, lost, quarantined = [], [], []
    for entry, raw in mails:
        key = extmail.digest(raw)
        articles = stored.articles.get(key)
        if not articles:
            if key in stored.quarantined:
                quarantined.append((entry["file"], stored.quarantined[key]))
            else:
                lost.append(entry["file"])
            for field in extmail.FIELDS:
                if field in entry:
                    counts[field][1] += 1
                    misses.append((entry["file"], field, entry[field], "(no article)"))
            continue
        for result in extmail.check(entry, articles[0]):
            counts[result.field][1] += 1
            if result.ok:
                counts[result.field][0] += 1
            else:
                misses.append((entry["file"], result.field, result.expected, result.got))
    matched = sum(c[0] for c in counts.values())
    stated = sum(c[1] for c in counts.values())
    return {
        "mails": len(mails),
        "articles": len(mails) - len(lost) - len(quarantined),
        "quarantined": quarantined,
        "lost": lost,
        "fields": counts,
        "matched": matched,
        "stated": stated,
        "misses": misses,
    }


def main() -> None:
    """Parse the arguments, take the corpus in once and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=extmail.CORPUS)
    parser.add_argument("--misses", action="store_true", help="list every miss with what was stored")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--keep", type=Path, help="build the desk in this folder and keep it")
    args = parser.parse_args()
    if not (args.corpus / "expectations.json").is_file():
        sys.exit(f"error: {args.corpus}: no expectations.json (the shared extmail corpus is not there)")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="extmail-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args.corpus, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "misses"}, ensure_ascii=False))
        return
    print(
        f"mails {result['mails']}: articles {result['articles']}, quarantined {len(result['quarantined'])}, "
        f"lost {len(result['lost'])}"
    )
    for name, reason in result["quarantined"]:
        print(f"  quarantined {name}: {reason}")
    for name in result["lost"]:
        print(f"  LOST {name}")
    print(f"{'field':<12} {'matched':>7} / {'stated':<6}")
    for field, (ok, stated) in result["fields"].items():
        print(f"{field:<12} {ok:>7} / {stated:<6} {100.0 * ok / stated if stated else 100.0:5.1f}%")
    total = result["stated"]
    print(f"{'all':<12} {result['matched']:>7} / {total:<6} {100.0 * result['matched'] / total:5.1f}%")
    if args.misses:
        for name, field, want, got in result["misses"]:
            print(f"MISS {name} {field}: expected {want!r}, stored {got!r}")


if __name__ == "__main__":
    main()
