"""The demo's SLA line adds up: each clock in exactly one category (docs/sla.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LINE = re.compile(
    r"SLA clocks \((\d+)\): met (\d+), missed (\d+), overdue (\d+), running (\d+), paused (\d+), "
    r"cancelled (\d+) \(breached: (\d+) = missed \+ overdue\)"
)


def test_the_webstudio_demo_prints_sla_figures_that_add_up(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        build_cli(build_plugins()), ["demo", str(tmp_path / "studio"), "--example", str(EXAMPLES / "webstudio")]
    )
    assert result.exit_code == 0, result.output
    [found] = [LINE.search(line) for line in result.output.splitlines() if line.startswith("SLA clocks")]
    assert found, result.output
    total, met, missed, overdue, running, paused, cancelled, breached = (int(g) for g in found.groups())
    assert total == met + missed + overdue + running + paused + cancelled and total > 0
    assert breached == missed + overdue and met >= 3
