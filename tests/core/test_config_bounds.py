"""Issue 18, defect 3: config values that passed start-up and crashed later are refused at load.

Each case is a value that used to load and then failed at intake, invoicing or on the
first ticket (OverflowError, decimal.InvalidOperation, PostgreSQL DataError, a 49-line
ValueError). Now loading it gives one ConfigError naming the key; through the CLI that
is one line and exit code 2. Values at the limit still load and work.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.actors import Actor
from deskframe.cli import build_cli
from deskframe.config import parse_config
from deskframe.errors import ConfigError
from deskframe.plugins import build_plugins

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PLANT = "s3cr3tPLANT"
MAILDIR = '[[channels]]\nname = "mail"\ntype = "email"\nsource = "maildir:mail"\naddress = "help@vendor.example"\n'
CHAT = '[[channels]]\nname = "chat"\ntype = "chat"\nsecret_env = "CHAT_SECRET"\n'
ONCALL = '[oncall.night]\ntimezone = "UTC"\nshift = "19:00-10:00"\nagents = ["alice"]\n'
HOURLY = '[pricing.std]\nmodel = "hourly"\ncurrency = "RUB"\n'

#: (id, TOML, key the error must name, words the problem must contain)
CASES = [
    (
        "db-port-letters",
        f'[desk]\ndatabase = "postgresql+psycopg://u:{PLANT}@127.0.0.1:abc/x"\n',
        "desk.database",
        "port",
    ),
    ("db-port-range", '[desk]\ndatabase = "postgresql+psycopg://u@127.0.0.1:99999/x"\n', "desk.database", "65535"),
    ("db-ipv6-broken", f'[desk]\ndatabase = "postgresql+psycopg://u:{PLANT}@[::1/x"\n', "desk.database", "port"),
    ("email-interval-int64", MAILDIR + "interval = 9223372036854775807\n", "channels[0].interval", "at most"),
    ("email-interval-weeks", MAILDIR + 'interval = "99999999w"\n', "channels[0].interval", "at most"),
    ("email-max-bytes", MAILDIR + "max_bytes = 9223372036854775807\n", "channels[0].max_bytes", "at most"),
    ("chat-idle-gap", CHAT + 'idle_gap = "999999999d"\n', "channels[0].idle_gap", ""),
    (
        "channel-name-nul",
        '[[channels]]\nname = "m\\u0000x"\ntype = "chat"\nsecret_env = "S"\n',
        "channels[0].name",
        "control",
    ),
    (
        "rate-1e27",
        HOURLY + 'rates = { default = "1000000000000000000000000000" }\n',
        "pricing.std.rates.default",
        "below",
    ),
    (
        "rate-many-places",
        HOURLY + 'rates = { default = "1.00000000000000000000000000001" }\n',
        "pricing.std.rates.default",
        "digits after the point",
    ),
    (
        "multiplier-huge",
        HOURLY + 'rates = { default = "100" }\nmultipliers = { weekend = "1000000000" }\n',
        "pricing.std.multipliers.weekend",
        "at most",
    ),
    (
        "increment-huge",
        HOURLY + 'rates = { default = "100" }\nincrement = "99999999w"\n',
        "pricing.std.increment",
        "at most",
    ),
    ("default-queue-300", f'[tickets]\ndefault_queue = "{"q" * 300}"\n', "tickets.default_queue", "at most 200"),
    ("default-queue-nul", '[tickets]\ndefault_queue = "sup\\u0000port"\n', "tickets.default_queue", "control"),
    ("unknown-queue-esc", '[tickets]\nunknown_queue = "\\u001b[2Junknown"\n', "tickets.unknown_queue", "control"),
    (
        "state-name-long",
        f'[tickets.states]\nnew = "new"\nopen = "open"\nclosed = "closed"\n"{"w" * 101}" = "pending"\n',
        "tickets.states",
        "at most 100",
    ),
    ("series-60", f'[billing]\nseries = "{"S" * 60}"\n', "billing.series", "at most 20"),
    ("credit-series-long", f'[billing]\ncredit_series = "{"C" * 21}"\n', "billing.credit_series", "at most 20"),
    ("tax-exponent", '[billing]\ntax_rate = "1e-30"\n', "billing.tax_rate", ""),
    ("tax-long", f'[billing]\ntax_rate = "0.{"1" * 50}"\n', "billing.tax_rate", ""),
    ("vendor-nul", '[billing.vendor]\nname = "ACME\\u0000"\n', "billing.vendor.name", "control"),
    (
        "attachment-max-int64",
        "[desk]\nattachment_max_bytes = 9223372036854775807\n",
        "desk.attachment_max_bytes",
        "at most",
    ),
    (
        "sla-target-huge",
        '[sla.gold]\ntype = "targets"\ncalendar = "always"\n[sla.gold.targets.P1]\nfirst_response = "99999999w"\n',
        "sla.gold.targets.P1.first_response",
        "at most",
    ),
    ("sla-name-long", f'[sla.{"g" * 101}]\ntype = "targets"\n', "sla", "at most 100"),
    ("canned-name-esc", '[canned."a\\u001bb"]\nbody = "hi"\n', "canned", "control"),
    ("subject-hook-long", f'[tickets]\nsubject_hook = "{"H" * 41}"\n', "tickets.subject_hook", "at most 40"),
    ("otrs-unit-huge", '[import.otrs]\nunit_minutes = "1e30"\n', "import.otrs.unit_minutes", "below"),
    ("otrs-system-id", '[import.otrs]\nsystem_id = "١٢"\n', "import.otrs.system_id", "digits"),
    ("oncall-start-year-1", ONCALL + "start = 0001-01-01\n", "oncall.night.start", "between"),
    (
        "oncall-rotation-huge",
        ONCALL + 'start = 2026-01-05\nrotation = "99999999w"\n',
        "oncall.night.rotation",
        "at most",
    ),
    ("phone-channel-nul", '[phone]\nchannel = "ph\\u0000one"\n', "phone.channel", "control"),
    (
        "phone-subject-long",
        f'[phone]\nwritten_request_subject = "{"s" * 1001}"\n',
        "phone.written_request_subject",
        "at most 1000",
    ),
]


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return build_plugins().registry


@pytest.mark.parametrize("case_id,text,key,words", CASES, ids=[c[0] for c in CASES])
def test_value_out_of_bounds_is_a_config_error_naming_the_key(
    registry, tmp_path: Path, case_id: str, text: str, key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(tomllib.loads(text), registry, path=tmp_path / "deskframe.toml")
    error = info.value
    assert error.key is not None and error.key.startswith(key), (error.key, str(error))
    assert words in error.problem, str(error)
    assert PLANT not in str(error)
    assert "\n" not in str(error) and "\x00" not in str(error) and "\x1b" not in str(error)


@pytest.mark.parametrize(
    "case_id", ["db-port-letters", "email-interval-int64", "rate-1e27", "default-queue-nul", "series-60"]
)
def test_through_the_cli_one_line_exit_2(tmp_path: Path, case_id: str) -> None:
    text = next(c[1] for c in CASES if c[0] == case_id)
    path = tmp_path / "deskframe.toml"
    path.write_text(
        f'[desk]\ndatabase = "sqlite:///{tmp_path}/d.db"\n' + text if not text.startswith("[desk]") else text,
        encoding="utf-8",
    )
    result = CliRunner().invoke(build_cli(build_plugins()), ["--config", str(path), "ticket", "list"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.output
    assert PLANT not in result.output


def test_values_at_the_limits_load(registry, tmp_path: Path) -> None:
    text = (
        f'[tickets]\ndefault_queue = "{"q" * 200}"\nsubject_hook = "{"H" * 40}"\n'
        f'[billing]\nseries = "{"S" * 20}"\ntax_rate = "12.3456%"\n'
        + MAILDIR
        + f"interval = {7 * 24 * 3600}\n"
        + HOURLY
        + 'rates = { default = "999999999999.999999" }\nmultipliers = { weekend = "100" }\n'
    )
    config = parse_config(tomllib.loads(text), registry, path=tmp_path / "deskframe.toml")
    assert config.tickets.default_queue == "q" * 200 and config.billing.series == "S" * 20


def test_a_200_character_queue_works(make_desk) -> None:  # type: ignore[no-untyped-def]
    """At the limit, on the configured database (PostgreSQL too): a ticket lands in the queue."""
    desk = make_desk(f'[tickets]\ndefault_queue = "{"q" * 200}"\n[billing]\nseries = "{"S" * 20}"\n')
    ticket = desk.tickets.open(subject="Hi", body="Help", actor=Actor.operator())
    assert ticket.queue == "q" * 200


def test_bound_helpers_are_public() -> None:
    from deskframe import bounds

    assert bounds.check_int(5, 1, 10) == 5
    with pytest.raises(ValueError, match="at most 10"):
        bounds.check_int(11, 1, 10)
    with pytest.raises(ValueError, match="control"):
        bounds.check_name("a\x00b")
    assert bounds.parse_id("42") == 42
    assert bounds.parse_id("99999999999999999999999") is None
    assert bounds.parse_id("٤٢") is None and bounds.parse_id("0") is None


def test_invoicing_at_the_limits(make_desk, factory) -> None:  # type: ignore[no-untyped-def]
    """The largest rate, a day per entry and a 20-character series: drafted and issued (PostgreSQL too)."""
    import datetime as dt

    desk = make_desk(
        f'[billing]\nseries = "{"S" * 20}"\ntax_rate = "99.9999%"\n'
        + HOURLY
        + 'rates = { default = "999999999999.999999" }\nmultipliers = { weekend = "100" }\n'
    )
    factory = type(factory)(desk)
    customer = factory.customer("acme").key
    factory.contract(customer, key="acme-1", pricing="std")
    factory.agent("alice")
    ticket = desk.tickets.open(subject="Big", body="work", customer=customer, actor=Actor.operator())
    desk.tickets.estimate(
        ticket.number, hours=__import__("decimal").Decimal("99999.99"), approve=True, actor=Actor.operator()
    )
    for day in (3, 4, 5):  # Saturday, Sunday (weekend multiplier), Monday
        desk.time.log(ticket.number, actor=Actor.agent("alice"), minutes=1440, date=dt.date(2026, 10, day))
    desk.billing.run("2026-10", actor=Actor.operator())
    [invoice] = desk.billing.issue(period="2026-10", actor=Actor.operator())
    assert invoice.number == f"{'S' * 20}-{desk.local_date().year}-00001"
    assert invoice.total.amount > 10**15
