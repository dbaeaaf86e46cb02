"""The optional NumPy path of add_many gives the same answers as add."""

import random
from datetime import datetime, timedelta, timezone

import pytest

from deskframe.sla import Calendar

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

np = pytest.importorskip("numpy")

UTC = timezone.utc
CONFIGS = [
    {"timezone": "Europe/Moscow", "hours": {"mon-fri": "10:00-19:00"}, "holidays": {"country": "RU"}},
    {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "09:00-12:30,13:30-18:00", "sun": "01:00-04:00"},
        "extra_holidays": ["2025-12-24"],
        "extra_workdays": {"2025-12-27": "10:00-14:00"},
    },
    {"timezone": "America/Santiago", "hours": "24x7", "extra_holidays": ["2025-09-18"]},
    {"hours": "24x7"},
]


def to_np(dts):
    return np.array([d.astimezone(UTC).replace(tzinfo=None) for d in dts], dtype="datetime64[us]")


def from_np(arr):
    return [x.replace(tzinfo=UTC) for x in arr.astype(datetime)]


@pytest.mark.parametrize("cfg", CONFIGS)
@pytest.mark.parametrize("hours", [0, 1, 16, 500])
def test_numpy_add_many_equals_add(cfg, hours):
    cal = Calendar.from_config(cfg)
    rng = random.Random(hours)
    lo = datetime(2024, 1, 1, tzinfo=UTC)
    starts = [
        lo + timedelta(seconds=rng.randrange(4 * 365 * 86400), microseconds=rng.randrange(10**6)) for _ in range(2000)
    ]
    starts += [datetime(2025, 3, 3, 7, tzinfo=UTC), datetime(2025, 3, 3, 16, tzinfo=UTC)]  # frame edges
    d = timedelta(hours=hours, microseconds=3)
    expected = [cal.add(s, d) for s in starts]
    got = cal.add_many(to_np(starts), d)
    assert got.dtype == np.dtype("datetime64[us]")
    assert from_np(got) == expected
    # a fresh instance (cold table) gives the same, and so do per-start deltas
    assert from_np(Calendar.from_config(cfg).add_many(to_np(starts), d)) == expected
    deltas = np.array([d] * len(starts), dtype="timedelta64[us]")
    assert from_np(cal.add_many(to_np(starts), deltas)) == expected


def test_numpy_nat_units_and_errors():
    cal = Calendar.from_config(CONFIGS[0])
    arr = np.array(["2025-03-03T15:00", "NaT", "2025-03-08T09:00"], dtype="datetime64[s]")
    out = cal.add_many(arr, timedelta(hours=1))
    assert np.isnat(out[1])
    assert from_np(out[[0, 2]]) == [datetime(2025, 3, 3, 16, tzinfo=UTC), datetime(2025, 3, 10, 8, tzinfo=UTC)]
    assert np.isnat(cal.add_many(np.array(["NaT"], dtype="datetime64[us]"), timedelta(hours=1))).all()
    assert cal.add_many(np.array([], dtype="datetime64[us]"), timedelta(hours=1)).size == 0
    with pytest.raises(TypeError):
        cal.add_many(np.array([1, 2]), timedelta(hours=1))
    with pytest.raises(ValueError):
        cal.add_many(arr, np.array([1, -1, 1], dtype="timedelta64[h]"))
