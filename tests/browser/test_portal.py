"""The customer portal in a real browser against a real ``deskframe serve``: the round trip
(contact opens, agent answers, contact reads and replies), isolation between customers, CSRF,
what a contact never sees, reopening, invoices, and screenshots in English and Russian."""

from __future__ import annotations

import urllib.request

import pytest
from browser_pages import agent_login, agent_reply, portal_login, screenshot


@pytest.fixture(scope="module")
def acme_ticket(served):
    """A ticket of ACME (opened by Andy) with an agent's reply, an internal note and 30 minutes logged."""
    number = served.open_ticket(
        "Printer on fire", "The printer in room 4 is on fire", "--customer", "acme", "--contact", "andy@acme.example"
    )
    served.cli("ticket", "reply", number, "--agent", "alice", "--body", "We are on our way with a bucket.")
    served.cli("ticket", "note", number, "--agent", "alice", "--body", "SECRET-NOTE: the bucket leaks")
    served.cli("time", "log", number, "--agent", "alice", "--minutes", "30")
    return number


def test_portal_round_trip(served, new_context):
    contact = new_context("en").new_page()
    portal_login(contact, served.url, "ann@acme.example")
    contact.click("#portal-new-ticket")
    contact.fill("#subject", "VPN drops every hour")
    contact.fill("#body", "Since Monday the VPN disconnects every hour.")
    contact.select_option("#priority", "P2")
    contact.set_input_files(
        "#attachments", files=[{"name": "../vpn log.txt", "mimeType": "text/plain", "buffer": b"12:00 drop\n"}]
    )
    contact.click("#portal-submit")
    contact.wait_for_url(served.url + "/portal/tickets/*")
    number = contact.url.rsplit("/", 1)[1]
    assert contact.inner_text("#ticket-subject") == "VPN drops every hour"
    stored = served.ticket(number)
    assert (stored["customer"], stored["contact"], stored["priority"]) == ("acme", "ann@acme.example", "P2")
    files = stored["articles"][0]["attachments"]
    assert [(f["filename"], f["size"]) for f in files] == [("vpn log.txt", 11)]
    assert "vpn log.txt" in contact.inner_text("#articles")

    # the agent sees it in the list within one refresh and answers: on the agent pages when
    # they are served (the webui branch), else through the CLI
    agent = new_context("en").new_page()
    if agent.goto(served.url + "/tickets").status == 404:
        assert number in [t["number"] for t in served.json("ticket", "list")]
        served.cli("ticket", "reply", number, "--agent", "alice", "--body", "Please try the new profile.")
    else:
        agent_login(agent, served.url, "alice")
        agent.reload()
        assert number in agent.content()
        agent_reply(agent, served.url, number, "Please try the new profile.")

    contact.reload()
    assert "Please try the new profile." in contact.inner_text("#articles")
    contact.fill("#body", "The new profile works, thanks!")
    contact.click("#send")
    contact.wait_for_url(served.url + f"/portal/tickets/{number}")
    assert "The new profile works" in contact.inner_text("#articles")
    texts = [a["text"] for a in served.ticket(number)["articles"]]
    assert texts[-1] == "The new profile works, thanks!"


def test_contact_sees_no_notes_time_or_agent_addresses(served, acme_ticket, new_context):
    page = new_context("en").new_page()
    portal_login(page, served.url, "andy@acme.example")
    page.goto(served.url + f"/portal/tickets/{acme_ticket}")
    html = page.content()
    assert "We are on our way with a bucket." in html
    for hidden in ("SECRET-NOTE", "alice@vendor.example", "alice", "Alice Agent", "30 min"):
        assert hidden not in html, hidden


def test_isolation_other_customers_ticket_is_404(served, acme_ticket, new_context):
    page = new_context("en").new_page()
    portal_login(page, served.url, "gina@globex.example")
    assert acme_ticket not in page.content()
    answer = page.goto(served.url + f"/portal/tickets/{acme_ticket}")
    assert answer.status == 404
    assert "Printer on fire" not in page.content()
    missing = page.goto(served.url + "/portal/tickets/2026010110000000")
    assert missing.status == 404
    # the reply and reopen routes answer the same 404, and change nothing
    before = served.ticket(acme_ticket)
    token = page.get_attribute("form[action='/logout?next=/portal/login'] input[name=csrf_token]", "value")
    for path in ("reply", "reopen"):
        sent = page.request.post(
            served.url + f"/portal/tickets/{acme_ticket}/{path}",
            form={"csrf_token": token, "body": "mine now"},
            max_redirects=0,
        )
        assert sent.status == 404, path
    assert served.ticket(acme_ticket)["articles"] == before["articles"]
    # and the REST API, once it is mounted, says the same
    api = page.request.get(served.url + f"/api/v1/tickets/{acme_ticket}")
    if api.status != 404 or "problem" in (api.headers.get("content-type") or ""):
        assert api.status == 404
        assert "Printer on fire" not in api.text()


def test_ticket_list_shows_own_or_company_tickets(served, acme_ticket, new_context):
    admin = new_context("en").new_page()
    portal_login(admin, served.url, "ann@acme.example")  # customer_admin: all of ACME's
    assert acme_ticket in admin.inner_text("#portal-tickets")
    # Andy (no customer_admin) sees his own ticket
    andy = new_context("en").new_page()
    portal_login(andy, served.url, "andy@acme.example")
    assert acme_ticket in andy.inner_text("#portal-tickets")


def test_csrf_post_without_token_changes_nothing(served, acme_ticket, new_context):
    page = new_context("en").new_page()
    portal_login(page, served.url, "andy@acme.example")
    before = served.ticket(acme_ticket)
    answer = page.request.post(
        served.url + f"/portal/tickets/{acme_ticket}/reply", form={"body": "forged"}, max_redirects=0
    )
    assert answer.status == 403
    bad = page.request.post(
        served.url + f"/portal/tickets/{acme_ticket}/reply",
        form={"body": "forged", "csrf_token": "x" * 40},
        max_redirects=0,
    )
    assert bad.status == 403
    opened = page.request.post(
        served.url + "/portal/tickets/new", form={"subject": "forged", "body": "forged"}, max_redirects=0
    )
    assert opened.status == 403
    assert served.ticket(acme_ticket)["articles"] == before["articles"]
    assert not [t for t in served.json("ticket", "list") if t["subject"] == "forged"]


def test_reopen_a_resolved_ticket(served, new_context):
    number = served.open_ticket(
        "Mail bounced", "Mail to the CEO bounced", "--customer", "acme", "--contact", "andy@acme.example"
    )
    served.cli("ticket", "state", number, "resolved", "--agent", "bob")
    page = new_context("en").new_page()
    portal_login(page, served.url, "andy@acme.example")
    page.goto(served.url + f"/portal/tickets/{number}")
    assert page.get_attribute("#ticket-state", "data-state-type") == "resolved"
    page.click("#reopen")
    page.wait_for_url(served.url + f"/portal/tickets/{number}")
    assert page.get_attribute("#ticket-state", "data-state-type") == "open"
    assert served.ticket(number)["state_type"] == "open"


def test_invoices_only_for_customer_admin(served, new_context):
    andy = new_context("en").new_page()
    portal_login(andy, served.url, "andy@acme.example")
    assert andy.query_selector("#portal-nav-invoices") is None
    assert andy.goto(served.url + "/portal/invoices").status == 404
    ann = new_context("en").new_page()
    portal_login(ann, served.url, "ann@acme.example")
    assert ann.goto(served.url + "/portal/invoices").status == 200


def test_failed_login_shows_the_form_again(served, new_context):
    page = new_context("ru").new_page()
    page.goto(served.url + "/portal/login")
    page.fill("#email", "ann@acme.example")
    page.fill("#password", "wrong password")
    page.click("#portal-login")
    assert page.is_visible("#login-error")
    assert page.input_value("#email") == "ann@acme.example"
    assert "/portal/login" in page.url


def test_nobody_logged_in_goes_to_the_login_page(served):
    with urllib.request.urlopen(served.url + "/portal/tickets") as answer:
        assert answer.url.startswith(served.url + "/portal/login")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_screenshots(served, acme_ticket, new_context, lang):
    page = new_context(lang).new_page()
    page.goto(served.url + "/portal/login")
    screenshot(page, f"portal-login-{lang}")
    portal_login(page, served.url, "ann@acme.example")
    screenshot(page, f"portal-tickets-{lang}")
    page.goto(served.url + f"/portal/tickets/{acme_ticket}")
    screenshot(page, f"portal-ticket-{lang}")
    assert page.evaluate("document.documentElement.lang") == lang


def test_account_review_only_for_customer_admin(served, new_context):
    ann = new_context("en").new_page()
    portal_login(ann, served.url, "ann@acme.example")
    ann.goto(served.url + "/portal/tickets")
    link = ann.locator("#section-account-review a").first
    href = link.get_attribute("href")
    assert href.startswith("/portal/customers/acme/review/")
    link.click()
    ann.wait_for_url(served.url + href)
    assert ann.locator("section#q-built").count() == 1 and ann.locator("section#timeline").count() == 1
    andy = new_context("en").new_page()
    portal_login(andy, served.url, "andy@acme.example")
    andy.goto(served.url + "/portal/tickets")
    assert andy.query_selector("#section-account-review") is None
    assert andy.goto(served.url + href).status == 404
