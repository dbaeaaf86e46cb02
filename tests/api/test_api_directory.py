"""Issue 13, the REST API's directory (read for agents, write for admins) and invoices: the
JSON equals ``--format json``'s; 403 for contacts and non-admins; 404 and 422 naming the field."""

from __future__ import annotations

import json

from click.testing import CliRunner

from deskframe.cli import build_cli


def cli_json(world, *args):
    result = CliRunner().invoke(
        build_cli(world.desk.plugins), ["--config", str(world.desk.config.path), *args, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_directory_lists_and_shows_equal_the_cli_json(world):
    bob = world.client("bob")
    for kind, command, field in (
        ("customers", "customer", "id"),
        ("contacts", "contact", "email"),
        ("agents", "agent", "login"),
        ("contracts", "contract", "id"),
    ):
        listed = bob.get(f"/api/v1/{kind}")
        assert listed.status_code == 200, listed.text
        assert listed.json() == cli_json(world, command, "list"), kind
        first = listed.json()[0]
        shown = bob.get(f"/api/v1/{kind}/{first[field]}")
        assert shown.status_code == 200 and shown.json() == first, kind
        missing = bob.get(f"/api/v1/{kind}/no-such-thing")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert [c["email"] for c in bob.get("/api/v1/contacts", params={"customer": "globex"}).json()] == [
        "gus@globex.example"
    ]


def test_directory_writes_are_for_admins(world):
    alice, bob = world.client("alice"), world.client("bob")
    body = {"id": "initech", "name": "Initech", "domains": ["initech.example"]}
    assert bob.post("/api/v1/customers", json=body).status_code == 403
    assert world.client("ann").post("/api/v1/customers", json=body).status_code == 403
    made = alice.post("/api/v1/customers", json=body)
    assert made.status_code == 200, made.text
    assert made.json() == {
        "id": "initech",
        "name": "Initech",
        "domains": ["initech.example"],
        "inn": None,
        "kpp": None,
        "address": None,
    }
    patched = alice.patch("/api/v1/customers/initech", json={"inn": "7701234567"})
    assert patched.status_code == 200 and patched.json()["inn"] == "7701234567" and patched.json()["name"] == "Initech"
    assert bob.patch("/api/v1/customers/initech", json={"name": "x"}).status_code == 403

    agent = alice.post("/api/v1/agents", json={"login": "dora", "name": "Dora", "queues": {"support": "read"}})
    assert agent.status_code == 200 and agent.json()["queues"] == {"support": "read"}
    moved = alice.patch("/api/v1/agents/dora", json={"line": 2})
    assert moved.json()["line"] == 2 and moved.json()["queues"] == {"support": "read"}
    contact = alice.post(
        "/api/v1/contacts", json={"email": "ivy@initech.example", "name": "Ivy", "customer": "initech"}
    )
    assert contact.status_code == 200 and contact.json()["customer"] == "initech"
    admin = alice.patch("/api/v1/contacts/ivy@initech.example", json={"customer_admin": True})
    assert admin.json()["customer_admin"] is True

    for path, payload, field in (
        ("/api/v1/customers", {"id": "x", "name": "X", "inn": "12"}, "inn"),
        ("/api/v1/customers", {"name": "X"}, "id"),
        ("/api/v1/agents", {"login": "eve", "name": "Eve", "line": 9}, "line"),
        ("/api/v1/agents", {"login": "eve", "name": "Eve", "queues": {"support": "all"}}, "queues.support"),
        ("/api/v1/contacts", {"email": "not-an-address", "name": "N"}, "email"),
        ("/api/v1/contracts", {"id": "c", "customer": "initech", "support_type": "8x5", "pricing": "nope"}, "pricing"),
    ):
        answer = alice.post(path, json=payload)
        assert answer.status_code == 422, (path, payload, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (path, payload, answer.json())
    renamed = alice.patch("/api/v1/customers/initech", json={"id": "other"})
    assert renamed.status_code == 422 and renamed.json()["errors"][0]["field"] == "id"
    assert alice.patch("/api/v1/customers/nobody", json={"name": "N"}).status_code == 404


def test_invoices_list_show_and_link(world):
    bob = world.client("bob")
    listed = bob.get("/api/v1/invoices")
    assert listed.status_code == 200 and listed.json() == cli_json(world, "invoice", "list")
    shown = bob.get(f"/api/v1/invoices/{world.invoice}")
    assert shown.status_code == 200 and shown.json() == cli_json(world, "invoice", "show", world.invoice)
    assert shown.json()["total"] == "1000.00" and shown.json()["currency"] == "RUB"
    link = bob.get(f"/api/v1/invoices/{world.invoice}/link").json()
    assert link["number"] == world.invoice and link["link"].startswith("http://127.0.0.1:8000/invoices/")
    assert bob.get("/api/v1/invoices/INV-1999-00001").status_code == 404
    assert bob.get("/api/v1/invoices", params={"status": "paid"}).json()["errors"][0]["field"] == "status"
    assert bob.get("/api/v1/invoices", params={"period": "2026-13"}).json()["errors"][0]["field"] == "period"
    assert world.client("gus").get(f"/api/v1/invoices/{world.invoice}").status_code == 403
