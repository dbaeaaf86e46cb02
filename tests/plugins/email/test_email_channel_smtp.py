"""Outgoing mail against a real SMTP server on loopback (aiosmtpd).

Agent replies (threading headers, Message-ID recorded so answers thread back),
enqueued in the outbox with the change and delivered by ``send_due`` (the worker's pass),
RELIABILITY 12 (no header injection through subjects or names, raw or RFC 2047)
and 14 (automatic acknowledgements: never to automatic mail, at most N per
recipient and day, marked ``Auto-Submitted: auto-replied``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import ssl
import subprocess

import pytest
from mailservers import SmtpSink, channel_toml, deliver, make_maildir, message, parse, send_due

import deskframe
from deskframe import Contact, SlaPolicyType
from deskframe.actors import Actor
from deskframe.intake.polling import build_channel, poll
from deskframe.sla.policy import ClockSpec

ACK = "Dear {{ customer }}, your request has number {{ number }}. Expect an answer by {{ due }}.\n"
SLA = """timezone = "Europe/Moscow"
[tickets]
default_sla = "std"
[calendars.msk]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
[sla.std]
type = "first-response"
calendar = "msk"
minutes = 120
"""
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

CANNED = f"\n[canned.ack]\nbody = {json.dumps(ACK)}\n"
START = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.timezone.utc)  # Monday 10:00 in Moscow


class Policy:
    """First response within ``minutes`` of working time."""

    def __init__(self, table):
        self.calendar, self.minutes = table["calendar"], table["minutes"]

    def calendar_names(self):
        return {self.calendar}

    def start(self, facts, calendars):
        cal = calendars[self.calendar]
        due = cal.add(facts.opened_at, dt.timedelta(minutes=self.minutes))
        return [
            ClockSpec(
                kind="first_response",
                calendar=self.calendar,
                due=due,
                warn_at=cal.add(facts.opened_at, dt.timedelta(minutes=self.minutes // 2)),
                stop_on="reply",
            )
        ]

    def restart(self, kind, facts, at, calendars):
        return None


class PolicyPlugin:
    @deskframe.hookimpl
    def register_sla_policies(self, register):
        register(SlaPolicyType("first-response", Policy))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def run_once(cli, desk):
    result = cli(desk)("intake", "run", "--once", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)[0]


def poll_once(desk):
    """One poll in this process (the desk's test clock applies; the CLI would build its own desk)."""
    return poll(desk, build_channel(desk, "support-mail"))


def history(desk, number, action):
    return [h for h in desk.tickets.get(number).history if h.action == action]


@pytest.fixture
def mail_desk(make_desk, smtp_sink, tmp_path):
    box = make_maildir(tmp_path / "mail")
    desk = make_desk(channel_toml(source=f"maildir:{box}", smtp=smtp_sink.url, from_name="ACME Support"))
    desk.directory.add_agent(
        deskframe.Agent("alice", "Alice", email="alice@desk.example", access="admin"), actor=Actor.operator()
    )
    desk.box = box
    return desk


def test_reply_is_sent_threaded_and_answers_thread_back(mail_desk, smtp_sink, cli):
    desk = mail_desk
    deliver(
        desk.box,
        message("Printer broken", msgid="<q1@customer.example>", extra={"References": "<older@customer.example>"}),
    )
    run_once(cli, desk)
    (ticket,) = desk.tickets.list()
    number = ticket["number"]
    assert smtp_sink.messages == []  # no autoreply configured

    desk.tickets.reply(number, actor=Actor.agent("alice"), body="Please restart it.\n")
    send_due(desk)
    ((mail_from, rcpt, raw),) = smtp_sink.messages
    assert (mail_from, rcpt) == ("support@desk.example", ["ivan@customer.example"])
    sent = parse(raw)
    assert str(sent["Subject"]) == f"[Ticket#{number}] Re: Printer broken"
    assert str(sent["From"]) == "ACME Support <support@desk.example>"
    assert str(sent["To"]) == "Ivan Petrov <ivan@customer.example>"
    assert str(sent["In-Reply-To"]) == "<q1@customer.example>"
    assert str(sent["References"]) == "<q1@customer.example>"
    assert "Auto-Submitted" not in sent
    article = desk.tickets.get(number).articles[-1]
    assert f"<{article.message_id}>" == str(sent["Message-ID"]) and article.recipients == ("ivan@customer.example",)
    assert history(desk, number, "sent")
    assert sent.get_content().strip() == "Please restart it."

    # the customer answers without the ticket number in the subject: References thread it
    deliver(
        desk.box,
        message("Re: Printer broken", msgid="<q2@customer.example>", extra={"In-Reply-To": str(sent["Message-ID"])}),
    )
    report = run_once(cli, desk)
    assert (report["created"], report["appended"]) == (0, 1)
    desk.tickets.reply(number, actor=Actor.agent("alice"), body="Good.\n")
    send_due(desk)
    second = parse(smtp_sink.messages[-1][2])
    assert str(second["In-Reply-To"]) == "<q2@customer.example>"
    assert str(second["References"]).split() == [
        "<q1@customer.example>",
        str(sent["Message-ID"]),
        "<q2@customer.example>",
    ]


INJECTED = [
    "Printer\r\nBcc: x@evil.example",
    "=?utf-8?q?Printer=0D=0ABcc:_x@evil.example?=",
    "=?utf-8?b?" + base64.b64encode(b"Printer\r\nBcc: x@evil.example").decode() + "?=",
]


@pytest.mark.parametrize("hostile", INJECTED)
def test_no_header_injection_from_subject_or_name(mail_desk, smtp_sink, hostile):
    """RELIABILITY 12: parse the bytes sent; only our header fields, only the one recipient."""
    desk = mail_desk
    desk.directory.add_contact(Contact(name=hostile, email="ivan@customer.example"), actor=Actor.operator())
    ticket = desk.tickets.open(
        subject=hostile, body="Help", contact="ivan@customer.example", channel="support-mail", actor=Actor.operator()
    )
    desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Answer\r\nBcc: body@evil.example\n")
    send_due(desk)
    ((_mail_from, rcpt, raw),) = smtp_sink.messages
    assert rcpt == ["ivan@customer.example"]
    sent = parse(raw)
    assert sorted(k.lower() for k in sent) == sorted(
        ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "content-transfer-encoding"]
    )
    assert "evil" not in str(sent["To"]).split("<")[-1]
    assert str(sent["Subject"]).startswith(f"[Ticket#{ticket.number}]")
    assert "\n" not in str(sent["Subject"]) and "\r" not in str(sent["Subject"])
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in head and b"\nBcc:" not in head


def test_delivery_failure_is_recorded_and_reply_kept(make_desk, tmp_path):
    sink = SmtpSink(refuse=True)
    sink.start()
    try:
        box = make_maildir(tmp_path / "mail")
        desk = make_desk(channel_toml(source=f"maildir:{box}", smtp=sink.url))
        desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
        ticket = desk.tickets.open(
            subject="Hi", body="b", contact="ivan@customer.example", channel="support-mail", actor=Actor.operator()
        )
        article = desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Answer")
        send_due(desk)
    finally:
        sink.stop()
    failed = history(desk, ticket.number, "delivery_failed")
    assert len(failed) == 1 and failed[0].new == str(article.id) and "554" in failed[0].reason
    (entry,) = desk.outbox.list(ticket=ticket.number)
    assert entry.state == "failed" and entry.attempts == 1  # a 5xx answer: retrying cannot help
    assert desk.tickets.get(ticket.number).articles[-1].text == "Answer"  # never rolled back
    assert desk.last_hook_failures == []


def test_outbound_article_of_other_plugins_and_non_email_tickets(mail_desk, smtp_sink):
    desk = mail_desk
    phone = desk.tickets.open(
        subject="Called in", body="Call notes", contact="ivan@customer.example", channel="phone", actor=Actor.operator()
    )
    desk.tickets.add_article(
        phone.number,
        direction="out",
        channel="support-mail",
        subject=f"[Ticket#{phone.number}] Please write",
        body="Please send the request in writing.",
        actor=Actor.agent("alice"),
    )
    send_due(desk)
    assert len(smtp_sink.messages) == 1
    assert str(parse(smtp_sink.messages[0][2])["Subject"]) == f"[Ticket#{phone.number}] Please write"
    desk.tickets.reply(phone.number, actor=Actor.agent("alice"), body="On the phone channel: not mailed")
    send_due(desk)
    desk.tickets.note(phone.number, actor=Actor.agent("alice"), body="internal")
    send_due(desk)
    assert len(smtp_sink.messages) == 1


def test_smtp_auth(make_desk, tmp_path, monkeypatch):
    sink = SmtpSink(auth=("support@desk.example", "s3cret"))
    sink.start()
    try:
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
        desk = make_desk(
            channel_toml(
                source=f"maildir:{make_maildir(tmp_path / 'm')}", smtp=sink.url, password_env="TEST_SMTP_PASSWORD"
            )
        )
        desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
        ticket = desk.tickets.open(
            subject="Hi", body="b", contact="ivan@customer.example", channel="support-mail", actor=Actor.operator()
        )
        desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Answer")
        send_due(desk)
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
        desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Second answer")
        send_due(desk)
    finally:
        sink.stop()
    assert sink.logins == ["support@desk.example"] and len(sink.messages) == 1
    failed = history(desk, ticket.number, "delivery_failed")
    assert len(failed) == 1 and "Authentication" in failed[0].reason


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    root = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(root / "key.pem"),
            "-out",
            str(root / "cert.pem"),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return root / "cert.pem", root / "key.pem"


def test_smtp_starttls_with_auth(make_desk, tmp_path, monkeypatch, certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    sink = SmtpSink(auth=("support@desk.example", "s3cret"), tls_context=context)
    sink.start()
    try:
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
        desk = make_desk(
            channel_toml(
                source=f"maildir:{make_maildir(tmp_path / 'm')}",
                smtp=f"smtp+starttls://127.0.0.1:{sink.port}",
                password_env="TEST_SMTP_PASSWORD",
                ca_file=str(cert),
            )
        )
        desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
        ticket = desk.tickets.open(
            subject="Hi", body="b", contact="ivan@customer.example", channel="support-mail", actor=Actor.operator()
        )
        desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Answer over TLS")
        send_due(desk)
    finally:
        sink.stop()
    assert sink.logins == ["support@desk.example"] and len(sink.messages) == 1
    assert not history(desk, ticket.number, "delivery_failed")


# --- automatic acknowledgement (RELIABILITY 14) ------------------------------------------------


@pytest.fixture
def ack_desk(make_desk, smtp_sink, tmp_path):
    box = make_maildir(tmp_path / "mail")
    clock = Clock(START)
    desk = make_desk(
        SLA
        + CANNED
        + channel_toml(source=f"maildir:{box}", smtp=smtp_sink.url, autoreply={"canned": "ack", "cap_per_day": 2}),
        plugins=[PolicyPlugin()],
        clock=clock,
    )
    desk.box, desk.test_clock = box, clock
    return desk


def acks(sink):
    return [parse(raw) for _, _, raw in sink.messages]


def test_acknowledgement_sent_once_with_number_and_due(ack_desk, smtp_sink):
    desk = ack_desk
    desk.directory.add_customer(
        deskframe.Customer("acme", "ACME Ltd", domains=("customer.example",)), actor=Actor.operator()
    )
    deliver(desk.box, message("Printer broken", msgid="<first@customer.example>"))
    poll_once(desk)
    send_due(desk)
    (ticket,) = desk.tickets.list()
    number = ticket["number"]
    (ack,) = acks(smtp_sink)
    assert smtp_sink.messages[0][1] == ["ivan@customer.example"]
    assert str(ack["Auto-Submitted"]) == "auto-replied" and str(ack["X-Loop"]) == "support@desk.example"
    assert str(ack["Subject"]) == f"[Ticket#{number}] Printer broken"
    assert str(ack["In-Reply-To"]) == "<first@customer.example>"
    body = ack.get_content()
    assert f"Dear ACME Ltd, your request has number {number}." in body
    assert "Expect an answer by 2026-11-02 12:00 (Europe/Moscow)." in body  # 2 working hours after 10:00 MSK
    assert history(desk, number, "email_autoreply")[0].new == str(ack["Message-ID"]).strip("<>")

    deliver(desk.box, message(f"Re: [Ticket#{number}] Printer broken", msgid="<second@customer.example>"))
    assert poll_once(desk).appended == 1
    send_due(desk)
    assert len(smtp_sink.messages) == 1  # follow-ups get no acknowledgement


AUTOMATIC = [
    "auto_submitted_generated",
    "auto_submitted_replied",
    "precedence_bulk",
    "precedence_junk",
    "precedence_list",
    "list_id",
    "x_auto_response_suppress",
    "empty_return_path",
    "x_loop_own",
    "bounce_delivery_status",
    "postmaster_sender",
]


def test_no_acknowledgement_to_automatic_mail(ack_desk, smtp_sink, corpus):
    desk = ack_desk
    for name in AUTOMATIC + ["auto_submitted_no"]:
        deliver(desk.box, corpus[name])
    deliver(desk.box, message("From ourselves", sender="support@desk.example"))
    report = poll_once(desk)
    send_due(desk)
    assert report.created == len(AUTOMATIC) + 2
    sent = acks(smtp_sink)
    assert len(sent) == 1 and str(sent[0]["In-Reply-To"]) == "<auto_submitted_no@corpus>"
    skipped = [
        h.reason for t in desk.tickets.list(limit=None) for h in history(desk, t["number"], "email_autoreply_skipped")
    ]
    assert len(skipped) == len(AUTOMATIC) + 1
    assert any("auto-submitted" in r for r in skipped) and any("precedence: bulk" in r for r in skipped)
    assert any("own address" in r for r in skipped) and any("delivery report" in r for r in skipped)


def test_acknowledgements_capped_per_recipient_and_day(ack_desk, smtp_sink):
    desk = ack_desk
    for i in range(4):
        deliver(desk.box, message(f"Loop {i}", sender="robot@other.example"))
    deliver(desk.box, message("Someone else", sender="maria@customer.example"))
    assert poll_once(desk).created == 5
    send_due(desk)
    to = [rcpt[0] for _, rcpt, _ in smtp_sink.messages]
    assert to.count("robot@other.example") == 2 and to.count("maria@customer.example") == 1
    skipped = [
        h.reason for t in desk.tickets.list(limit=None) for h in history(desk, t["number"], "email_autoreply_skipped")
    ]
    assert skipped == ["daily cap of 2 automatic replies to robot@other.example reached"] * 2

    desk.test_clock.now = START + dt.timedelta(hours=25)
    deliver(desk.box, message("Next day", sender="robot@other.example"))
    poll_once(desk)
    send_due(desk)
    assert [rcpt[0] for _, rcpt, _ in smtp_sink.messages].count("robot@other.example") == 3
