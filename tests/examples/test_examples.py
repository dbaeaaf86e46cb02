"""Each reference configuration in examples/ loads and runs its whole cycle (its demo.toml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.config import load_config
from deskframe.plugins import build_plugins

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_demo(name: str, target: Path) -> dict:
    result = CliRunner().invoke(
        build_cli(build_plugins()), ["demo", str(target), "--example", str(EXAMPLES / name), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("name", ["webstudio", "enterprise", "consulting"])
def test_example_config_loads(name):
    config = load_config(EXAMPLES / name / "deskframe.toml", build_plugins().registry)
    assert config.pricing and config.sla


def totals(summary: dict) -> dict[str, str]:
    return {inv["customer"]: f"{inv['total']} {inv['currency']}" for inv in summary["invoices"]}


def test_webstudio_month(tmp_path):
    summary = run_demo("webstudio", tmp_path / "studio")
    assert sum(summary["tickets"].values()) == 11
    assert summary["tickets"]["awaiting written request"] == 1
    # hourly at 1,500.00 RUB, each entry rounded up to 15 minutes, no VAT
    assert totals(summary) == {"cafe-vostok": "1500.00 RUB", "dentalplus": "2625.00 RUB", "stroymarket": "9375.00 RUB"}
    page = Path(summary["invoices"][0]["file"]).read_text(encoding="utf-8")
    assert "Кафе «Восток»" in page and "<script" not in page
    assert summary["sla"]["met"] >= 3 and summary["sla"]["breached"] >= 1


def test_enterprise_month(tmp_path):
    summary = run_demo("enterprise", tmp_path / "platform")
    # subscriptions: users + servers + failover + add-ons, prorated for a contract from the 17th, VAT 20%
    assert totals(summary) == {
        "metro-city": "50400.00 RUB",
        "regionbank": "1908000.00 RUB",
        "telecom-sib": "153958.06 RUB",
    }
    # the scheduled monthly report: one mail to regionbank on Monday 2 November, HTML with charts
    reports = [m for m in summary["outbox"]["messages"] if m["topic"] == "report"]
    assert [(m["to"], m["state"]) for m in reports] == [("orlov@regionbank.example", "sent")]
    assert reports[0]["subject"].startswith("Отчёт о поддержке: ")
    mail = Path(reports[0]["file"]).read_bytes()
    assert b"Content-Type: text/html" in mail
    from deskframe.desk import Desk

    plugins = build_plugins()
    desk = Desk(load_config(tmp_path / "platform" / "deskframe.toml", plugins.registry), plugins)
    try:
        owners = {t["subject"][:12]: t["owner"] for t in desk.tickets.list(limit=None)}
        assert owners["Плановое обн"] in ("night-anna", "night-boris")  # a 24x7 ticket after hours: on duty
        bug = next(t for t in desk.tickets.list(limit=None) if t["subject"].startswith("Ошибка в отчёте"))
        assert desk.tickets.get(bug["number"]).line == 3
        assert desk.billing.invoices(customer="newco") == []  # warranty time is tracked, never invoiced
        assert sum(e.minutes for e in desk.time.entries(customer="newco")) == 240
    finally:
        desk.close()


def test_consulting_month(tmp_path):
    summary = run_demo("consulting", tmp_path / "consulting")
    # gold: 300,000 fee + 7 h over the 40 h at 9,000; silver: the fee; VAT 20%
    assert totals(summary) == {"alfa-bank": "435600.00 RUB", "sever-bank": "144000.00 RUB"}
