"""Sending a delivery pass's messages of one kind through its delivery's sessions.

:func:`send_in_sessions` opens ``count`` sessions of a :class:`~deskframe.outbound.Delivery` (one
SMTP connection each, for the e-mail delivery) and lets each one take the pass's next message
until none is left: with ``count`` above one, each session runs in a thread of its own, side by
side. That is allowed only for a pipelined delivery with ``parallel=True``: every session's
``ready()`` is the one gate of the pass (:class:`~.outbox_recorder.Recorder`), so the sessions
take turns for the step after which a message can be accepted, and the pass still has at most one
message accepted but not recorded at any moment (docs/outbox.md, the crash window).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ..outbound import DeliveryError, OutboundMessage, OutboxEntry
from .outbox_recorder import GateClosed, Recorder

#: Records one outcome (``None``: sent) of a message of the pass.
Record = Callable[[OutboxEntry, DeliveryError | None], None]


class _Queue:
    """The pass's messages, handed out one at a time to the sessions."""

    def __init__(self, entries: Sequence[OutboxEntry]):
        self._entries: Iterator[OutboxEntry] = iter(entries)
        self._lock = threading.Lock()

    def take(self) -> OutboxEntry | None:
        with self._lock:
            return next(self._entries, None)


def send_in_sessions(
    open_session: Callable[[Any], AbstractContextManager[Callable[..., None]]],
    desk: Any,
    entries: Sequence[OutboxEntry],
    *,
    turn: Callable[[OutboxEntry], bool],
    record: Record,
    recorder: Recorder | None,
    count: int = 1,
) -> None:
    """Send ``entries`` through ``count`` sessions of ``open_session(desk)``, each message once.

    ``turn(entry)`` says whether to send a message now (else it is left to the pass to give back);
    each outcome goes to ``recorder`` (a pipelined delivery: its sessions' ``ready()`` is
    :meth:`Recorder.enter`) or else to ``record`` at once. Messages a session had not sent when it
    failed to open (or close) share that error. A recording that failed ends every session before
    its next message can be accepted; the recorder's ``close()`` raises it (the caller's)."""
    pending = _Queue(entries)
    failures: list[BaseException] = []
    running = [count]  # sessions still sending; the last one to fail takes the messages left with it
    lock = threading.Lock()

    def done(entry: OutboxEntry, error: DeliveryError | None, gated: bool = False) -> None:
        if recorder is not None:
            recorder.submit(entry, error, gated=gated)
        else:
            record(entry, error)

    def session() -> None:
        entry: OutboxEntry | None = None
        try:
            with open_session(desk) as send:
                while recorder is None or not recorder.failed:
                    entry = pending.take()
                    if entry is None:
                        break
                    if turn(entry):
                        if recorder is None:
                            done(entry, attempt(send, entry.message))
                        else:
                            done(entry, *_gated_send(send, recorder, entry.message))
                    entry = None
        except GateClosed:  # recording an outcome failed: the recorder's close() raises it
            pass
        except Exception as exc:  # opening or closing the session failed: its messages share the error
            error = exc if isinstance(exc, DeliveryError) else DeliveryError(f"{type(exc).__name__}: {exc}")
            left = [entry] if entry is not None else []
            with lock:
                running[0] -= 1
                last = running[0] == 0
            while last and (more := pending.take()) is not None:
                left.append(more)
            for each in left:
                done(each, error)
            return
        except BaseException as exc:  # a bug or an interrupt: the pass ends with it
            failures.append(exc)
        with lock:
            running[0] -= 1

    if count <= 1:
        session()
    else:
        threads = [
            threading.Thread(target=session, name=f"deskframe-outbox-session-{n}", daemon=True) for n in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]


def _gated_send(
    send: Callable[..., None], recorder: Recorder, message: OutboundMessage
) -> tuple[DeliveryError | None, bool]:
    """Send one message of a pipelined session: its outcome, and whether it took the gate (its
    outcome, once committed, opens the gate again)."""
    entered = False

    def ready() -> None:
        nonlocal entered
        if not entered:
            recorder.enter()
            entered = True

    try:
        return attempt(lambda m: send(m, ready), message), entered
    except BaseException as exc:  # GateClosed at ready(), or an interrupt escaping the delivery
        if entered:
            recorder.abandon(exc)
        raise


def attempt(send: Callable[[OutboundMessage], Any], message: OutboundMessage) -> DeliveryError | None:
    """Call ``send(message)``; ``None`` if it returned, else the error (any exception counts as temporary)."""
    try:
        send(message)
    except DeliveryError as exc:
        return exc
    except Exception as exc:  # a delivery's bug or an unexpected transport error: retry, then fail visibly
        return DeliveryError(f"{type(exc).__name__}: {exc}")
    return None
