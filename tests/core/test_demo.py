"""`deskframe demo`: a scenario of CLI steps at simulated times, then a summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

SCENARIO = """
title = "tiny"
[[steps]]
at = "2026-10-01T09:00:00+03:00"
run = ["apply", "directory.toml"]
[[steps]]
at = "2026-10-01T10:00:00+03:00"
run = ["ticket", "open", "--customer", "acme", "--subject", "Принтер не печатает", "--body", "Совсем"]
[[steps]]
at = "2026-10-01T10:05:00+03:00"
run = ["ticket", "lock", "{ticket:принтер}", "--agent", "alice"]
[[steps]]
run = ["ticket", "lock", "{ticket:принтер}", "--agent", "bob"]
expect_failure = true
[[steps]]
copy = ["spare/note.txt", "inbox"]
run = ["ticket", "state", "{ticket:принтер}", "closed", "--agent", "alice"]
"""

DIRECTORY = """
[[customers]]
id = "acme"
name = "ACME"
[[agents]]
login = "alice"
name = "Alice"
[[agents]]
login = "bob"
name = "Bob"
"""


def make_example(root: Path) -> Path:
    example = root / "tiny"
    (example / "spare").mkdir(parents=True)
    (example / "inbox").mkdir()
    (example / "spare" / "note.txt").write_text("x")
    (example / "deskframe.toml").write_text('[desk]\ndatabase = "sqlite:///deskframe.db"\n', encoding="utf-8")
    (example / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    (example / "demo.toml").write_text(SCENARIO, encoding="utf-8")
    return example


def run(*args: str):
    return CliRunner().invoke(build_cli(build_plugins()), list(args))


def test_demo_runs_steps_and_summarises(tmp_path):
    example = make_example(tmp_path)
    target = tmp_path / "out"
    result = run("demo", str(target), "--example", str(example), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["tickets"] == {"closed": 1}
    assert (target / "inbox" / "note.txt").exists()
    again = run("demo", str(target), "--example", str(example))
    assert again.exit_code == 1 and "exists" in again.output and "--reset" in again.output
    reset = run("demo", str(target), "--example", str(example), "--reset", "--format", "json")
    assert reset.exit_code == 0 and json.loads(reset.output)["tickets"] == {"closed": 1}


def test_a_step_with_an_unexpected_outcome_stops_the_demo(tmp_path):
    example = make_example(tmp_path)
    text = (example / "demo.toml").read_text(encoding="utf-8").replace("expect_failure = true\n", "")
    (example / "demo.toml").write_text(text, encoding="utf-8")
    result = run("demo", str(tmp_path / "out"), "--example", str(example))
    assert result.exit_code == 1
    assert "demo step failed" in result.output and "locked by alice" in result.output


def test_relative_directory(tmp_path, monkeypatch):
    example = make_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("demo", "rel-demo", "--example", str(example), "--format", "json")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rel-demo" / "deskframe.db").exists()


def test_unknown_example_is_a_clear_error(tmp_path):
    result = run("demo", str(tmp_path / "out"), "--example", "no-such-example")
    assert result.exit_code == 2 and "example 'no-such-example' not found" in result.output
