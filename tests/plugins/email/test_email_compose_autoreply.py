"""Replies carry no injected headers (RELIABILITY 12); automatic replies are held back (RELIABILITY 14)."""

from __future__ import annotations

import base64
import datetime as dt
from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskframe_email.autoreply import ReplyBudget, is_automatic
from deskframe_email.compose import compose_reply, header_text, new_message_id
from deskframe_email.parse import parse_message

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

TICKET = "2011120910000047"
INJECTIONS = [
    "x\r\nBcc: x@evil",
    "x\nBcc: x@evil",
    "x\rBcc: x@evil",
    "=?utf-8?q?x=0D=0ABcc:_x@evil?=",
    "=?utf-8?b?" + base64.b64encode(b"x\r\nBcc: x@evil").decode() + "?=",
    "=?utf-8?b?" + base64.b64encode(b"=?utf-8?q?x=0D=0ABcc:_x@evil?=").decode() + "?=",
    "x\u2028Bcc: x@evil",
    "x\x85Bcc: x@evil",
    "x\x00\r\n\r\nbody injection",
    "x\r\n Bcc: folded@evil",
]


def reply(subject="Printer", name="Ivan Petrov", **extra) -> bytes:
    args = dict(
        from_addr="Support <support@desk.example>",
        to_addrs=[(name, "ivan@customer.example")],
        subject=subject,
        body="Hello,\n\nfixed.\n",
        ticket_number=TICKET,
        in_reply_to="<orig@customer.example>",
        references=["<root@customer.example>"],
        message_id_domain="desk.example",
    )
    args.update(extra)
    return compose_reply(**args)


def fields(raw: bytes) -> list[str]:
    return [k.lower() for k in BytesParser(policy=policy.default).parsebytes(raw)]


BASELINE = fields(reply())


def test_reply_headers_and_threading():
    raw = reply(auto=True, message_id="fixed@desk.example", date=dt.datetime(2011, 12, 9, tzinfo=dt.timezone.utc))
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(msg["Subject"]) == f"[Ticket#{TICKET}] Printer"
    assert str(msg["Message-ID"]) == "<fixed@desk.example>"
    assert str(msg["In-Reply-To"]) == "<orig@customer.example>"
    assert str(msg["References"]) == "<root@customer.example> <orig@customer.example>"
    assert (str(msg["Auto-Submitted"]), str(msg["X-Loop"])) == ("auto-replied", "support@desk.example")
    assert msg.get_content().replace("\r\n", "\n") == "Hello,\n\nfixed.\n"
    assert b"\r\n" in raw and b"\n\n" not in raw.replace(b"\r\n", b"")
    assert is_automatic(parse_message(raw, channel="email"), loop_address="support@desk.example") is not None


def test_tag_appears_once_and_ids_are_new():
    raw = reply(subject=f"Re: [Ticket#{TICKET}] Printer")
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(msg["Subject"]).count(f"[Ticket#{TICKET}]") == 1
    assert str(msg["Message-ID"]).endswith("@desk.example>")
    assert "Auto-Submitted" not in msg and "X-Loop" not in msg


def test_new_message_ids_fit_one_header_line_and_differ():
    """make_msgid's ids with a tag passed 78 columns and were folded onto a second line."""
    ids = {new_message_id("desk.example", tag="2026110210000015") for _ in range(200)}
    assert len(ids) == 200
    for own_id in ids:
        raw = reply(message_id=own_id)
        line = next(x for x in raw.split(b"\r\n") if x.startswith(b"Message-ID:"))
        assert line == b"Message-ID: <" + own_id.encode() + b">" and len(line) <= 78


@pytest.mark.parametrize("payload", INJECTIONS)
def test_no_header_injection_through_subject_or_name(payload):
    for raw in (reply(subject=payload), reply(name=payload), reply(subject=payload, name=payload, auto=True)):
        parsed = fields(raw)
        assert "bcc" not in parsed
        assert (
            parsed == BASELINE
            or parsed == BASELINE[:7] + ["auto-submitted", "x-auto-response-suppress", "x-loop"] + BASELINE[7:]
        )
        assert b"\nBcc:" not in raw and b"\rBcc:" not in raw


@pytest.mark.parametrize(
    "bad", ["ivan@customer.example\r\nBcc: x@evil", "a@b.c, x@evil", "not an address", "<a@b.c>\nBcc: x@evil", ""]
)
def test_bad_addresses_are_refused(bad):
    with pytest.raises(ValueError):
        reply(to_addrs=[bad])
    with pytest.raises(ValueError):
        reply(to_addrs=[("Name", bad)])


def test_address_forms():
    raw = reply(
        to_addrs=[
            '"Ivan \\"Q\\" Petrov" <ivan@customer.example>',
            "boss@customer.example",
            ('Анна "Q" =?utf-8?q?x=0D=0ABcc:_x@evil?=', "anna@customer.example"),
        ]
    )
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert [a.addr_spec for a in msg["To"].addresses] == [
        "ivan@customer.example",
        "boss@customer.example",
        "anna@customer.example",
    ]
    assert msg["To"].addresses[2].display_name == 'Анна "Q" x Bcc: x@evil' and "Bcc" not in msg


def test_bad_ids_are_dropped_and_domain_checked():
    parsed = BytesParser(policy=policy.default).parsebytes(
        reply(in_reply_to="<a@b>\r\nBcc: x@evil", references=["<ok@x>", "bad id\r\nBcc: y@evil"])
    )
    assert "Bcc" not in parsed and "In-Reply-To" not in parsed and str(parsed["References"]) == "<ok@x>"
    with pytest.raises(ValueError):
        reply(message_id_domain="evil\r\nBcc: x@evil")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ab :=?\r\n\x00\u2028_Bcc@QqBb0D") + ["=0D=0A", "=?utf-8?q?", "?="]), max_size=30
    ).map("".join),
    st.text(max_size=40),
)
def test_fuzzed_subjects_and_names_add_no_header(subject, name):
    parsed = fields(reply(subject=subject, name=name))
    assert parsed == BASELINE


def test_header_text():
    assert header_text("=?utf-8?q?x=0D=0ABcc:_x@evil?=") == "x Bcc: x@evil"
    assert "=?" not in header_text("=?bogus?q?x?= and =?")


HEADERS = {
    "auto-submitted": ("auto-replied", "auto-submitted"),
    "precedence": ("bulk", "precedence"),
    "list-id": ("<news.example>", "list-id"),
    "x-auto-response-suppress": ("All", "x-auto-response-suppress"),
    "return-path": ("<>", "return-path"),
    "content-type": ("multipart/report; report-type=delivery-status", "delivery report"),
    "x-autoreply": ("yes", "x-autoreply"),
}


@pytest.mark.parametrize("header", sorted(HEADERS))
def test_is_automatic_on_header_mappings(header):
    value, reason = HEADERS[header]
    assert reason in is_automatic({header.title(): value})


def test_is_automatic_negative_and_edge_cases():
    assert is_automatic({"Auto-Submitted": "no", "Precedence": "first-class", "Return-Path": "<a@b.c>"}) is None
    assert is_automatic({"X-Auto-Response-Suppress": "DR, RN"}) is None
    assert "mailer-daemon" in is_automatic({"From": "MAILER-DAEMON@mx.example"})
    assert is_automatic({"X-Loop": "support@desk.example"}, loop_address="Support@Desk.example") is not None
    assert is_automatic({"X-Loop": "other@desk.example"}, loop_address="support@desk.example") is None
    msg = BytesParser(policy=policy.default).parsebytes(b"From: a@b.c\nPrecedence: junk\n\nx")
    assert is_automatic(msg) == "precedence: junk"


def test_reply_budget():
    now = dt.datetime(2011, 12, 9, 12, tzinfo=dt.timezone.utc)
    budget = ReplyBudget(cap=3)
    recent = [now - dt.timedelta(hours=h) for h in (1, 5, 23)]
    assert not budget.allows(recent, now) and budget.remaining(recent, now) == 0
    old = [now - dt.timedelta(hours=h) for h in (1, 25, 48)]
    assert budget.allows(old, now) and budget.remaining(old, now) == 2
    assert ReplyBudget(cap=0).allows([], now) is False
    assert budget.allows([now - dt.timedelta(hours=24)] * 5, now)
