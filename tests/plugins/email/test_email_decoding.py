"""Charset guessing and header decoding (RELIABILITY 5): always valid text, never an exception."""

from __future__ import annotations

import base64

import pytest
from email_checks import assert_clean_text
from hypothesis import given, settings
from hypothesis import strategies as st

from deskframe_email.charsets import decode_text, normalize_charset
from deskframe_email.headers import decode_header, message_ids, parse_addresses, parse_date

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

RU = "Здравствуйте, у нас не работает принтер в офисе. Пожалуйста, помогите срочно!"
CHARSET_NAMES = [
    "utf-8",
    "koi8-r",
    "windows-1251",
    "iso-8859-5",
    "gb2312",
    "iso-8859-1",
    "us-ascii",
    "utf-16",
    "iso-2022-jp",
    "x-unknown-charset",
    "idna",
    "rot13",
    "base64",
    "unicode_escape",
    "utf-7",
    "",
    None,
    '"koi8-r"',
    "UTF8",
    "windows-1252*en",
    "bogus\udcff",
    "a" * 300,
]


DECLARATIONS = [None, "x-unknown-charset", "us-ascii", "iso-8859-1", "utf-8", "koi8-r", "windows-1251"]


@pytest.mark.parametrize(
    ("actual", "declared"),
    [
        (actual, declared)
        for actual in ("cp1251", "koi8-r", "iso-8859-5", "utf-8")
        for declared in DECLARATIONS
        # a declared koi8-r/windows-1251 is only ever swapped for the other one of the pair
        if not (actual == "iso-8859-5" and declared in ("koi8-r", "windows-1251"))
    ],
)
def test_russian_text_survives_missing_unknown_and_wrong_declarations(actual, declared):
    assert decode_text(RU.encode(actual), declared) == RU


def test_declared_charsets_are_used():
    assert decode_text("打印机坏了".encode("gb2312"), "gb2312") == "打印机坏了"
    assert decode_text("Grüße".encode("latin-1"), "iso-8859-1") == "Grüße"
    assert decode_text("Grüße aus München".encode("latin-1"), None) == "Grüße aus München"
    assert decode_text("プリンター".encode("iso-2022-jp"), "iso-2022-jp") == "プリンター"
    assert decode_text("€ price".encode("cp1252"), "iso-8859-1") == "€ price"


def test_short_declared_cyrillic_is_trusted():
    assert decode_text("СРОЧНО".encode("koi8-r"), "koi8-r") == "СРОЧНО"


def test_unusable_codec_names_are_ignored():
    for name in ("rot13", "base64", "idna", "unicode_escape", "x-unknown-charset", "unknown-8bit", "a" * 300):
        assert normalize_charset(name) is None
    assert normalize_charset("UTF8") == "utf_8" and normalize_charset("gb2312") == "gb18030"
    assert decode_text(b"ab\x00c\xff", "idna") == "ab\ufffdcÿ"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(CHARSET_NAMES))
def test_decode_text_never_raises_and_gives_clean_text(data, charset):
    assert_clean_text(decode_text(data, charset))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_decode_header_never_raises(value):
    text = decode_header(value)
    assert_clean_text(text)
    assert "\n" not in text and "\r" not in text


def test_encoded_words():
    half = RU.encode("utf-8")[:11], RU.encode("utf-8")[11:20]
    split = " ".join(f"=?utf-8?b?{base64.b64encode(p).decode()}?=" for p in half)
    assert decode_header(split) == RU.encode("utf-8")[:20].decode("utf-8")
    assert decode_header("=?koi8-r?q?=F0=D2=C9=D7=C5=D4?= world") == "Привет world"
    assert decode_header("=?x-unknown?b?" + base64.b64encode("Привет".encode("koi8-r")).decode() + "?=") == "Привет"
    assert decode_header("=?utf-8?q?x=0D=0ABcc:_x@evil?=") == "x Bcc: x@evil"
    assert decode_header("=?utf-8?b?not base64!?= tail").endswith("tail")
    raw8 = "Тема письма".encode("cp1251").decode("ascii", "surrogateescape")
    assert decode_header(raw8) == "Тема письма"
    assert decode_header("folded\r\n line") == "folded line"


def test_addresses_ids_dates():
    assert parse_addresses(['"=?utf-8?b?0JjQstCw0L0=?=" <Ivan@Example.COM>, bob@x.org', "ivan@example.com"]) == [
        ("Иван", "ivan@example.com"),
        ("", "bob@x.org"),
    ]
    assert parse_addresses(["(" * 5000 + "a@b.c"]) == [("", "a@b.c")]
    assert parse_addresses(["not an address"]) == []
    assert message_ids(" <a@b>\r\n <c@d>") == ["a@b", "c@d"]
    assert message_ids("a@b") == ["a@b"]
    assert parse_date("Tue, 1 Jul 2003 10:52:37 +0200").isoformat() == "2003-07-01T08:52:37+00:00"
    assert parse_date("garbage") is None and parse_date(None) is None
