"""The ``[outbox]`` table of ``deskframe.toml``: attempts, back-off, lease, sessions, the ``file`` delivery's directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from .tables import TableReader


@attrs.frozen
class OutboxSettings:
    """How the outbox retries (docs/outbox.md).

    ``max_attempts`` deliveries begun before a message is ``failed``; the n-th retry waits
    ``backoff * 2**(n-1)``, at most ``max_backoff``; a claim is held for ``lease``; the ``file``
    delivery writes ``.eml`` files into ``file_dir`` (``None``: ``<data_dir>/outbox``).
    ``redirect`` maps a kind to the delivery that sends it instead (``{"email": "file"}``: mail
    becomes files, for a demo or a staging desk without a mail server). ``sessions`` is how many
    sessions (SMTP connections) a worker's delivery pass opens side by side for a delivery that
    allows it (``Delivery.parallel``: the e-mail delivery); the others use one.
    """

    max_attempts: int = 8
    backoff: dt.timedelta = dt.timedelta(seconds=30)
    max_backoff: dt.timedelta = dt.timedelta(hours=1)
    lease: dt.timedelta = dt.timedelta(minutes=5)
    file_dir: Path | None = None
    redirect: dict[str, str] = attrs.field(factory=dict)
    sessions: int = 2

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait before the next attempt after ``attempts`` failed ones (exponential, capped)."""
        step = max(attempts - 1, 0)
        if step >= 40:
            return self.max_backoff
        return min(self.backoff * (2**step), self.max_backoff)


def parse_outbox(table: TableReader, base_dir: Path) -> OutboxSettings:
    """``[outbox]`` as :class:`OutboxSettings`; every error names its key."""
    table.reject_unknown(["max_attempts", "backoff", "max_backoff", "lease", "file_dir", "redirect", "sessions"])
    file_dir = table.str("file_dir", None, max_length=4096)
    redirects = table.sub("redirect", {})
    redirect = {kind: redirects.name(kind, max_length=50) for kind in redirects.data}
    return OutboxSettings(
        max_attempts=table.int("max_attempts", 8, minimum=1, maximum=1000),
        backoff=table.duration("backoff", "30s", minimum=dt.timedelta(0)),
        max_backoff=table.duration("max_backoff", "1h", minimum=dt.timedelta(0)),
        lease=table.duration("lease", "5m", minimum=dt.timedelta(seconds=1)),
        file_dir=(base_dir / file_dir) if file_dir else None,
        redirect=redirect,
        sessions=table.int("sessions", 2, minimum=1, maximum=64),
    )
