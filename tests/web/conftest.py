"""Shared set-up of the web page tests: one real desk per test module (module scope: a desk
with its schema takes a while), agents with passwords, and logged-in Starlette test clients
against the real app of :func:`deskframe.web.create_app`."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk, utcnow
from deskframe.plugins import build_plugins
from deskframe.store.schema_templates import SchemaTemplates
from deskframe.store.scratch import scratch_database
from deskframe.testing import BASE_CONFIG, DATABASE_ENV
from deskframe.web import create_app

PASSWORD = "correct horse battery"
#: argon2 with cheap parameters: the tests log in often.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def module_desk(
    tmp_path_factory: pytest.TempPathFactory, deskframe_schema_templates: SchemaTemplates
) -> Iterator[Callable[..., Desk]]:
    """``module_desk(config="", clock=None, timezone=None)``: a desk on a fresh database, closed after the module
    (its schema a copy of the session's migrated one, as ``make_desk`` makes them)."""
    made: list[tuple[Desk, Callable[[], None]]] = []

    def make(config: str = "", clock: Callable[[], dt.datetime] | None = None, timezone: str | None = None) -> Desk:
        root = tmp_path_factory.mktemp("webdesk")
        url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
        path = root / "deskframe.toml"
        base = BASE_CONFIG.format(database=url.replace("\\", "\\\\").replace('"', '\\"'))
        path.write_text(base + (f'timezone = "{timezone}"\n' if timezone else "") + config)
        built = build_plugins(entry_points=True)
        desk = Desk(load_config(path, built.registry), built, clock=clock or utcnow)
        deskframe_schema_templates.upgrade(desk.store)
        made.append((desk, drop))
        return desk

    yield make
    for desk, drop in made:
        desk.close()
        drop()


def set_passwords(desk: Desk, *accounts: tuple[str, str]) -> None:
    """Give each ``(kind, name)`` account the password :data:`PASSWORD` (cheaply hashed)."""
    service = Accounts.of(desk, hasher=CHEAP)
    for kind, name in accounts:
        service.set_password(kind, name, PASSWORD, actor=Actor.operator())


def client(desk: Desk, **kwargs: Any) -> TestClient:
    """A test client of the desk's real app (its accounts hash with :data:`CHEAP` parameters)."""
    app = create_app(desk)
    app.state.accounts = Accounts.of(desk, hasher=CHEAP)
    return TestClient(app, follow_redirects=False, **kwargs)


def logged_in(desk: Desk, login: str, **kwargs: Any) -> TestClient:
    """A test client logged in as agent ``login`` through the login form."""
    web = client(desk, **kwargs)
    answer = web.post("/login", data={"login": login, "password": PASSWORD, "next": "/tickets"})
    assert answer.status_code == 303, answer.text
    return web


def csrf_of(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    found = CSRF.search(html)
    assert found, "the page has no csrf_token field"
    return found.group(1)
