"""README.md's tour cannot rot: its ```sh tour block runs as written in an empty directory.

The block is copied out of README.md and run by ``bash -euo pipefail`` with this
interpreter's ``bin`` directory (where ``pip install -e .`` put ``deskframe``) first on
``PATH``, as the README tells a reader to do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

ROOT = Path(__file__).resolve().parents[2]
TOUR = re.compile(r"^```sh tour\n(.*?)^```", re.S | re.M)


def tour_script() -> str:
    found = TOUR.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "README.md must have exactly one ```sh tour block"
    return found[0]


def test_readme_tour_runs_as_written(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    # `set -x` with this PS4 marks each command, so each command's output can be read apart
    # (set inside the script: bash ignores PS4 from the environment when run as root)
    script = "PS4='+@@ '\nset -x\n" + tour_script()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"tour failed:\n{done.stdout[-4000:]}"
    assert "Traceback" not in done.stdout
    outputs = outputs_by_command(done.stdout)
    # `site=$(deskframe ticket open ...)` shows as `site=NUMBER` once the command has run
    numbers = [cmd.split("=", 1)[1] for cmd, _ in outputs if re.match(r"(site|again)=\d+$", cmd)]
    assert len(numbers) == 2 and all(n.isdigit() for n in numbers)
    site = numbers[0]
    # the promised refusal, naming the holder
    assert "locked by alice" in output_of(outputs, "deskframe ticket lock")
    # the Russian word is found in the ticket it was written to (merged into the first one)
    found = output_of(outputs, "deskframe ticket search")
    assert site in found and numbers[1] not in found.replace(f"[{numbers[1]}]", "")
    entries = json.loads(output_of(outputs, "deskframe time list"))
    assert [(e["ticket"], e["agent"], e["minutes"]) for e in entries] == [(site, "alice", 45)]
    shown = output_of(outputs, "deskframe ticket show")
    assert "Articles (3)" in shown and "merged_from" in shown and "line 1 -> 2" in shown
    assert {"email", "chat", "phone", "sla", "pricing", "invoicing", "otrs"} <= {
        p["name"] for p in json.loads(output_of(outputs, "deskframe plugins"))
    }


def outputs_by_command(text: str) -> list[tuple[str, str]]:
    """Split ``bash -x`` output (PS4 ``+@@ ``) into (command, what it printed) pairs."""
    pairs: list[tuple[str, str]] = []
    for chunk in re.split(r"^\++@@ ", text, flags=re.M)[1:]:
        command, _, output = chunk.partition("\n")
        pairs.append((command.strip(), output))
    return pairs


def output_of(pairs: list[tuple[str, str]], prefix: str) -> str:
    matches = [out for cmd, out in pairs if cmd.startswith(prefix)]
    assert matches, f"the tour ran no {prefix!r}"
    return matches[-1]
