"""What authentication costs per request: argon2 (login), token and session lookups (every API call).

    .venv/bin/python benchmarks/accounts.py [--tokens 1000] [--repeat 2000] [--dir PATH]

Builds a SQLite desk with ``--tokens`` API tokens and as many web sessions, then times
(median and p95 of ``--repeat`` calls): argon2id hash and verify with the default
parameters, ``Accounts.token_principal`` (a token's SHA-256, one indexed lookup, the
account's rights), ``Accounts.session_principal`` after the cookie's HMAC check, and the
cookie HMAC alone. The floor is a bare SQLAlchemy ``SELECT`` of one token row by its hash.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 of ``repeat`` calls, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()

    from sqlalchemy import select

    from deskframe.accounts import cookies, tokens
    from deskframe.accounts.passwords import hasher
    from deskframe.accounts.service import Accounts
    from deskframe.actors import Actor
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.model import Agent, Queue
    from deskframe.plugins import build_plugins
    from deskframe.store.account_rows import ApiTokenRow

    root = args.dir or Path(tempfile.mkdtemp(prefix="deskframe-accounts-"))
    root.mkdir(parents=True, exist_ok=True)
    config = root / "deskframe.toml"
    config.write_text(f'[desk]\ndatabase = "sqlite:///{root / "bench.db"}"\n', encoding="utf-8")
    plugins = build_plugins()
    desk = Desk(load_config(config, plugins.registry), plugins)
    desk.upgrade()
    operator = Actor.operator()
    desk.directory.add_queue(Queue(name="support"), actor=operator)
    for i in range(20):
        desk.directory.add_agent(
            Agent(login=f"agent{i}", name=f"Agent {i}", queues={"support": "write"}), actor=operator
        )
    accounts = Accounts.of(desk)
    accounts.set_password("agent", "agent0", "benchmark password", actor=operator)
    secrets = [
        accounts.create_token("agent", f"agent{i % 20}", lifetime=dt.timedelta(days=1), actor=operator)[0]
        for i in range(args.tokens)
    ]
    sessions = [accounts.login("agent", "agent0", "benchmark password", address=f"10.0.{i}.1") for i in range(50)]
    key = accounts.key
    cookie = cookies.sign(key, sessions[-1].secret)

    ph = hasher()
    stored = ph.hash("benchmark password")
    rows = []
    rows.append(("argon2id hash (default parameters)", *timed(lambda: ph.hash("benchmark password"), 10)))
    rows.append(("argon2id verify", *timed(lambda: ph.verify(stored, "benchmark password"), 10)))
    n = iter(range(10**9))
    rows.append(
        (
            "token_principal (live token)",
            *timed(lambda: accounts.token_principal(secrets[next(n) % len(secrets)]), args.repeat),
        )
    )
    rows.append(
        ("token_principal (unknown token)", *timed(lambda: accounts.token_principal("dft_" + "x" * 43), args.repeat))
    )
    rows.append(
        (
            "cookie HMAC + session_principal",
            *timed(lambda: accounts.session_principal(cookies.unsign(key, cookie) or ""), args.repeat),
        )
    )
    rows.append(("cookie HMAC check alone", *timed(lambda: cookies.unsign(key, cookie), args.repeat)))
    digest = tokens.digest(secrets[0])

    def floor() -> None:
        with desk.store.db.read() as session:
            session.scalar(select(ApiTokenRow).where(ApiTokenRow.secret_hash == digest))

    rows.append(("floor: SELECT one token row by hash", *timed(floor, args.repeat)))
    print(f"{args.tokens} tokens, 50 sessions, 20 agents, SQLite at {root}")
    print(f"{'what':42} {'median ms':>10} {'p95 ms':>10}")
    for name, median, p95 in rows:
        print(f"{name:42} {median:10.3f} {p95:10.3f}")
    desk.close()


if __name__ == "__main__":
    main()
