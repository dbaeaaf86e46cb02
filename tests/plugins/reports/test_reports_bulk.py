"""``no_cycle_collection``: the collector is paused inside and left as it was found."""

from __future__ import annotations

import gc

from deskframe_reports.bulk import no_cycle_collection


def test_pauses_and_restores_the_collector():
    assert gc.isenabled()
    with no_cycle_collection():
        assert not gc.isenabled()
        with no_cycle_collection():  # nested: the outer one turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_leaves_a_collector_turned_off_elsewhere_off():
    gc.disable()
    try:
        with no_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_restores_on_error():
    try:
        with no_cycle_collection():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.isenabled()
