"""Issue 14, the customer page (contacts, contracts, open tickets, hours this month, invoices with
links; money and dates per locale: ``1 500,00 ₽``) and the admin pages for agents, queues, tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from deskframe.actors import Actor
from deskframe.model import Agent, Contact, Contract, Customer, Queue
from deskframe.testing import Clock

from .conftest import csrf_of, logged_in, set_passwords

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc)
CONFIG = """
[pricing.studio]
model = "hourly"
currency = "RUB"
rates = { default = "1500.00" }
increment = "15m"
"""


@pytest.fixture(scope="module")
def site(module_desk):
    desk = module_desk(CONFIG, clock=Clock(T0), timezone="Europe/Moscow")
    op = Actor.operator()
    desk.directory.add_queue(Queue(name="support", description="First line"), actor=op)
    desk.directory.add_customer(Customer(key="acme", name="ACME Studio"), actor=op)
    desk.directory.add_contact(Contact(name="Ann Lee", email="ann@acme.example", customer="acme"), actor=op)
    desk.directory.add_contract(
        Contract(key="acme-hourly", customer="acme", support_type="8x5", pricing="studio", start=dt.date(2026, 1, 1)),
        actor=op,
    )
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=op)
    set_passwords(desk, ("agent", "alice"))
    number = desk.tickets.open(subject="Logo redesign", body="Please", customer="acme", actor=op).number
    desk.time.log(number, actor=Actor.agent("alice"), minutes=60, date=dt.date(2026, 11, 5))
    desk.time.log(number, actor=Actor.agent("alice"), minutes=45, date=dt.date(2026, 12, 1), billable=False)
    desk.billing.run("2026-11", actor=op)
    desk.billing.issue(actor=op, period="2026-11")
    desk.number = number
    return desk


@pytest.fixture(scope="module")
def alice(site):
    return logged_in(site, "alice")


def test_customer_page_shows_contacts_contracts_tickets_hours_and_invoices(site, alice):
    page = alice.get("/customers/acme", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.text
    assert "Ann Lee" in text and "ann@acme.example" in text
    assert "acme-hourly" in text
    assert f'data-number="{site.number}"' in text
    assert re.search(r'id="hours-this-month"[^>]*>2026-12: 0:45 h logged, 0:00 h billable', text)
    assert 'data-testid="invoice-link"' in text
    assert alice.get("/customers/nobody").status_code == 404


def test_money_and_dates_follow_the_locale(site, alice):
    invoice = site.billing.invoices(customer="acme")[0]
    assert invoice.total.amount == 1500
    ru = alice.get("/customers/acme", headers={"Accept-Language": "ru"}).text
    total = re.search(r'data-testid="invoice-total">([^<]+)<', ru).group(1)
    assert total.replace("\xa0", " ").replace("\u202f", " ") == "1 500,00 ₽"
    en = alice.get("/customers/acme", headers={"Accept-Language": "en"}).text
    total_en = re.search(r'data-testid="invoice-total">([^<]+)<', en).group(1)
    assert total_en.startswith("RUB") and total_en.endswith("1,500.00")
    assert "Счета" in ru and "Invoices" in en


def test_admin_pages_list_agents_and_queues(alice):
    agents = alice.get("/admin/agents")
    assert agents.status_code == 200 and 'data-login="alice"' in agents.text
    queues = alice.get("/admin/queues")
    assert queues.status_code == 200 and 'data-queue="support"' in queues.text and "First line" in queues.text


def test_admin_creates_and_revokes_a_token_with_csrf(site, alice):
    page = alice.get("/admin/tokens")
    assert page.status_code == 200
    assert alice.post("/admin/tokens", data={"login": "alice", "name": "ci"}).status_code == 403
    assert site.store and not re.search(r'data-token-id="\d+"', alice.get("/admin/tokens").text)
    created = alice.post("/admin/tokens", data={"login": "alice", "name": "ci", "csrf_token": csrf_of(page.text)})
    assert created.status_code == 200
    secret = re.search(r'id="token-secret" data-testid="token-secret">([^<]+)<', created.text).group(1)
    assert alice.get("/api/whoami-does-not-exist", headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    token_id = re.search(r'data-token-id="(\d+)"', created.text).group(1)
    assert secret not in alice.get("/admin/tokens").text  # shown once
    revoked = alice.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(page.text)})
    assert revoked.status_code == 303
    assert "revoked" in alice.get("/admin/tokens").text
