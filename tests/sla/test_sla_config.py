"""Calendar configuration: what is accepted, and errors that name the key."""

import pickle
from datetime import date

import pytest
import tomllib

from deskframe.sla import Calendar, CalendarConfigError

TOML = """
[calendars.moscow-8x5]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
holidays = { country = "RU" }
extra_holidays = ["2026-12-31", 2027-12-31]
extra_workdays = { "2025-11-01" = "10:00-19:00" }

[calendars.always]
hours = "24x7"

[calendars.lunch]
timezone = "Europe/Berlin"
hours = { "mon-fri" = "09:00-12:30, 13:30-18:00", saturday = ["10:00-14:00"] }
holidays = { country = "DE", subdiv = "BY" }
"""


def test_from_toml():
    tables = tomllib.loads(TOML)["calendars"]
    cals = {name: Calendar.from_config(t, name) for name, t in tables.items()}
    m = cals["moscow-8x5"]
    assert m.name == "moscow-8x5" and m.timezone == "Europe/Moscow"
    assert m.to_config() == {
        "timezone": "Europe/Moscow",
        "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "10:00-19:00"),
        "holidays": {"country": "RU"},
        "extra_holidays": ["2026-12-31", "2027-12-31"],
        "extra_workdays": {"2025-11-01": "10:00-19:00"},
    }
    assert cals["always"].to_config() == {"timezone": "UTC", "hours": "24x7"}
    lunch = cals["lunch"].to_config()
    assert lunch["hours"] == {
        **dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "09:00-12:30,13:30-18:00"),
        "sat": "10:00-14:00",
    }
    assert lunch["holidays"] == {"country": "DE", "subdiv": "BY"}
    for name, cal in cals.items():
        assert Calendar.from_config(cal.to_config(), name) == cal
    # Bavaria: Epiphany (Jan 6) is a holiday there
    assert cals["lunch"].frames_on(date(2026, 1, 6)) == []


def test_closed_days_and_wrapping_ranges():
    cal = Calendar(hours={"fri-mon": "10:00-12:00", "tue": "closed", "wed": "", "thu": []})
    assert cal.to_config()["hours"] == dict.fromkeys(("mon", "fri", "sat", "sun"), "10:00-12:00")
    assert Calendar(hours={"mon": "10:00-12:00,12:00-14:00"}).to_config()["hours"] == {"mon": "10:00-14:00"}
    assert Calendar(hours={"mon": "0:00-24:00"}).to_config()["hours"] == {"mon": "00:00-24:00"}


BAD = [
    ({"hours": {"mon": "10:00-9:00"}}, "hours.mon", "bad frame '10:00-9:00' (end before start)"),
    ({"hours": {"mon": "10:00-10:00"}}, "hours.mon", "bad frame '10:00-10:00' (empty)"),
    ({"hours": {"mon": "10-19"}}, "hours.mon", "bad frame '10-19' (expected HH:MM-HH:MM)"),
    ({"hours": {"mon": "10:00-24:30"}}, "hours.mon", "no such time of day"),
    ({"hours": {"mon": "25:00-26:00"}}, "hours.mon", "no such time of day"),
    ({"hours": {"mon": "10:00-19:00,"}}, "hours.mon", "bad frame ''"),
    ({"hours": {"mon": "10:00-13:00,12:00-19:00"}}, "hours.mon", "frames '10:00-13:00' and '12:00-19:00' overlap"),
    ({"hours": {"mon": ["10:00-13:00", 5]}}, "hours.mon[1]", "expected a frame"),
    ({"hours": {"mon": 9}}, "hours.mon", "expected frames"),
    ({"hours": {"mnday": "10:00-19:00"}}, "hours.mnday", "unknown weekday 'mnday'"),
    ({"hours": {"mon-fry": "10:00-19:00"}}, "hours.mon-fry", "unknown weekday 'fry'"),
    ({"hours": {"mon-fri": "10:00-19:00", "fri": "10:00-17:00"}}, "hours.fri", "fri is given more than once"),
    ({"hours": "9x5"}, "hours", "expected '24x7'"),
    ({"hours": {}}, "hours", "no working time on any day"),
    ({"hours": {"mon": "closed"}}, "hours", "no working time on any day"),
    ({}, "hours", "missing"),
    ({"hours": "24x7", "timezone": "Europe/Moskva"}, "timezone", "unknown time zone 'Europe/Moskva'"),
    ({"hours": "24x7", "timezone": "../etc/passwd"}, "timezone", "unknown time zone"),
    ({"hours": "24x7", "timezone": 3}, "timezone", "expected an IANA time zone name"),
    ({"hours": "24x7", "holidays": {"country": "XX"}}, "holidays.country", "unknown country code 'XX'"),
    (
        {"hours": "24x7", "holidays": {"country": "RU", "subdiv": "ZZ"}},
        "holidays.subdiv",
        "unknown subdivision 'ZZ' of RU",
    ),
    ({"hours": "24x7", "holidays": {}}, "holidays.country", "expected a country code"),
    ({"hours": "24x7", "holidays": {"country": "RU", "region": "x"}}, "holidays.region", "unknown key"),
    ({"hours": "24x7", "holidays": ["RU"]}, "holidays", "expected a table"),
    (
        {"hours": "24x7", "extra_holidays": ["2026-02-30"]},
        "extra_holidays[0]",
        "bad date '2026-02-30' (expected YYYY-MM-DD)",
    ),
    ({"hours": "24x7", "extra_holidays": ["2026-01-01", "31.12.2026"]}, "extra_holidays[1]", "bad date '31.12.2026'"),
    ({"hours": "24x7", "extra_holidays": "2026-01-01"}, "extra_holidays", "expected a list of dates"),
    ({"hours": "24x7", "extra_workdays": {"2025-13-01": "10:00-19:00"}}, "extra_workdays.2025-13-01", "bad date"),
    (
        {"hours": "24x7", "extra_workdays": {"2025-11-01": "10:00-9:00"}},
        "extra_workdays.2025-11-01",
        "end before start",
    ),
    ({"hours": "24x7", "extra_workdays": {"2025-11-01": ""}}, "extra_workdays.2025-11-01", "no working frames"),
    ({"hours": "24x7", "extra_workdays": ["2025-11-01"]}, "extra_workdays", "expected a table"),
    (
        {"hours": "24x7", "extra_holidays": ["2025-11-01"], "extra_workdays": {"2025-11-01": "10:00-19:00"}},
        "extra_workdays.2025-11-01",
        "also in extra_holidays",
    ),
    (
        {"hours": "24x7", "workdays": {}},
        "workdays",
        "unknown key (known: timezone, hours, holidays, extra_holidays, extra_workdays)",
    ),
]


@pytest.mark.parametrize(("table", "key", "problem"), BAD)
def test_config_errors_name_the_key(table, key, problem):
    with pytest.raises(CalendarConfigError) as info:
        Calendar.from_config(table, "cal")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.key == key
    assert problem in err.problem
    assert str(err) == f"{key}: {err.problem}"
    assert err.calendar == "cal"


def test_error_message_example_from_the_brief():
    with pytest.raises(CalendarConfigError, match=r"^hours\.mon: bad frame '10:00-9:00' \(end before start\)$"):
        Calendar.from_config({"hours": {"mon": "10:00-9:00"}})


def test_error_pickles():
    err = CalendarConfigError("hours.mon", "bad", "x")
    back = pickle.loads(pickle.dumps(err))
    assert (back.key, back.problem, back.calendar, str(back)) == ("hours.mon", "bad", "x", "hours.mon: bad")


def test_not_a_table():
    with pytest.raises(CalendarConfigError) as info:
        Calendar.from_config(["24x7"], "x")
    assert info.value.key == ""


def test_import_has_no_side_effects():
    import subprocess
    import sys

    code = (
        "import sys, deskframe; before = set(sys.modules); import deskframe.sla; "
        "new = set(sys.modules) - before; print('holidays' in new, 'numpy' in new)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "PYTHONPATH": ":".join(sys.path)},
    )
    assert out.stdout.split() == ["False", "False"]
