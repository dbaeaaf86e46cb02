"""Issue 16, "where it shows": the account review (plugin ``deskframe_review``) on the agent's
customer page and in the portal, through the ``customer_sections`` hook; the review pages behind
a login answer 404 to anyone ``deskframe.policy.may_read_account`` does not let read them."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import Markup

import deskframe
from deskframe.actors import Actor
from deskframe.model import Agent, Contact, Customer
from deskframe.testing import Clock

from .conftest import PASSWORD, client, logged_in, set_passwords

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)
EN = {"Accept-Language": "en"}
NOTE = "Launched the <b>web shop</b> on our API"
AGENT_URL = "/customers/acme/review/2026-11"
PORTAL_URL = "/portal/customers/acme/review/2026-11"


@pytest.fixture(scope="module")
def site(module_desk):
    from deskframe_review.store import ReviewStore

    desk = module_desk(clock=Clock(T0))
    op = Actor.operator()
    desk.directory.add_customer(Customer(key="acme", name="ACME Studio"), actor=op)
    desk.directory.add_customer(Customer(key="beta", name="Beta Ltd"), actor=op)
    for name, email, customer, admin in (
        ("Ann Lee", "ann@acme.example", "acme", True),
        ("Bob Roe", "bob@acme.example", "acme", False),
        ("Cat Poe", "cat@beta.example", "beta", True),
    ):
        desk.directory.add_contact(Contact(name=name, email=email, customer=customer, customer_admin=admin), actor=op)
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="agent"), actor=op)
    set_passwords(
        desk,
        ("agent", "alice"),
        ("contact", "ann@acme.example"),
        ("contact", "bob@acme.example"),
        ("contact", "cat@beta.example"),
    )
    note = {"customer": "acme", "period": "2026-11", "question": "built", "text": NOTE}
    ReviewStore(desk).write([("note", note)], op)
    return desk


def portal(desk, email, headers=EN):
    web = client(desk, headers=headers)
    answer = web.post("/portal/login", data={"email": email, "password": PASSWORD, "next": "/portal/tickets"})
    assert answer.status_code == 303, answer.text
    return web


def test_the_agent_page_lists_the_reviews_per_period_and_opens_one(site):
    alice = logged_in(site, "alice", headers=EN)
    page = alice.get("/customers/acme")
    assert page.status_code == 200
    assert 'id="section-account-review"' in page.text and "Account reviews" in page.text
    assert f'href="{AGENT_URL}"' in page.text and 'href="/customers/acme/review/2026-12"' in page.text
    assert page.text.index("2026-12") < page.text.index(AGENT_URL)  # newest first
    review = alice.get(AGENT_URL)
    assert review.status_code == 200
    assert "Launched the &lt;b&gt;web shop&lt;/b&gt; on our API" in review.text
    assert review.headers["Cache-Control"] == "private, no-store"
    assert "default-src 'none'" in review.headers["Content-Security-Policy"]


def test_a_customer_admin_sees_the_reviews_in_the_portal(site):
    ann = portal(site, "ann@acme.example")
    page = ann.get("/portal/tickets")
    assert page.status_code == 200
    assert 'id="section-account-review"' in page.text and f'href="{PORTAL_URL}"' in page.text
    review = ann.get(PORTAL_URL)
    assert review.status_code == 200 and "web shop" in review.text


def test_the_portal_section_is_in_the_page_language(site):
    page = portal(site, "ann@acme.example", headers={"Accept-Language": "ru"}).get("/portal/tickets")
    assert "Обзоры сопровождения" in page.text and "Обзор за 2026-11" in page.text


def test_a_plain_contact_sees_no_review_and_gets_404(site):
    bob = portal(site, "bob@acme.example")
    page = bob.get("/portal/tickets")
    assert page.status_code == 200
    assert "section-account-review" not in page.text and "/review/" not in page.text
    for url in (PORTAL_URL, AGENT_URL):
        answer = bob.get(url)
        assert answer.status_code == 404 and "web shop" not in answer.text


def test_no_one_else_reads_the_review(site):
    cat = portal(site, "cat@beta.example")  # an admin of another customer
    assert cat.get(PORTAL_URL).status_code == 404
    own = cat.get("/portal/tickets").text  # its own customer's reviews, never acme's
    assert 'href="/portal/customers/beta/review/2026-12"' in own and "/customers/acme/" not in own
    assert client(site).get(AGENT_URL).status_code == 404  # nobody logged in
    alice = logged_in(site, "alice", headers=EN)
    assert alice.get("/customers/nobody/review/2026-11").status_code == 404
    assert alice.get("/customers/acme/review/2026-13").status_code == 404


def test_a_sections_text_is_escaped_and_only_markup_is_inserted(site):
    class Other:
        @deskframe.hookimpl
        def customer_sections(self, desk, customer, actor, language, portal):
            return [
                deskframe.PageSection("plain", "<i>Title</i>", [deskframe.PageLink("<b>x</b>", "/a?b=1&c=2")], "<hr>"),
                deskframe.PageSection("marked", "Marked", html=Markup("<p id='plugin-markup'>ok</p>")),
            ]

    other = Other()
    site.plugins.pm.register(other, name="test_sections")
    try:
        text = logged_in(site, "alice", headers=EN).get("/customers/acme").text
    finally:
        site.plugins.pm.unregister(other)
    assert "&lt;i&gt;Title&lt;/i&gt;" in text and "&lt;b&gt;x&lt;/b&gt;" in text and "&lt;hr&gt;" in text
    assert 'href="/a?b=1&amp;c=2"' in text
    assert "<p id='plugin-markup'>ok</p>" in text
