"""Reading Core statements inside an ORM session without the ORM's execution layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session


def core_rows(session: Session, statement: Any, params: Mapping[str, Any] | None = None) -> list[Any]:
    """All rows of the Core ``statement`` run on ``session``'s connection, after the session's
    pending changes are flushed (as ``session.execute`` would flush them). The ORM's execution
    and result layers cost more than a short statement itself on the hot read paths (the API's
    token, a ticket with its names and clocks, its articles and history); the rows are fetched
    at once (the driver's ``fetchall``, not the result's row-by-row iteration)."""
    session.flush()
    return list(session.connection().execute(statement, params).all())
