"""Parse-only speed of ``deskframe_email.parse.parse_message`` over a directory of .eml files.

    python tests/plugins/email/bench_parse.py /tmp/peers-corpus [--repeat 3]

Make the corpus with ``python ../shared/peers/gen_corpus.py /tmp/peers-corpus -n 2000 --seed 42``.
Files are read into memory first; only parsing is timed. For a same-machine
reference it also times the parse step of ``shared/peers/stdlib_floor.py``
(stdlib ``BytesParser(policy=default)``, ``get_body``, ``iter_attachments``).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from deskframe_email.parse import parse_message


def stdlib_floor_parse(raw: bytes) -> tuple:
    """The parse step of the peers' stdlib floor (same calls, from bytes in memory)."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    subject = str(msg.get("subject", ""))
    body_part = msg.get_body(("plain", "html"))
    body = body_part.get_content() if body_part is not None else ""
    atts = [
        (p.get_filename() or "part", p.get_content_type(), p.get_payload(decode=True)) for p in msg.iter_attachments()
    ]
    return (
        re.sub(r"^(re|fw|fwd):\s*", "", subject, flags=re.I),
        parseaddr(str(msg.get("from", "")))[1],
        str(msg.get("message-id", "")),
        body,
        atts,
    )


def rate(raws: list[bytes], parse, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for raw in raws:
            parse(raw)
        runs.append(len(raws) / (time.perf_counter() - start))
    return statistics.median(runs), runs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    raws = [p.read_bytes() for p in sorted(args.corpus.glob("*.eml"))]
    ours, our_runs = rate(raws, lambda raw: parse_message(raw, channel="email"), args.repeat)
    floor, floor_runs = rate(raws, stdlib_floor_parse, args.repeat)
    print(f"{len(raws)} messages, {sum(map(len, raws)) / 1e6:.1f} MB, median of {args.repeat} runs")
    print(f"parse_message:        {ours:8.1f} msg/s  (runs {', '.join(f'{r:.1f}' for r in our_runs)})")
    print(f"stdlib floor parse:   {floor:8.1f} msg/s  (runs {', '.join(f'{r:.1f}' for r in floor_runs)})")
    print("reference: peers README stdlib floor incl. SQLite inserts, one transaction: 688 msg/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
