"""Accessibility: axe-core (vendored under tests/browser/vendor/axe-core, test-only) runs inside
the login, list and ticket pages of the portal and of the agent pages, in English and Russian;
no "serious" or "critical" violation is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_pages import agent_login, portal_login, require_agent_pages

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: The impacts that fail the test.
BLOCKING = ("serious", "critical")


def violations(page) -> list[str]:
    """axe-core's serious and critical violations of ``page`` (``rule: target ...``)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'][:5])}"
        for v in result
        if v["impact"] in BLOCKING
    ]


@pytest.fixture(scope="module")
def ticket(served):
    number = served.open_ticket(
        "Сервер не отвечает", "Сервер 1С не отвечает с утра", "--customer", "acme", "--contact", "ann@acme.example"
    )
    served.cli("ticket", "reply", number, "--agent", "alice", "--body", "Перезапускаем службу.")
    return number


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_portal_pages_have_no_serious_violations(served, ticket, new_context, lang):
    page = new_context(lang).new_page()
    page.goto(served.url + "/portal/login")
    found = {"login": violations(page)}
    portal_login(page, served.url, "ann@acme.example")
    found["list"] = violations(page)
    page.goto(served.url + f"/portal/tickets/{ticket}")
    found["ticket"] = violations(page)
    page.goto(served.url + "/portal/tickets/new")
    found["new"] = violations(page)
    assert found == {"login": [], "list": [], "ticket": [], "new": []}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_agent_pages_have_no_serious_violations(served, ticket, new_context, lang):
    require_agent_pages(served)
    page = new_context(lang).new_page()
    page.goto(served.url + "/login")
    found = {"login": violations(page)}
    agent_login(page, served.url, "alice")
    found["list"] = violations(page)
    page.goto(served.url + f"/tickets/{ticket}")
    found["ticket"] = violations(page)
    assert found == {"login": [], "list": [], "ticket": []}


def test_axe_finds_what_it_should(served, new_context):
    """The check can fail: a page with an unlabelled input and an image without alt text has violations."""
    page = new_context("en").new_page()
    page.goto(served.url + "/portal/login")
    page.evaluate(
        "() => { document.querySelector('label[for=email]').remove();"
        " const i = document.createElement('img'); i.src = 'data:,'; document.body.appendChild(i); }"
    )
    assert any(v.startswith(("label", "image-alt")) for v in violations(page))
