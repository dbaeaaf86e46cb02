"""docs/plugins.md cannot rot: each marked example is run as a plugin against a real desk.

An example is the ```python block right after ``<!-- example: KIND -->``; it is written
to a file, imported as a module and registered with ``make_desk(plugins=[module])``.
``<!-- example-test: KIND -->`` marks a test in the guide, run against that example.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from deskframe import ConfigError, Money, hookspecs
from deskframe.actors import Actor
from deskframe.intake.polling import build_channel, poll
from deskframe.scaffold import KINDS
from deskframe.testing import Factory

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
BLOCK = re.compile(r"<!--\s*(example|example-test):\s*([\w-]+)\s*-->\s*\n```python\n(.*?)\n```", re.S)
EXAMPLES = ("channel", "sla-policy", "pricing-model", "output-format")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)  # 10:00 in Berlin


def blocks(marker: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, name, code in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        if kind == marker:
            assert name not in found, f"two {marker} blocks named {name!r} in {GUIDE.name}"
            found[name] = code
    return found


@pytest.fixture
def example(tmp_path, monkeypatch):
    """``example(kind)`` -> the guide's example, imported as module ``guide_KIND``."""
    code = blocks("example")

    def load(kind: str, module_name: str | None = None) -> ModuleType:
        name = module_name or "guide_" + kind.replace("-", "_")
        path = tmp_path / f"{name}.py"
        path.write_text(code[kind], encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)
        spec.loader.exec_module(module)
        return module

    return load


def test_the_guide_has_the_four_examples():
    assert sorted(blocks("example")) == sorted(EXAMPLES)


def test_the_guide_lists_every_hook_and_links_the_reference():
    text = GUIDE.read_text(encoding="utf-8")
    names = [n for n, f in vars(hookspecs).items() if callable(f) and hasattr(f, "deskframe_spec")]
    missing = [n for n in names if f"`{n}`" not in text]
    assert missing == [], f"docs/plugins.md does not mention the hooks {missing}"
    assert "(hooks.md)" in text


def test_the_guide_names_every_scaffold_kind():
    text = GUIDE.read_text(encoding="utf-8")
    assert [k for k in KINDS if f"`{k}`" not in text] == []


def channel_config(directory: Path) -> str:
    return f'[[channels]]\nname = "inbox"\ntype = "jsondir"\ndirectory = {json.dumps(str(directory))}\n'


def test_channel_example_turns_files_into_tickets(example, make_desk, tmp_path):
    plugin = example("channel")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    message = {"from": "ivan@example.com", "subject": "Printer offline", "text": "It is on fire"}
    (inbox / "1.json").write_text(json.dumps(message), encoding="utf-8")
    (inbox / "2.json").write_text("{not json", encoding="utf-8")
    desk = make_desk(channel_config(inbox), plugins=[plugin], entry_points=False)
    report = poll(desk, build_channel(desk, "inbox"))
    assert (report.fetched, report.created, report.quarantined) == (2, 1, 1)
    [row] = desk.tickets.list()
    ticket = desk.tickets.get(row["number"])
    assert (ticket.subject, ticket.articles[0].text) == ("Printer offline", "It is on fire")
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["1.json", "2.json"]
    assert poll(desk, build_channel(desk, "inbox")).fetched == 0
    with pytest.raises(ConfigError, match=r"channels\[0\]\.directory: is required"):
        make_desk('[[channels]]\nname = "inbox"\ntype = "jsondir"\n', plugins=[plugin], entry_points=False)


SLA_CONFIG = """
[calendars.office]
timezone = "Europe/Berlin"
hours = { mon-fri = "09:00-17:00" }
[sla.basic]
type = "first-response"
calendar = "office"
targets = { P1 = "1h", P3 = "8h" }
[tickets]
default_sla = "basic"
"""


def test_sla_policy_example_starts_clocks_per_priority(example, make_desk):
    plugin = example("sla-policy")
    now = {"t": MONDAY}
    desk = make_desk(SLA_CONFIG, plugins=[plugin], entry_points=False, clock=lambda: now["t"])
    Factory(desk).agent("alice")
    urgent = desk.tickets.open(subject="Down", body="All down", priority="P1", actor=Actor.operator())
    normal = desk.tickets.open(subject="Question", body="How do I", priority="P3", actor=Actor.operator())
    low = desk.tickets.open(subject="Idea", body="Maybe", priority="P4", actor=Actor.operator())
    [first] = desk.sla.clocks(urgent.number)
    assert (first.kind, first.status, first.due_at) == ("first_response", "running", MONDAY + dt.timedelta(hours=1))
    # 8 working hours from Monday 10:00 on 09:00-17:00: Tuesday 10:00 in Berlin
    assert [c.due_at for c in desk.sla.clocks(normal.number)] == [dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.timezone.utc)]
    assert desk.sla.clocks(low.number) == []
    now["t"] = MONDAY + dt.timedelta(minutes=20)
    desk.tickets.reply(urgent.number, actor=Actor.agent("alice"), body="On it")
    assert [c.status for c in desk.sla.clocks(urgent.number)] == ["met"]
    with pytest.raises(ConfigError, match=r"sla\.basic\.targets\.P9: unknown priority"):
        make_desk(SLA_CONFIG.replace("P3 =", "P9 ="), plugins=[plugin], entry_points=False)


PRICING_CONFIG = """
[billing]
tax_rate = "20%"
[pricing.tickets]
model = "per-ticket"
currency = "EUR"
price = "25.00"
"""


def billed_desk(make_desk, plugins):
    desk = make_desk(PRICING_CONFIG, plugins=plugins, entry_points=False, clock=lambda: MONDAY)
    f = Factory(desk)
    f.customer("acme", name="Acme | Sons")
    f.contract("acme", key="acme-tickets", pricing="tickets")
    f.agent("alice")
    printer = f.ticket("acme", subject="Printer offline").number
    mail = f.ticket("acme", subject="Mail bounces").number
    idle = f.ticket("acme", subject="Coffee").number
    desk.time.log(printer, actor=Actor.agent("alice"), minutes=30, date=dt.date(2026, 3, 2))
    desk.time.log(printer, actor=Actor.agent("alice"), minutes=45, date=dt.date(2026, 3, 3))
    desk.time.log(mail, actor=Actor.agent("alice"), minutes=10, date=dt.date(2026, 3, 4))
    desk.time.log(idle, actor=Actor.agent("alice"), minutes=15, date=dt.date(2026, 3, 4), billable=False)
    desk.billing.run("2026-03", actor=Actor.operator())
    return desk


def test_pricing_model_example_drafts_an_invoice(example, make_desk):
    desk = billed_desk(make_desk, [example("pricing-model")])
    [draft] = desk.billing.invoices(period="2026-03", status="draft")
    assert [line.description for line in draft.lines] == ["Printer offline", "Mail bounces"]  # by ticket number
    assert (draft.subtotal, draft.total) == (Money("50.00", "EUR"), Money("60.00", "EUR"))
    assert sorted(len(line.entry_ids) for line in draft.lines) == [1, 2]


def test_pricing_model_example_rejects_a_bad_price(example, make_desk):
    plugin = example("pricing-model")
    with pytest.raises(ConfigError, match=r"pricing\.tickets\.price: must be an amount"):
        make_desk(PRICING_CONFIG.replace('"25.00"', '"cheap"'), plugins=[plugin], entry_points=False)


def test_output_format_example_renders_an_issued_invoice(example, make_desk, cli):
    desk = billed_desk(make_desk, [example("pricing-model"), example("output-format")])
    [invoice] = desk.billing.issue(period="2026-03", actor=Actor.operator())
    result = cli(desk)("invoice", "show", invoice.number, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# Invoice {invoice.number}\n\nAcme \\| Sons, period 2026-03\n")
    assert "| Printer offline | 1 | ticket | 25.00 EUR |" in result.output
    assert "**Total: 60.00 EUR** (tax 10.00 EUR)" in result.output


def test_the_guides_test_passes(example, make_desk):
    example("pricing-model", module_name="per_ticket")
    namespace: dict = {}
    for name, code in blocks("example-test").items():
        assert name in EXAMPLES
        exec(compile(code, f"{GUIDE.name}:example-test:{name}", "exec"), namespace)
    tests = [f for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    assert tests
    for test in tests:
        test(make_desk)
