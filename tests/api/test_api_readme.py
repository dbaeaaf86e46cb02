"""README.md's HTTP API example cannot rot: its ```sh http block runs as written (with a free
port instead of 8000) in an empty directory, against a real ``deskframe serve``, and
docs/api.md shows the same block and names every route's operation id."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from deskframe.testing import free_port
from deskframe.web.api import routes

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh http\n(.*?)^```", re.S | re.M)


def readme_block() -> str:
    found = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "README.md must have exactly one ```sh http block"
    return found[0]


def run_script(script: str, cwd: Path) -> tuple[int, str, str]:
    """Run ``script`` under ``bash -euo pipefail`` in ``cwd`` with this venv's ``deskframe``
    first on PATH and no DESKFRAME_ variables; its exit code, stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with (cwd / "stderr.txt").open("w+", encoding="utf-8") as errors:
        shell = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            start_new_session=True,
        )
        try:
            out, _ = shell.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            out = ""
        finally:
            if shell.poll() is None:
                os.killpg(shell.pid, signal.SIGKILL)
                shell.wait()
        errors.seek(0)
        return shell.returncode, out, errors.read()


def test_the_readme_curl_example_runs_as_written(tmp_path: Path) -> None:
    script = readme_block()
    assert "8000" in script and script in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code, out, errors = run_script(script.replace("8000", str(free_port())), tmp_path)
    assert code == 0, f"{out}\n--- stderr:\n{errors}"
    decoder = json.JSONDecoder()
    ticket, _ = decoder.raw_decode(out, out.index('{"number"'))  # uvicorn's access log is on stdout too
    listed, _ = decoder.raw_decode(out, out.index('{"items"'))
    assert (ticket["subject"], ticket["customer"], ticket["queue"]) == ("Disk full on db1", "acme", "support")
    assert [row["number"] for row in listed["items"]] == [ticket["number"]] and listed["next_cursor"] is None


def test_the_readme_example_stops_waiting_when_the_server_cannot_start(tmp_path: Path) -> None:
    """The wait for /healthz ends when ``deskframe serve`` ends (a busy port, no config): the
    example fails with the server's message instead of polling for ever."""
    script = readme_block()
    from_serve = script[script.index("deskframe serve") :].replace("8000", str(free_port()))
    code, _, errors = run_script(f"token=x\n{from_serve}", tmp_path)
    assert code not in (0, -signal.SIGKILL), errors
    assert "deskframe.toml: file not found" in errors


def test_docs_api_names_every_operation() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for route in routes():
        kind, _, verb = route.operation_id.partition(".")
        assert f"`{route.operation_id}`" in text or (f"`KIND.{verb}`" in text and kind in text), route.operation_id
