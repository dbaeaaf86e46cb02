"""The explicit checks that replaced implicit ``None`` and ``Result`` assumptions when the store and the
SLA calendar became type-clean: each raises a clear error instead of an ``AttributeError`` further on."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from deskframe.errors import NotFound
from deskframe.sla.calendar_table import EMPTY_TABLE
from deskframe.sla.calendar_years import YearTables
from deskframe.store.rows import TicketRow
from deskframe.store.sql_values import rowcount


def test_rowcount_counts_an_update_and_refuses_a_select(desk, factory) -> None:  # type: ignore[no-untyped-def]
    """``rowcount`` reads the CursorResult of an UPDATE; a query's result is refused by name."""
    number = factory.ticket().number
    with desk.store.write() as repo:
        result = repo.session.execute(
            update(TicketRow)
            .where(TicketRow.number == number)
            .values(subject="renamed")
            .execution_options(synchronize_session=False)
        )
        assert rowcount(result) == 1
        with pytest.raises(TypeError, match="UPDATE or DELETE"):
            rowcount(repo.session.execute(select(TicketRow.id)))


def test_ticket_row_by_id_names_an_unknown_id(desk, factory) -> None:  # type: ignore[no-untyped-def]
    """A ticket id with no row is NotFound, not a None handed back to the caller."""
    ticket = factory.ticket()
    with desk.store.read() as repo:
        row = repo.ticket_row(ticket.number)
        assert repo.ticket_row_by_id(row.id).number == ticket.number
        with pytest.raises(NotFound, match="unknown ticket id"):
            repo.ticket_row_by_id(row.id + 1000)


def test_extend_forward_refuses_the_empty_table() -> None:
    """Extending the table of a calendar nothing was asked of yet is a bug, reported as one."""
    tables = YearTables(
        tz=ZoneInfo("UTC"),
        week=(((0, 1440),),) * 7,
        holidays=None,
        extra_holidays=frozenset(),
        extra_workdays={},
        name="always",
    )
    with pytest.raises(RuntimeError, match="needs a built table"):
        tables.extend_forward(EMPTY_TABLE, 0)
    built = tables.cover(0, 0)  # a built table extends as before
    assert tables.extend_forward(built, 0).y1 > built.y1
