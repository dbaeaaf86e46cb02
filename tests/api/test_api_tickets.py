"""Issue 13, the REST API's tickets: show, list with filters and cursor pages, open; the JSON
equals ``--format json``'s; 401 without a live token; 404 without existence leaks; what a
contact never sees."""

from __future__ import annotations

import json

from deskframe.actors import Actor
from deskframe.cli import build_cli


def cli_json(world, *args):
    from click.testing import CliRunner

    result = CliRunner().invoke(
        build_cli(world.desk.plugins), ["--config", str(world.desk.config.path), *args, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_show_equals_the_cli_json(world):
    number = world.tickets["acme"]
    answer = world.client("alice").get(f"/api/v1/tickets/{number}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.json() == cli_json(world, "ticket", "show", number)
    assert "SECRET internal note" in answer.text  # an agent sees notes


def test_the_list_rows_equal_the_cli_json(world):
    page = world.client("alice").get("/api/v1/tickets", params={"limit": 500}).json()
    assert page["next_cursor"] is None
    assert page["items"] == cli_json(world, "ticket", "list", "--limit", "0")


def test_no_token_a_bad_a_revoked_and_an_expired_token_get_401_problems(world):
    for who in (None, "revoked", "expired"):
        answer = world.client(who).get("/api/v1/tickets")
        assert answer.status_code == 401, who
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["status"] == 401
    bad = world.client()
    bad.headers["Authorization"] = "Bearer dft_nonsense"
    assert bad.get("/api/v1/me").status_code == 401


def test_a_contact_of_another_customer_gets_the_same_404_as_for_no_ticket(world):
    gus = world.client("gus")
    number = world.tickets["acme"]
    hidden = gus.get(f"/api/v1/tickets/{number}")
    missing = gus.get("/api/v1/tickets/999999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == dict(missing.json(), detail=f"unknown ticket '{number}'")
    assert "Printer" not in hidden.text and "fire" not in hidden.text
    for path in ("articles", "sla"):
        answer = gus.get(f"/api/v1/tickets/{number}/{path}")
        assert answer.status_code == 404 and "Printer" not in answer.text
    # changes too: 404, not 403, for a ticket it may not see
    changed = gus.post(f"/api/v1/tickets/{number}/priority", json={"priority": "P1"})
    assert changed.status_code == 404 and "Printer" not in changed.text
    # and its list and search hold only its own customer's tickets
    rows = gus.get("/api/v1/tickets").json()["items"]
    assert [r["number"] for r in rows] == [world.tickets["globex"]]
    assert gus.get("/api/v1/search", params={"q": "burns"}).json() == []


def test_a_contact_never_sees_internal_notes_time_or_agents_mail(world):
    ann = world.client("ann")
    number = world.tickets["acme"]
    answer = ann.get(f"/api/v1/tickets/{number}")
    assert answer.status_code == 200
    text = answer.text
    assert "SECRET" not in text and "vendor.example" not in text and "30m" not in text
    body = answer.json()
    assert [a["direction"] for a in body["articles"]] == ["in", "out"]
    assert {h["action"] for h in body["history"]} <= {"created", "state", "priority", "reply", "article"}
    articles = ann.get(f"/api/v1/tickets/{number}/articles")
    assert "SECRET" not in articles.text and "vendor.example" not in articles.text
    for path in ("/api/v1/time", "/api/v1/agents", "/api/v1/customers", "/api/v1/invoices"):
        denied = ann.get(path)
        assert denied.status_code == 403 and denied.headers["content-type"] == "application/problem+json", path
    assert "SECRET" not in ann.get("/api/v1/search", params={"q": "SECRET"}).text


def test_a_contact_never_sees_the_address_of_the_agent_who_opened_its_ticket(world):
    made = world.client("alice").post("/api/v1/tickets", json={"subject": "Called us", "body": "x", "customer": "acme"})
    number = made.json()["number"]
    assert "alice@vendor.example" in world.client("bob").get(f"/api/v1/tickets/{number}").text
    for path in (f"/api/v1/tickets/{number}", f"/api/v1/tickets/{number}/articles"):
        answer = world.client("ann").get(path)
        assert answer.status_code == 200 and "vendor.example" not in answer.text, path


def test_filters(world):
    alice = world.client("alice")

    def numbers(**params):
        answer = alice.get("/api/v1/tickets", params=params)
        assert answer.status_code == 200, answer.text
        return {r["number"] for r in answer.json()["items"]}

    acme, globex, attached = world.tickets["acme"], world.tickets["globex"], world.tickets["attached"]
    assert {acme, attached} <= numbers(customer="acme") and globex not in numbers(customer="acme")
    assert numbers(text="burns") == {acme}
    assert numbers(owner="alice") == {acme}
    assert acme in numbers(state="open") and acme not in numbers(state="new")
    assert globex in numbers(queue="support", priority="P3", line=1)
    assert numbers(priority="P1") == set()
    for params, field in (
        ({"customer": "nobody"}, "customer"),
        ({"line": "x"}, "line"),
        ({"line": 7}, "line"),
        ({"limit": 0}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"priority": "P9"}, "priority"),
        ({"state": "nonsense"}, "state"),
    ):
        answer = alice.get("/api/v1/tickets", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (params, answer.json())


def test_open_as_an_agent_and_as_a_contact(world):
    made = world.client("bob").post(
        "/api/v1/tickets", json={"subject": "VPN down", "body": "since 9:00", "customer": "acme", "priority": "P2"}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["subject"], body["customer"], body["priority"], body["state_type"]) == (
        "VPN down",
        "acme",
        "P2",
        "new",
    )
    shown = cli_json(world, "ticket", "show", body["number"])
    assert body == {k: v for k, v in shown.items() if k not in ("articles", "history", "clocks")}

    own = world.client("ann").post("/api/v1/tickets", json={"subject": "Mine", "body": "hello"})
    assert own.status_code == 201 and own.json()["contact"] == "ann@acme.example"
    foreign = world.client("ann").post("/api/v1/tickets", json={"subject": "x", "body": "y", "customer": "globex"})
    assert foreign.status_code == 403 and foreign.headers["content-type"] == "application/problem+json"


def test_open_refusals_name_the_field(world):
    alice = world.client("alice")
    cases = (
        ({"body": "no subject"}, 422, "subject"),
        ({"subject": "s", "body": ""}, 422, "body"),
        ({"subject": "s", "body": "b", "customer": "nobody"}, 422, "customer"),
        ({"subject": "s", "body": "b", "priority": "P9"}, 422, "priority"),
        ({"subject": "s", "body": "b", "colour": "red"}, 422, "colour"),
        ({"subject": 5, "body": "b"}, 422, "subject"),
    )
    for body, status, field in cases:
        answer = alice.post("/api/v1/tickets", json=body)
        assert answer.status_code == status, (body, answer.text)
        problem = answer.json()
        assert problem["status"] == status and problem["errors"][0]["field"] == field, (body, problem)
    malformed = alice.post("/api/v1/tickets", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["title"] == "Bad Request"
    assert alice.post("/api/v1/tickets", json=[1, 2]).status_code == 422


def test_cursor_pages_cover_every_ticket_once_even_with_inserts_between_pages(world):
    """Twenty-five tickets opened in the same instant (ties on updated_at), read 7 at a time,
    with new tickets opened between pages: every old ticket once, none twice."""
    op = Actor.operator()
    made = {
        world.desk.tickets.open(subject=f"bulk {i}", body="b", customer="globex", actor=op).number for i in range(25)
    }
    world.tick()
    gus = world.client("gus")
    seen: list[str] = []
    cursor = None
    pages = 0
    while pages < 20:  # a cursor that does not move on fails below instead of looping
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = gus.get("/api/v1/tickets", params=params).json()
        seen += [r["number"] for r in page["items"]]
        pages += 1
        world.desk.tickets.open(subject="inserted meanwhile", body="b", customer="globex", actor=op)
        world.tick()
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert cursor is None and len(seen) == len(set(seen))
    assert made <= set(seen) and world.tickets["globex"] in seen
    assert pages == -(-len(seen) // 7)
