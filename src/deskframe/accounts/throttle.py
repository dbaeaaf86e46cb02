"""When failed logins block further tries: 10 failures within a minute, for one account or one
client address, block that account (or address) for a minute after the tenth failure.

The failures are kept in the database (``login_failures``), so every ``deskframe serve``
worker and every machine sharing the database sees the same count. Two workers checking
at the same instant may both let one more try through; the limit is a brake on guessing,
not an exact count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

#: Failures within :data:`WINDOW` that block further tries.
LIMIT = 10
#: The window the failures are counted in.
WINDOW = dt.timedelta(minutes=1)
#: How long tries are refused after the limit was reached.
LOCKOUT = dt.timedelta(minutes=1)
#: Failures older than this are of no use to :func:`blocked_until` (and are dropped).
KEEP = WINDOW + LOCKOUT


def blocked_until(
    failures: Sequence[dt.datetime],
    now: dt.datetime,
    *,
    limit: int = LIMIT,
    window: dt.timedelta = WINDOW,
    lockout: dt.timedelta = LOCKOUT,
) -> dt.datetime | None:
    """When tries are allowed again, if ``failures`` (times, any order) block a try at ``now``; else None.

    A run of ``limit`` failures within ``window`` blocks until ``lockout`` after its last one."""
    times = sorted(t for t in failures if t <= now)
    until = None
    for i in range(len(times) - limit + 1):
        first, last = times[i], times[i + limit - 1]
        if last - first <= window and last + lockout > now:
            until = max(until, last + lockout) if until else last + lockout
    return until


def account_key(kind: str, name: str) -> str:
    """How failures of an account are counted: ``agent:LOGIN`` / ``contact:EMAIL`` (lower-cased)."""
    return f"{kind}:{name.strip().lower()}"
