"""Issue 13, the REST API's ticket actions (reply ... estimate), the lock's 409 naming its
holder, attachments (a safe file name, always a download), time, SLA clocks, search, the
session cookie with CSRF, and responses that keep to their route's JSON Schema."""

from __future__ import annotations

import json

from deskframe.actors import Actor
from deskframe.web.api import routes
from deskframe.web.api.articles import content_disposition
from deskframe.web.api.schemas import SCHEMAS
from deskframe.web.api.validate import problem


def fits(value, name):
    """``value`` keeps to schema ``name`` (references resolved one level, enough for these shapes)."""
    schema = SCHEMAS[name]
    if "allOf" in schema:
        return all(fits(value, part["$ref"].rsplit("/", 1)[1]) for part in schema["allOf"])
    flat = {
        **schema,
        "properties": {
            k: ({"type": ["object", "array"]} if "$ref" in json.dumps(v) else v)
            for k, v in schema.get("properties", {}).items()
        },
    }
    found = problem(value, flat)
    assert found is None, (name, found, value)
    return True


def fresh_ticket(world, customer="acme", queue="support"):
    return world.desk.tickets.open(
        subject="Act on me", body="please", customer=customer, queue=queue, actor=Actor.operator()
    ).number


def test_every_action_with_the_cli_flag_names(world):
    number, other = fresh_ticket(world), fresh_ticket(world)
    bob = world.client("bob")

    def post(action, body=None, status=200, on=number):
        answer = bob.post(f"/api/v1/tickets/{on}/{action}", json=body or {})
        assert answer.status_code == status, (action, answer.text)
        return answer.json()

    reply = post("reply", {"body": "Looking into it"}, 201)
    assert fits(reply, "Article") and reply["direction"] == "out" and reply["agent"] == "bob"
    assert fits(post("note", {"body": "internal"}, 201), "Article")
    assert post("lock")["locked_by"] == "bob"
    assert post("unlock")["locked_by"] is None
    assert post("assign", {"agent": "carl"})["owner"] == "carl"
    assert post("priority", {"priority": "P1"})["priority"] == "P1"
    assert post("state", {"state": "pending", "reason": "waiting"})["state"] == "pending"
    assert post("move", {"queue": "billing"})["queue"] == "billing"
    assert post("escalate", {"to": 2, "reason": "needs a developer"})["line"] == 2
    estimate = post("estimate", {"hours": "2.5"})
    assert fits(estimate, "Estimate") and (estimate["hours"], estimate["approved"]) == ("2.50", False)
    assert post("estimate", {"approve": True})["approved"] is True
    merged = post("merge", {"into": other})
    assert fits(merged, "TicketSummary") and merged["number"] == other
    shown = bob.get(f"/api/v1/tickets/{number}").json()
    assert fits(shown, "Ticket") and shown["merged_into"] == other
    actions = [h["action"] for h in shown["history"]]
    for expected in ("reply", "note", "lock", "unlock", "owner", "priority", "state", "queue", "line", "merged_into"):
        assert expected in actions, expected


def test_action_refusals(world):
    number = fresh_ticket(world)
    bob = world.client("bob")
    cases = (
        ("reply", {"body": ""}, 422, "body"),
        ("note", {}, 422, "body"),
        ("assign", {"agent": "nobody"}, 422, "agent"),
        ("state", {"state": "nonsense"}, 422, "state"),
        ("escalate", {"to": 5, "reason": "x"}, 422, "to"),
        ("escalate", {"to": 2, "reason": " "}, 422, "reason"),
        ("move", {"queue": "nowhere"}, 422, "queue"),
        ("merge", {"into": number}, 422, "into"),
        ("estimate", {}, 422, "hours"),
        ("estimate", {"hours": "lots"}, 422, "hours"),
        ("lock", {"extra": 1}, 422, "extra"),
    )
    for action, body, status, field in cases:
        answer = bob.post(f"/api/v1/tickets/{number}/{action}", json=body)
        assert answer.status_code == status, (action, body, answer.text)
        assert answer.json()["errors"][0]["field"] == field, (action, body, answer.json())
    missing = bob.post("/api/v1/tickets/424242424242/lock")
    assert missing.status_code == 404 and missing.json()["detail"] == "unknown ticket '424242424242'"
    # a contact may see the ticket but not lock it: 403 (route for agents), not 404
    assert world.client("ann").post(f"/api/v1/tickets/{number}/lock").status_code == 403


def test_a_held_lock_is_409_naming_the_holder(world):
    number = fresh_ticket(world)
    assert world.client("bob").post(f"/api/v1/tickets/{number}/lock").status_code == 200
    for action, body in (("lock", {}), ("reply", {"body": "mine now"}), ("unlock", {})):
        answer = world.client("carl").post(f"/api/v1/tickets/{number}/{action}", json=body)
        assert answer.status_code == 409, (action, answer.text)
        assert answer.json()["holder"] == "bob" and "bob" in answer.json()["detail"]
    forced = world.client("carl").post(
        f"/api/v1/tickets/{number}/unlock", json={"force": True, "reason": "bob is away"}
    )
    assert forced.status_code == 200 and forced.json()["locked_by"] is None


def test_a_contact_replies_as_the_customer(world):
    number = world.tickets["acme"]
    answer = world.client("ann").post(f"/api/v1/tickets/{number}/reply", json={"body": "Still burning"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["direction"] == "in" and answer.json()["sender"] == "ann@acme.example"
    canned = world.client("ann").post(f"/api/v1/tickets/{number}/reply", json={"body": "x", "canned": "hello"})
    assert canned.status_code == 422 and canned.json()["errors"][0]["field"] == "canned"


def test_attachment_download_is_a_file_with_a_safe_name(world):
    number = world.tickets["attached"]
    articles = world.client("ann").get(f"/api/v1/tickets/{number}/articles").json()
    (file,) = [f for a in articles for f in a["attachments"]]
    answer = world.client("ann").get(f"/api/v1/attachments/{file['id']}")
    assert answer.status_code == 200 and answer.content == b"<script>alert(1)</script>"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert "/" not in disposition.split("filename*=")[1] and "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2 and ".." not in disposition
    assert answer.headers["x-content-type-options"] == "nosniff"
    # another customer's contact: the same 404 as an unknown id
    hidden = world.client("gus").get(f"/api/v1/attachments/{file['id']}")
    missing = world.client("gus").get("/api/v1/attachments/99999999")
    assert hidden.status_code == missing.status_code == 404
    assert world.client("gus").get("/api/v1/attachments/x").status_code == 422


def test_content_disposition_makes_any_stored_name_safe():
    for name in ('../../etc/x"; y=1\r\n.html', "a\\b\u202egpj.exe", "", None):
        value = content_disposition(name)
        assert value.startswith('attachment; filename="') and value.count('"') == 2, value
        assert not any(c in value for c in "\r\n/\\\u202e") and ".." not in value, value
    russian = content_disposition("Отчёт за май.pdf")
    assert russian.endswith("filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%D0%B7%D0%B0%20%D0%BC%D0%B0%D0%B9.pdf")
    assert russian.isascii()


def test_time_log_and_list(world):
    number = fresh_ticket(world)
    bob = world.client("bob")
    logged = bob.post(f"/api/v1/tickets/{number}/time", json={"minutes": 45, "note": "debugging", "non_billable": True})
    assert logged.status_code == 201, logged.text
    entry = logged.json()
    assert fits(entry, "TimeEntry") and (entry["agent"], entry["minutes"], entry["billable"]) == ("bob", 45, False)
    listed = bob.get("/api/v1/time", params={"ticket": number}).json()
    assert [e["id"] for e in listed] == [entry["id"]] and listed[0] == entry
    for body, field in (({"minutes": 0}, "minutes"), ({}, "minutes"), ({"minutes": 5, "date": "2999-01-01"}, "date")):
        answer = bob.post(f"/api/v1/tickets/{number}/time", json=body)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, (body, answer.text)
    assert bob.get("/api/v1/time", params={"ticket": "31337"}).status_code in (404, 422)
    assert world.client("ann").post(f"/api/v1/tickets/{number}/time", json={"minutes": 5}).status_code == 403


def test_sla_clocks_search_and_me(world):
    alice = world.client("alice")
    number = world.tickets["acme"]
    clocks = alice.get(f"/api/v1/tickets/{number}/sla")
    assert clocks.status_code == 200 and isinstance(clocks.json(), list)
    for clock in clocks.json():
        assert fits(clock, "Clock")
    hits = alice.get("/api/v1/search", params={"q": "burns"}).json()
    assert [h["number"] for h in hits] == [number] and fits(hits[0], "SearchHit")
    assert alice.get("/api/v1/search").json()["errors"][0]["field"] == "q"
    me = world.client("ann").get("/api/v1/me").json()
    assert (me["kind"], me["role"], me["customer"], me["via"]) == ("contact", "contact", "acme", "token")


def test_a_session_cookie_works_and_changes_need_the_csrf_token(world):
    web = world.client()
    login = web.post("/login", data={"login": "bob", "password": world.password})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    number = fresh_ticket(world)
    assert web.get(f"/api/v1/tickets/{number}").status_code == 200
    refused = web.post(f"/api/v1/tickets/{number}/lock")
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert web.post(f"/api/v1/tickets/{number}/lock", headers={"X-CSRF-Token": csrf}).json()["locked_by"] == "bob"


def test_every_route_is_an_api_route_with_a_unique_operation_id_and_known_schemas():
    table = routes()
    ids = [r.operation_id for r in table]
    assert len(ids) == len(set(ids))
    for route in table:
        assert route.path.startswith("/api/v1/") and route.summary and route.tag
        for schema in (route.body, route.response):
            if isinstance(schema, str):
                assert schema in SCHEMAS, (route.operation_id, schema)
        refs = [
            part.split('"')[0] for part in json.dumps([route.body, route.response]).split("#/components/schemas/")[1:]
        ]
        assert set(refs) <= set(SCHEMAS), route.operation_id


def test_values_no_database_stores_are_422_not_500(world):
    alice = world.client("alice")
    for path, field in (
        ("/api/v1/attachments/99999999999999999999", "id"),
        ("/api/v1/attachments/-99999999999", "id"),
        ("/api/v1/tickets?customer=a%00b", "customer"),
        ("/api/v1/tickets/12%0034", "number"),
    ):
        answer = alice.get(path)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, (path, answer.text)
    opened = alice.post("/api/v1/tickets", json={"subject": "s", "body": "b", "customer": "ac\u0000me"})
    assert opened.status_code == 422 and opened.json()["errors"][0]["field"] == "customer"
