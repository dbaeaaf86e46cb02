"""The worker's loop: run each unit when it is due, sleep until the next one, stop cleanly.

SIGTERM and SIGINT ask the worker to stop: the unit running finishes (a channel's poll ends after
the batch it is storing, the outbox after the batch it claimed), its claim is released, and the
worker exits 0. A second signal stops at once (locks go with the connection; outbox leases expire).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import DeskframeError
from .journal import Journal
from .tasks import Task

if TYPE_CHECKING:
    from ..desk import Desk

#: The longest the loop sleeps at a time (a stop request is seen at least this often).
SLICE_SECONDS = 0.5


def worker_id() -> str:
    """``HOST:PID``: names this worker in logs and in its claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    """Runs ``tasks`` on ``desk``, telling ``journal`` what each run did."""

    def __init__(self, desk: Desk, tasks: list[Task], journal: Journal, ident: str):
        self.desk = desk
        self.tasks = tasks
        self.journal = journal
        self.ident = ident
        self.stop = threading.Event()
        #: The name of the signal that asked the worker to stop (None: not asked).
        self.signal_name: str | None = None
        self.runs = 0
        self.failures = 0

    # --- one unit -----------------------------------------------------------------------
    def run_unit(self, task: Task, *, show_skipped: bool = False) -> None:
        """Claim ``task``'s unit, run it (again while it asks to), release the claim. A failure to
        claim (the database is down) is reported like a failed run: the worker goes on."""
        try:
            self._claim_and_run(task, show_skipped)
        except DeskframeError as exc:
            self.runs += 1
            self.failures += 1
            self.journal.run(task.job, task.unit, "failed", {}, 0.0, str(exc))

    def _claim_and_run(self, task: Task, show_skipped: bool) -> None:
        with self.desk.store.locks.hold(task.lock or "") if task.lock else contextlib.nullcontext(True) as got:
            if not got:
                if show_skipped:
                    self.journal.run(task.job, task.unit, "skipped", {}, 0.0, "another worker is running it")
                return
            if task.scheduled is not None and not self._claim_run(task):
                if show_skipped:
                    self.journal.run(task.job, task.unit, "skipped", {}, 0.0, "ran less than its period ago")
                return
            while True:
                counts = self._run_once(task)
                if counts is None or task.again is None or not task.again(counts) or self.stop.is_set():
                    break
            if task.scheduled is not None:
                with self.desk.store.write() as repo:
                    repo.finish_job_run(task.job, self.ident, self.desk.clock())

    def _claim_run(self, task: Task) -> bool:
        assert task.scheduled is not None
        with self.desk.store.write() as repo:
            return repo.claim_job_run(task.job, self.ident, self.desk.clock(), task.scheduled)

    def _run_once(self, task: Task) -> dict[str, Any] | None:
        began = time.monotonic()
        try:
            counts = dict(task.run())
        except Exception as exc:  # one job's failure is reported; the others go on
            self.runs += 1
            self.failures += 1
            error = str(exc) if isinstance(exc, DeskframeError) else f"{type(exc).__name__}: {exc}"
            self.journal.run(task.job, task.unit, "failed", {}, time.monotonic() - began, error)
            return None
        self.runs += 1
        problem = task.failed(counts) if task.failed else None
        if problem:
            self.failures += 1
        self.journal.run(task.job, task.unit, "failed" if problem else "ok", counts, time.monotonic() - began, problem)
        return counts

    # --- the loop -----------------------------------------------------------------------
    def once(self) -> None:
        """Run every unit once (those another worker holds are reported as skipped)."""
        for task in self.tasks:
            if self.stop.is_set():
                break
            self.run_unit(task, show_skipped=True)

    def forever(self) -> None:
        """Run each unit whenever it is due until asked to stop."""
        due = {id(task): time.monotonic() for task in self.tasks}
        while not self.stop.is_set():
            now = time.monotonic()
            ready = [task for task in self.tasks if due[id(task)] <= now]
            for task in ready:
                if self.stop.is_set():
                    break
                self.run_unit(task)
                due[id(task)] = max(due[id(task)] + task.every, time.monotonic())
            if not self.tasks:
                self.stop.wait(SLICE_SECONDS)
                continue
            wait = min(due.values()) - time.monotonic()
            if wait > 0:
                self.stop.wait(min(wait, SLICE_SECONDS))

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """SIGTERM and SIGINT set :attr:`stop` (the second one restores the default: stop now)."""
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def handle(signum: int, _frame: Any) -> None:
            if self.stop.is_set():
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                signal.raise_signal(signum)
                return
            self.signal_name = signal.Signals(signum).name  # said by the loop, not here: no output in a handler
            self.stop.set()

        for sig in previous:
            signal.signal(sig, handle)
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
