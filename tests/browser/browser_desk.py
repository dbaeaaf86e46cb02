"""A real ``deskframe serve`` for the browser tests: its own desk directory and SQLite
database, set up through the CLI (``init``, ``apply``, ``agent/contact password --stdin``,
``ticket open``), served by uvicorn in a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from deskframe.testing import free_port

#: The password every account of a test desk gets (argon2 hashes it like any other).
PASSWORD = "correct horse battery"
#: How long a server may take to answer /healthz after its start.
START_TIMEOUT = 60.0


class Server:
    """One desk directory with a running ``deskframe serve``; :meth:`cli` runs commands on its desk."""

    def __init__(self, root: Path, *, config_extra: str = ""):
        self.root = root
        self.config = root / "deskframe.toml"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = root / "serve.log"
        self.env = {
            **os.environ,
            "DESKFRAME_CONFIG": str(self.config),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DESKFRAME_NOW", None)
        self.cli("init", str(root))
        if config_extra:
            with self.config.open("a", encoding="utf-8") as out:
                out.write("\n" + config_extra + "\n")

    # --- the command line ------------------------------------------------------
    def cli(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``deskframe ARGS`` on this desk; fails the test on a non-zero exit unless ``check=False``."""
        result = subprocess.run(
            [sys.executable, "-m", "deskframe", *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"deskframe {' '.join(args)} -> {result.returncode}\n{result.stderr[-3000:]}")
        return result

    def json(self, *args: str) -> Any:
        """``deskframe ARGS --format json``, parsed."""
        return json.loads(self.cli(*args, "--format", "json").stdout)

    def apply(self, toml: str) -> None:
        """``deskframe apply`` a directory file."""
        path = self.root / "directory.toml"
        path.write_text(toml, encoding="utf-8")
        self.cli("apply", str(path))

    def password(self, kind: str, name: str, password: str = PASSWORD) -> None:
        """Set an agent's (``kind="agent"``) or contact's (``"contact"``) password via ``--stdin``."""
        self.cli(kind, "password", name, "--stdin", stdin=password + "\n")

    def open_ticket(self, subject: str, body: str, *extra: str) -> str:
        """``deskframe ticket open``; returns the new ticket's number."""
        row = self.json("ticket", "open", "--subject", subject, "--body", body, *extra)
        return str(row["number"])

    def ticket(self, number: str) -> dict[str, Any]:
        """``deskframe ticket show NUMBER --format json``."""
        data: dict[str, Any] = self.json("ticket", "show", number)
        return data

    # --- the server ------------------------------------------------------------
    def start(self) -> Server:
        """Start ``deskframe serve`` and wait until ``/healthz`` answers 200."""
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deskframe", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"deskframe serve exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"deskframe serve did not answer /healthz:\n{self.log_text()}")
            time.sleep(0.1)

    def log_text(self) -> str:
        """The server's output so far (the end of it)."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
