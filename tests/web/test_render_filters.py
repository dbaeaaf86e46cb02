"""The pages' ``datetime`` filter keeps Babel's named formats parsed; it must say exactly what
``babel.dates.format_datetime`` says, in every language, zone and format."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_datetime

from deskframe.web.pages.locale import LANGUAGES
from deskframe.web.pages.render import NAMED_FORMATS, filters

ZONES = ("UTC", "Europe/Moscow", "America/New_York", "Asia/Kolkata")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("zone", ZONES)
def test_datetime_filter_says_what_babel_says(language, zone):
    rng = random.Random(f"{language}{zone}")
    datetime_filter = filters(language, zone)["datetime"]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    for _ in range(200):
        value = start + dt.timedelta(seconds=rng.randrange(0, 8 * 365 * 86400))  # DST changes included
        for format in (*NAMED_FORMATS, "yyyy-MM-dd HH:mm"):
            expected = format_datetime(value.astimezone(ZoneInfo(zone)), format=format, locale=Locale.parse(language))
            assert datetime_filter(value, format) == expected
            assert datetime_filter(value, format) == expected  # the kept patterns, the second time
        naive = value.replace(tzinfo=None)
        assert datetime_filter(naive) == datetime_filter(value)
    assert datetime_filter(None) == ""
