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


def test_the_readme_curl_example_runs_as_written(tmp_path: Path) -> None:
    script = readme_block()
    assert "8000" in script and script in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    shell = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script.replace("8000", str(free_port()))],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = shell.communicate(timeout=120)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
    assert shell.returncode == 0, out
    decoder = json.JSONDecoder()
    ticket, _ = decoder.raw_decode(out, out.index('{"number"'))  # uvicorn's access log is on stdout too
    listed, _ = decoder.raw_decode(out, out.index('{"items"'))
    assert (ticket["subject"], ticket["customer"], ticket["queue"]) == ("Disk full on db1", "acme", "support")
    assert [row["number"] for row in listed["items"]] == [ticket["number"]] and listed["next_cursor"] is None


def test_docs_api_names_every_operation() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for route in routes():
        kind, _, verb = route.operation_id.partition(".")
        assert f"`{route.operation_id}`" in text or (f"`KIND.{verb}`" in text and kind in text), route.operation_id
