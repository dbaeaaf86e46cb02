"""Progress display for long-running commands: a bar on a terminal, silence otherwise."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click


@contextlib.contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar on stderr only when stderr is a terminal."""
    if not sys.stderr.isatty():

        def ignore(n: int = 1) -> None:
            pass

        yield ignore
        return
    if total is None:  # unknown length: a running count
        done = 0

        def count(n: int = 1) -> None:
            nonlocal done
            done += n
            click.echo(f"\r{label}: {done}", file=sys.stderr, nl=False)

        try:
            yield count
        finally:
            if done:
                click.echo("", file=sys.stderr)
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield bar.update
