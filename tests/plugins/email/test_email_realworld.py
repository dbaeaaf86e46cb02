"""The classes of real-world mail the shared corpus showed us, each on mail written here (issue 18).

``test_email_extmail.py`` runs the real corpus when it is there; these tests keep
each class covered without it: undeclared charsets weighted by the mail's
declared ones, ISO-2022-JP with vendor extensions, headers after junk or broken
folding, a sender without a domain.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskframe_email.charsets import decode_text, guess_decode
from deskframe_email.parse import parse_message

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

ZH = "转发：整体提升企业服务水平"
JA = "ツール"


def parse(raw: bytes):
    message = parse_message(raw, channel="email")
    assert message.raw == raw  # whatever was recovered, the raw mail is kept as it came
    return message


def test_raw_gb2312_subject_in_a_mail_with_gb2312_parts_is_chinese():
    raw = (
        b"From: a@example.com\r\nSubject: " + ZH.encode("gb2312") + b"\r\nMessage-ID: <zh@x>\r\n"
        b"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n\r\n" + "你好".encode("gb2312") + b"\r\n--b--\r\n"
    )
    assert parse(raw).subject == ZH


def test_raw_shift_jis_subject_in_an_iso_2022_jp_mail_is_japanese():
    raw = (
        b"From: a@example.com\r\nSubject: " + JA.encode("shift_jis") + b"\r\n"
        b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n" + "こんにちは".encode("iso2022_jp") + b"\r\n"
    )
    message = parse(raw)
    assert message.subject == JA and "こんにちは" in message.text


def test_raw_file_name_takes_the_charset_of_its_parent_part():
    name = "绩效管理,究竟谁错了.xls"
    raw = (
        b"From: a@example.com\r\nSubject: report\r\n"
        b'Content-Type: multipart/mixed; boundary="b"; charset="GB2312"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\n"
        b'Content-Type: application/vnd.ms-excel; name="' + name.encode("gb2312") + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"xls") + b"\r\n--b--\r\n"
    )
    assert [a.filename for a in parse(raw).attachments] == [name]


def test_undeclared_windows_1250_body_with_a_declared_sibling():
    text = "Čtvrtek: po zavolání uvádí, že garáž není jeho, ale strýce."
    raw = (
        b"From: a@example.cz\r\nSubject: garaz\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\n" + text.encode("cp1250") + b"\r\n"
        b"--b\r\nContent-Type: text/plain; charset=windows-1250\r\n\r\nDobr\xfd den\r\n--b--\r\n"
    )
    assert text in parse(raw).text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("您好，我们的打印机坏了，请尽快派人来修理。", "gb2312"),
        ("プリンターが壊れました。至急対応お願いします。", "shift_jis"),
        ("프린터가 고장났습니다. 빨리 와 주세요.", "euc-kr"),
        ("Dzień dobry, drukarka nie działa. Łukasz", "cp1250"),
    ],
)
def test_undeclared_text_without_hints_is_not_read_as_cyrillic(text, codec):
    assert guess_decode(text.encode(codec)) == text


@pytest.mark.parametrize("codec", ["koi8-r", "cp1251"])
def test_undeclared_russian_still_reads_as_russian(codec):
    for text in ("тест тест", "отчёт.pdf", "Здравствуйте, у нас не работает принтер."):
        assert guess_decode(text.encode(codec)) == text
        assert guess_decode(text.encode(codec), ["iso-8859-1", "utf-8"]) == text
    for hints in (["windows-1253"], ["iso-2022-jp"], ["windows-1250"], ["gb2312"]):  # other scripts declared
        text = "Здравствуйте, у нас не работает принтер в бухгалтерии."
        assert guess_decode(text.encode(codec), hints) == text


def test_iso_2022_jp_with_nec_row_13_is_decoded():
    data = b'\x1b$B!!!!-!#1ET#38)$N03$H!"\x1b(B\n'  # ①１都３県の鯵と、 (NEC row 13 circled digit)
    assert decode_text(data, "iso-2022-jp") == "\u3000\u3000①１都３県の鯵と、\n"
    raw = b"From: a@example.jp\r\nSubject: x\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + data
    assert "①１都３県" in parse(raw).text


HEADER = (
    b"Return-Path: <ivan@customer.example>\r\nReceived: from mx.example by mx2.example;\r\n"
    b" Mon, 2 Nov 2026 09:00:00 +0000\r\nFrom: Ivan <ivan@customer.example>\r\nTo: support@desk.example\r\n"
    b"Subject: Printer broken\r\nMessage-ID: <hdr@customer.example>\r\n"
    b"Content-Type: text/plain; charset=windows-1250\r\n\r\nDobr\xfd den, tisk\xe1rna nefunguje.\r\n"
)


@pytest.mark.parametrize(
    "preface",
    [
        b"---- Original email message ----\r\n",
        b"garbage line\r\n",
        b"From ivan@customer.example  Mon Nov  2 09:00:00 2026\r\n",
    ],
)
def test_headers_after_junk_are_recovered(preface):
    message = parse(preface + HEADER)
    assert (message.sender, message.subject) == ("ivan@customer.example", "Printer broken")
    assert "Dobrý den, tiskárna nefunguje." in message.text


def test_a_garbage_from_before_the_real_one_is_passed_over():
    raw = b"From: [??????]\r\nReply-To: x@example.com\r\n" + HEADER
    assert parse(raw).sender == "ivan@customer.example"


def test_continuation_lines_without_indentation_are_recovered():
    raw = (
        b"Received: from a.example (1.1.1.1) by\r\nb.example (2.2.2.2) with SMTP;\r\n"
        b"Wed, 5 Apr 2017 09:45:23 +0200\r\nX-Tracker: H4sIAAAAAAAAA+NgFlrIKsWRWlGSWpSXmKPExsWi75nTrTtrwZM\r\n"
        b"IgdrOCwmrVzP5sDoseXbDeYAxijWzLyk/IoE1owFz6ezFkxKrWjafpWpgfFOchcjF4eQwDZG\r\n"
        b'From: "Smith, Karoline" <Karoline.Smith@example.com>\r\nSubject: AW: One Net Business\r\n'
        b"References: <a@example.com>,<b@example.com>\r\n<c@example.com>\r\n"
        b'Content-Type: multipart/alternative;\r\nboundary="bb"\r\nMIME-Version: 1.0\r\n\r\n'
        b"--bb\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsome text\r\n--bb--\r\n"
    )
    message = parse(raw)
    assert (message.sender, message.subject) == ("karoline.smith@example.com", "AW: One Net Business")
    assert message.text == "some text" and "c@example.com" in message.references


def test_a_missing_separator_is_still_the_body():
    raw = b"From: a@example.com\r\nSubject: s\r\nThis is the body, no blank line before it.\r\nSecond line.\r\n"
    message = parse(raw)
    assert (message.sender, message.subject) == ("a@example.com", "s")
    assert "Second line." in message.text


def test_a_sender_without_a_domain_is_kept_as_written():
    raw = (
        b"From: MAILER-DAEMON (Mail Delivery System)\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Content-Type: text/plain\r\n\r\nThis is the mail system.\r\n"
    )
    message = parse(raw)
    assert (message.sender, message.sender_name) == ("MAILER-DAEMON", "Mail Delivery System")
    assert parse(b"From: this is not an address\r\nSubject: s\r\n\r\nb\r\n").sender == "unknown@invalid"


HINT_NAMES = [
    "gb2312",
    "iso-2022-jp",
    "euc-kr",
    "big5",
    "windows-1250",
    "koi8-r",
    "windows-1253",
    "utf-8",
    "iso-8859-1",
    "x-unknown",
    "utf-16",
    "hz",
    "tis-620",
    "",
]


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400),
    st.sampled_from([None, "us-ascii", "iso-2022-jp", "x-unknown"]),
    st.lists(st.sampled_from(HINT_NAMES), max_size=4),
)
def test_guessing_with_any_hints_never_raises(data, declared, hints):
    text = decode_text(data, declared, hints)
    text.encode("utf-8")
    assert "\x00" not in text
