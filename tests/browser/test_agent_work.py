"""Agents at work in a real browser against a real ``deskframe serve``:

* **agent work** - log in, find a ticket by a Cyrillic word, open it, reply with a canned
  response, log 30 minutes; the reply and the time are stored;
* **lock race** - two agents in two browser contexts lock the same ticket at once: one wins,
  the other's page names the holder;
* screenshots of the ticket list and a ticket, in English and Russian.
"""

from __future__ import annotations

import pytest
from browser_desk import Server
from browser_pages import DIRECTORY, agent_login, require_agent_pages, screenshot

CANNED = """
[canned.onit]
body = "Hello {{ customer }}, ticket {{ number }} is with {{ agent }}."
"""


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("agents"), config_extra=CANNED)
    server.apply(DIRECTORY)
    for login in ("alice", "bob"):
        server.password("agent", login)
    server.start()
    try:
        require_agent_pages(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tickets(desk):
    """Three tickets; only one mentions the word «принтер»."""
    return {
        "printer": desk.open_ticket(
            "Не печатает",
            "Принтер в бухгалтерии не печатает с утра",
            "--customer",
            "acme",
            "--contact",
            "andy@acme.example",
        ),
        "vpn": desk.open_ticket("VPN", "VPN drops every hour", "--customer", "acme"),
        "mail": desk.open_ticket("Почта", "Почта не уходит", "--customer", "globex"),
    }


def test_agent_work(desk, tickets, new_context):
    page = new_context("ru").new_page()
    agent_login(page, desk.url, "alice")
    page.fill("#q", "принтер")
    page.click("#apply-filters")
    page.wait_for_load_state()
    listed = page.locator("[data-testid=ticket-row]").evaluate_all("rows => rows.map(r => r.dataset.number)")
    assert listed == [tickets["printer"]]
    page.click(f"#ticket-{tickets['printer']} [data-testid=ticket-link]")
    page.wait_for_url(f"{desk.url}/tickets/{tickets['printer']}")
    page.select_option("#reply-canned", "onit")
    page.fill("#reply-body", "Заменим картридж сегодня.")
    page.click("#reply-submit")
    page.wait_for_load_state()
    page.fill("#time-minutes", "30")
    page.click("#time-submit")
    page.wait_for_load_state()

    stored = desk.ticket(tickets["printer"])
    reply = [a for a in stored["articles"] if a["direction"] == "out"]
    assert len(reply) == 1
    assert reply[0]["text"].startswith(f"Hello ACME LLC, ticket {tickets['printer']} is with Alice Agent.")
    assert reply[0]["text"].endswith("Заменим картридж сегодня.")
    entries = desk.json("time", "list", "--ticket", tickets["printer"])
    assert [(e["agent"], e["minutes"]) for e in entries] == [("alice", 30)]
    assert page.locator("[data-testid=time-entry]").count() == 1


def test_lock_race(desk, tickets, new_context):
    number = tickets["vpn"]
    pages = {}
    for login in ("alice", "bob"):
        page = new_context("en").new_page()
        agent_login(page, desk.url, login)
        page.goto(f"{desk.url}/tickets/{number}")
        page.wait_for_selector("#lock-submit")
        pages[login] = page
    # both press "Lock" without waiting for the answer: the two POSTs are in flight together
    for page in pages.values():
        page.click("#lock-submit", no_wait_after=True)
    for page in pages.values():
        page.wait_for_load_state()
        page.wait_for_selector("#ticket")
    holder = desk.ticket(number)["locked_by"]
    assert holder in ("alice", "bob")
    loser = pages["bob" if holder == "alice" else "alice"]
    # the page the loser got back names the holder (and offers no lock form)
    assert loser.get_attribute("#lock-holder", "data-holder") == holder
    assert holder in loser.inner_text("#lock-holder")
    assert loser.query_selector("#lock-submit") is None
    winner = pages[holder]
    assert winner.query_selector("#lock-holder") is None
    assert winner.inner_text("#ticket-lock") == holder


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_screenshots(desk, tickets, new_context, lang):
    page = new_context(lang).new_page()
    agent_login(page, desk.url, "alice")
    screenshot(page, f"agent-tickets-{lang}")
    page.goto(f"{desk.url}/tickets/{tickets['printer']}")
    screenshot(page, f"agent-ticket-{lang}")
    page.goto(f"{desk.url}/customers/acme")
    if page.locator("h1").count():
        screenshot(page, f"agent-customer-{lang}")


def test_csrf_agent_posts_without_the_token_change_nothing(desk, tickets, new_context):
    number = tickets["mail"]
    page = new_context("en").new_page()
    agent_login(page, desk.url, "bob")
    before = desk.ticket(number)
    for action, form in (("reply", {"body": "forged"}), ("note", {"body": "forged"}), ("lock", {})):
        answer = page.request.post(f"{desk.url}/tickets/{number}/{action}", form=form, max_redirects=0)
        assert answer.status == 403, action
        wrong = page.request.post(
            f"{desk.url}/tickets/{number}/{action}", form={**form, "csrf_token": "x" * 43}, max_redirects=0
        )
        assert wrong.status == 403, action
    after = desk.ticket(number)
    assert after["articles"] == before["articles"]
    assert after["locked_by"] is None and after["history"] == before["history"]
