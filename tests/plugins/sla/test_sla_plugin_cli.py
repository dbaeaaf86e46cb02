"""``deskframe oncall who``."""

from __future__ import annotations

import json

import pytest

CONFIG = """timezone = "Europe/Moscow"

[oncall.night]
timezone = "Europe/Moscow"
shift = "19:00-10:00"
agents = ["carol", "dave"]
rotation = "1w"
start = "2026-01-05"

[oncall.berlin]
timezone = "Europe/Berlin"
shift = "09:00-17:00"
agents = ["hans"]
rotation = "1d"
start = "2026-01-01"
"""


@pytest.fixture
def who(make_desk, cli):
    run = cli(make_desk(CONFIG))
    return lambda *args: run("oncall", "who", *args)


def test_json_for_one_instant(who):
    result = who("--at", "2026-01-05T20:00:00+03:00", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "rotation": "night",
            "timezone": "Europe/Moscow",
            "shift": "19:00-10:00",
            "at": "2026-01-05T17:00:00+00:00",
            "agent": "carol",
            "shift_start": "2026-01-05T16:00:00+00:00",
            "shift_end": "2026-01-06T07:00:00+00:00",
            "next_agent": "carol",
            "next_shift_start": "2026-01-06T16:00:00+00:00",
        },
        {
            "rotation": "berlin",
            "timezone": "Europe/Berlin",
            "shift": "09:00-17:00",
            "at": "2026-01-05T17:00:00+00:00",
            "agent": None,
            "shift_start": None,
            "shift_end": None,
            "next_agent": "hans",
            "next_shift_start": "2026-01-06T08:00:00+00:00",
        },
    ]


def test_rotation_filter_naive_and_utc_times(who):
    # a naive --at is in the desk's time zone (Moscow): Monday 19:30 of the second week
    rows = json.loads(who("--at", "2026-01-12T19:30", "--rotation", "night", "--format", "json").stdout)
    assert [(r["rotation"], r["agent"]) for r in rows] == [("night", "dave")]
    rows = json.loads(who("--at", "2026-01-12T09:00Z", "--rotation", "berlin", "--format", "json").stdout)
    assert [(r["rotation"], r["agent"], r["shift_end"]) for r in rows] == [
        ("berlin", "hans", "2026-01-12T16:00:00+00:00")
    ]


def test_table(who):
    result = who("--at", "2026-01-06T03:00:00+03:00")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ROTATION", "AGENT", "SHIFT", "UNTIL", "NEXT"]
    assert lines[1].split()[:4] == ["night", "carol", "19:00-10:00", "Europe/Moscow"]
    assert "2026-01-06 10:00" in lines[1]
    assert lines[2].split()[:2] == ["berlin", "-"] and "hans at 2026-01-06 09:00" in lines[2]


def test_errors_are_one_line(who):
    unknown = who("--rotation", "day")
    assert unknown.exit_code == 2 and "unknown rotation 'day' (configured: night, berlin)" in unknown.stderr
    bad = who("--at", "yesterday")
    assert bad.exit_code == 2 and "bad --at 'yesterday'" in bad.stderr


def test_without_rotations(make_desk, cli):
    run = cli(make_desk())
    assert json.loads(run("oncall", "who", "--format", "json").stdout) == []
    assert "No on-call rotations configured" in run("oncall", "who").stdout
