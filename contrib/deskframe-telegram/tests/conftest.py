"""deskframe.testing gives the fixtures make_desk, desk, factory and cli; here: a fake Bot API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from telegram_fake import TOKEN, TOKEN_ENV, FakeTelegram, telegram_config

from deskframe_telegram import outbound

pytest_plugins = ["deskframe.testing"]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram(TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return TOKEN


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the pauses between send attempts instead of waiting."""
    pauses: list[float] = []
    monkeypatch.setattr(outbound, "sleep", pauses.append)
    return pauses


@pytest.fixture
def tg_desk(make_desk: Callable[..., Any], fake: FakeTelegram, token_env: str) -> Callable[..., Any]:
    """``tg_desk(extra_config="", **channel_keys)`` -> a desk with a telegram channel ``tg`` on the fake."""

    def make(extra_config: str = "", **keys: Any) -> Any:
        return make_desk(telegram_config(fake.url, **keys) + extra_config)

    return make
