"""The [phone] table: errors name phone.KEY; references into the rest of the file are checked."""

from __future__ import annotations

import datetime as dt

import pytest

from deskframe.errors import ConfigError
from deskframe_phone.settings import format_duration, parse_duration


@pytest.mark.parametrize(
    "phone,key,problem",
    [
        ('[phone]\nwork_request_state = "waiting"\n', "phone.work_request_state", "state 'waiting' is not configured"),
        ('[phone]\nwork_request_state = "open"\n', "phone.work_request_state", "it must be of type 'pending'"),
        (
            '[phone]\nwritten_request_canned = "nope"\n',
            "phone.written_request_canned",
            "unknown canned response 'nope'",
        ),
        ('[phone]\nemail_channel = "mail"\n', "phone.email_channel", "unknown channel 'mail'"),
        ('[phone]\nchannel = "support-mail"\n', "phone.channel", "is the name of a [[channels]] entry"),
        ('[phone]\ndefault_region = "XX"\n', "phone.default_region", "unknown region 'XX'"),
        (
            '[phone]\nwritten_request_template = "Hi {name}"\n',
            "phone.written_request_template",
            "unknown placeholder {name}",
        ),
        (
            '[phone]\nwritten_request_template = "Hi {customer.__class__}"\n',
            "phone.written_request_template",
            "unknown placeholder",
        ),
        ('[phone]\nwritten_request_template = "Hi {"\n', "phone.written_request_template", "bad template"),
        (
            '[phone]\nwritten_request_template = "x"\nwritten_request_canned = "written-request"\n',
            "phone.written_request_template",
            "not both",
        ),
        ('[phone]\nregion = "RU"\n', "phone.region", "unknown key"),
        ('[phone.csv]\ndate_format = "%Q"\n', "phone.csv.date_format", "not a usable strptime format"),
        ('[phone.csv]\ntimezone = "Mars/Base"\n', "phone.csv.timezone", "unknown time zone"),
        ('[phone.csv]\ndelimiter = ";;"\n', "phone.csv.delimiter", "must be one character"),
        ('[phone.csv]\ncaller = "Date"\n', "phone.csv.caller", "column 'Date' is already mapped to date"),
        ('[phone.csv]\nnumber = "Caller"\n', "phone.csv.number", "unknown key"),
    ],
)
def test_bad_phone_table_names_the_key(phone_desk, phone, key, problem):
    with pytest.raises(ConfigError) as info:
        phone_desk(phone=phone)
    assert info.value.key == key and problem in info.value.problem, str(info.value)


def test_state_is_checked_against_the_configured_states(phone_desk):
    with pytest.raises(ConfigError) as info:
        phone_desk(states="")  # default states: no "awaiting written request"
    assert info.value.key == "phone.work_request_state"
    assert 'add "awaiting written request" = "pending" to [tickets.states]' in info.value.problem


def test_full_table_loads(phone_desk):
    desk = phone_desk(
        phone='[phone]\ndefault_region = "de"\nchannel = "calls"\nemail_channel = "support-mail"\n'
        'written_request_canned = "written-request"\n'
        '[phone.csv]\ndate = "Start"\ncaller = "From"\nduration = "Secs"\nagent = "Ext"\n'
        'summary = "Note"\ndate_format = "%d.%m.%Y %H:%M"\ntimezone = "Europe/Berlin"\n'
        'delimiter = ";"\n'
    )
    settings = desk.config.sections["phone"]
    assert (settings.default_region, settings.channel, settings.email_channel) == ("DE", "calls", "support-mail")
    assert settings.csv.columns() == {
        "date": "Start",
        "caller": "From",
        "duration": "Secs",
        "agent": "Ext",
        "summary": "Note",
    }
    assert (settings.csv.timezone, settings.csv.delimiter) == ("Europe/Berlin", ";")


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("5m", 300),
        ("1h30m", 5400),
        ("90s", 90),
        ("305", 305),
        ("0:05:05", 305),
        ("5:05", 305),
        ("1:02:03", 3723),
        ("2m30s", 150),
    ],
)
def test_call_durations(text, seconds):
    assert parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5 minutes", "1:75", "m", "-5m", "5.5m"])
def test_bad_call_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_bare_number_needs_a_unit_on_the_command_line():
    with pytest.raises(ValueError, match="missing unit"):
        parse_duration("5", bare_seconds=False)


@pytest.mark.parametrize(
    "seconds,text", [(300, "5m"), (3900, "1h05m"), (45, "45s"), (150, "2m30s"), (3661, "1h01m01s")]
)
def test_format_duration(seconds, text):
    assert format_duration(dt.timedelta(seconds=seconds)) == text
