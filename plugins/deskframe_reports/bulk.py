"""Building a month's report allocates some hundred thousand small tuples that all live until
the report is done; the cyclic garbage collector, which runs a full pass each time the
long-lived objects grow by a quarter, walked the whole heap three times per report (a fifth of
its CPU time on 10,000 tickets) and found nothing to free: the report's values hold no cycles,
and reference counting frees them as usual.

:func:`no_cycle_collection` pauses the cyclic collector around such a build. It re-enables it
only if it disabled it itself, so nested or concurrent builds never leave it off: the first to
end turns it back on, which costs the others only their speed-up, and a process that turned the
collector off itself keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (reference counting goes on)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
