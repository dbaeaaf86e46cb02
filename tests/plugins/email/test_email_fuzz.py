"""parse_message on random and mutilated input: a message or UnparseableMessage, nothing else (RELIABILITY 4-6)."""

from __future__ import annotations

import make_corpus as mc
import pytest
from email_checks import assert_well_formed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskframe_email.parse import ParseLimits, UnparseableMessage, mime_work, parse_message

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

SMALL = {name: raw for name, raw in mc.build_corpus().items() if 0 < len(raw) < 20_000}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_quarantine(raw: bytes) -> None:
    try:
        message = parse_message(raw, channel="fuzz")
    except UnparseableMessage as exc:
        assert exc.reason
        return
    assert_well_formed(message, raw, strict_html=False)


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(raw):
    parse_or_quarantine(raw)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                b"From: a@b.c\n",
                b"Subject: =?koi8-r?b?8NLJ18XU?=\n",
                b"Content-Type: multipart/mixed; boundary=x\n",
                b"Content-Type: message/rfc822\n",
                b"Content-Type: text/html\n",
                b"Content-Transfer-Encoding: base64\n",
                b"--x\n",
                b"--x--\n",
                b"\n",
                b"<script>alert(1)</script>\n",
                b"\xd0\xbf\xd1\x80\n",
                b"\xf0\xd2\xc9\n",
                b"=?\n",
                b"Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fx\n",
                b"QUJD\n",
                b"\x00\n",
                b"\r\n",
                b"Content-Type: application/ms-tnef\n",
                b"x\xff\xfe\n",
            ]
        ),
        max_size=40,
    )
)
def test_mime_shaped_noise(lines):
    parse_or_quarantine(b"".join(lines))


@SETTINGS
@given(
    st.sampled_from(sorted(SMALL)),
    st.integers(min_value=0),
    st.binary(min_size=1, max_size=20),
    st.sampled_from(["cut", "insert", "replace"]),
)
def test_mutilated_corpus_messages(name, position, noise, how):
    raw = SMALL[name]
    at = position % (len(raw) + 1)
    if how == "cut":
        raw = raw[:at]
    elif how == "insert":
        raw = raw[:at] + noise + raw[at:]
    else:
        raw = raw[:at] + noise + raw[at + len(noise) :]
    parse_or_quarantine(raw)


def test_limits_are_configurable():
    raw = mc.build_corpus()["forward_3_deep"]
    shallow = parse_message(raw, channel="email", limits=ParseLimits(max_depth=1))
    assert shallow.text.count("Forwarded message") == 1 and "nested deeper than 1 levels" in shallow.text
    try:
        parse_message(raw, channel="email", limits=ParseLimits(max_bytes=100))
    except UnparseableMessage as exc:
        assert "exceeds the limit of 100 bytes" in exc.reason
    few = parse_message(raw, channel="email", limits=ParseLimits(max_parts=2))
    assert "more than 2 MIME parts" in few.text
    headers = parse_message(mc.build_corpus()["plain_ascii"], channel="e", limits=ParseLimits(max_header_fields=2))
    assert "only the first 2 were read" in headers.headers["x-deskframe-notes"]


def test_mime_work_estimate():
    corpus = mc.build_corpus()
    assert mime_work(corpus["plain_ascii"]) == 0
    assert mime_work(corpus["forward_25_deep"]) < 100_000
    assert mime_work(corpus["mime_bomb_nesting"]) > 5_000_000
