"""Helpers of the outbox tests: :class:`Sink` (aiosmtpd on 127.0.0.1, stoppable and restartable on
its port), :class:`Clock`, the desk's configuration and a delivery loop."""

from __future__ import annotations

import collections
import datetime as dt
import email
import email.policy
import json
import threading
import warnings
from typing import Any

from deskframe.testing import free_port

START = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.timezone.utc)


class Sink:
    """A real SMTP server keeping (mail_from, rcpt_tos, bytes) of each message it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[tuple[str, list[str], bytes]] = []
        self._lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def __enter__(self) -> Sink:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def parsed(self) -> list[Any]:
        with self._lock:
            raws = [raw for _, _, raw in self.messages]
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in raws]

    def ids(self) -> collections.Counter[str]:
        """How many times each Message-ID arrived."""
        return collections.Counter(str(m["Message-ID"]).strip().strip("<>") for m in self.parsed())  # may be folded


class Clock:
    """A clock the test moves."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def mail_config(smtp_url: str, outbox: str = "") -> str:
    """A desk with one e-mail channel sending through ``smtp_url`` (and ``[outbox]`` lines)."""
    return (
        "\n[[channels]]\n"
        'name = "support-mail"\ntype = "email"\n'
        f'source = "mbox:/nonexistent/inbox"\naddress = "support@desk.example"\nsmtp = {json.dumps(smtp_url)}\n'
        'from_name = "ACME Support"\ntimeout = 5\n' + (f"\n[outbox]\n{outbox}\n" if outbox else "")
    )


def deliver_all(desk: Any, worker: str = "test-worker", limit: int = 100) -> int:
    """Delivery passes until one claims fewer than ``limit``; how many messages were sent."""
    sent = 0
    while True:
        report = desk.outbox.deliver_pass(worker, limit=limit)
        sent += report.sent
        if report.claimed < limit:
            return sent
