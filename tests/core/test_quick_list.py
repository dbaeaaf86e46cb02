"""The quick ticket listing (store/quick_list.py, listing.py) returns what the full path returns.

The quick path writes its SQL by hand; these tests keep it from drifting from
``TicketViewRepo.list_tickets``: random desks (tickets, owners, locks, SLA clocks in every status,
tied change times) and random filters, both paths, identical rows - or the identical error, which
the quick path leaves to the full one. They run on SQLite, and on PostgreSQL with
``DESKFRAME_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from listing_world import AGENTS, BASE, CLOCK_STATUSES, CUSTOMERS, QUEUES, STATE_NAMES, STATES_CONFIG, ZONES, fill
from sqlalchemy import text

from deskframe import listing
from deskframe.errors import DeskframeError
from deskframe.listing import ticket_rows
from deskframe.model import PRIORITY_LEVELS, STATE_TYPES
from deskframe.store import quick_list
from deskframe.store.quick_list import HEAD_REVISION, quick_ticket_rows
from deskframe.testing import Clock


@pytest.fixture
def listing_desk(make_desk: Any) -> Any:
    return make_desk(STATES_CONFIG, clock=Clock(BASE))


# --- random desks -------------------------------------------------------------------------
def weighted(table: list[Any]) -> st.SearchStrategy[Any]:
    """An element of ``table``, near uniformly (repeat an element to weigh it; ``sampled_from``
    prefers the ends of its list)."""
    return st.integers(0, 10**6).map(lambda i: table[i % len(table)])


times = st.builds(
    lambda half_hours, micro: BASE + dt.timedelta(minutes=30 * half_hours, microseconds=micro),
    st.integers(-2, 6),  # few distinct times: ties in the order, clocks due exactly "now"
    st.sampled_from([0, 0, 0, 1, 999_999]),
)
maybe_times = st.one_of(st.none(), times)
clocks = st.fixed_dictionaries(
    {
        "status": st.sampled_from(CLOCK_STATUSES),
        "due_at": times,
        "warn_at": maybe_times,
        "paused_at": maybe_times,
        "breached_at": maybe_times,
    }
)
tickets = st.fixed_dictionaries(
    {
        "subject": st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12).map(
            lambda s: s.replace("\x00", "")
        ),
        "state": st.sampled_from(STATE_NAMES),
        "state_type": st.sampled_from(STATE_TYPES),
        "priority": st.sampled_from(PRIORITY_LEVELS),
        "queue": st.integers(0, len(QUEUES) - 1),
        "customer": st.one_of(st.none(), st.integers(0, len(CUSTOMERS) - 1)),
        "owner": st.one_of(st.none(), st.integers(0, len(AGENTS) - 1)),
        "locked_by": st.one_of(st.none(), st.integers(0, len(AGENTS) - 1)),
        "created_at": times,
        "updated_at": times,
        "clocks": st.lists(clocks, max_size=3),
    }
)
worlds = st.fixed_dictionaries(
    {
        "queues": weighted([1, 3] + [len(QUEUES)] * 4),
        "customers": weighted([0, 2] + [len(CUSTOMERS)] * 4),
        "agents": weighted([0, 2] + [len(AGENTS)] * 4),
        "tickets": st.lists(tickets, min_size=3, max_size=30),
    }
)


def known_or_not(names: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    """Mostly no filter, often a name (which may not exist in the world), rarely an unknown one."""
    return weighted([None] * 8 + [*names, *names, "nobody", "", "Support"])


filters = st.fixed_dictionaries(
    {
        "state": weighted([None] * 10 + [*STATE_NAMES, *STATE_TYPES, "", "bogus", "Open"]),
        "queue": known_or_not(QUEUES),
        "owner": known_or_not(AGENTS),
        "customer": known_or_not(CUSTOMERS),
        "open_only": st.booleans(),
        "limit": st.sampled_from([None, None, 1, 3, 100]),
        "sla": st.sampled_from([None, "warning", "breached"]),
        "now": st.builds(lambda t, zone: t.astimezone(zone), times, st.sampled_from(ZONES)),
    }
)


def outcome(call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """The rows, or the error as the CLI would show it."""
    try:
        return call(*args, **kwargs)
    except DeskframeError as exc:
        return (type(exc).__name__, str(exc))


class FullPath:
    """The ``desk`` argument of ``ticket_rows``, counting how often the full path was taken."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk
        self.calls = 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.desk


def known_filters(f: dict[str, Any], world: dict[str, Any]) -> bool:
    """Whether every name in the filters exists (the quick path answers only then)."""
    existing = {
        "queue": QUEUES[: world["queues"]],
        "owner": AGENTS[: world["agents"]],
        "customer": CUSTOMERS[: world["customers"]],
    }
    names_ok = all(f[key] is None or f[key] in names for key, names in existing.items())
    state_ok = not f["state"] or f["state"] in STATE_NAMES or f["state"] in STATE_TYPES
    return names_ok and state_ok


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    world=worlds,
    cases=st.lists(filters, min_size=1, max_size=6),
    instants=st.lists(times, min_size=1, max_size=3),
)
def test_quick_and_full_listing_agree(
    listing_desk: Any, world: dict[str, Any], cases: list[dict[str, Any]], instants: list[dt.datetime]
) -> None:
    desk = listing_desk
    fill(desk, world)
    # the random filters, and both SLA filters at a few instants and at the clocks' own times
    # (a clock due or warning exactly "now" sits on the edge of each comparison)
    marks = {c[k] for t in world["tickets"] for c in t["clocks"] for k in ("due_at", "warn_at") if c[k]}
    at = [*instants, *sorted(marks)[:6]]
    sweep = [{"sla": sla, "now": now, "limit": None} for sla in ("warning", "breached") for now in at]
    counts = []
    for case in [*cases, *sweep]:
        f = dict(case)
        now = f.pop("now")
        desk.clock.now = now
        full = outcome(desk.tickets.list, **f)
        full_path = FullPath(desk)
        quick = outcome(ticket_rows, desk.config, full_path, now=now, **f)
        assert quick == full, (f, now)
        # the quick path answered every request whose names exist, and only those
        assert (full_path.calls == 0) == known_filters(dict(FILTER_DEFAULTS, **f), world), f
        counts.append(len(full) if isinstance(full, list) else -1)
    event(f"rows listed: {'some' if max(counts) > 0 else 'none'}")


FILTER_DEFAULTS = {"state": None, "queue": None, "owner": None, "customer": None}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    world=worlds,
    queues=st.one_of(st.none(), st.lists(st.sampled_from(QUEUES + ("nowhere",)), unique=True)),
    case=filters,
)
def test_visible_queue_filter_agrees(
    listing_desk: Any, world: dict[str, Any], queues: list[str] | None, case: dict[str, Any]
) -> None:
    """``queues`` (the queues an actor may see) filters both paths alike, an empty list to nothing:
    the repository and the quick query, and the service and ``ticket_rows`` (what the CLI calls)."""
    desk = listing_desk
    fill(desk, world)
    typed = dict(case)
    desk.clock.now = now = typed.pop("now")
    service = outcome(desk.tickets.list, **typed, queues=queues)
    assert outcome(ticket_rows, desk.config, FullPath(desk), now=now, **typed, queues=queues) == service
    if queues is not None and isinstance(service, list):
        assert {row["queue"] for row in service} <= set(queues)
    f = {k: v for k, v in case.items() if k != "open_only"}
    if not known_filters(dict(f, open_only=False), world) or f["state"] not in (None, "", *STATE_NAMES):
        return
    f["state_types"] = ["new", "open", "pending"] if case["open_only"] else None
    with desk.store.read() as repo:
        full = repo.list_tickets(**f, queues=queues)
    quick = quick_ticket_rows(desk.config.database_url, **f, queues=queues)
    assert quick == full
    if queues is not None:
        assert {row["queue"] for row in full} <= set(queues)


def test_service_list_passes_queues_through(listing_desk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``desk.tickets.list(queues=...)`` keeps only those queues' tickets, as ``ticket_rows`` does
    on the quick path and on the full one (where the service answers)."""
    world = {
        "queues": len(QUEUES),
        "customers": 1,
        "agents": 1,
        "tickets": [
            {
                "subject": f"t{n}",
                "state": "new",
                "state_type": "new",
                "priority": "P3",
                "queue": n % len(QUEUES),
                "customer": 0,
                "owner": None,
                "locked_by": None,
                "created_at": BASE,
                "updated_at": BASE + dt.timedelta(minutes=n),
                "clocks": [],
            }
            for n in range(12)
        ],
    }
    fill(listing_desk, world)
    listing_desk.clock.now = BASE
    for queues in (None, [], ["hardware"], ["support", "two words", "nowhere"]):
        service = listing_desk.tickets.list(queues=queues, limit=None)
        expected = 12 if queues is None else sum(1 for n in range(12) if QUEUES[n % len(QUEUES)] in queues)
        assert len(service) == expected, queues
        assert queues is None or {row["queue"] for row in service} <= set(queues)
        full_path = FullPath(listing_desk)
        assert ticket_rows(listing_desk.config, full_path, now=BASE, queues=queues, limit=None) == service
        assert full_path.calls == 0
        with monkeypatch.context() as patch:  # the quick path declines: the service answers
            patch.setattr(listing, "quick_ticket_rows", lambda *a, **k: None)
            assert ticket_rows(listing_desk.config, full_path, now=BASE, queues=queues, limit=None) == service
        assert full_path.calls == 1


def test_head_revision_is_the_newest_migration() -> None:
    """quick_list.HEAD_REVISION names the migration scripts' head (update it with a new migration)."""
    from deskframe.store import head_revision

    assert head_revision() == HEAD_REVISION, "update HEAD_REVISION in src/deskframe/store/quick_list.py"


def test_due_times_of_more_tickets_than_one_query_takes(listing_desk: Any) -> None:
    """``limit=None`` over more tickets than a due-time query's chunk: every ticket, every due time."""
    world = {
        "queues": 2,
        "customers": 1,
        "agents": 1,
        "tickets": [
            {
                "subject": f"t{n}",
                "state": "new",
                "state_type": "new",
                "priority": "P3",
                "queue": n % 2,
                "customer": 0,
                "owner": None,
                "locked_by": None,
                "created_at": BASE,
                "updated_at": BASE + dt.timedelta(seconds=n % 7),
                "clocks": [{"status": "running", "due_at": BASE + dt.timedelta(minutes=n), **NO_MARKS}],
            }
            for n in range(quick_list.DUE_CHUNK * 2 + 20)
        ],
    }
    fill(listing_desk, world)
    quick = quick_ticket_rows(listing_desk.config.database_url, now=BASE, limit=None)
    assert quick is not None and len(quick) == len(world["tickets"])
    assert quick == listing_desk.tickets.list(limit=None)
    assert all(row["due"] is not None for row in quick)


NO_MARKS = {"warn_at": None, "paused_at": None, "breached_at": None}


def test_no_database_file_is_left_to_the_full_path(tmp_path: Path) -> None:
    """A database that does not exist yet: no answer, and no file created."""
    missing = tmp_path / "sub" / "deskframe.db"
    assert quick_ticket_rows(f"sqlite:///{missing}", now=BASE) is None
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///{db}?timeout=5",
        "sqlite+aiosqlite:///{db}",
        "mysql+pymysql://u@h/db",
        "not a url",
        "postgresql+psycopg2://u@127.0.0.1:1/db",
        "postgresql+psycopg://u@h/db?host=a&host=b",
    ],
)
def test_other_urls_are_left_to_the_full_path(url: str, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"")
    assert quick_ticket_rows(url.format(db=db), now=BASE) is None


def test_a_schema_not_at_the_head_revision_is_left_to_the_full_path(listing_desk: Any) -> None:
    url = listing_desk.config.database_url
    assert quick_ticket_rows(url, now=BASE) == []
    for version in ("0013", "9999"):
        with listing_desk.store.write() as repo:
            repo.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        assert quick_ticket_rows(url, now=BASE) is None
    with listing_desk.store.write() as repo:
        repo.session.execute(text("DELETE FROM alembic_version"))
    assert quick_ticket_rows(url, now=BASE) is None
    with listing_desk.store.write() as repo:
        repo.session.execute(text("DROP TABLE alembic_version"))
    assert quick_ticket_rows(url, now=BASE) is None


def test_an_sqlite_file_that_is_no_database_is_left_to_the_full_path(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not an SQLite database" * 100)
    assert quick_ticket_rows(f"sqlite:///{junk}", now=BASE) is None
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert quick_ticket_rows(f"sqlite:///{empty}", now=BASE) is None
    assert empty.read_bytes() == b""  # only read


def test_nul_in_a_filter_is_left_to_the_full_path(listing_desk: Any) -> None:
    fill(listing_desk, {"queues": 1, "customers": 1, "agents": 1, "tickets": []})
    url = listing_desk.config.database_url
    assert quick_ticket_rows(url, now=BASE, customer="acme") == []
    assert quick_ticket_rows(url, now=BASE, customer="ac\x00me") is None
    assert quick_ticket_rows(url, now=BASE, queues=["support\x00"]) is None


def test_a_naive_now_is_refused_as_the_store_refuses_it(listing_desk: Any) -> None:
    naive = BASE.replace(tzinfo=None)
    assert quick_ticket_rows(listing_desk.config.database_url, now=naive, sla="warning") is None


@pytest.mark.skipif(not os.environ.get("DESKFRAME_TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_postgres_is_read_through_psycopg_directly(listing_desk: Any) -> None:
    assert listing_desk.config.database_url.startswith("postgresql")
    fill(listing_desk, {"queues": 1, "customers": 0, "agents": 0, "tickets": []})
    assert quick_ticket_rows(listing_desk.config.database_url, now=BASE) == []
    refused = listing_desk.config.database_url.replace("@127.0.0.1:5432/", "@127.0.0.1:1/")
    assert refused != listing_desk.config.database_url
    assert quick_ticket_rows(refused, now=BASE) is None
