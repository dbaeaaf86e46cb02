"""Fuzzing (issue 18): arbitrary bytes and mutated real mails never raise and are always accounted for.

Each input is parsed (a well-formed message or :class:`UnparseableMessage`, no
other exception) and then delivered into a Maildir and taken in by the real
``email`` channel's poll on the test database: it must end as an article, a
duplicate of a stored message, or a quarantine entry, raw bytes kept. The real
mails are the shared ``extmail`` corpus when present, else the generated one.
Bounded (``max_examples``) so the file takes seconds; ``benchmarks/fuzz.py
--target email --minutes N`` runs the same properties for longer.
"""

from __future__ import annotations

import os

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskframe.testing import DATABASE_ENV

SEEDS = fuzzing.seed_mails()
BOUNDED = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    harness, close = fuzzing.scratch_harness(tmp_path_factory.mktemp("fuzz"), os.environ.get(DATABASE_ENV))
    try:
        yield harness
    finally:
        close()


mutated_mails = st.builds(
    fuzzing.mutate,
    st.sampled_from(SEEDS),
    st.sampled_from(fuzzing.MUTATIONS),
    st.integers(min_value=0, max_value=1 << 20),
    st.sampled_from(fuzzing.NOISE) | st.binary(min_size=1, max_size=24),
)


def test_there_are_seeds():
    assert len(SEEDS) >= 50


@BOUNDED
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_accounted_for(harness, raw):
    reason = fuzzing.parse_or_reason(raw)
    if not raw.strip():
        assert reason  # nothing to keep as a ticket; still kept in quarantine
    outcome = harness.take(raw)
    assert (outcome == "quarantined") == (reason is not None) or outcome == "duplicates"


@BOUNDED
@given(mutated_mails)
def test_mutated_real_mails_are_accounted_for(harness, raw):
    reason = fuzzing.parse_or_reason(raw)
    outcome = harness.take(raw)
    assert (outcome == "quarantined") == (reason is not None) or outcome == "duplicates"


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_mails)
def test_mutated_real_mails_parse_or_give_a_reason(raw):
    fuzzing.parse_or_reason(raw)
