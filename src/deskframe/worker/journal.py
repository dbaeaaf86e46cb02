"""What a worker says it did: a line per unit run, or (``--log-format json``) one JSON object per line.

Text lines are for a terminal or a log file (``13:05:01 intake:mail: fetched 50, created 48``);
JSON lines are for journald and log shippers, with stable keys: ``time`` (UTC, ISO 8601),
``worker`` (``HOST:PID``), ``event`` (``start``, ``run``, ``stop``), and for a run ``job``, ``unit``,
``status`` (``ok``, ``failed``, ``skipped``), ``counts``, ``seconds`` and, when it failed, ``error``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from ..text import clean_line


class Journal:
    """Writes the worker's events through ``write`` (one line each) in ``fmt`` (``text`` or ``json``)."""

    def __init__(self, fmt: str, worker_id: str, write: Callable[[str], None], zone: dt.tzinfo | None = None):
        self.fmt = fmt
        self.worker_id = worker_id
        self.write = write
        self.zone = zone

    def _emit(self, event: str, text: str, **fields: Any) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        if self.fmt == "json":
            record = {"time": now.isoformat(timespec="seconds"), "worker": self.worker_id, "event": event, **fields}
            self.write(json.dumps(record, ensure_ascii=False, default=str))
        else:
            self.write(clean_line(f"{now.astimezone(self.zone):%H:%M:%S} {text}"))

    def start(self, jobs: list[str], units: list[str], once: bool) -> None:
        mode = "once" if once else "until stopped (SIGTERM or Ctrl-C)"
        self._emit(
            "start",
            f"worker {self.worker_id}: {', '.join(units) or 'nothing to do'} - {mode}",
            jobs=jobs,
            units=units,
            once=once,
        )

    def run(
        self, job: str, unit: str, status: str, counts: Mapping[str, Any], seconds: float, error: str | None = None
    ) -> None:
        shown = {k: v for k, v in counts.items() if v is not None}
        if status == "skipped":
            text = f"{unit}: skipped ({error})"
        else:
            figures = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in shown.items()) or "done"
            text = f"{unit}: {figures} ({seconds:.1f}s)" + (f" - failed: {error}" if error else "")
        fields: dict[str, Any] = {"job": job, "unit": unit, "status": status, "counts": shown}
        fields["seconds"] = round(seconds, 3)
        if error:
            fields["error"] = error
        self._emit("run", text, **fields)

    def stop(self, runs: int, failures: int, signal_name: str | None = None) -> None:
        why = f" on {signal_name}" if signal_name else ""
        self._emit(
            "stop",
            f"worker {self.worker_id}: stopped{why} ({runs} runs, {failures} failed)",
            runs=runs,
            failures=failures,
            signal=signal_name,
        )
