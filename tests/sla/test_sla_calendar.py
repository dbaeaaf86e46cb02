"""Business-calendar behaviour on hand-checked examples."""

import pickle
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from deskframe.sla import Calendar

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

UTC = timezone.utc
MSK = ZoneInfo("Europe/Moscow")
BER = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
MOSCOW = {
    "timezone": "Europe/Moscow",
    "hours": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "10:00-19:00"),
    "holidays": {"country": "RU"},
}


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


@pytest.fixture(scope="module")
def moscow():
    return Calendar.from_config(MOSCOW, "moscow-8x5")


# The edge-case table of shared/peers (README and results/2026-11-22.txt), `ref` column.
PEERS_EDGES = [
    ("2025-03-03 09:59:59", "2025-03-03 11:00:00", "2025-03-04 17:00:00"),
    ("2025-03-03 10:00:00", "2025-03-03 11:00:00", "2025-03-04 17:00:00"),
    ("2025-03-03 12:00:00", "2025-03-03 13:00:00", "2025-03-04 19:00:00"),
    ("2025-03-03 18:00:00", "2025-03-03 19:00:00", "2025-03-05 16:00:00"),
    ("2025-03-03 18:59:59", "2025-03-04 10:59:59", "2025-03-05 16:59:59"),
    ("2025-03-03 19:00:00", "2025-03-04 11:00:00", "2025-03-05 17:00:00"),
    ("2025-03-07 18:30:00", "2025-03-10 10:30:00", "2025-03-11 16:30:00"),
    ("2025-03-08 12:00:00", "2025-03-10 11:00:00", "2025-03-11 17:00:00"),
    ("2025-04-30 18:30:00", "2025-05-05 10:30:00", "2025-05-06 16:30:00"),
    ("2025-10-31 18:30:00", "2025-11-05 10:30:00", "2025-11-06 16:30:00"),
    ("2025-12-31 12:00:00", "2026-01-12 11:00:00", "2026-01-13 17:00:00"),
    # the two pandas disagreements of the random sample: deadline exactly at closing time
    ("2025-05-26 12:00:00", "2025-05-26 13:00:00", "2025-05-27 19:00:00"),
    ("2026-09-11 12:00:00", "2026-09-11 13:00:00", "2026-09-14 19:00:00"),
]


@pytest.mark.parametrize(("created", "plus1h", "plus16h"), PEERS_EDGES)
def test_moscow_peers_edge_table(moscow, created, plus1h, plus16h):
    start = msk(created)
    r1, r16 = moscow.add(start, H), moscow.add(start, 16 * H)
    assert r1 == msk(plus1h) and r1.tzinfo is UTC
    assert r16 == msk(plus16h)
    assert moscow.add_many([start], H) == [r1]
    assert moscow.between(start, r1) == H and moscow.between(start, r16) == 16 * H


def test_moscow_transferred_saturday_only_with_extra_workdays(moscow):
    start = msk("2025-10-31 18:30")
    assert moscow.add(start, H) == msk("2025-11-05 10:30")  # Sat 1st, Mon 3rd, Tue 4th off
    cal = Calendar.from_config({**MOSCOW, "extra_workdays": {"2025-11-01": "10:00-19:00"}})
    assert cal.add(start, H) == msk("2025-11-01 10:30")
    assert cal.is_working(msk("2025-11-01 18:59:59")) and not cal.is_working(msk("2025-11-01 19:00"))
    assert cal.add(start, 16 * H) == msk("2025-11-05 16:30")


def test_moscow_holidays_from_package(moscow):
    # 2025-05-02 is "Day off (substituted)", 2025-12-31 too; 2025-11-03 substituted, 11-04 Unity Day
    for day in ("2025-05-02", "2025-12-31", "2025-11-03", "2025-11-04", "2026-01-05", "2027-01-08"):
        assert moscow.frames_on(date.fromisoformat(day)) == []
        assert not moscow.is_working(msk(day + " 12:00"))
    assert moscow.frames_on(date(2025, 11, 5)) == [(msk("2025-11-05 10:00"), msk("2025-11-05 19:00"))]


def test_holiday_on_a_friday():
    cal = Calendar(hours={"mon-fri": "09:00-17:00"}, extra_holidays=["2025-03-07"])
    thu = datetime(2025, 3, 6, 16, 30, tzinfo=UTC)
    assert cal.add(thu, H) == datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    assert cal.between(thu, datetime(2025, 3, 10, 9, 30, tzinfo=UTC)) == H
    assert not cal.is_working(datetime(2025, 3, 7, 12, tzinfo=UTC))
    assert cal.next_working(datetime(2025, 3, 7, 12, tzinfo=UTC)) == datetime(2025, 3, 10, 9, tzinfo=UTC)
    # Russia: Thu 2025-06-12 Russia Day and Fri 06-13 substituted day off
    ru = Calendar.from_config(MOSCOW)
    assert ru.add(msk("2025-06-11 18:30"), H) == msk("2025-06-16 10:30")


def test_lunch_break():
    cal = Calendar(timezone="Europe/Moscow", hours={"mon-fri": "10:00-13:00,14:00-19:00"})
    assert cal.add(msk("2025-03-03 12:30"), H) == msk("2025-03-03 14:30")
    assert cal.add(msk("2025-03-03 12:30"), timedelta(minutes=30)) == msk("2025-03-03 13:00")  # frame end
    assert cal.add(msk("2025-03-03 13:30"), timedelta(minutes=30)) == msk("2025-03-03 14:30")
    assert not cal.is_working(msk("2025-03-03 13:00")) and cal.is_working(msk("2025-03-03 12:59:59"))
    assert cal.next_working(msk("2025-03-03 13:30")) == msk("2025-03-03 14:00")
    assert cal.between(msk("2025-03-03 12:00"), msk("2025-03-03 15:00")) == 2 * H
    assert cal.add(msk("2025-03-03 10:00"), 8 * H) == msk("2025-03-03 19:00")
    assert cal.add(msk("2025-03-03 10:00"), 8 * H + timedelta(seconds=1)) == msk("2025-03-04 10:00:01")
    # frames given out of order and as a list mean the same
    other = Calendar(timezone="Europe/Moscow", hours={"mon-fri": ["14:00-19:00", "10:00-13:00"]})
    assert other == cal


def test_add_zero_and_next_working(moscow):
    t = msk("2025-03-03 12:00:00.5")
    assert moscow.add(t, timedelta(0)) == t
    assert moscow.next_working(t) == t
    assert moscow.add(msk("2025-03-03 19:00"), timedelta(0)) == msk("2025-03-04 10:00")
    assert moscow.next_working(msk("2025-03-08 12:00")) == msk("2025-03-10 10:00")
    assert moscow.next_working(msk("2025-03-03 10:00")) == msk("2025-03-03 10:00")


def test_between(moscow):
    assert moscow.between(msk("2025-03-03 09:00"), msk("2025-03-10 09:00")) == 45 * H
    assert moscow.between(msk("2025-03-07 18:00"), msk("2025-03-10 11:00")) == 2 * H
    assert moscow.between(msk("2025-03-10 11:00"), msk("2025-03-07 18:00")) == timedelta(0)
    assert moscow.between(msk("2025-03-03 12:00"), msk("2025-03-03 12:00")) == timedelta(0)
    # a whole year: 247 working days in Russia in 2025 (no shortened days modelled)
    assert moscow.between(msk("2025-01-01 00:00"), msk("2026-01-01 00:00")) == 246 * 9 * H


def test_microseconds_and_zones_preserved(moscow):
    t = datetime(2025, 3, 3, 8, 0, 0, 123456, tzinfo=UTC)  # 11:00:00.123456 MSK
    r = moscow.add(t, timedelta(minutes=30, microseconds=7))
    assert r == datetime(2025, 3, 3, 8, 30, 0, 123463, tzinfo=UTC) and r.tzinfo is UTC
    ny = t.astimezone(ZoneInfo("America/New_York"))
    assert moscow.add(ny, H) == moscow.add(t, H)


def test_input_errors(moscow):
    with pytest.raises(ValueError, match="naive"):
        moscow.add(datetime(2025, 3, 3, 12), H)
    with pytest.raises(ValueError, match="naive"):
        moscow.add_many([datetime(2025, 3, 3, 12, tzinfo=UTC), datetime(2025, 3, 3, 12)], H)
    with pytest.raises(ValueError, match="naive"):
        moscow.between(datetime(2025, 3, 3, 12), datetime(2025, 3, 4, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        moscow.is_working(datetime(2025, 3, 3, 12))
    with pytest.raises(ValueError, match="negative"):
        moscow.add(msk("2025-03-03 12:00"), -H)
    with pytest.raises(TypeError):
        moscow.add(msk("2025-03-03 12:00"), 3600)
    with pytest.raises(TypeError):
        moscow.add(date(2025, 3, 3), H)


def test_24x7():
    cal = Calendar.from_config({"hours": "24x7"}, "always")
    t = datetime(2025, 3, 30, 0, 30, tzinfo=BER).astimezone(UTC)  # DST night: UTC arithmetic
    assert cal.timezone == "UTC"
    assert cal.add(t, 16 * H) == t + 16 * H and cal.add(t, H).tzinfo is UTC
    assert cal.between(t, t + 5 * H) == 5 * H
    assert cal.is_working(t) and cal.next_working(t) == t
    assert cal.add_many([t, t + H], H) == [t + H, t + 2 * H]
    # 24x7 with holidays is not the trivial path: a holiday removes the local day
    hol = Calendar(timezone="Europe/Berlin", hours="24x7", extra_holidays=["2025-12-25", "2025-12-26"])
    eve = datetime(2025, 12, 24, 23, 0, tzinfo=BER)
    assert hol.add(eve, 2 * H) == datetime(2025, 12, 27, 1, 0, tzinfo=BER)
    assert hol.between(eve, datetime(2025, 12, 28, tzinfo=BER)) == 25 * H
    assert not hol.is_working(datetime(2025, 12, 25, 12, tzinfo=BER))


class TestBerlinDST:
    """Europe/Berlin: 2025-03-30 02:00 CET -> 03:00 CEST, 2025-10-26 03:00 CEST -> 02:00 CET."""

    def frames(self, hours, day):
        cal = Calendar(timezone="Europe/Berlin", hours={"sun": hours})
        return [
            (a.astimezone(UTC).strftime("%H:%M"), b.astimezone(UTC).strftime("%H:%M"), b - a)
            for a, b in cal.frames_on(day)
        ]

    def test_normal_sunday(self):
        assert self.frames("01:00-04:00", date(2025, 3, 23)) == [("00:00", "03:00", 3 * H)]
        assert self.frames("01:00-04:00", date(2025, 11, 2)) == [("00:00", "03:00", 3 * H)]

    def test_spring_gap(self):
        day = date(2025, 3, 30)
        assert self.frames("01:00-04:00", day) == [("00:00", "02:00", 2 * H)]
        assert self.frames("02:00-03:00", day) == []  # entirely inside the gap
        assert self.frames("02:30-05:00", day) == [("01:00", "03:00", 2 * H)]  # opens at the jump
        assert self.frames("00:00-02:30", day) == [("23:00", "01:00", 2 * H)]  # closes at the jump
        assert self.frames("00:00-24:00", day) == [("23:00", "22:00", 23 * H)]

    def test_autumn_repeat(self):
        day = date(2025, 10, 26)
        assert self.frames("01:00-04:00", day) == [("23:00", "03:00", 4 * H)]
        assert self.frames("02:00-03:00", day) == [("00:00", "02:00", 2 * H)]
        assert self.frames("02:30-05:00", day) == [("00:30", "04:00", 3.5 * H)]
        assert self.frames("00:00-24:00", day) == [("22:00", "23:00", 25 * H)]

    def test_add_and_between_over_the_gap(self):
        cal = Calendar(timezone="Europe/Berlin", hours={"sat-sun": "01:00-04:00"})
        sun = datetime(2025, 3, 30, 1, 30, tzinfo=BER)  # 00:30 UTC
        assert cal.add(sun, H) == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)  # 03:30 CEST
        assert cal.add(sun, timedelta(minutes=90)) == datetime(2025, 3, 30, 4, 0, tzinfo=BER)  # frame end
        assert cal.add(sun, 2 * H) == datetime(2025, 4, 5, 1, 30, tzinfo=BER)  # next Saturday
        sat = datetime(2025, 3, 29, tzinfo=BER)
        assert cal.between(sat, datetime(2025, 3, 31, tzinfo=BER)) == 5 * H
        assert cal.between(datetime(2025, 10, 25, tzinfo=BER), datetime(2025, 10, 27, tzinfo=BER)) == 7 * H
        assert cal.is_working(datetime(2025, 10, 26, 1, 30, tzinfo=UTC))  # 02:30 CET, second time round
        assert cal.is_working(datetime(2025, 10, 26, 0, 30, tzinfo=UTC))  # 02:30 CEST, first time round

    def test_weekday_hours_across_dst_weekends(self):
        cal = Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"}, holidays={"country": "DE"})
        fri = datetime(2025, 3, 28, 16, 0, tzinfo=BER)
        assert cal.add(fri, 2 * H) == datetime(2025, 3, 31, 10, 0, tzinfo=BER)
        assert cal.add(fri, 2 * H) == datetime(2025, 3, 31, 8, 0, tzinfo=UTC)
        assert cal.between(datetime(2025, 3, 28, 9, tzinfo=BER), datetime(2025, 3, 31, 17, tzinfo=BER)) == 16 * H
        fri = datetime(2025, 10, 24, 16, 0, tzinfo=BER)
        assert cal.add(fri, 2 * H) == datetime(2025, 10, 27, 10, 0, tzinfo=BER)
        assert cal.between(datetime(2025, 10, 24, 9, tzinfo=BER), datetime(2025, 10, 27, 17, tzinfo=BER)) == 16 * H
        # DE public holiday: Good Friday 2025-04-18, Easter Monday 04-21
        assert cal.add(datetime(2025, 4, 17, 16, 30, tzinfo=BER), H) == datetime(2025, 4, 22, 9, 30, tzinfo=BER)


@pytest.mark.parametrize("zone", ["America/Santiago", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia"])
def test_24x7_with_holiday_has_no_holes_across_transitions(zone):
    cal = Calendar(timezone=zone, hours="24x7", extra_holidays=["2000-01-01"])
    a, b = datetime(2011, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert cal.between(a, b) == b - a
    assert cal.add(a, b - a) == b
    if zone == "Pacific/Apia":  # 2011-12-30 never happened in Samoa
        assert cal.frames_on(date(2011, 12, 30)) == []


def test_year_range_grows_both_ways_with_same_answers():
    cfg = {"timezone": "Europe/Moscow", "hours": {"mon-fri": "10:00-19:00"}, "holidays": {"country": "RU"}}
    warm = Calendar.from_config(cfg)
    t = msk("2025-03-03 12:00")
    first = warm.add(t, H)
    old = msk("1999-12-31 18:30")
    assert warm.add(old, H) == msk("2000-01-05 10:30")  # grows backwards (RU: Jan 1-4 2000 off)
    far = msk("2090-06-01 12:00")
    assert warm.add(far, H) == Calendar.from_config(cfg).add(far, H)
    assert warm.add(t, H) == first
    assert warm.between(old, far) == Calendar.from_config(cfg).between(old, far)
    # a long delta extends the table forward as it goes
    assert warm.add(t, 10_000 * H) == Calendar.from_config(cfg).add(t, 10_000 * H)


def test_only_extra_workdays():
    cal = Calendar(hours={}, extra_workdays={"2025-06-01": "10:00-12:00", "2025-06-08": "10:00-11:00"})
    assert cal.add(datetime(2025, 1, 1, tzinfo=UTC), 2 * H) == datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert cal.add(datetime(2025, 1, 1, tzinfo=UTC), 3 * H) == datetime(2025, 6, 8, 11, tzinfo=UTC)
    assert cal.between(datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) == 3 * H
    assert not cal.is_working(datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="no working time after"):
        cal.add(datetime(2025, 6, 8, 10, 30, tzinfo=UTC), H)
    with pytest.raises(ValueError, match="no working time after"):
        cal.next_working(datetime(2025, 7, 1, tzinfo=UTC))


def test_extra_workday_overrides_public_holiday_and_shortens_days(moscow):
    cal = Calendar.from_config({**MOSCOW, "extra_workdays": {"2025-12-31": "10:00-14:00", "2025-11-03": "10:00-19:00"}})
    assert cal.frames_on(date(2025, 12, 31)) == [(msk("2025-12-31 10:00"), msk("2025-12-31 14:00"))]
    assert cal.add(msk("2025-12-31 13:00"), 2 * H) == msk("2026-01-12 11:00")
    assert cal.add(msk("2025-10-31 18:30"), H) == msk("2025-11-03 10:30")


def test_identity_repr_pickle(moscow):
    same = Calendar.from_config(MOSCOW, "moscow-8x5")
    assert same == moscow and hash(same) == hash(moscow)
    assert Calendar.from_config(MOSCOW, "other") != moscow
    assert "moscow-8x5" in repr(moscow) and "Europe/Moscow" in repr(moscow)
    moscow.add(msk("2025-03-03 12:00"), H)  # fill the cache first
    copy = pickle.loads(pickle.dumps(moscow))
    assert copy == moscow and copy.add(msk("2025-03-03 12:00"), H) == msk("2025-03-03 13:00")
    assert Calendar.from_config(moscow.to_config(), "moscow-8x5") == moscow
    with pytest.raises(AttributeError):
        moscow.name = "x"


def test_add_many_per_start_deltas(moscow):
    starts = [msk("2025-03-03 12:00"), msk("2025-03-03 18:00")]
    assert moscow.add_many(starts, [H, 16 * H]) == [msk("2025-03-03 13:00"), msk("2025-03-05 16:00")]
    assert moscow.add_many(iter(starts), H) == [moscow.add(s, H) for s in starts]
    assert moscow.add_many([], H) == []
    with pytest.raises(ValueError):
        moscow.add_many(starts, [H])
