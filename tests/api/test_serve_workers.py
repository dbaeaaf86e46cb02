"""``deskframe serve --workers 2``: a real uvicorn with two worker processes on one port.

Both workers start (two child processes of the server), answer the API with a token, and a
token revoked from outside (the CLI's path, another process) is refused by every worker at the
next request: no worker keeps a principal the database no longer has. On PostgreSQL with
``DESKFRAME_TEST_DATABASE_URL``, on SQLite (WAL) otherwise. No timing is asserted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.config import load_config
from deskframe.desk import Desk
from deskframe.model import Agent, Queue
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database
from deskframe.testing import DATABASE_ENV

pytestmark = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="counts worker processes in /proc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """uvicorn's worker processes under ``server`` (started by multiprocessing's spawn)."""
    out = []
    for pid in children(server.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in cmdline and b"spawn_main" in cmdline:
            out.append(pid)
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("serve-workers")
    url, drop = scratch_database(os.environ.get(DATABASE_ENV), str(root / "deskframe.db"))
    path = root / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "{url}"\ndata_dir = "data"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(path, plugins.registry), plugins)
    desk.upgrade()
    op = Actor.operator()
    desk.directory.upsert([Queue(name="support"), Agent(login="ann", name="Ann", queues={"support": "read"})], actor=op)
    number = desk.tickets.open(subject="Printer on fire", body="b", queue="support", actor=op).number
    token, record = Accounts.of(desk).create_token("agent", "ann", actor=op)
    port = free_port()
    env = {**os.environ, "DESKFRAME_CONFIG": str(path)}
    env.pop("DESKFRAME_SERVE_NOW", None)
    cli = str(Path(sys.executable).parent / "deskframe")
    server = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--workers", "2"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while len(worker_pids(server)) < 2 or not _up(base):
            assert server.poll() is None, "deskframe serve --workers 2 stopped"
            assert time.monotonic() < deadline, f"{base} did not come up with two workers"
            time.sleep(0.2)
        yield {"desk": desk, "base": base, "token": token, "token_id": record.id, "number": number, "server": server}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        desk.close()
        drop()


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_workers_start_and_answer_the_api(served):
    assert len(worker_pids(served["server"])) == 2
    headers = {"Authorization": f"Bearer {served['token']}"}
    with httpx.Client(base_url=served["base"], headers=headers, timeout=30) as client:
        for _ in range(20):  # new connections: the kernel hands them to either worker
            with httpx.Client(base_url=served["base"], headers=headers, timeout=30) as fresh:
                shown = fresh.get(f"/api/v1/tickets/{served['number']}")
                assert shown.status_code == 200 and shown.json()["subject"] == "Printer on fire"
        page = client.get("/api/v1/tickets", params={"state": "new"})
        assert page.status_code == 200
        assert [t["number"] for t in page.json()["items"]] == [served["number"]]


def test_a_token_revoked_elsewhere_is_refused_by_every_worker_at_once(served):
    headers = {"Authorization": f"Bearer {served['token']}"}
    assert httpx.get(served["base"] + "/api/v1/me", headers=headers, timeout=30).status_code == 200
    Accounts.of(served["desk"]).revoke_token(served["token_id"], actor=Actor.operator())
    for _ in range(20):
        with httpx.Client(base_url=served["base"], headers=headers, timeout=30) as fresh:
            for path in ("/api/v1/me", f"/api/v1/tickets/{served['number']}", "/api/v1/tickets"):
                answer = fresh.get(path)
                assert answer.status_code == 401, (path, answer.status_code)
                assert "Printer on fire" not in answer.text
