"""Helpers of the worker tests (fixtures in conftest.py): desks on SQLite or PostgreSQL, Maildirs of many mails, and
``deskframe worker`` processes started as a user (or systemd) starts them."""

from __future__ import annotations

import collections
import email
import email.policy
import json
import os
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.plugins import build_plugins
from deskframe.testing import free_port

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: How long a test waits for workers to do what it expects before it gives up (not a speed bound).
PATIENCE = 180.0


def postgres_url() -> str:
    """The suite's PostgreSQL (``DESKFRAME_TEST_DATABASE_URL``), else the local one; skip if none answers."""
    url = os.environ.get("DESKFRAME_TEST_DATABASE_URL", "")
    url = url if url.startswith("postgresql") else LOCAL_POSTGRES
    try:
        import psycopg

        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {url}: {exc}")
    return url


def mail(n: int, tag: str) -> bytes:
    """Mail number ``n`` of a run: its own sender (one ticket each) and Message-ID."""
    return (
        f"From: Sender {n} <sender{n}@customer.example>\r\nTo: support@desk.example\r\n"
        f"Subject: {tag} mail {n}\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\n"
        f"Message-ID: <{tag}.{n}@customer.example>\r\n\r\nHello, this is mail {n}.\r\n"
    ).encode()


def make_maildir(root: Path, count: int, tag: str) -> Path:
    """A Maildir with ``count`` mails in new/, delivered like an MDA (tmp/, then rename)."""
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for n in range(count):
        name = f"1790000000.M{n:06d}P1.test"
        (root / "tmp" / name).write_bytes(mail(n, tag))
        (root / "tmp" / name).rename(root / "new" / name)
    return root


def channel_toml(box: Path, name: str = "mail") -> str:
    return (
        f'\n[[channels]]\nname = "{name}"\ntype = "email"\nsource = "maildir:{box}"\naddress = "support@desk.example"\n'
    )


class DeskDir:
    """A desk's directory: its config file, and a :class:`Desk` opened on it for checks."""

    def __init__(self, root: Path, url: str):
        self.root = root
        self.config = root / "deskframe.toml"
        self.url = url
        self._desk: Desk | None = None

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            plugins = build_plugins()
            self._desk = Desk(load_config(self.config, plugins.registry), plugins)
        return self._desk

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()


def worker_args(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "deskframe", "--config", str(config), "worker", *args]


def run_worker(config: Path, *args: str, timeout: float = PATIENCE) -> subprocess.CompletedProcess[str]:
    """Run ``deskframe worker ARGS`` to its end (``--once``, or a refusal)."""
    env = dict(os.environ)
    env.pop("DESKFRAME_DATABASE_URL", None)  # the config file names the desk's database
    return subprocess.run(worker_args(config, *args), capture_output=True, text=True, timeout=timeout, env=env)


class Worker:
    """A ``deskframe worker --log-format json`` process; its JSON lines go to a file."""

    def __init__(self, config: Path, log: Path, *args: str, app_name: str | None = None):
        self.log = log
        self.app_name = app_name
        env = dict(os.environ)
        env.pop("DESKFRAME_DATABASE_URL", None)
        if app_name:
            env["PGAPPNAME"] = app_name  # libpq names the worker's sessions: the test finds the lock holder
        self._out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            worker_args(config, "--log-format", "json", *args),
            stdout=self._out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )

    def records(self) -> list[dict]:
        out = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def started(self) -> bool:
        return any(r["event"] == "start" for r in self.records())

    def wait(self, timeout: float = PATIENCE) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()

    def kill(self) -> None:
        self.process.kill()
        self.wait()


def totals(records: list[dict], unit_prefix: str = "intake:") -> collections.Counter:
    """The counts of every run of units named ``unit_prefix...`` added up."""
    total: collections.Counter = collections.Counter()
    for r in records:
        if r.get("event") == "run" and r.get("unit", "").startswith(unit_prefix):
            total.update({k: v for k, v in r["counts"].items() if isinstance(v, int)})
    return total


def wait_for(what: Callable[[], bool], description: str, timeout: float = PATIENCE, every: float = 0.05) -> None:
    """Wait until ``what()`` holds (a deadline only to end the wait, never an assertion on speed)."""
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {description}")
        time.sleep(every)


def unique_tag() -> str:
    return "w" + uuid.uuid4().hex[:10]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 counting the Message-IDs it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(bytes(envelope.original_content), policy=email.policy.default)
        with self._lock:
            self.ids[str(parsed["Message-ID"]).strip("<>")] += 1
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def received(self) -> int:
        with self._lock:
            return sum(self.ids.values())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


def smtp_channel_toml(url: str) -> str:
    """An e-mail channel that sends through ``url`` (its source is never polled: ``--jobs outbox``)."""
    return (
        '\n[[channels]]\nname = "support-mail"\ntype = "email"\nsource = "mbox:/nonexistent/inbox"\n'
        f'address = "support@desk.example"\nsmtp = "{url}"\ntimeout = 5\n'
    )
