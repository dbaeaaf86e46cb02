"""Issue 14, the agents' ticket list ``/tickets``: login redirect, queue counts, every filter,
full-text search with a Cyrillic word, overdue first, SLA due colours, the htmx rows partial."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from deskframe.actors import Actor
from deskframe.model import Agent, Customer, Queue
from deskframe.testing import Clock

from .conftest import client, logged_in, set_passwords

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)  # a Wednesday
CONFIG = """
[tickets]
default_sla = "std"
[canned.thanks]
body = "Hello {{ customer }}, thank you for writing."
[sla.std]
type = "targets"
calendar = "always"
[sla.std.targets.P1]
first_response = "1h"
[sla.std.targets.P2]
first_response = "4h"
[sla.std.targets.P3]
first_response = "2d"
"""


@pytest.fixture(scope="module")
def clock():
    return Clock(T0)


@pytest.fixture(scope="module")
def site(module_desk, clock):
    desk = module_desk(CONFIG, clock=clock, timezone="Europe/Moscow")
    op = Actor.operator()
    for name in ("support", "billing"):
        desk.directory.add_queue(Queue(name=name), actor=op)
    for key in ("acme", "globex"):
        desk.directory.add_customer(Customer(key=key, name=key.title()), actor=op)
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=op)
    desk.directory.add_agent(Agent(login="bob", name="Bob", access="admin"), actor=op)
    set_passwords(desk, ("agent", "alice"), ("agent", "bob"))
    t = desk.tickets
    numbers = {}
    numbers["urgent"] = t.open(
        subject="Printer on fire", body="Smoke everywhere", customer="acme", priority="P1", actor=op
    ).number
    numbers["slow"] = t.open(
        subject="Invoice question",
        body="Почему счёт такой большой?",
        customer="globex",
        priority="P3",
        queue="billing",
        actor=op,
    ).number
    numbers["mine"] = t.open(subject="VPN access", body="Need VPN", customer="acme", priority="P2", actor=op).number
    t.assign(numbers["mine"], agent="alice", actor=op)
    t.lock(numbers["mine"], actor=Actor.agent("bob"))
    numbers["done"] = t.open(subject="Old thing", body="fixed", customer="acme", actor=op).number
    t.set_state(numbers["done"], "closed", actor=op)
    t.escalate(numbers["slow"], to=2, reason="needs accounting", actor=op)
    clock.now = T0 + dt.timedelta(minutes=90)  # the P1 ticket's first response is overdue now
    desk.numbers = numbers
    return desk


@pytest.fixture(scope="module")
def web(site):
    return logged_in(site, "alice")


def numbers_of(html: str) -> list[str]:
    return re.findall(r'data-testid="ticket-row" data-number="([^"]+)"', html)


def test_tickets_needs_a_login_and_the_form_leads_back(site):
    answer = client(site).get("/tickets?queue=support")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/tickets%3Fqueue%3Dsupport"
    page = client(site).get(answer.headers["location"])
    assert 'name="next" value="/tickets?queue=support"' in page.text


def test_default_list_shows_open_tickets_overdue_first(site, web):
    page = web.get("/tickets")
    assert page.status_code == 200
    shown = numbers_of(page.text)
    n = site.numbers
    assert shown[0] == n["urgent"]  # breached: first
    assert set(shown) == {n["urgent"], n["slow"], n["mine"]}  # the closed one is not open
    row = page.text.split(f'data-number="{n["urgent"]}"')[1].split("</tr>")[0]
    assert 'class="due breached"' in row and "Printer on fire" in row and "acme" in row


def test_due_status_colours_running_and_warning(site, web):
    n = site.numbers
    page = web.get("/tickets").text
    row = page.split(f'data-number="{n["slow"]}"')[1].split("</tr>")[0]
    assert 'class="due running"' in row


def test_queue_sidebar_counts_open_tickets(web):
    page = web.get("/tickets").text
    counts = dict(
        re.findall(
            r'data-queue="([^"]+)"[^>]*>\s*<span>[^<]*</span> <span class="count" data-testid="queue-count">(\d+)<',
            page,
        )
    )
    assert counts == {"billing": "1", "support": "2"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("queue=billing", ["slow"]),
        ("owner=me", ["mine"]),
        ("priority=P1", ["urgent"]),
        ("customer=globex", ["slow"]),
        ("line=2", ["slow"]),
        ("state=all&customer=acme&order=number", ["done", "mine", "urgent"]),
        ("state=closed", ["done"]),
    ],
)
def test_filters(site, web, query, expected):
    page = web.get(f"/tickets?{query}")
    assert page.status_code == 200
    assert sorted(numbers_of(page.text)) == sorted(site.numbers[k] for k in expected)


def test_search_finds_a_cyrillic_word(site, web):
    page = web.get("/tickets", params={"q": "счёт"})
    assert numbers_of(page.text) == [site.numbers["slow"]]
    assert 'value="счёт"' in page.text  # the search box keeps the word
    assert numbers_of(web.get("/tickets", params={"q": "несуществующее"}).text) == []


def test_rows_partial_polls_every_30_seconds_with_the_same_filters(site, web):
    page = web.get("/tickets?queue=support&owner=me").text
    assert 'hx-get="/tickets/rows?queue=support&amp;owner=me" hx-trigger="every 30s"' in page
    rows = web.get("/tickets/rows?queue=support&owner=me")
    assert rows.status_code == 200
    assert rows.text.lstrip().startswith("<tbody") and "<html" not in rows.text
    assert numbers_of(rows.text) == [site.numbers["mine"]]
    assert 'hx-get="/tickets/rows?queue=support&amp;owner=me"' in rows.text  # keeps polling with them


def test_row_shows_owner_lock_holder_and_priority(site, web):
    page = web.get("/tickets?owner=me").text
    row = page.split(f'data-number="{site.numbers["mine"]}"')[1].split("</tr>")[0]
    assert "<td>alice</td>" in row and "bob" in row and "P2" in row


def test_a_bad_filter_is_a_400_page_not_a_crash(web):
    page = web.get("/tickets?state=nonsense")
    assert page.status_code == 400 and 'id="filter-error"' in page.text
    assert web.get("/tickets?line=x").status_code == 400


def test_list_in_russian_and_english(web):
    ru = web.get("/tickets", headers={"Accept-Language": "ru"}).text
    assert "Заявки" in ru and "Очереди" in ru
    en = web.get("/tickets", headers={"Accept-Language": "en"}).text
    assert "Tickets" in en and "Queues" in en


def test_the_htmx_refresh_after_the_session_ended_loads_the_login_page(site):
    answer = client(site).get("/tickets/rows?queue=support", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and answer.headers["hx-redirect"] == "/login"
    assert answer.text == ""
