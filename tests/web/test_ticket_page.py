"""Issue 14, one ticket ``/tickets/{number}``: articles (text escaped, HTML only inside a sandboxed
``srcdoc`` iframe, sanitised), internal notes marked, SLA clocks, history, and every action form:
each changes the ticket through the services, and without its CSRF token changes nothing (403)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from deskframe.actors import Actor
from deskframe.model import Agent, Customer, Queue
from deskframe.testing import Clock

from .conftest import csrf_of, logged_in, set_passwords
from .test_ticket_list import CONFIG, T0

HOSTILE = (
    '<p>Hello <b>agent</b></p><img src=x onerror="window.pwned=1">'
    '<script>window.pwned=2</script><a href="javascript:window.pwned=3">click</a>'
    '<iframe src="https://evil.example/"></iframe>'
)


@pytest.fixture(scope="module")
def site(module_desk):
    desk = module_desk(CONFIG, clock=Clock(T0), timezone="Europe/Moscow")
    op = Actor.operator()
    for name in ("support", "billing"):
        desk.directory.add_queue(Queue(name=name), actor=op)
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=op)
    for login in ("alice", "bob"):
        desk.directory.add_agent(Agent(login=login, name=login.title(), access="admin"), actor=op)
    set_passwords(desk, ("agent", "alice"), ("agent", "bob"))
    return desk


@pytest.fixture(scope="module")
def alice(site):
    return logged_in(site, "alice")


@pytest.fixture(scope="module")
def bob(site):
    return logged_in(site, "bob")


def new_ticket(site, subject="Broken <b>thing</b>", body="It is <script>alert(1)</script> broken"):
    return site.tickets.open(subject=subject, body=body, customer="acme", priority="P2", actor=Actor.operator()).number


def post(web, number, action, data, token=True, files=None):
    page = web.get(f"/tickets/{number}")
    fields = dict(data)
    if token:
        fields["csrf_token"] = csrf_of(page.text)
    return web.post(f"/tickets/{number}/{action}", data=fields, files=files)


def test_ticket_page_escapes_text_and_shows_clocks_and_history(site, alice):
    number = new_ticket(site)
    page = alice.get(f"/tickets/{number}")
    assert page.status_code == 200
    assert "Broken &lt;b&gt;thing&lt;/b&gt;" in page.text
    assert "It is &lt;script&gt;alert(1)&lt;/script&gt; broken" in page.text
    assert "<script>alert" not in page.text
    assert 'data-testid="sla-clock" data-kind="first_response"' in page.text
    assert 'id="history"' in page.text
    assert alice.get("/tickets/999999999").status_code == 404


def test_html_mail_only_inside_a_sandboxed_srcdoc_iframe_sanitised(site, alice):
    number = new_ticket(site, subject="Hostile mail")
    with site.store.write() as repo:  # an article whose stored HTML was not sanitised (the second fence)
        row = repo.ticket_row(number)
        article = repo.add_article(
            row,
            direction="in",
            channel="email",
            sender="ann@acme.example",
            recipients=(),
            subject="Hostile",
            text="see html",
            html=HOSTILE,
            message_id=None,
            references=(),
            agent_id=None,
            visible=True,
            raw_sha256=None,
        )
        article_id = article.id
    page = alice.get(f"/tickets/{number}").text
    frames = re.findall(r"<iframe[^>]*>", page)
    assert len(frames) == 1
    frame = frames[0]
    assert 'sandbox=""' in frame and "allow-scripts" not in frame
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert "<b>agent</b>" in srcdoc
    for bad in ("<script", "onerror", "javascript:", "evil.example"):
        assert bad not in srcdoc
    assert "Content-Security-Policy" in srcdoc and "default-src 'none'" in srcdoc
    outside = page.replace(frame, "")
    assert "onerror" not in outside and "pwned" not in outside
    tab = alice.get(f"/tickets/{number}/articles/{article_id}/html")
    assert tab.status_code == 200 and "<b>agent</b>" in tab.text
    assert tab.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert "<script" not in tab.text and "onerror" not in tab.text


def test_reply_form_with_canned_response(site, alice):
    number = new_ticket(site)
    page = alice.get(f"/tickets/{number}", headers={"Accept-Language": "ru"}).text
    assert 'name="body"' in page and ">Отправить<" in page
    assert '<option value="thanks">' in page
    answer = post(alice, number, "reply", {"body": "We are on it.", "canned": "thanks"})
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"] == f"/tickets/{number}?done=reply"
    ticket = site.tickets.get(number)
    reply = ticket.articles[-1]
    assert reply.direction == "out" and reply.agent == "alice"
    assert reply.text.startswith("Hello ACME, thank you for writing.") and "We are on it." in reply.text
    assert "The reply is sent." in alice.get(answer.headers["location"]).text


def approved(site, ticket):
    estimate = site.worklist.estimate(ticket.number, actor=Actor.agent("alice"))
    return estimate is not None and estimate.approved and str(estimate.hours) == "2.5"


ACTIONS = [
    ("note", {"body": "internal only"}, lambda t, s: t.articles[-1].direction == "internal"),
    ("lock", {}, lambda t, s: t.locked_by == "alice"),
    ("assign", {"agent": "bob"}, lambda t, s: t.owner == "bob"),
    ("state", {"state": "pending", "reason": "waiting"}, lambda t, s: t.state == "pending"),
    ("priority", {"priority": "P1"}, lambda t, s: t.priority == "P1"),
    ("move", {"queue": "billing"}, lambda t, s: t.queue == "billing"),
    ("escalate", {"line": "2", "reason": "hard"}, lambda t, s: t.line == 2),
    (
        "time",
        {"minutes": "30", "date": "2026-12-01", "note": "call", "non_billable": "1"},
        lambda t, s: (
            [(e.minutes, e.work_date, e.billable) for e in s.time.entries(ticket=t.number)]
            == [(30, dt.date(2026, 12, 1), False)]
        ),
    ),
    ("estimate", {"hours": "2,5", "approve": "1"}, lambda t, s: approved(s, t)),
]


@pytest.mark.parametrize(("action", "data", "changed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_action_form_changes_the_ticket_and_not_without_csrf(site, alice, action, data, changed):
    number = new_ticket(site)
    page = alice.get(f"/tickets/{number}").text
    assert f'id="action-{action}"' in page
    refused = post(alice, number, action, data, token=False)
    assert refused.status_code == 403
    assert not changed(site.tickets.get(number), site)
    done = post(alice, number, action, data)
    assert done.status_code == 303, done.text
    assert changed(site.tickets.get(number), site)
    history = site.tickets.get(number).history
    assert any(h.actor == "alice" for h in history)


def test_unlock_and_merge(site, alice):
    number, other = new_ticket(site), new_ticket(site)
    site.tickets.lock(number, actor=Actor.agent("alice"))
    assert post(alice, number, "unlock", {}).status_code == 303
    assert site.tickets.get(number).locked_by is None
    assert post(alice, number, "merge", {"into": other}).status_code == 303
    assert site.tickets.get(number).merged_into == other


def test_a_refused_lock_names_the_holder_and_the_reply_form_is_not_offered(site, alice, bob):
    number = new_ticket(site)
    token = csrf_of(bob.get(f"/tickets/{number}").text)
    first = alice.get(f"/tickets/{number}").text
    assert bob.post(f"/tickets/{number}/lock", data={"csrf_token": token}).status_code == 303
    lost = alice.post(f"/tickets/{number}/lock", data={"csrf_token": csrf_of(first)})
    assert lost.status_code == 409
    assert 'id="flash"' in lost.text and "Locked by bob" in lost.text
    page = alice.get(f"/tickets/{number}").text
    assert 'data-testid="lock-holder" data-holder="bob"' in page
    assert 'id="action-reply"' not in page and 'id="action-lock"' not in page
    assert 'name="force"' in page  # a forced unlock, with a reason, is offered instead
    assert site.tickets.get(number).locked_by == "bob"


def test_a_bad_value_shows_the_page_again_with_400(site, alice):
    number = new_ticket(site)
    answer = post(alice, number, "time", {"minutes": "abc"})
    assert answer.status_code == 400 and "whole number" in answer.text
    answer = post(alice, number, "reply", {"body": "   "})
    assert answer.status_code == 400 and 'id="reply-body"' in answer.text


def test_internal_notes_are_marked(site, alice):
    number = new_ticket(site)
    site.tickets.note(number, actor=Actor.agent("alice"), body="secret remark")
    page = alice.get(f"/tickets/{number}").text
    note = page.split('data-direction="internal"')[1].split("</li>")[0]
    assert 'data-testid="internal-note"' in note and "secret remark" in note


def test_dates_follow_the_locale_and_the_desk_time_zone(site, alice):
    number = new_ticket(site)
    ru = alice.get(f"/tickets/{number}", headers={"Accept-Language": "ru"}).text
    en = alice.get(f"/tickets/{number}", headers={"Accept-Language": "en"}).text
    # opened at 09:00 UTC = 12:00 in Moscow
    assert "02.12.2026, 12:00" in ru
    assert "12/2/26, 12:00" in en.replace("\u202f", " ")


def test_reply_with_attachments_links_them_to_the_download_route(site, alice):
    number = new_ticket(site)
    token = csrf_of(alice.get(f"/tickets/{number}").text)
    answer = alice.post(
        f"/tickets/{number}/reply",
        data={"body": "See the files.", "csrf_token": token},
        files=[
            ("attachments", ("report.pdf", b"%PDF-1.4 fake", "application/pdf")),
            ("attachments", ("../../etc/passwd", b"root:x", "text/plain")),
        ],
    )
    assert answer.status_code == 303, answer.text[:300]
    reply = site.tickets.get(number).articles[-1]
    assert [(a.filename, a.size) for a in reply.attachments] == [("report.pdf", 13), ("passwd", 6)]
    assert site.blobs.get(reply.attachments[0].sha256) == b"%PDF-1.4 fake"
    page = alice.get(f"/tickets/{number}").text
    links = re.findall(r'href="/api/v1/attachments/(\d+)" data-testid="attachment-link">([^<]+)<', page)
    assert [name for _id, name in links] == ["report.pdf", "passwd"]
