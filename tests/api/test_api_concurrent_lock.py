"""Issue 13: two ``deskframe serve`` processes (real uvicorn) on one database; 200 agents ask
both at once for the lock of one ticket. Exactly one wins; the 199 others get 409 naming it.

Meant for PostgreSQL (``DESKFRAME_TEST_DATABASE_URL``), where the row lock decides; on SQLite
the same test runs against its single writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from live_desk import live_desk

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent, Queue
from deskframe.testing import free_port, start_serve, stop_serve, wait_until_serving

AGENTS = 200


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("lock-crowd")
    desk, path, drop = live_desk(root)
    op = Actor.operator()
    logins = [f"agent{i:03d}" for i in range(AGENTS)]
    desk.directory.upsert(
        [Queue(name="support")] + [Agent(login=x, name=x, queues={"support": "write"}) for x in logins], actor=op
    )
    accounts = Accounts.of(desk)
    tokens = {x: accounts.create_token("agent", x, actor=op)[0] for x in logins}
    number = desk.tickets.open(subject="Everyone wants this", body="b", queue="support", actor=op).number
    servers, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            servers.append(start_serve(path, port, cwd=root))
            urls.append(f"http://127.0.0.1:{port}")
        for url_, server in zip(urls, servers):
            wait_until_serving(url_, server)
        yield {"desk": desk, "tokens": tokens, "number": number, "urls": urls}
    finally:
        for server in servers:
            stop_serve(server)
        desk.close()
        drop()


async def _all_at_once(urls: list[str], number: str, tokens: dict[str, str]) -> list[tuple[str, httpx.Response]]:
    limits = httpx.Limits(max_connections=AGENTS)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def ask(i: int, login: str) -> tuple[str, httpx.Response]:
            url = f"{urls[i % 2]}/api/v1/tickets/{number}/lock"
            return login, await client.post(url, headers={"Authorization": f"Bearer {tokens[login]}"})

        return await asyncio.gather(*(ask(i, login) for i, login in enumerate(tokens)))


def test_200_agents_lock_one_ticket_through_two_servers_exactly_one_wins(crowd):
    answers = asyncio.run(_all_at_once(crowd["urls"], crowd["number"], crowd["tokens"]))
    statuses = sorted(r.status_code for _, r in answers)
    winners = [login for login, r in answers if r.status_code == 200]
    assert statuses.count(200) == 1 and statuses.count(409) == AGENTS - 1, statuses
    (winner,) = winners
    for _, r in answers:
        if r.status_code == 409:
            assert r.json()["holder"] == winner and winner in r.json()["detail"]
    assert crowd["desk"].tickets.get(crowd["number"], full=False).locked_by == winner
