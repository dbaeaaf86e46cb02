"""The plugin is found through its entry point; its channel table is checked at config load."""

from __future__ import annotations

import pytest
from telegram_fake import telegram_config

from deskframe.errors import ConfigError


def test_deskframe_plugins_lists_it(desk, cli):
    result = cli(desk)("plugins")
    assert result.exit_code == 0, result.output
    assert "telegram  (deskframe-telegram 0.1.0)" in result.output
    assert "channel_types: telegram" in result.output


@pytest.mark.parametrize(
    ("keys", "where", "problem"),
    [
        ({"token": "123:abc"}, "channels[0].token", "unknown key"),
        ({"poll_timeout": 99}, "channels[0].poll_timeout", "at most 50"),
        ({"poll_timeout": "5"}, "channels[0].poll_timeout", "must be an integer"),
        ({"trusted": "yes"}, "channels[0].trusted", "true or false"),
        ({"send_tries": 0}, "channels[0].send_tries", "at least 1"),
    ],
)
def test_bad_tables_name_the_key(make_desk, keys, where, problem):
    with pytest.raises(ConfigError) as caught:
        make_desk(telegram_config("http://127.0.0.1:1", **keys))
    assert where in str(caught.value) and problem in str(caught.value)


def test_api_base_must_be_http(make_desk):
    with pytest.raises(ConfigError, match=r"channels\[0\]\.api_base: must be an http:// or https:// URL"):
        make_desk(telegram_config("ftp://example.org"))


def test_the_token_itself_is_refused_as_token_env(make_desk):
    config = telegram_config("http://127.0.0.1:1").replace(
        'token_env = "DESKFRAME_TEST_TELEGRAM_TOKEN"', 'token_env = "123456:AAF-real-looking-token"'
    )
    with pytest.raises(ConfigError, match=r"channels\[0\]\.token_env: must be an environment variable name"):
        make_desk(config)


def test_defaults(make_desk):
    from deskframe_telegram.settings import parse_settings

    desk = make_desk(telegram_config("http://127.0.0.1:1/"))
    settings = parse_settings(desk.config.channel("tg"))
    assert settings.api_base == "http://127.0.0.1:1"  # trailing slash dropped
    assert (settings.poll_timeout, settings.trusted, settings.send_tries) == (0, False, 3)
    table = {"name": "x", "type": "telegram", "token_env": "T"}
    assert parse_settings(table).api_base == "https://api.telegram.org"
