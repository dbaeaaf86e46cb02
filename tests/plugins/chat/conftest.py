"""Fixtures for the chat plugin tests (the deskframe.testing fixtures come from tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from chat_support import SECRET, SECRET_ENV, chat_config
from starlette.testclient import TestClient

from deskframe.web import create_app

START = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self, now: dt.datetime = START):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: Any) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return SECRET


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def chat_desk(make_desk: Callable[..., Any], secret_env: str, clock: Clock) -> Callable[..., Any]:
    """``chat_desk(callback_url=None, extra_config="", **channel_keys)`` -> a desk with a ``site-chat`` channel."""

    def make(callback_url: str | None = None, extra_config: str = "", **keys: Any) -> Any:
        return make_desk(chat_config(callback_url, **keys) + extra_config, clock=clock)

    return make


@pytest.fixture
def client_for() -> Callable[[Any], TestClient]:
    return lambda desk: TestClient(create_app(desk))
