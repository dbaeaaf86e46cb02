"""An opt-in pytest plugin for plugin authors (and deskframe's own tests).

Enable it with ``pytest_plugins = ["deskframe.testing"]`` in a ``conftest.py``.

Fixtures:

* ``make_desk(config="", plugins=(), entry_points=True)`` - a Desk on a fresh
  database with ``config`` appended to a minimal ``deskframe.toml``;
* ``desk`` - ``make_desk()`` with defaults;
* ``factory`` - :class:`Factory` making customers, agents, contracts, tickets;
* ``cli`` - ``cli(desk)(*args)`` runs the ``deskframe`` command against a desk.

Helpers: :func:`registered` registers a plugin object for the duration of a
``with`` block; :class:`Clock` is a clock a test sets by hand (``make_desk(clock=Clock(t))``);
:func:`free_port`, :func:`start_serve`, :func:`wait_until_serving` and :func:`stop_serve` run a
real ``deskframe serve`` for a test. Set ``DESKFRAME_TEST_DATABASE_URL`` to a PostgreSQL URL to run
the same tests on PostgreSQL (each desk gets its own schema).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pytest

from .actors import Actor
from .config import load_config
from .desk import Desk, utcnow
from .model import Agent, Contract, Customer, Ticket
from .plugins import build_plugins, build_registry, check_hooks

if TYPE_CHECKING:
    from click.testing import Result

    from .store.schema_templates import SchemaTemplates

DATABASE_ENV = "DESKFRAME_TEST_DATABASE_URL"
BASE_CONFIG = """\
[desk]
database = "{database}"
data_dir = "data"
"""


_P = TypeVar("_P")


class MakeDesk(Protocol):
    """The ``make_desk`` fixture: a Desk on a fresh database, ``config`` appended to a minimal
    ``deskframe.toml``, the installed plugins (``entry_points``) and ``plugins`` registered."""

    def __call__(
        self,
        config: str = "",
        plugins: Iterable[Any] = (),
        entry_points: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> Desk: ...


class RunCli(Protocol):
    """``cli(desk)``: runs ``deskframe ARGS`` against that desk's config and plugins."""

    def __call__(self, *args: str, input: str | None = None) -> Result: ...


def _toml_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class Clock:
    """A desk clock that stands still until the test moves it: ``clock.now = later``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Factory:
    """Makes directory entries and tickets with sensible defaults."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def customer(self, key: str | None = None, name: str | None = None, domains: Iterable[str] = ()) -> Customer:
        key = key or f"customer{self._next()}"
        customer = Customer(key=key, name=name or key.upper(), domains=tuple(domains))
        self.desk.directory.add_customer(customer, actor=Actor.operator())
        return customer

    def agent(self, login: str | None = None, **kwargs: Any) -> Agent:
        """Create an agent; ``access`` defaults to ``admin`` (may do everything, as every agent
        could before roles), so a test of anything but rights acts as it without granting
        queue rights. Pass ``access="agent", queues={...}`` to test rights."""
        login = login or f"agent{self._next()}"
        kwargs.setdefault("access", "admin")
        kwargs.setdefault("name", login.title())
        kwargs.setdefault("email", f"{login}@vendor.example")
        agent = Agent(login=login, **kwargs)
        self.desk.directory.add_agent(agent, actor=Actor.operator())
        return agent

    def contract(self, customer: str | None = None, key: str | None = None, **kwargs: Any) -> Contract:
        customer = customer or self.customer().key
        kwargs.setdefault("support_type", "8x5")
        contract = Contract(key=key or f"{customer}-contract{self._next()}", customer=customer, **kwargs)
        self.desk.directory.add_contract(contract, actor=Actor.operator())
        return contract

    def ticket(
        self, customer: str | None = None, subject: str | None = None, body: str = "Help, please.", **kwargs: Any
    ) -> Ticket:
        """Open a ticket for ``customer`` (a new one by default); ``agent="login"`` opens it as
        that agent, ``actor=`` as any :class:`~deskframe.actors.Actor` (the local operator by default)."""
        if customer is None:
            customer = self.customer().key
        agent = kwargs.pop("agent", None)
        kwargs.setdefault("actor", Actor.operator(agent))
        return self.desk.tickets.open(
            subject=subject or f"Request {self._next()}", body=body, customer=customer, **kwargs
        )


@contextlib.contextmanager
def registered(desk: Desk, plugin: _P, name: str | None = None) -> Iterator[_P]:
    """Register ``plugin`` with ``desk``'s plugin manager inside the block."""
    pm = desk.plugins.pm
    name = pm.register(plugin, name=name)
    before = desk.plugins.registry
    try:
        check_hooks(pm)
        desk.plugins.registry = build_registry(pm)
        yield plugin
    finally:
        pm.unregister(name=name)
        desk.plugins.registry = before


@pytest.fixture(scope="session")
def deskframe_schema_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SchemaTemplates]:
    """The session's :class:`~deskframe.store.schema_templates.SchemaTemplates`: each kind of
    empty desk is migrated once for real, and copied after (see ``make_desk``)."""
    from .store.schema_templates import SchemaTemplates

    templates = SchemaTemplates(tmp_path_factory.mktemp("schema-templates"))
    yield templates
    templates.close()


@pytest.fixture
def make_desk(
    tmp_path_factory: pytest.TempPathFactory, deskframe_schema_templates: SchemaTemplates
) -> Iterator[MakeDesk]:
    """Factory fixture: ``make_desk(config="", plugins=(), entry_points=True, clock=None)``.

    Each desk gets a new database, brought to the newest revision by Alembic for the first
    desk of its kind in the session and by a copy of that schema after (much faster; the
    copy is checked against a real migration by deskframe's own tests). On PostgreSQL a desk's
    schema is emptied and reused by a later desk when nothing but rows changed in it."""
    from .store.scratch import scratch_database

    cleanups: list[Callable[[], None]] = []
    desks: list[Desk] = []

    def make(
        config: str = "",
        plugins: Iterable[Any] = (),
        entry_points: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> Desk:
        root = tmp_path_factory.mktemp("desk")
        url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
        cleanups.append(drop)
        path = root / "deskframe.toml"
        path.write_text(BASE_CONFIG.format(database=_toml_string(url)) + config, encoding="utf-8")
        extra = [(getattr(p, "__name__", None) or f"test-plugin-{i}", p) for i, p in enumerate(plugins)]
        built = build_plugins(entry_points=entry_points, extra=extra)
        desk = Desk(load_config(path, built.registry), built, clock=clock or utcnow)
        deskframe_schema_templates.upgrade(desk.store)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.close()
    for desk in desks:
        deskframe_schema_templates.release(desk.store)
    for drop in cleanups:
        drop()  # a released schema has another name now: nothing to drop


@pytest.fixture
def desk(make_desk: MakeDesk) -> Desk:
    """A Desk on a fresh database with the installed plugins."""
    return make_desk()


@pytest.fixture
def factory(desk: Desk) -> Factory:
    """:class:`Factory` bound to the ``desk`` fixture."""
    return Factory(desk)


@pytest.fixture
def cli() -> Callable[[Desk], RunCli]:
    """``cli(desk)("ticket", "list")`` runs the CLI against that desk's config and plugins."""
    from click.testing import CliRunner

    from .cli import build_cli

    def bind(desk: Desk) -> RunCli:
        def run(*args: str, input: str | None = None) -> Result:
            command = build_cli(desk.plugins)
            config = str(desk.config.path) if desk.config.path else None
            return CliRunner().invoke(command, ["--config", config, *args] if config else list(args), input=input)

        return run

    return bind


def config_path(desk: Desk) -> Path:
    """The ``deskframe.toml`` a test desk was built from."""
    assert desk.config.path is not None
    return desk.config.path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts).

    It is drawn below the kernel's ephemeral range, so an outgoing connection (a database
    client, curl) cannot take it between this call and the server's ``bind``; a port of the
    ephemeral range is the fallback where none below is free."""
    import random
    import socket

    low = _ephemeral_low()
    candidates = random.sample(range(max(1024, low - 12000), low), k=min(64, max(0, low - 1024)))
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux's default where it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def start_serve(config: Path, port: int, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """Start ``deskframe --config CONFIG serve --port PORT ARGS`` (a real uvicorn) in a process
    group of its own, with ``env`` (default: this process's); stop it with :func:`stop_serve`.
    Its output is discarded."""
    import subprocess
    import sys

    return subprocess.Popen(
        [str(Path(sys.executable).parent / "deskframe"), "--config", str(config), "serve", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_until_serving(
    base: str, process: Any, *, timeout: float = 120.0, ready: Callable[[], bool] | None = None
) -> None:
    """Wait until ``GET BASE/healthz`` answers 200 (and ``ready()``, if given, is true); fail if
    ``process`` ends or ``timeout`` seconds pass (generous: a busy CI machine can take many seconds
    to start a Python server)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server for {base} stopped (exit code {process.returncode})"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200 and (ready is None or ready()):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not come up within {timeout:.0f} s")


def stop_serve(process: Any) -> None:
    """SIGTERM a server of :func:`start_serve` (its whole process group) and wait for it."""
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
