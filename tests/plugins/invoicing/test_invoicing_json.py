"""Money is written one way in every JSON output that carries it: a decimal string
(``"1500.00"``) beside the holding object's ``currency`` (docs/json.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from click.testing import CliRunner

MONEY_KEYS = frozenset({"subtotal", "tax", "total", "amount", "unit_price", "paid", "balance"})
DECIMAL = re.compile(r"-?\d+\.\d+")


def _money(value: Any, currency: str | None = None, path: str = "$") -> Iterator[tuple[str, Any, str | None]]:
    """``(path, value, currency in scope)`` of every money field in a JSON document."""
    if isinstance(value, dict):
        currency = value.get("currency", currency)
        for key, item in value.items():
            if key in MONEY_KEYS:
                yield f"{path}.{key}", item, currency
            else:
                yield from _money(item, currency, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _money(item, currency, f"{path}[{i}]")


def _check(document: Any) -> int:
    found = list(_money(document))
    for path, value, currency in found:
        assert isinstance(value, str) and DECIMAL.fullmatch(value), (path, value)
        assert isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency), (path, currency)
    return len(found)


def test_invoice_json_outputs_write_money_one_way(billed, cli):
    run = cli(billed.desk)
    outputs = [
        run("invoice", "show", billed.october, "--format", "json"),
        run("invoice", "list", "--format", "json"),
        run("invoice", "paid", billed.october, "--amount", "100", "--date", "2026-11-05", "--format", "json"),
    ]
    counted = 0
    for result in outputs:
        assert result.exit_code == 0, result.output
        counted += _check(json.loads(result.output))
    assert counted > 20
    shown = json.loads(run("invoice", "show", billed.october, "--format", "json").output)
    assert (shown["total"], shown["paid"], shown["balance"], shown["currency"]) == (
        "3000.00",
        "100.00",
        "2900.00",
        "RUB",
    )
    assert shown["lines"][1]["amount"] == "1500.00"


def test_demo_summary_writes_money_the_same_way(tmp_path):
    """Regression: the demo summary wrote ``"total": "9375.00 RUB"``."""
    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    result = CliRunner().invoke(build_cli(build_plugins()), ["demo", str(tmp_path / "demo"), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    # money lives in the invoices part (the SLA part's "total" is a count of clocks)
    assert summary["invoices"] and _check(summary["invoices"]) == len(summary["invoices"])
    assert {i["total"] for i in summary["invoices"]} >= {"9375.00"}
