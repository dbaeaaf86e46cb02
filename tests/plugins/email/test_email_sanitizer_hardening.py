"""Issue 18, defect 8: CSS script in ``style`` attributes; bidi controls and device names in file names."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from deskframe.files import safe_filename
from deskframe.model import InboundAttachment, InboundMessage
from deskframe_email.parse import parse_message
from deskframe_email.sanitize import sanitize_html, style_is_hostile

HOSTILE_STYLES = [
    "width: expression(alert(1))",
    "WIDTH: EXPRESSION (alert(1))",
    "width: exp/**/ression(alert(1))",
    "width: exp/* x */ression(alert(1))",
    r"width: \65 xpression(alert(1))",
    r"width: \000065xpression(alert(1))",
    r"width: e\xpression(alert(1))",
    "color: red; background-color: url(javascript:alert(1))",
    r"background: url(java\73 cript:alert(1))",
    "background: url( 'JavaScript:alert(1)' )",
    "background: url(vbscript:msgbox(1))",
    "behavior: url(x.htc); color: red",
    r"be\68 avior: url(x.htc)",
    "-moz-binding: url(x.xml#xss)",
]


@pytest.mark.parametrize("style", HOSTILE_STYLES)
def test_hostile_style_values_are_dropped(style):
    assert style_is_hostile(style)
    html = sanitize_html(f'<p style="{style}">text</p><div style="color: red">kept</div>')
    assert html == '<p>text</p><div style="color:red">kept</div>'
    lowered = html.lower()
    assert "expression" not in lowered and "javascript" not in lowered and "behavior" not in lowered


def test_entity_encoded_style_is_dropped_too():
    assert sanitize_html('<p style="width: e&#120;pression(alert(1))">x</p>') == "<p>x</p>"


@pytest.mark.parametrize("style", ["color: red", "font-weight: bold; margin: 0 auto", "width: 100%"])
def test_harmless_styles_stay(style):
    assert not style_is_hostile(style)
    assert "style=" in sanitize_html(f'<p style="{style}">x</p>')


def test_hostile_style_in_a_mail_is_not_stored():
    raw = (
        b"From: a@example.com\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p style="width: exp/**/ression(alert(document.cookie))">Hello</p>\r\n'
    )
    message = parse_message(raw, channel="email")
    assert message.html.strip() == "<p>Hello</p>"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u202dreport\u202c.pdf", "report.pdf"),
        ("a\u2066b\u2069c\u200f.txt", "abc.txt"),
        ("zero\u200bwidth\ufeff.doc", "zerowidth.doc"),
        ("c1\x85control\x9b.txt", "c1_control_.txt"),
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("COM1", "_COM1"),
        ("lpt9.log", "_lpt9.log"),
        ("con.txt", "_con.txt"),
        ("Aux.tar.gz", "_Aux.tar.gz"),
        ("PRN .txt", "_PRN .txt"),
        ("com¹.txt", "_com¹.txt"),
        ("console.txt", "console.txt"),
        ("COM10", "COM10"),
        ("..\\..\\CON", "_CON"),
    ],
)
def test_attachment_display_names_are_safe(name, safe):
    assert safe_filename(name) == safe


def test_bidi_and_device_names_from_a_mail():
    def part(name: str) -> bytes:
        encoded = "=?utf-8?b?" + base64.b64encode(name.encode("utf-8")).decode() + "?="
        return (
            b"--b\r\nContent-Type: application/octet-stream\r\n"
            b'Content-Disposition: attachment; filename="' + encoded.encode() + b'"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\nQUJD\r\n"
        )

    raw = (
        b"From: a@example.com\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        + part("invoice\u202egpj.exe")
        + part("CON")
        + part("nul.txt")
        + b"--b--\r\n"
    )
    names = [a.filename for a in parse_message(raw, channel="email").attachments]
    assert names == ["invoicegpj.exe", "_CON", "_nul.txt"]


def test_every_channel_stores_safe_names(desk):
    """Core intake makes the names safe, whatever channel handed them over."""
    message = InboundMessage(
        channel="web-form",
        external_id="form-1",
        received_at=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc),
        sender="ivan@customer.example",
        subject="Files",
        text="see files",
        attachments=(
            InboundAttachment("invoice\u202egpj.exe", "application/octet-stream", b"MZ"),
            InboundAttachment("COM1", "text/plain", b"x"),
        ),
    )
    result = desk.intake.receive(message)
    stored = desk.tickets.get(result.ticket).articles[0].attachments
    assert [a.filename for a in stored] == ["invoicegpj.exe", "_COM1"]
