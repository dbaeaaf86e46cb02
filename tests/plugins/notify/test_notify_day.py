"""A scripted day of notifications through a real SMTP server (aiosmtpd on loopback): open,
assign, reply, customer reply, resolve, an SLA breach at night paging the on-call engineer, and an
invoice with its link; each reaches the right address in its recipient's language, delivered by
``desk.outbox.deliver_due``, and nothing the e-mail plugin already sends is sent twice."""

from __future__ import annotations

import datetime as dt

from notify_support import NOTIFY, OP, by_recipient, config, delivered, msk, setup

from deskframe.actors import Actor
from deskframe.testing import Clock

ALICE = Actor.agent("alice")


def squeeze(text):
    return "".join(str(text).split())


def topics(desk, number):
    return sorted((e.message.topic, e.message.recipients[0]) for e in desk.outbox.list(ticket=number, limit=None))


def test_a_scripted_day(make_desk, sink):
    clock = Clock(msk(2026, 11, 2, 10, 0))  # a Monday, in business hours
    desk = make_desk(config(sink.url, NOTIFY), clock=clock)
    setup(desk)

    # 10:00 a ticket from the portal (no channel): the customer hears it was received (in Russian),
    # the queue's watcher hears of a new ticket (in English)
    t = desk.tickets.open(
        subject="Printer down",
        body="It beeps",
        customer="acme",
        contact="ivan@customer.example",
        priority="P1",
        actor=OP,
    )
    # 10:05 assigned to alice: alice hears it
    clock.now += dt.timedelta(minutes=5)
    desk.tickets.assign(t.number, agent="alice", actor=OP)
    # 10:20 alice replies: no channel delivers the reply, so the customer gets it as a notification
    clock.now += dt.timedelta(minutes=15)
    desk.tickets.reply(t.number, actor=ALICE, body="Please restart it.")
    # 10:40 the customer writes back: the owner hears it
    clock.now += dt.timedelta(minutes=20)
    desk.tickets.add_article(
        t.number, direction="in", body="Restarted, still beeps", actor=OP, sender="ivan@customer.example"
    )
    # 12:00 resolved: "work done" to the customer
    clock.now = msk(2026, 11, 2, 12, 0)
    desk.time.log(t.number, actor=ALICE, minutes=90, date=dt.date(2026, 11, 2))
    desk.tickets.set_state(t.number, "resolved", actor=ALICE)

    # 18:30 a second P1 ticket, unowned; its 1 h first response runs out at night
    clock.now = msk(2026, 11, 2, 18, 30)
    night = desk.tickets.open(
        subject="Site down", body="500", customer="acme", contact="ivan@customer.example", priority="P1", actor=OP
    )
    desk.tickets.assign(night.number, agent="alice", actor=OP)
    clock.now = msk(2026, 11, 2, 23, 0)
    desk.sla.check(actor=Actor.system("sla"))

    # an invoice for November (issued on the 1st of December), with its public link
    clock.now = msk(2026, 12, 1, 9, 0)
    desk.billing.run("2026-11", actor=OP)
    (invoice,) = desk.billing.issue(period="2026-11", actor=OP)
    link = desk.billing.link(invoice.number)

    mail = by_recipient(delivered(desk, sink))
    assert desk.outbox.counts()["sent"] == sum(len(v) for v in mail.values())  # every one delivered

    def subjects(address):
        # Python's e-mail generator drops a space where it folds a long encoded (Cyrillic) subject
        # into two encoded-words (a stdlib bug, in the e-mail plugin's compose): compare without spaces
        return [squeeze(m["Subject"]) for m in mail.get(address, [])]

    ivan = subjects("ivan@customer.example")
    assert squeeze(f"[Ticket#{t.number}] Ваше обращение получено: Printer down") in ivan
    assert any(squeeze("Новый ответ по вашему обращению") in s and t.number in s for s in ivan)
    assert squeeze(f"[Ticket#{t.number}] Работа выполнена: Printer down") in ivan
    assert squeeze(f"Счёт {invoice.number} за 2026-11") in ivan
    (invoice_mail,) = [m for m in mail["ivan@customer.example"] if squeeze(m["Subject"]).startswith("Счёт")]
    assert link.startswith("https://desk.example/invoices/") and link in invoice_mail.get_content()
    assert all(str(m["Content-Language"]) == "ru" for m in mail["ivan@customer.example"])
    assert all(str(m["Auto-Submitted"]) == "auto-generated" for m in mail["ivan@customer.example"])

    alice = subjects("alice@vendor.example")
    assert squeeze(f"[Ticket#{t.number}] Assigned to you: Printer down") in alice
    assert squeeze(f"[Ticket#{t.number}] Customer replied: Printer down") in alice
    assert squeeze(f"[Ticket#{night.number}] SLA breached: Site down") in alice
    bob = subjects("bob@vendor.example")  # watches the support queue
    assert squeeze(f"[Ticket#{t.number}] New ticket in support: Printer down") in bob
    assert squeeze(f"[Ticket#{night.number}] SLA breached: Site down") in bob
    # the night engineer on duty (outside the business calendar), in Russian
    carol = subjects("carol@vendor.example")
    assert squeeze(f"[Ticket#{night.number}] Нарушен SLA: Site down") in carol
    assert all(str(m["Content-Language"]) == "ru" for m in mail["carol@vendor.example"])
    # the e-mail channel's address sends them
    assert {str(m["From"]).split("<")[-1].strip(">") for ms in mail.values() for m in ms} == {"support@desk.example"}


def test_no_oncall_page_in_business_hours(make_desk, sink):
    clock = Clock(msk(2026, 11, 3, 9, 0))  # Tuesday; breach at 10:00+, inside the calendar
    desk = make_desk(config(sink.url, NOTIFY), clock=clock)
    setup(desk)
    t = desk.tickets.open(
        subject="Slow", body="x", customer="acme", contact="ivan@customer.example", priority="P1", actor=OP
    )
    clock.now = msk(2026, 11, 3, 15, 0)
    desk.sla.check(actor=Actor.system("sla"))
    mail = by_recipient(delivered(desk, sink))
    assert any("SLA breached" in str(m["Subject"]) for m in mail["bob@vendor.example"])
    assert "carol@vendor.example" not in mail  # carol is on duty only outside business hours
    assert t.number


def test_email_channel_messages_are_not_duplicated(make_desk, sink):
    """A ticket on the e-mail channel: the acknowledgement and the reply are the e-mail plugin's;
    notify adds nothing for the customer on those two events."""
    clock = Clock(msk(2026, 11, 2, 11, 0))
    desk = make_desk(config(sink.url, NOTIFY), clock=clock)
    setup(desk)
    t = desk.tickets.open(
        subject="Mail", body="x", customer="acme", contact="ivan@customer.example", channel="support-mail", actor=OP
    )
    desk.tickets.reply(t.number, actor=ALICE, body="Answer")
    sent = topics(desk, t.number)
    assert ("reply", "ivan@customer.example") in sent  # the reply itself, by the e-mail plugin
    assert not [s for s in sent if s[1] == "ivan@customer.example" and s[0].startswith("notify.")]
    assert ("notify.ticket_opened", "bob@vendor.example") in sent  # the watcher still hears of it


def test_we_are_on_it_while_a_second_line_engineer_works(make_desk, sink):
    clock = Clock(msk(2026, 11, 2, 10, 0))
    desk = make_desk(config(sink.url, NOTIFY), clock=clock)
    setup(desk)
    t = desk.tickets.open(
        subject="Database slow", body="x", customer="acme", contact="ivan@customer.example", priority="P1", actor=OP
    )
    desk.tickets.reply(t.number, actor=ALICE, body="Looking")  # first response met
    desk.tickets.escalate(t.number, to=2, reason="needs a DBA", actor=ALICE)
    clock.now = msk(2026, 11, 2, 13, 20)  # 80 % of the 4 h resolution clock
    desk.sla.check(actor=Actor.system("sla"))
    clock.now = msk(2026, 11, 2, 13, 25)
    desk.sla.check(actor=Actor.system("sla"))  # a second check: no second message
    waits = [e for e in desk.outbox.list(ticket=t.number, limit=None) if e.message.topic == "notify.second_line_wait"]
    assert [e.message.recipients for e in waits] == [("ivan@customer.example",)]
    mail = by_recipient(delivered(desk, sink))["ivan@customer.example"]
    (wait,) = [m for m in mail if squeeze("Мы работаем над вашим обращением") in squeeze(m["Subject"])]
    assert "второй линии" in wait.get_content()
