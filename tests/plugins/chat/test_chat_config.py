"""The chat channel's config table: errors name channels[i].key; the channel polls nothing."""

from __future__ import annotations

import json

import pytest
from chat_support import SECRET_ENV, chat_config

from deskframe.errors import ConfigError


@pytest.mark.parametrize(
    "keys,key,problem",
    [
        ({"secret_env": "my secret"}, "channels[0].secret_env", "must be an environment variable name"),
        ({"callback_url": "ftp://x.example/"}, "channels[0].callback_url", "must be an http:// or https:// URL"),
        ({"idle_gap": "4 hours"}, "channels[0].idle_gap", "bad duration"),
        ({"idle_gap": "0m"}, "channels[0].idle_gap", "must be more than zero"),
        ({"max_body_bytes": 10}, "channels[0].max_body_bytes", "must be at least 1024"),
        ({"trusted": "yes"}, "channels[0].trusted", "must be true or false"),
        ({"callback_tries": 0}, "channels[0].callback_tries", "must be at least 1"),
        ({"callback_backoff": "1s"}, "channels[0].callback_backoff", "must be a number of seconds"),
        ({"secret": "hunter2"}, "channels[0].secret", "unknown key"),
    ],
)
def test_bad_channel_table_names_the_key(make_desk, keys, key, problem):
    with pytest.raises(ConfigError) as info:
        make_desk(chat_config(**keys))
    assert info.value.key == key and problem in info.value.problem


def test_secret_env_is_required(make_desk):
    with pytest.raises(ConfigError) as info:
        make_desk('[[channels]]\nname = "c"\ntype = "chat"\n')
    assert info.value.key == "channels[0].secret_env" and info.value.problem == "is required"


def test_config_loads_without_the_secret_and_intake_run_accepts_the_channel(make_desk, cli, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    desk = make_desk(chat_config(callback_url="https://chat.example/replies", idle_gap="30m", trusted=True))
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "channel": "site-chat",
            "fetched": 0,
            "created": 0,
            "appended": 0,
            "duplicates": 0,
            "quarantined": 0,
            "stopped": None,
        }
    ]
    result = cli(desk)("plugins")
    assert result.exit_code == 0 and "chat" in result.output
