"""``deskframe intake run`` polls a channel under the same unit lock as a worker's poll of it (an
advisory lock on PostgreSQL, a lock file with ``flock`` on SQLite): run by hand beside a worker,
it skips the channel the worker is polling instead of polling it a second time at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from worker_support import channel_toml, make_maildir, unique_tag

from deskframe.worker import tasks


def intake_run(config) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DESKFRAME_DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "deskframe",
        "--config",
        str(config),
        "intake",
        "run",
        "--once",
        "--format",
        "json",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize(
    "backend",
    [pytest.param("sqlite", marks=pytest.mark.sqlite_pass), pytest.param("postgres", marks=pytest.mark.postgres_pass)],
)
def test_intake_run_skips_a_channel_a_worker_is_polling(desk_dir, tmp_path, backend):
    box = make_maildir(tmp_path / "mail", 3, unique_tag())
    desk = desk_dir(backend, channel_toml(box))
    (unit,) = tasks.build(desk.desk, ["intake"], "test-worker", lambda: False)  # the worker's poll of the channel
    with desk.desk.store.locks.hold(unit.lock or "") as got:  # held as the worker holds it while polling
        assert got
        busy = intake_run(desk.config)
        assert busy.returncode == 0, busy.stderr
        assert json.loads(busy.stdout) == [{"channel": "mail", "skipped": "another process is polling it"}]
        assert len(os.listdir(box / "new")) == 3  # not polled a second time
    free = intake_run(desk.config)  # the worker's poll is over: the channel is polled
    assert free.returncode == 0, free.stderr
    (report,) = json.loads(free.stdout)
    assert (report["channel"], report["created"]) == ("mail", 3)
    assert os.listdir(box / "new") == []
