"""A failed ``deskframe init`` leaves nothing behind, and says why in one line (exit 2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins


@pytest.fixture(scope="module")
def run():
    command = build_cli(build_plugins())

    def invoke(*args: str, env: dict[str, str] | None = None):
        clean = {k: None for k in os.environ if k.startswith("DESKFRAME_")}
        return CliRunner().invoke(command, list(args), env={**clean, **(env or {})})

    return invoke


def one_line_error(result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def test_an_unknown_time_zone_writes_nothing_and_a_later_init_works(run, tmp_path: Path) -> None:
    target = tmp_path / "x"
    result = run("init", str(target), "--timezone", "Mars/Base")
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Base'" in one_line_error(result)
    assert not target.exists()
    again = run("init", str(target), "--timezone", "Europe/Moscow")
    assert again.exit_code == 0, again.output
    assert 'timezone = "Europe/Moscow"' in (target / "deskframe.toml").read_text(encoding="utf-8")


def test_a_directory_that_cannot_be_created_is_one_line(run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    result = run("init", str(blocker / "desk"))
    assert result.exit_code == 2
    assert f"cannot create {blocker / 'desk'}" in one_line_error(result)
    assert blocker.read_text(encoding="utf-8") == "not a directory"


@pytest.mark.parametrize("existed", [False, True])
def test_a_database_failure_removes_what_init_wrote_and_keeps_the_rest(run, tmp_path: Path, existed: bool) -> None:
    target = tmp_path / "parent" / "desk"
    if existed:
        target.mkdir(parents=True)
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    url = "postgresql+psycopg://nobody:planted-secret@127.0.0.1:1/nothing"  # nothing listens on port 1
    result = run("init", str(target), env={"DESKFRAME_DATABASE_URL": url})
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "connection failed" in line and "planted-secret" not in result.output
    if existed:
        assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    else:
        assert not (tmp_path / "parent").exists()


def test_demo_into_a_directory_that_cannot_be_created_is_one_line(run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("demo", str(blocker / "demo"))
    assert result.exit_code == 2
    assert "cannot write" in one_line_error(result)
