"""Opt-outs, the loop rule (no notification to an address that auto-replied), the per-recipient
hourly limit, the digest of a ticket that changes ten times in a minute, and rule errors that name
their key (exit 2, one line) - each through the real outbox and, where mail goes out, a real SMTP sink."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from notify_support import NOTIFY, OP, by_recipient, config, delivered, msk, setup

from deskframe.actors import Actor
from deskframe.cli import build_cli
from deskframe.plugins import build_plugins
from deskframe.testing import Clock

ALICE = Actor.agent("alice")


def notes(desk, number):
    return [h.reason for h in desk.tickets.get(number).history if h.action == "notify_skipped"]


def to(desk, address, topic=None):
    return [
        e
        for e in desk.outbox.list(limit=None)
        if address in e.message.recipients and (topic is None or e.message.topic == topic)
    ]


def test_an_agent_opts_out_of_one_event_kind(make_desk, sink):
    clock = Clock(msk(2026, 11, 2, 23, 0))  # night: carol is on call
    notify = NOTIFY + 'opt_out = { bob = ["sla_breached"], "carol@vendor.example" = ["all"] }\n'
    desk = make_desk(config(sink.url, notify), clock=clock)
    setup(desk)
    t = desk.tickets.open(
        subject="Down", body="x", customer="acme", contact="ivan@customer.example", priority="P1", actor=OP
    )
    desk.tickets.assign(t.number, agent="alice", actor=OP)
    clock.now += dt.timedelta(hours=5)
    desk.sla.check(actor=Actor.system("sla"))
    mail = by_recipient(delivered(desk, sink))
    assert any("SLA breached" in str(m["Subject"]) for m in mail["alice@vendor.example"])
    bob = [str(m["Subject"]) for m in mail["bob@vendor.example"]]
    assert any("New ticket" in s for s in bob)  # other kinds still reach bob
    assert not any("SLA breached" in s for s in bob)  # the kind he opted out of does not
    assert "carol@vendor.example" not in mail  # opted out of everything
    reasons = notes(desk, t.number)
    assert any("sla_breached to bob@vendor.example: opted out" in r for r in reasons)


AUTO_REPLY = b"""From: Robot <robot@customer.example>
To: support@desk.example
Subject: Out of office
Message-ID: <ooo-1@customer.example>
Auto-Submitted: auto-replied
Date: Mon, 02 Nov 2026 10:00:00 +0300

I am away until Monday.
"""

HUMAN = (
    AUTO_REPLY.replace(b"robot@", b"petr@")
    .replace(b"Auto-Submitted: auto-replied\n", b"")
    .replace(b"ooo-1", b"human-1")
)


def test_no_notification_to_an_address_that_auto_replied(make_desk, sink):
    from deskframe_email.parse import parse_message

    clock = Clock(msk(2026, 11, 2, 11, 0))
    desk = make_desk(config(sink.url, NOTIFY), clock=clock)
    setup(desk)
    numbers = {}
    for name, raw in (("robot", AUTO_REPLY), ("petr", HUMAN)):
        message = parse_message(raw, channel="support-mail", external_id=name, received_at=clock.now)
        numbers[name] = desk.intake.receive(message).ticket
        desk.tickets.set_state(numbers[name], "resolved", actor=ALICE)
    mail = by_recipient(delivered(desk, sink))
    assert any("Work done" in str(m["Subject"]) for m in mail["petr@customer.example"])
    assert "robot@customer.example" not in mail
    assert any("robot@customer.example: the address sent automatic mail" in r for r in notes(desk, numbers["robot"]))


def test_per_recipient_hourly_limit(make_desk, sink):
    clock = Clock(msk(2026, 11, 2, 11, 0))
    notify = 'defaults = false\nmax_per_hour = 3\n[[notify.rules]]\nevent = "ticket_opened"\nto = "boss@vendor.example"\ntemplate = "new_ticket"\n'
    desk = make_desk(config(sink.url, notify), clock=clock)
    setup(desk)
    opened = []
    for i in range(5):
        clock.now += dt.timedelta(minutes=1)
        opened.append(desk.tickets.open(subject=f"T{i}", body="x", customer="acme", actor=OP).number)
    assert len(to(desk, "boss@vendor.example")) == 3
    assert [len(notes(desk, n)) for n in opened] == [0, 0, 0, 1, 1]
    assert "hourly limit of 3" in notes(desk, opened[3])[0]
    clock.now += dt.timedelta(hours=1)  # the first three are older than an hour now
    desk.tickets.open(subject="Later", body="x", customer="acme", actor=OP)
    assert len(to(desk, "boss@vendor.example")) == 4
    assert len(by_recipient(delivered(desk, sink))["boss@vendor.example"]) == 4


def test_digest_when_a_ticket_changes_ten_times_in_a_minute(make_desk, sink):
    """Past ten notifications in a minute, a window of one minute holds the rest; the worker's
    notify_digest job sends them as one digest once the window has ended (the desk's clock
    decides: nothing sleeps), never twice; then single notifications resume."""
    from deskframe_notify import digest

    clock = Clock(msk(2026, 11, 2, 11, 0))
    notify = 'defaults = false\nmax_per_hour = 100\n[[notify.rules]]\nevent = "customer_reply"\nto = "owner"\n'
    desk = make_desk(config(sink.url, notify), clock=clock)
    setup(desk)
    t = desk.tickets.open(subject="Chatty", body="x", customer="acme", contact="ivan@customer.example", actor=OP)
    desk.tickets.assign(t.number, agent="alice", actor=OP)
    start = clock.now
    for i in range(13):
        clock.now += dt.timedelta(seconds=3)
        desk.tickets.add_article(t.number, direction="in", body=f"more {i}", actor=OP, sender="ivan@customer.example")
    assert [e.message.topic for e in to(desk, "alice@vendor.example")] == ["notify.customer_reply"] * 10
    held = [r for r in notes(desk, t.number) if "held for the digest" in r]
    assert len(held) == 3  # the 11th, 12th and 13th, from 11:00:33 on

    clock.now = start + dt.timedelta(seconds=80)  # within the window (11:00:33 + 60 s): held too, no digest yet
    desk.tickets.add_article(t.number, direction="in", body="still", actor=OP, sender="ivan@customer.example")
    assert digest.run(desk) == {"digests": 0}
    assert not to(desk, "alice@vendor.example", "notify.digest")

    clock.now = start + dt.timedelta(seconds=93)  # the window has ended
    assert digest.run(desk) == {"digests": 1}
    assert digest.run(desk) == {"digests": 0}  # once
    assert len(to(desk, "alice@vendor.example", "notify.digest")) == 1

    clock.now += dt.timedelta(seconds=1)  # single notifications again
    desk.tickets.add_article(t.number, direction="in", body="last", actor=OP, sender="ivan@customer.example")
    assert to(desk, "alice@vendor.example")[0].message.topic == "notify.customer_reply"
    assert digest.run(desk) == {"digests": 0}

    mail = by_recipient(delivered(desk, sink))["alice@vendor.example"]
    assert len(mail) == 12  # ten, the digest, the last
    (sent,) = [m for m in mail if "changes held" in str(m["Subject"])]
    body = sent.get_content()
    assert "4 changes held: Chatty" in str(sent["Subject"])
    assert "from 2026-11-02 11:00:33 to 11:01:33 (Europe/Moscow)" in body
    assert [line.split() for line in body.splitlines() if line.startswith("  ")] == [
        ["11:00:33", "reply", "from", "the", "customer"],
        ["11:00:36", "reply", "from", "the", "customer"],
        ["11:00:39", "reply", "from", "the", "customer"],
        ["11:01:20", "reply", "from", "the", "customer"],
    ]


def test_the_digest_job_is_registered_with_the_worker(make_desk, sink):
    from deskframe.worker.tasks import plugin_jobs

    desk = make_desk(config(sink.url, "defaults = false\n"))
    assert plugin_jobs(desk)["notify_digest"].every == dt.timedelta(seconds=10)


@pytest.mark.parametrize(
    ("rules", "key", "problem"),
    [
        (
            (
                '[[notify.rules]]\nevent = "ticket_opened"\nto = "owner"\n'
                '[[notify.rules]]\nevent = "ticket_opened"\nto = "owner"\n'
                '[[notify.rules]]\nevent = "ticket_opened"\nto = "the boss"\n'
            ),
            "notify.rules[2].to",
            "must be one of",
        ),
        ('[[notify.rules]]\nevent = "ticket_exploded"\nto = "owner"\n', "notify.rules[0].event", ""),
        ('[[notify.rules]]\nevent = "sla_warning"\nto = ["owner", 3]\n', "notify.rules[0].to[1]", ""),
        (
            '[[notify.rules]]\nevent = "sla_warning"\nto = "owner"\ntemplate = "../../etc/passwd"\n',
            "notify.rules[0].template",
            "",
        ),
        ('opt_out = { alice = ["sla_panic"] }\n', "notify.opt_out.alice[0]", ""),
        ('oncall = ["day"]\n', "notify.oncall[0]", "unknown on-call rotation 'day'"),
    ],
)
def test_a_bad_rule_exits_2_naming_its_key(tmp_path: Path, rules: str, key: str, problem: str) -> None:
    path = tmp_path / "deskframe.toml"
    text = config("smtp://127.0.0.1:1", rules).replace('timezone = "Europe/Moscow"\n', "", 1)
    path.write_text(
        f'[desk]\ndatabase = "sqlite:///{tmp_path}/d.db"\ntimezone = "Europe/Moscow"\n' + text, encoding="utf-8"
    )
    result = CliRunner().invoke(build_cli(build_plugins()), ["--config", str(path), "ticket", "list"])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: {key}: "), result.output
    assert problem in lines[0]


def test_own_templates_and_languages_by_domain(make_desk, sink, tmp_path):
    own = tmp_path / "notify-templates" / "ru"
    own.mkdir(parents=True)
    (own / "ticket_resolved.txt").write_text(
        "Subject: Готово: {{ ticket.subject }}\n\nСделано, {{ customer }}.\n", encoding="utf-8"
    )
    notify = (
        f'defaults = false\ntemplates = "{tmp_path / "notify-templates"}"\nlanguages = {{ "customer.example" = "ru" }}\n'
        '[[notify.rules]]\nevent = "ticket_resolved"\nto = ["customer", "boss@vendor.example"]\n'
    )
    desk = make_desk(config(sink.url, notify), clock=Clock(msk(2026, 11, 2, 11, 0)))
    setup(desk)
    t = desk.tickets.open(subject="Logo", body="x", customer="acme", contact="ivan@customer.example", actor=OP)
    desk.tickets.set_state(t.number, "resolved", actor=ALICE)
    mail = by_recipient(delivered(desk, sink))
    (ivan,) = mail["ivan@customer.example"]  # ru by the address's domain: the configured template
    assert "Готово" in str(ivan["Subject"]) and ivan.get_content().strip() == "Сделано, ACME."
    (boss,) = mail["boss@vendor.example"]  # en (the default): the built-in English one
    assert "Work done" in str(boss["Subject"])


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("en", "2 changes held: Chatty", "11:00:33  reply from the customer"),
        ("ru", "Задержано изменений: 2: Chatty", "11:00:36  заявка решена"),
    ],
)
def test_the_digest_template_lists_the_held_changes_in_the_recipients_language(language, subject, line):
    from deskframe_notify.render import PACKAGE_TEMPLATES, render

    values = {
        "ticket": {"number": "2026110210000011", "subject": "Chatty", "state": "open"},
        "count": 2,
        "since": "2026-11-02 11:00:33",
        "until": "11:01:33 (Europe/Moscow)",
        "changes": [{"at": "11:00:33", "event": "customer_reply"}, {"at": "11:00:36", "event": "ticket_resolved"}],
    }
    got_subject, text = render(PACKAGE_TEMPLATES / language / "digest.txt", values)
    assert got_subject == subject
    assert f"  {line}" in text.splitlines()


def test_a_recipient_gets_notifications_in_the_language_its_account_chose(make_desk, sink):
    """Issue 15: templates are chosen by the recipient's language; an agent or contact that chose
    a language for its pages (issue 14) gets its notifications in it, over [notify] languages."""
    from deskframe.accounts.service import Accounts

    notify = (
        'defaults = false\nlanguage = "en"\nlanguages = { "ivan@customer.example" = "ru" }\n'
        '[[notify.rules]]\nevent = "customer_reply"\nto = "owner"\n'
        '[[notify.rules]]\nevent = "ticket_resolved"\nto = "customer"\n'
    )
    desk = make_desk(config(sink.url, notify))
    setup(desk)
    accounts = Accounts.of(desk)
    accounts.set_language("agent", "alice", "ru", actor=Actor.agent("alice"))
    accounts.set_language("contact", "ivan@customer.example", "en", actor=Actor.contact("ivan@customer.example"))
    t = desk.tickets.open(subject="Printer", body="x", customer="acme", contact="ivan@customer.example", actor=OP)
    desk.tickets.assign(t.number, agent="alice", actor=OP)
    desk.tickets.add_article(t.number, direction="in", body="more", actor=OP, sender="ivan@customer.example")
    desk.tickets.set_state(t.number, "resolved", actor=OP)
    (to_alice,) = to(desk, "alice@vendor.example")
    assert to_alice.message.data["language"] == "ru" and to_alice.message.subject.startswith("[Ticket#")
    assert "Ответ клиента" in to_alice.message.subject
    (to_ivan,) = to(desk, "ivan@customer.example", "notify.ticket_resolved")
    assert to_ivan.message.data["language"] == "en"  # its own choice, over [notify] languages
