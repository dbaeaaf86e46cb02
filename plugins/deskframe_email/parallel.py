"""Parsing mail in worker processes while the main process stores what is already parsed.

Parsing (MIME, charsets, HTML sanitising) is about half of the cost of taking in
a message from a Maildir or mbox; the other half, storing it, must stay in the
one process that holds the write transaction. With ``parse_workers`` (default
``"auto"``: one process per spare core, at most 4) a large backlog is parsed
ahead in chunks by a process pool while the main process stores earlier ones.
Order is kept: messages come out in the order the source gave them, so the
acknowledge-after-commit rule and the crash-safety guarantees do not change.

A pool costs a fraction of a second to start, so it is used only when at least
:data:`POOL_THRESHOLD` messages are waiting; a smaller poll parses in-process.
If a worker dies (killed, out of memory), its chunk is parsed in-process.
"""

from __future__ import annotations

import collections
import datetime as dt
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait as wait_for_any
from typing import Any

import attrs

from deskframe.model import InboundMessage

from .parse import ParseLimits, UnparseableMessage, parse_message
from .sources import LEFT_MARKER

POOL_THRESHOLD = 256  # messages waiting before a pool pays for its start-up
CHUNK = 32  # messages per task sent to a worker
MAX_AUTO_WORKERS = 4

Outcome = tuple[str, Any]  # ("ok", InboundMessage) | ("unparseable", reason) | ("failed", reason)


def worker_count(configured: int | None) -> int:
    """Worker processes for ``parse_workers`` (``None`` = "auto": spare cores, at most 4)."""
    if configured is not None:
        return configured
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(MAX_AUTO_WORKERS, cores - 1))


def parse_one(raw: bytes, channel: str, max_bytes: int, trusted: bool, received_at: dt.datetime | None) -> Outcome:
    """Parse one message; never raises (a failure is an outcome the caller quarantines)."""
    try:
        message = parse_for_channel(raw, channel=channel, max_bytes=max_bytes, trusted=trusted, received_at=received_at)
    except UnparseableMessage as exc:
        return "unparseable", exc.reason
    except Exception as exc:  # a parser bug: the raw bytes are kept in quarantine with this reason
        return "failed", f"parser failed: {type(exc).__name__}: {exc}"
    return "ok", message


def parse_for_channel(
    raw: bytes, *, channel: str, max_bytes: int, trusted: bool, received_at: dt.datetime | None
) -> InboundMessage:
    """Parse one message as an e-mail channel does (limits, trusted flag); raises on bad mail."""
    if raw[: len(LEFT_MARKER) + 1].lower() == (LEFT_MARKER + ":").lower().encode():
        raise UnparseableMessage(
            "only the header was kept: the message is still on the mail server; raise "
            "max_bytes and the next poll takes it in (then drop this entry)"
        )
    message = parse_message(raw, channel=channel, received_at=received_at, limits=ParseLimits(max_bytes=max_bytes))
    return attrs.evolve(message, trusted=True) if trusted else message


def parse_chunk(
    jobs: list[tuple[bytes, dt.datetime | None]], channel: str, max_bytes: int, trusted: bool
) -> list[Outcome]:
    """A worker's task: parse ``jobs`` in order."""
    return [parse_one(raw, channel, max_bytes, trusted, received_at) for raw, received_at in jobs]


def parse_ahead(
    items: Iterator[Any],
    jobs_of: Callable[[Any], tuple[bytes, dt.datetime | None] | None],
    parse_inline: Callable[[Any], Outcome | None],
    workers: int,
    channel: str,
    max_bytes: int,
    trusted: bool,
    *,
    threshold: int | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[tuple[Any, Outcome | None]]:
    """Yield ``(item, outcome)`` for every item of ``items`` in order, parsed by ``workers`` processes.

    ``jobs_of(item)`` is the (raw, received_at) to parse, or None for an item not to
    be parsed (its outcome is then None). Falls back to ``parse_inline`` for
    everything when the backlog is small or no workers are configured.
    """
    threshold = POOL_THRESHOLD if threshold is None else threshold
    ahead: list[Any] = []
    if workers > 0:
        for item in items:
            ahead.append(item)
            if len(ahead) >= threshold:
                break
    if workers <= 0 or len(ahead) < threshold:
        for item in _chain(ahead, items):
            yield item, parse_inline(item)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=end_with_parent
    )
    in_flight: collections.deque[tuple[list[Any], Future[list[Outcome]] | None]] = collections.deque()
    source = _chain(ahead, items)
    finished = False
    try:
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < workers * 3:
                chunk = [item for _, item in zip(range(chunk_size), source)]
                if not chunk:
                    exhausted = True
                    break
                jobs = [job for job in map(jobs_of, chunk) if job is not None]
                try:
                    future = pool.submit(parse_chunk, jobs, channel, max_bytes, trusted) if jobs else None
                except BrokenProcessPool:
                    future = None
                in_flight.append((chunk, future))
            if not in_flight:
                finished = True
                return
            chunk, future = in_flight.popleft()
            outcomes = _results(future)
            parsed = iter(outcomes) if outcomes is not None else None
            for item in chunk:
                if jobs_of(item) is None:
                    yield item, None
                elif parsed is not None:
                    yield item, next(parsed)
                else:
                    yield item, parse_inline(item)
    finally:
        # all parsed: let the workers exit; abandoned midway (an error, a closed generator): don't wait
        pool.shutdown(wait=finished, cancel_futures=True)


def end_with_parent() -> None:
    """A worker's start: end the worker when the process that started it ends. A parent killed
    outright (``kill -9``, out of memory) never tells its workers to stop, and they would wait
    for work for ever, one idle interpreter per killed intake."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_ended, args=(parent.sentinel,), name="end-with-parent", daemon=True).start()


def _exit_when_ended(sentinel: int) -> None:
    wait_for_any([sentinel])  # ready when the parent is gone
    os._exit(1)


def _results(future: Future[list[Outcome]] | None) -> list[Outcome] | None:
    if future is None:
        return None
    try:
        return future.result()
    except BrokenProcessPool:
        return None  # a worker died: parse this chunk here


def _chain(first: Iterable[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest
