"""``deskframe plugin new``: write a plugin distribution that installs and passes its own tests.

:func:`scaffold` writes ``DIRECTORY/deskframe-NAME/`` for one of :data:`KINDS`::

    pyproject.toml            setuptools; entry point  [project.entry-points.deskframe] NAME = "deskframe_NAME"
    README.md                 what it does, how to configure, install and test it
    src/deskframe_NAME/__init__.py   a working minimal implementation of the kind
    tests/conftest.py         pytest_plugins = ["deskframe.testing"]
    tests/test_NAME.py        tests that pass straight away (through the installed entry point)

NAME (lowercase letters, digits, single hyphens) is also what the plugin registers, so it
must not clash with an installed plugin. Templates are string constants in which only
``@@TOKENS@@`` are replaced; an implementation's docstring doubles as its README's text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping

from .errors import DeskframeError

#: What ``--kind`` accepts, and what each kind registers (registry kind of ``deskframe plugins``).
KINDS: dict[str, str] = {
    "channel": "channel_types",
    "sla-policy": "sla_policies",
    "pricing-model": "pricing_models",
    "output-format": "output_formats",
    "command": "commands",
}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
MAX_NAME = 40


class ScaffoldError(DeskframeError):
    """A plugin name or target directory ``deskframe plugin new`` cannot use."""


def package_name(name: str) -> str:
    """The import package of plugin ``name``: ``acme-inbox`` -> ``deskframe_acme_inbox``."""
    return "deskframe_" + name.replace("-", "_")


def check_name(name: str, taken: Iterable[str] | Mapping[str, str] = ()) -> str:
    """Return ``name`` if it can name a plugin, else raise :class:`ScaffoldError` saying why.

    ``taken``: names in use, or a mapping of them to who uses them ("the installed plugin 'email'").
    """
    if not isinstance(name, str) or not name:
        raise ScaffoldError("plugin name must not be empty")
    if name.startswith("deskframe-") or name.startswith("deskframe_"):
        raise ScaffoldError(f"plugin name {name!r}: leave out the 'deskframe-' prefix "
                            f"(the distribution is called deskframe-NAME already)")
    if len(name) > MAX_NAME:
        raise ScaffoldError(f"plugin name {name!r} is too long ({len(name)} characters, at most {MAX_NAME})")
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(f"plugin name {name!r} is not valid: use lowercase letters, digits and single "
                            f"hyphens, starting with a letter (e.g. 'acme-inbox')")
    used = taken if isinstance(taken, Mapping) else dict.fromkeys(taken, "an installed plugin or command")
    if name in used:
        raise ScaffoldError(f"plugin name {name!r} is taken by {used[name]}; choose another")
    return name


def scaffold(name: str, kind: str, directory: Path, *, taken: Iterable[str] | Mapping[str, str] = ()) -> Path:
    """Write the plugin distribution ``directory/deskframe-NAME`` of ``kind``; return its path.

    ``taken`` lists names already in use (installed plugins, registered names of
    that kind, core commands). An existing target is never overwritten.
    """
    check_name(name, taken)
    if kind not in KINDS:
        raise ScaffoldError(f"unknown plugin kind {kind!r} (known: {', '.join(KINDS)})")
    root = Path(directory) / f"deskframe-{name}"
    if root.exists():
        raise ScaffoldError(f"{root} already exists; not overwriting it (remove it or choose another --dir)")
    package = package_name(name)
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README_HEAD + _docstring(IMPLEMENTATION[kind]) + README_TAIL,
        f"src/{package}/__init__.py": IMPLEMENTATION[kind],
        "tests/conftest.py": CONFTEST,
        f"tests/test_{name.replace('-', '_')}.py": TESTS[kind],
    }
    dependencies = ", ".join(f'"{d}"' for d in ("deskframe", *EXTRA_DEPENDENCIES.get(kind, ())))
    values = {"@@NAME@@": name, "@@PACKAGE@@": package, "@@DIST@@": f"deskframe-{name}", "@@KIND@@": kind,
              "@@DEPENDENCIES@@": dependencies}
    try:
        root.mkdir(parents=True)
        for relative, template in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            text = template
            for token, value in values.items():
                text = text.replace(token, value)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write {root}: {exc.strerror or exc}") from None
    return root


def _docstring(module: str) -> str:
    """A module template's docstring as Markdown: the README's description of the plugin."""
    text = module.split('"""', 2)[1].strip() + "\n"
    return text.replace("\n::\n", "\n").replace("::\n", ":\n")  # indented blocks stay code blocks


# --- files every kind gets -----------------------------------------------------------

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "@@DIST@@"
version = "0.1.0"
description = "A deskframe plugin (@@KIND@@): @@NAME@@"
readme = "README.md"
requires-python = ">=3.10"
dependencies = [@@DEPENDENCIES@@]

[project.optional-dependencies]
test = ["pytest>=8"]

# deskframe finds its plugins through this entry-point group: NAME = "import.package"
[project.entry-points.deskframe]
@@NAME@@ = "@@PACKAGE@@"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra"
'''

#: What a kind imports besides deskframe (the command kind uses click itself).
EXTRA_DEPENDENCIES = {"command": ("click>=8.1",)}

CONFTEST = '''\
"""deskframe.testing gives the fixtures make_desk, desk, factory and cli."""

pytest_plugins = ["deskframe.testing"]
'''

README_HEAD = '''\
# @@DIST@@

A deskframe plugin of kind `@@KIND@@`, made by
`deskframe plugin new @@NAME@@ --kind @@KIND@@`. deskframe loads it through the entry point
`@@NAME@@ = "@@PACKAGE@@"` of the `deskframe` group (see `pyproject.toml`).

'''

README_TAIL = '''
## Develop

```sh
pip install -e .          # or: pip install -e '.[test]' to get pytest too
pytest                    # the tests use the fixtures of deskframe.testing
deskframe plugins         # lists @@NAME@@ with its hooks and what it registered
```

The code is in `src/@@PACKAGE@@/__init__.py`; the hooks are documented in deskframe's
`docs/hooks.md`, and the plugin author guide is deskframe's `docs/plugins.md`.
'''

# --- implementations ------------------------------------------------------------------

IMPLEMENTATION: dict[str, str] = {}
TESTS: dict[str, str] = {}

IMPLEMENTATION["channel"] = '''\
"""deskframe plugin: the ``@@NAME@@`` intake channel type, one JSON file per message.

::

    [[channels]]
    name = "inbox"
    type = "@@NAME@@"
    directory = "inbox"     # relative to deskframe.toml

A message file holds a JSON object: ``from`` and ``subject`` (required), ``text``,
``name`` (the sender's), ``id`` (default: the SHA-256 of the file, so the same file
twice is a duplicate) and ``received_at`` (ISO 8601 with an offset; default now).
After deskframe has committed a message's ticket change it calls ``ack``, which moves
the file to ``DIRECTORY/done/``. A file that is not a message is yielded as
``Unparseable``: the core keeps it raw in its quarantine and acks it too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import deskframe
from deskframe import ChannelType, ConfigError, InboundMessage, IntakeResult
from deskframe.model import Unparseable

TYPE = "@@NAME@@"
KEYS = ("name", "type", "directory")


def validate(table: dict[str, Any]) -> None:
    """Check one ``[[channels]]`` table at start-up; errors name the key in the table."""
    for key in table:
        if key not in KEYS:
            raise ConfigError(f"unknown key (known: {', '.join(KEYS)})", key=key)
    directory = table.get("directory")
    if not isinstance(directory, str) or not directory.strip():
        raise ConfigError("is required: a directory of *.json message files", key="directory")


def parse(raw: bytes, table: dict[str, Any]) -> InboundMessage:
    """A message file's bytes -> InboundMessage (``intake quarantine retry`` calls this too)."""
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("a message file holds a JSON object")
    for key in ("from", "subject"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{key!r} is required (a non-empty string)")
    received = dt.datetime.now(dt.timezone.utc)
    if "received_at" in data:
        received = dt.datetime.fromisoformat(str(data["received_at"]))
        if received.tzinfo is None:
            raise ValueError("'received_at' needs a UTC offset")
    return InboundMessage(
        channel=table["name"],
        external_id=str(data.get("id") or hashlib.sha256(raw).hexdigest()),
        received_at=received,
        sender=data["from"],
        sender_name=data.get("name"),
        subject=data["subject"],
        text=str(data.get("text", "")),
        raw=raw,
    )


class DirectoryChannel:
    """A configured ``@@NAME@@`` channel (the ``deskframe.Channel`` protocol)."""

    def __init__(self, table: dict[str, Any], directory: Path):
        self.name = table["name"]
        self.table = table
        self.directory = directory
        self.files: dict[str, Path] = {}

    def fetch(self) -> Iterator[InboundMessage | Unparseable]:
        for path in sorted(self.directory.glob("*.json")):
            raw = path.read_bytes()
            try:
                item: InboundMessage | Unparseable = parse(raw, self.table)
            except (ValueError, UnicodeDecodeError) as exc:  # json errors are ValueErrors
                item = Unparseable(self.name, path.name, raw, f"{path.name}: not a message: {exc}")
            self.files[item.external_id] = path
            yield item

    def ack(self, message: InboundMessage, result: IntakeResult | None) -> None:
        """Called after the commit (``result`` is None for a quarantined file)."""
        path = self.files.pop(message.external_id, None)
        if path is not None and path.exists():
            done = self.directory / "done"
            done.mkdir(exist_ok=True)
            path.replace(done / path.name)


def build(table: dict[str, Any], desk: Any) -> DirectoryChannel:
    """Build the channel; a relative ``directory`` is relative to deskframe.toml."""
    validate(table)
    directory = Path(desk.config.base_dir, table["directory"])
    if not directory.is_dir():
        raise ConfigError(f"not a directory: {directory}", key="directory")
    return DirectoryChannel(table, directory)


@deskframe.hookimpl
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    register(ChannelType(TYPE, build, validate=validate, parse=parse,
                         description="one JSON file per message from a directory"))
'''

TESTS["channel"] = '''\
"""The @@NAME@@ channel, loaded through its entry point like any installed plugin."""

import json

import pytest

from deskframe import ConfigError
from deskframe.polling import build_channel, poll


def config(directory):
    return f"""
[[channels]]
name = "inbox"
type = "@@NAME@@"
directory = {json.dumps(str(directory))}
"""


def test_registered_through_its_entry_point(desk):
    assert desk.plugins.registry.by_plugin("@@NAME@@") == {"channel_types": ["@@NAME@@"]}


def test_poll_turns_files_into_tickets_and_quarantines_the_rest(make_desk, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    message = {"from": "ivan@example.com", "subject": "Printer offline", "text": "It is on fire"}
    (inbox / "1.json").write_text(json.dumps(message), encoding="utf-8")
    (inbox / "2.json").write_text("{not json", encoding="utf-8")
    desk = make_desk(config(inbox))
    report = poll(desk, build_channel(desk, "inbox"))
    assert (report.fetched, report.created, report.quarantined) == (2, 1, 1)
    [row] = desk.tickets()
    assert desk.ticket(row["number"]).articles[0].text == "It is on fire"
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["1.json", "2.json"]
    assert poll(desk, build_channel(desk, "inbox")).fetched == 0


def test_the_same_file_twice_is_a_duplicate(make_desk, tmp_path):
    desk = make_desk(config(tmp_path))
    body = json.dumps({"id": "m-1", "from": "ivan@example.com", "subject": "Hello"})
    (tmp_path / "a.json").write_text(body, encoding="utf-8")
    poll(desk, build_channel(desk, "inbox"))
    (tmp_path / "b.json").write_text(body, encoding="utf-8")
    assert poll(desk, build_channel(desk, "inbox")).duplicates == 1


def test_config_errors_name_the_key(make_desk, tmp_path):
    with pytest.raises(ConfigError, match=r"channels\\[0\\]\\.directory: is required"):
        make_desk('[[channels]]\\nname = "inbox"\\ntype = "@@NAME@@"\\n')
    desk = make_desk(config(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=r"channels\\[0\\]\\.directory: not a directory"):
        build_channel(desk, "inbox")
'''

IMPLEMENTATION["sla-policy"] = '''\
"""deskframe plugin: the ``@@NAME@@`` SLA policy type, one first-response target.

::

    [tickets]
    default_sla = "standard"     # or a contract's sla = "standard"

    [sla.standard]
    type = "@@NAME@@"
    first_response = "4h"        # working time on the calendar
    calendar = "always"          # a [calendars.NAME]; "always" (24x7) is built in

A new ticket gets one ``first_response`` clock, due ``first_response`` of working
time after it was opened and stopped by the first reply the customer sees. The core
runs the clock (pauses, warnings, breaches); the policy only says which clocks exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable, Mapping

import deskframe
from deskframe import SlaPolicyType
from deskframe.sla import Calendar, ClockSpec, TicketFacts
from deskframe.tables import TableReader

TYPE = "@@NAME@@"


@dataclasses.dataclass(frozen=True)
class FirstResponsePolicy:
    """A configured policy (the ``deskframe.sla.SlaPolicy`` protocol)."""

    target: dt.timedelta
    calendar: str = "always"

    def calendar_names(self) -> set[str]:
        return {self.calendar}

    def start(self, facts: TicketFacts, calendars: Mapping[str, Calendar]) -> list[ClockSpec]:
        due = calendars[self.calendar].add(facts.opened_at, self.target)
        return [ClockSpec(kind="first_response", calendar=self.calendar, due=due, stop_on="reply")]

    def restart(self, kind: str, facts: TicketFacts, at: dt.datetime,
                calendars: Mapping[str, Calendar]) -> ClockSpec | None:
        return None  # no clock is started again after a customer's follow-up


def build(table: dict[str, Any]) -> FirstResponsePolicy:
    """Validate a ``[sla.NAME]`` table; ConfigError keys are relative to the table."""
    t = TableReader(table)
    t.reject_unknown(["type", "description", "first_response", "calendar"])
    target = t.duration("first_response")  # "4h", "1h30m": errors name the key
    if target <= dt.timedelta(0):
        raise t.error("first_response", "must be more than zero")
    return FirstResponsePolicy(target=target, calendar=t.str("calendar", "always"))


@deskframe.hookimpl
def register_sla_policies(register: Callable[[SlaPolicyType], None]) -> None:
    register(SlaPolicyType(TYPE, build, description="one first-response target on a calendar"))
'''

TESTS["sla-policy"] = '''\
"""The @@NAME@@ SLA policy, loaded through its entry point like any installed plugin."""

import datetime as dt

import pytest

from deskframe import ConfigError
from deskframe.testing import Factory

OPENED = dt.datetime(2026, 6, 5, 13, 0, tzinfo=dt.timezone.utc)  # a Friday, 15:00 in Berlin
CONFIG = """
[tickets]
default_sla = "standard"
[calendars.office]
timezone = "Europe/Berlin"
hours = { mon-fri = "09:00-17:00" }
[sla.standard]
type = "@@NAME@@"
first_response = "FIRST_RESPONSE"
calendar = "CALENDAR"
"""


def config(calendar="always", first_response="4h"):
    return CONFIG.replace("CALENDAR", calendar).replace("FIRST_RESPONSE", first_response)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_registered_through_its_entry_point(desk):
    assert desk.plugins.registry.by_plugin("@@NAME@@") == {"sla_policies": ["@@NAME@@"]}


def test_a_new_ticket_gets_a_first_response_clock_that_a_reply_meets(make_desk):
    clock = Clock(OPENED)
    desk = make_desk(config(), clock=clock)
    Factory(desk).agent("alice")
    ticket = desk.open_ticket(subject="Printer offline", body="It is on fire")
    [first] = desk.clocks(ticket.number)
    assert (first.kind, first.status, first.due_at) == ("first_response", "running", OPENED + dt.timedelta(hours=4))
    clock.now = OPENED + dt.timedelta(hours=1)
    desk.reply(ticket.number, agent="alice", body="On it")
    assert [c.status for c in desk.clocks(ticket.number)] == ["met"]


def test_working_time_counts_on_the_calendar(make_desk):
    desk = make_desk(config("office"), clock=lambda: OPENED)
    ticket = desk.open_ticket(subject="Printer offline", body="It is on fire")
    [first] = desk.clocks(ticket.number)
    assert first.due_at == dt.datetime(2026, 6, 8, 9, 0, tzinfo=dt.timezone.utc)  # Monday 11:00 in Berlin


def test_config_errors_name_the_key(make_desk):
    with pytest.raises(ConfigError, match=r"sla\\.standard\\.first_response: bad duration"):
        make_desk(config(first_response="soon"))
    with pytest.raises(ConfigError, match=r"sla\\.standard\\.calendar: unknown calendar 'nowhere'"):
        make_desk(config("nowhere"))
'''

IMPLEMENTATION["pricing-model"] = '''\
"""deskframe plugin: the ``@@NAME@@`` pricing model, a flat fee per month.

::

    [pricing.flat]
    model = "@@NAME@@"
    currency = "EUR"
    fee = "100.00"       # a decimal string or an integer, never a TOML float

A contract with ``pricing = "flat"`` gets one fee line per month. The month's
billable time entries are linked to that line (``entry_ids``): they are included in
the fee, shown as such, and never offered for billing again.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

import deskframe
from deskframe import Money, PricingModelType
from deskframe.billing import BillingContext, InvoiceLine, PricingResult
from deskframe.tables import TableReader

MODEL = "@@NAME@@"


@dataclasses.dataclass(frozen=True)
class FlatFee:
    """A configured model (the ``deskframe.billing.model.PricingModel`` protocol)."""

    currency: str
    fee: Decimal

    def price(self, context: BillingContext) -> PricingResult:
        covered = [e for e in context.entries if e.billable]
        minutes = sum(e.minutes for e in covered)
        amount = Money(self.fee, self.currency).rounded()  # every line amount is rounded once
        line = InvoiceLine(
            description=f"Support {context.period}, flat fee ({minutes} min of work included)",
            quantity=Decimal(1), unit="month", unit_price=amount, amount=amount, kind="fee",
            entry_ids=tuple(e.id for e in covered),
        )
        return PricingResult(self.currency, (line,))


def build(table: dict[str, Any]) -> FlatFee:
    """Validate a ``[pricing.NAME]`` table; ConfigError keys are relative to the table."""
    t = TableReader(table)
    t.reject_unknown(["model", "currency", "fee"])
    currency = t.str("currency")
    try:
        Money(0, currency)
    except ValueError:
        raise t.error("currency", f"must be an ISO 4217 code such as \\"EUR\\", got {currency!r}") from None
    value = t.data.get("fee")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise t.error("fee", "must be an amount such as \\"100.00\\" (a string or an integer)")
    try:
        fee = Decimal(value)
    except InvalidOperation:
        raise t.error("fee", f"not an amount: {value!r}") from None
    if not fee.is_finite() or fee < 0:
        raise t.error("fee", f"must be zero or more, got {value!r}")
    return FlatFee(currency=currency, fee=fee)


@deskframe.hookimpl
def register_pricing_models(register: Callable[[PricingModelType], None]) -> None:
    register(PricingModelType(MODEL, build, description="a flat fee per month, time included"))
'''

TESTS["pricing-model"] = '''\
"""The @@NAME@@ pricing model, loaded through its entry point like any installed plugin."""

import datetime as dt

import pytest

from deskframe import ConfigError, Money
from deskframe.testing import Factory

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
CONFIG = """
[pricing.flat]
model = "@@NAME@@"
currency = "EUR"
fee = "100.00"
"""


def test_registered_through_its_entry_point(desk):
    assert desk.plugins.registry.by_plugin("@@NAME@@") == {"pricing_models": ["@@NAME@@"]}


def test_the_fee_is_drafted_and_covers_the_months_time(make_desk):
    desk = make_desk(CONFIG, clock=lambda: NOW)
    f = Factory(desk)
    f.customer("acme")
    f.contract("acme", key="acme-flat", pricing="flat")
    f.agent("alice")
    ticket = f.ticket("acme")
    desk.log_time(ticket.number, agent="alice", minutes=90, date=dt.date(2026, 3, 3))
    desk.ledger.run("2026-03")
    [march] = desk.ledger.invoices(period="2026-03", status="draft")
    assert march.total == Money("100.00", "EUR")
    assert [line.description for line in march.lines] == ["Support 2026-03, flat fee (90 min of work included)"]
    desk.ledger.run("2026-04")
    [april] = desk.ledger.invoices(period="2026-04", status="draft")
    assert april.lines[0].entry_ids == ()  # March's time is never billed again


@pytest.mark.parametrize("fee, problem", [("1.5e3x", "not an amount"), (100.5, "must be an amount"),
                                          ("-1", "must be zero or more")])
def test_config_errors_name_the_key(make_desk, fee, problem):
    text = CONFIG.replace('fee = "100.00"', f"fee = {fee!r}".replace("'", '"'))
    with pytest.raises(ConfigError, match=rf"pricing\\.flat\\.fee: {problem}"):
        make_desk(text)
'''

IMPLEMENTATION["output-format"] = '''\
"""deskframe plugin: the ``@@NAME@@`` output format, invoices as Markdown.

``deskframe invoice show NUMBER --format @@NAME@@`` and ``deskframe invoice list
--format @@NAME@@``. ``render(kind, data)`` gets an :class:`deskframe.billing.Invoice`
for kind ``invoice`` and a list of them for ``invoices``, and returns text.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import deskframe
from deskframe import OutputFormat
from deskframe.billing import Invoice

FORMAT = "@@NAME@@"
MEDIA_TYPE = "text/markdown; charset=utf-8"
KINDS = ("invoice", "invoices")


def cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value if value is not None else "-").replace("\\\\", "\\\\\\\\").replace("|", "\\\\|").replace("\\n", " ")


def reference(invoice: Invoice) -> str:
    return invoice.number or f"draft-{invoice.id}"


def render_invoice(invoice: Invoice) -> str:
    title = "Credit note" if invoice.kind == "credit" else "Invoice"
    out = [f"# {title} {cell(reference(invoice))}", "",
           f"- Customer: {cell(invoice.customer_name)} ({cell(invoice.customer)})",
           f"- Contract: {cell(invoice.contract)}", f"- Period: {invoice.period}",
           f"- Status: {invoice.status}", "",
           "| # | Ticket | Description | Quantity | Unit | Amount |",
           "|--:|--------|-------------|---------:|------|-------:|"]
    for no, line in enumerate(invoice.lines, start=1):
        out.append(f"| {no} | {cell(line.ticket)} | {cell(line.description)} | {line.quantity} "
                   f"| {cell(line.unit)} | {line.amount} |")
    out += ["", f"Subtotal: {invoice.subtotal}  ", f"Tax: {invoice.tax}  ", f"**Total: {invoice.total}**"]
    return "\\n".join(out) + "\\n"


def render_index(invoices: Iterable[Invoice]) -> str:
    out = ["| Number | Status | Customer | Period | Total |", "|--------|--------|----------|--------|------:|"]
    out += [f"| {cell(reference(i))} | {i.status} | {cell(i.customer_name)} | {i.period} | {i.total} |"
            for i in invoices]
    return "\\n".join(out) + "\\n"


def render(kind: str, data: Any) -> str:
    if kind == "invoice":
        return render_invoice(data)
    if kind == "invoices":
        return render_index(data)
    raise ValueError(f"{FORMAT}: cannot render {kind!r} (renders: {', '.join(KINDS)})")


@deskframe.hookimpl
def register_output_formats(register: Callable[[OutputFormat], None]) -> None:
    register(OutputFormat(FORMAT, MEDIA_TYPE, render, kinds=KINDS, description="invoices as Markdown"))
'''

TESTS["output-format"] = '''\
"""The @@NAME@@ output format, loaded through its entry point like any installed plugin."""

import datetime as dt
from decimal import Decimal

import deskframe
from deskframe import Money, PricingModelType
from deskframe.billing import InvoiceLine, PricingResult
from deskframe.testing import Factory

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
CONFIG = """
[billing]
tax_rate = "20%"
[pricing.per-entry]
model = "test-per-entry"
"""


class PerEntry:
    """A pricing model for these tests only: 10.00 EUR per time entry."""

    currency = "EUR"

    def price(self, context):
        ten = Money("10.00", "EUR")
        return PricingResult("EUR", tuple(
            InvoiceLine(description=f"Work on {e.ticket_subject}", quantity=Decimal(1), unit="entry",
                        unit_price=ten, amount=ten, ticket=e.ticket, entry_ids=(e.id,))
            for e in context.entries))


class PricingForTests:
    @deskframe.hookimpl
    def register_pricing_models(self, register):
        register(PricingModelType("test-per-entry", lambda table: PerEntry()))


def issued_invoice(make_desk):
    desk = make_desk(CONFIG, plugins=[PricingForTests()], clock=lambda: NOW)
    f = Factory(desk)
    f.customer("acme", name="Acme | Sons")
    f.contract("acme", key="acme-1", pricing="per-entry")
    f.agent("alice")
    ticket = f.ticket("acme", subject="Printer offline")
    desk.log_time(ticket.number, agent="alice", minutes=30, date=dt.date(2026, 3, 3))
    desk.ledger.run("2026-03")
    [invoice] = desk.ledger.issue(period="2026-03")
    return desk, invoice


def test_registered_through_its_entry_point(desk):
    assert desk.plugins.registry.by_plugin("@@NAME@@") == {"output_formats": ["@@NAME@@"]}


def test_invoice_show_renders_markdown(make_desk, cli):
    desk, invoice = issued_invoice(make_desk)
    result = cli(desk)("invoice", "show", invoice.number, "--format", "@@NAME@@")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# Invoice {invoice.number}\\n")
    assert "- Customer: Acme \\\\| Sons (acme)" in result.output
    assert "| Work on Printer offline | 1 | entry | 10.00 EUR |" in result.output
    assert "**Total: 12.00 EUR**" in result.output


def test_invoice_list_renders_a_table(make_desk, cli):
    desk, invoice = issued_invoice(make_desk)
    result = cli(desk)("invoice", "list", "--format", "@@NAME@@")
    assert result.exit_code == 0, result.output
    assert f"| {invoice.number} | issued | Acme \\\\| Sons | 2026-03 | 12.00 EUR |" in result.output
'''

IMPLEMENTATION["command"] = '''\
"""deskframe plugin: the command group ``deskframe @@NAME@@``, with ``hello``.

``deskframe @@NAME@@ hello [--name NAME]`` greets and counts the open tickets of the
configured desk. A command receives the desk through ``deskframe.cli.pass_desk``;
raise a ``deskframe.DomainError`` (or another DeskframeError) to report a problem as
one line with an exit code.
"""

from __future__ import annotations

from typing import Any, Callable

import click

import deskframe
from deskframe.cli import pass_desk


@click.group(name="@@NAME@@")
def group() -> None:
    """Commands of the @@NAME@@ plugin."""


@group.command("hello")
@click.option("--name", default="world", show_default=True, help="Whom to greet.")
@pass_desk
def hello(desk: Any, name: str) -> None:
    """Say hello and count the open tickets."""
    count = len(desk.tickets(open_only=True, limit=None))
    click.echo(f"Hello, {name}! {count} open ticket(s).")


@deskframe.hookimpl
def register_commands(register: Callable[[click.Command], None]) -> None:
    register(group)
'''

TESTS["command"] = '''\
"""The deskframe @@NAME@@ command group, loaded through its entry point like any installed plugin."""


def test_registered_through_its_entry_point(desk):
    assert desk.plugins.registry.by_plugin("@@NAME@@") == {"commands": ["@@NAME@@"]}


def test_hello_counts_open_tickets(desk, factory, cli):
    run = cli(desk)
    result = run("@@NAME@@", "hello", "--name", "Ada")
    assert (result.exit_code, result.output) == (0, "Hello, Ada! 0 open ticket(s).\\n")
    factory.ticket()
    assert run("@@NAME@@", "hello").output == "Hello, world! 1 open ticket(s).\\n"

'''
