"""Recording a delivery pass's outcomes beside the sending (``Delivery.pipelined``).

The outcome of message k is committed in a thread of its own while the delivery sends the first
steps of message k+1 (for SMTP: ``MAIL``, ``RCPT``, ``DATA``), which the server cannot accept
as a message. Before the step after which it can (the message's bytes), the delivery calls the
gate, :meth:`Recorder.wait`, which returns once every outcome handed over so far is committed.
So the round trips of a commit overlap those of the next message's envelope, and a worker
killed at any moment still leaves at most one message accepted but not recorded (docs/outbox.md,
the crash window).
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
    """Runs ``record(*outcome)`` for each :meth:`submit`-ted outcome, in order, in one thread."""

    def __init__(self, record: Callable[..., None]):
        self._record = record
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._changed = threading.Condition()
        self._submitted = 0
        self._finished = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="deskframe-outbox-recorder", daemon=True)
        self._thread.start()

    def submit(self, *outcome: Any) -> None:
        """Hand one outcome over (recorded after those before it)."""
        with self._changed:
            self._submitted += 1
        self._queue.put(outcome)

    def wait(self) -> None:
        """The gate: return once every outcome handed over is committed; :class:`GateClosed` if
        recording one failed."""
        with self._changed:
            self._changed.wait_for(lambda: self._finished >= self._submitted or self._error is not None)
            if self._error is not None:
                raise GateClosed()

    def close(self) -> None:
        """Record what is still queued, stop the thread, and raise the first recording error."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            outcome = self._queue.get()
            if outcome is None:
                return
            try:
                if self._error is None:  # after a failure nothing more is recorded
                    self._record(*outcome)
            except BaseException as exc:  # handed to the pass's thread by wait() and close()
                with self._changed:
                    self._error = exc
            with self._changed:
                self._finished += 1
                self._changed.notify_all()
