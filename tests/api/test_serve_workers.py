"""``deskframe serve --workers 2``: a real uvicorn with two worker processes on one port.

Both workers start (two child processes of the server), answer the API with a token, and a
token revoked from outside (the CLI's path, another process) is refused by every worker at the
next request: no worker keeps a principal the database no longer has. On PostgreSQL with
``DESKFRAME_TEST_DATABASE_URL``, on SQLite (WAL) otherwise. No timing is asserted.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_desk import live_desk

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent, Queue
from deskframe.testing import free_port, start_serve, stop_serve, wait_until_serving

pytestmark = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="counts worker processes in /proc")


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
    desk, path, drop = live_desk(root)
    op = Actor.operator()
    desk.directory.upsert([Queue(name="support"), Agent(login="ann", name="Ann", queues={"support": "read"})], actor=op)
    number = desk.tickets.open(subject="Printer on fire", body="b", queue="support", actor=op).number
    token, record = Accounts.of(desk).create_token("agent", "ann", actor=op)
    port = free_port()
    env = dict(os.environ)
    env.pop("DESKFRAME_SERVE_NOW", None)
    server = start_serve(path, port, "--workers", "2", cwd=root, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, ready=lambda: len(worker_pids(server)) >= 2)
        yield {"desk": desk, "base": base, "token": token, "token_id": record.id, "number": number, "server": server}
    finally:
        stop_serve(server)
        desk.close()
        drop()


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
