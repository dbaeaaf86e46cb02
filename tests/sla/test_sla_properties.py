"""Property tests: the fast paths against a day-walking oracle, and the laws of add/between.

Calendars are random (zones with and without DST, several frames a day at any minute,
extra holidays and working days, public holidays), instants are random to the
microsecond around 2024-2027, deltas up to about two weeks of working time.
"""

import json
import os
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sla_oracle import oracle_add, oracle_between, oracle_is_working

from deskframe.sla import Calendar

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

UTC = timezone.utc
US = timedelta(microseconds=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = [
    "UTC",
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Santiago",
]
# SLA_EXAMPLES=2000 for a thorough run; the default keeps the suite fast
EXAMPLES = int(os.environ.get("SLA_EXAMPLES", "40"))
PROPS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# minutes that hit DST transitions (01:00-03:00) and day edges often, any minute sometimes
minute = st.one_of(
    st.sampled_from([0, 60, 90, 120, 150, 180, 210, 240, 600, 780, 840, 1140, 1380, 1440]), st.integers(0, 1440)
)


def fmt(m):
    return f"{m // 60:02d}:{m % 60:02d}"


@st.composite
def frames(draw, min_frames=0):
    k = draw(st.integers(min_frames, 3))
    pts = sorted(draw(st.sets(minute, min_size=2 * k, max_size=2 * k)))
    return ",".join(f"{fmt(pts[i])}-{fmt(pts[i + 1])}" for i in range(0, len(pts), 2))


day = st.dates(min_value=datetime(2024, 1, 1).date(), max_value=datetime(2028, 6, 30).date())


@st.composite
def configs(draw):
    cfg = {"timezone": draw(st.sampled_from(ZONES))}
    if draw(st.integers(0, 9)) == 0:
        cfg["hours"] = "24x7"
    else:
        hours = {d: draw(frames()) for d in WEEKDAYS}
        if not any(hours.values()):
            hours["mon"] = "10:00-19:00"
        cfg["hours"] = hours
    hol = draw(st.sampled_from([None, None, {"country": "RU"}, {"country": "DE", "subdiv": "BE"}]))
    if hol:
        cfg["holidays"] = hol
    xh = draw(st.lists(day, max_size=8, unique=True))
    if xh:
        cfg["extra_holidays"] = [d.isoformat() for d in xh]
    xw = draw(st.dictionaries(day.filter(lambda d: d not in xh), frames(min_frames=1), max_size=4))
    if xw:
        cfg["extra_workdays"] = {d.isoformat(): f for d, f in xw.items()}
    return cfg


@lru_cache(maxsize=256)
def _calendar(key: str) -> Calendar:
    return Calendar.from_config(json.loads(key))


def calendar(cfg) -> Calendar:
    return _calendar(json.dumps(cfg, sort_keys=True))


def weekly_minutes(cfg) -> int:
    if cfg["hours"] == "24x7":
        return 7 * 1440
    total = 0
    for f in cfg["hours"].values():
        for part in filter(None, f.split(",")):
            a, b = part.split("-")
            total += (int(b[:2]) * 60 + int(b[3:])) - (int(a[:2]) * 60 + int(a[3:]))
    return total


instants = st.datetimes(min_value=datetime(2024, 3, 1), max_value=datetime(2027, 10, 1), timezones=st.just(UTC))
input_zone = st.sampled_from([UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-5))])


@st.composite
def cases(draw, starts=1):
    cfg = draw(configs())
    cal = calendar(cfg)
    week = timedelta(minutes=weekly_minutes(cfg))
    ss = [draw(instants).astimezone(draw(input_zone)) for _ in range(starts)]
    d = draw(st.one_of(st.just(timedelta(0)), st.timedeltas(timedelta(0), 2 * week)))
    return cal, ss, d


@PROPS
@given(cases())
def test_add_matches_oracle_and_between_inverts_it(case):
    cal, (s,), d = case
    r = cal.add(s, d)
    assert r.tzinfo is UTC
    assert r == oracle_add(cal, s, d)
    assert cal.between(s, r) == d
    assert cal.add_many([s], d) == [r]
    if d:
        # the last moment before the deadline is working time, never on a holiday...
        assert cal.is_working(r - US)
        local = (r - US).astimezone(cal.tzinfo).date()
        assert cal.frames_on(local) or cal.frames_on(local - timedelta(days=1))
        # ...and the deadline itself is working time or exactly a frame end
        if not cal.is_working(r):
            assert (
                any(end == r for day_ in (local, local - timedelta(days=1)) for _, end in cal.frames_on(day_))
                or cal.next_working(r) > r
            )
    else:
        assert r == cal.next_working(s)
        assert r == s or not cal.is_working(s)


@PROPS
@given(cases(starts=2), st.data())
def test_add_is_monotonic(case, data):
    cal, (s1, s2), d1 = case
    if s2 < s1:
        s1, s2 = s2, s1
    d2 = d1 + data.draw(st.timedeltas(timedelta(0), timedelta(days=3)))
    assert cal.add(s1, d1) <= cal.add(s2, d1)
    assert cal.add(s1, d1) <= cal.add(s1, d2)
    assert cal.between(s1, s2) >= timedelta(0)


@PROPS
@given(cases(starts=3))
def test_between_matches_oracle_and_is_additive(case):
    cal, starts, _ = case
    a, b, c = sorted(starts)
    assert cal.between(a, c) == oracle_between(cal, a, c)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    assert cal.between(c, a) == timedelta(0)


@PROPS
@given(cases())
def test_is_working_and_next_working(case):
    cal, (t,), _ = case
    assert cal.is_working(t) == oracle_is_working(cal, t)
    nxt = cal.next_working(t)
    assert nxt >= t and cal.is_working(nxt)
    assert cal.between(t, nxt) == timedelta(0)
    assert (nxt == t) == cal.is_working(t)


@PROPS
@given(cases(starts=8))
def test_add_many_equals_add(case):
    cal, starts, d = case
    assert cal.add_many(starts, d) == [cal.add(s, d) for s in starts]
    assert cal.add_many(starts, [d] * len(starts)) == [cal.add(s, d) for s in starts]


@settings(max_examples=300, deadline=None, database=None)
@given(instants, st.timedeltas(timedelta(0), timedelta(hours=200)))
def test_moscow_8x5_against_oracle(s, d):
    cal = calendar({"timezone": "Europe/Moscow", "hours": {"mon-fri": "10:00-19:00"}, "holidays": {"country": "RU"}})
    r = cal.add(s, d)
    assert r == oracle_add(cal, s, d)
    assert cal.between(s, r) == d


def _us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // US


@PROPS
@given(cases(starts=8), st.randoms(use_true_random=False))
def test_between_many_equals_between(case, rnd):
    cal, instants_, _ = case
    pairs = [(a, b) for a in instants_ for b in instants_]  # forward, backward and empty spans
    rnd.shuffle(pairs)
    expected = [cal.between(a, b) // US for a, b in pairs]
    starts, ends = [_us(a) for a, _ in pairs], [_us(b) for _, b in pairs]
    assert cal.between_many(starts, ends) == expected
    fresh = Calendar.from_config(cal.to_config(), cal.name)  # no table built yet: one cover for all spans
    assert fresh.between_many(starts, ends) == expected


MOSCOW_8X5 = {"timezone": "Europe/Moscow", "hours": {"mon-fri": "10:00-19:00"}, "holidays": {"country": "RU"}}
BERLIN_LUNCH = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": "01:30-03:30,09:00-12:30,13:30-18:00", "sat": "10:00-14:00"},
    "holidays": {"country": "DE", "subdiv": "BE"},
    "extra_holidays": ["2026-03-30"],
}
far_instants = st.datetimes(min_value=datetime(2003, 1, 1), max_value=datetime(2049, 1, 1), timezones=st.just(UTC))


@settings(max_examples=100, deadline=None, database=None)
@given(st.sampled_from([MOSCOW_8X5, BERLIN_LUNCH]), st.lists(st.tuples(instants, instants), max_size=30), far_instants)
def test_between_many_moscow_and_berlin_dst(cfg, spans, far):
    """DST-free Moscow with RU holidays, Berlin with DST transitions inside its frames, a
    weekend day of work, public and extra holidays; one span reaching years away."""
    cal = Calendar.from_config(cfg)
    spans = [*spans, (spans[0][0] if spans else far, far)]
    got = cal.between_many([_us(a) for a, _ in spans], [_us(b) for _, b in spans])
    assert got == [cal.between(a, b) // US for a, b in spans]
    near = spans[:-1][:3]  # the oracle walks day by day: not years
    assert got[: len(near)] == [oracle_between(cal, a, b) // US for a, b in near]


def test_between_many_by_hand():
    cal = Calendar.from_config(MOSCOW_8X5)
    fri_18 = datetime(2026, 10, 30, 15, tzinfo=UTC)  # Friday 18:00 in Moscow
    tue_11 = datetime(2026, 11, 3, 8, tzinfo=UTC)  # Tuesday 11:00 (Mon 2 Nov worked, Wed 4 Nov a holiday)
    thu_10 = datetime(2026, 11, 5, 7, tzinfo=UTC)
    got = cal.between_many([_us(fri_18), _us(tue_11), _us(thu_10)], [_us(tue_11), _us(thu_10), _us(fri_18)])
    assert got == [(1 + 9 + 1) * 3600 * 10**6, 8 * 3600 * 10**6, 0]
    assert cal.between_many([], []) == []
    try:
        cal.between_many([1], [])
    except ValueError:
        pass
    else:
        raise AssertionError("between_many must refuse spans of unequal length")
