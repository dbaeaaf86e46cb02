"""Recording a delivery pass's outcomes beside the sending, behind the pass's gate (``Delivery.pipelined``).

A pipelined delivery calls ``ready()`` right before the step after which the far side can accept
the message (for SMTP: the dot that ends its bytes). ``ready()`` is :meth:`Recorder.enter`: it
takes the pass's gate, which is free only while no message of the pass is between its ``ready()``
and the commit of its outcome. The outcome of a message that took the gate is committed (in the
recorder's thread, or by its session: ``inline``), and then the gate opens again. So a worker killed at any moment leaves at
most one message accepted but not recorded (docs/outbox.md, the crash window), however many
sessions of the pass send side by side (``[outbox] sessions``): while one message is in the gate,
the other sessions send their envelopes and bytes; with one session, its next envelope goes out
while the outcome is committed in the recorder's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any


class GateClosed(BaseException):
    """Raised at the gate when recording an earlier outcome failed: the message waiting there is
    not sent, and the pass ends with the recording's error. A ``BaseException``, so a delivery's
    ``except Exception`` does not take it for a transport error of the message."""


class Recorder:
    """Runs ``record(*outcome)`` for each :meth:`submit`-ted outcome, in order, in one thread, and
    keeps the gate (:meth:`enter`) closed from a message's ``ready()`` to its outcome's commit.

    ``inline=True``: no thread; :meth:`submit` records the outcome in the caller's thread (one at a
    time) and returns once it is committed. For several sessions: the gate then opens one thread
    hand-off sooner, and the other sessions keep the server busy meanwhile."""

    def __init__(self, record: Callable[..., None], *, inline: bool = False):
        self._record = record
        self._queue: queue.SimpleQueue[tuple[tuple[Any, ...], bool] | None] = queue.SimpleQueue()
        self._gate = threading.Lock()
        self._writing = threading.Lock()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if not inline:
            self._thread = threading.Thread(target=self._run, name="deskframe-outbox-recorder", daemon=True)
            self._thread.start()

    @property
    def failed(self) -> bool:
        """Whether recording an outcome failed (the pass sends nothing more)."""
        return self._error is not None

    def enter(self) -> None:
        """The gate: wait until no other message is between its ``enter()`` and its committed
        outcome, then hold the gate until this message's outcome (``submit(..., gated=True)``) is
        committed. :class:`GateClosed` if recording an outcome failed."""
        self._gate.acquire()
        if self._error is not None:
            self._gate.release()
            raise GateClosed()

    def submit(self, *outcome: Any, gated: bool = False) -> None:
        """Hand one outcome over (recorded after those before it); ``gated``: its message holds
        the gate, which opens once the outcome is committed."""
        if self._thread is not None:
            self._queue.put((outcome, gated))
            return
        with self._writing:
            self._one(outcome, gated)

    def abandon(self, error: BaseException) -> None:
        """A message holding the gate ended without an outcome (``error`` escaped its delivery):
        it may have been accepted, so the pass sends nothing more; the gate opens to say so."""
        if self._error is None:
            self._error = error
        self._gate.release()

    def close(self) -> None:
        """Record what is still queued, stop the thread, and raise the first recording error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._one(*item)

    def _one(self, outcome: tuple[Any, ...], gated: bool) -> None:
        try:
            if self._error is None:  # after a failure nothing more is recorded
                self._record(*outcome)
        except BaseException as exc:  # handed to the senders by enter() and to the pass by close()
            self._error = exc
        finally:
            if gated:
                self._gate.release()
