"""Progress display for long-running commands: a bar on a terminal, silence otherwise."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

import click


@contextlib.contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar on stderr only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield lambda n=1: None
        return
    with click.progressbar(length=total or 0, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update
