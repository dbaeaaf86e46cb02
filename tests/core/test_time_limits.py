"""Issue 17, item 6: sanity limits on logged time and invoice periods.

- ``[time] max_per_day`` (validated at load) caps what one agent logs for one work date; an entry
  over it is refused with one line and exit code 1 (the desk's state: what is already logged).
- ``time log --date`` in the future (in the desk's zone) needs ``--allow-future``; exit code 2.
- ``invoice run --period`` of a month that has not ended (in the desk's zone) needs
  ``--allow-open-period``; exit code 2 (the period typed is wrong for a run without the flag).
"""

from __future__ import annotations

import datetime as dt

import pytest

from deskframe.actors import Actor
from deskframe.config import parse_config
from deskframe.errors import ConfigError, DomainError
from deskframe.plugins import build_plugins
from deskframe.testing import Factory

MOSCOW = 'timezone = "Europe/Moscow"\n'


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("25h", "must be at most"),
        ("0m", "must be at least"),
        ("a lot", "max_per_day"),
        (16, "must be a string"),
    ],
)
def test_max_per_day_is_validated_at_load(value: object, problem: str) -> None:
    registry = build_plugins(entry_points=False).registry
    with pytest.raises(ConfigError) as caught:
        parse_config({"time": {"max_per_day": value}}, registry)
    assert caught.value.key == "time.max_per_day" and problem in str(caught.value)


def test_unknown_key_in_time_table_is_named() -> None:
    registry = build_plugins(entry_points=False).registry
    with pytest.raises(ConfigError) as caught:
        parse_config({"time": {"max_per_week": "40h"}}, registry)
    assert caught.value.key == "time.max_per_week"


def test_default_is_a_day() -> None:
    config = parse_config({}, build_plugins(entry_points=False).registry)
    assert config.time.max_per_day == dt.timedelta(hours=24)


@pytest.fixture
def limited(make_desk):  # type: ignore[no-untyped-def]
    desk = make_desk(MOSCOW + '[time]\nmax_per_day = "8h"\n')
    return desk, Factory(desk)


def test_a_day_over_the_limit_is_refused_per_agent_and_date(limited) -> None:  # type: ignore[no-untyped-def]
    desk, factory = limited
    factory.agent("alice")
    factory.agent("bob")
    a, b = factory.ticket(), factory.ticket()
    day = dt.date(2026, 10, 5)
    desk.time.log(a.number, actor=Actor.agent("alice"), minutes=300, date=day)
    desk.time.log(b.number, actor=Actor.agent("alice"), minutes=180, date=day)  # 480 min: exactly the limit
    with pytest.raises(DomainError) as caught:
        desk.time.log(a.number, actor=Actor.agent("alice"), minutes=1, date=day)
    assert caught.value.exit_code == 1
    assert "480 min logged on 2026-10-05" in str(caught.value) and "max_per_day" in str(caught.value)
    desk.time.log(a.number, actor=Actor.agent("bob"), minutes=480, date=day)  # another agent
    desk.time.log(a.number, actor=Actor.agent("alice"), minutes=480, date=day + dt.timedelta(days=1))  # another day
    assert sum(e.minutes for e in desk.time.entries(ticket=a.number)) == 300 + 480 + 480


def test_cli_refuses_a_day_over_the_limit_with_exit_1(limited, cli) -> None:  # type: ignore[no-untyped-def]
    desk, factory = limited
    factory.agent("alice")
    number = factory.ticket().number
    run = cli(desk)
    assert run("time", "log", number, "--agent", "alice", "--minutes", "480", "--date", "2026-10-05").exit_code == 0
    result = run("time", "log", number, "--agent", "alice", "--minutes", "30", "--date", "2026-10-05")
    assert result.exit_code == 1, result.output
    assert result.output.count("Error:") == 1 and "Traceback" not in result.output


def test_future_date_needs_allow_future_in_the_desks_zone(make_desk, cli) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(MOSCOW)
    factory = Factory(desk)
    factory.agent("alice")
    number = factory.ticket().number
    run = cli(desk)
    # 22:30 UTC on 5 October is already 6 October in Moscow: the 6th is today there, the 7th is not
    now = ("--now", "2026-10-05T22:30:00Z")
    base = ("time", "log", number, "--agent", "alice", "--minutes", "5")
    assert run(*now, *base, "--date", "2026-10-06").exit_code == 0
    refused = run(*now, *base, "--date", "2026-10-07")
    assert refused.exit_code == 2, refused.output
    assert "--allow-future" in refused.output and refused.output.count("Error:") == 1
    assert run(*now, *base, "--date", "2026-10-07", "--allow-future").exit_code == 0
    assert [e.work_date.isoformat() for e in desk.time.entries(ticket=number)] == ["2026-10-06", "2026-10-07"]


@pytest.mark.parametrize(
    ("now", "period", "code"),
    [
        ("2026-10-31T20:00:00Z", "2026-10", 2),  # 23:00 in Moscow: October has not ended
        ("2026-10-31T21:00:00Z", "2026-10", 0),  # midnight in Moscow: it has
        ("2026-10-31T21:00:00Z", "2030-01", 2),
        ("2026-10-31T21:00:00Z", "2026-09", 0),
    ],
)
def test_invoice_run_refuses_an_open_period(make_desk, cli, now: str, period: str, code: int) -> None:  # type: ignore[no-untyped-def]
    run = cli(make_desk(MOSCOW))
    result = run("--now", now, "invoice", "run", "--period", period)
    assert result.exit_code == code, result.output
    if code:
        assert "--allow-open-period" in result.output and result.output.count("Error:") == 1
        allowed = run("--now", now, "invoice", "run", "--period", period, "--allow-open-period")
        assert allowed.exit_code == 0, allowed.output
