"""The review's data: ``apply`` round trip, the CLI's JSON shapes, status history, notes, the
plugin records API and its policy check, and the review link served by ``deskframe serve``."""

from __future__ import annotations

import json

import pytest

from deskframe.actors import Actor
from deskframe.errors import BadValue, Forbidden

FILE = """
[[customers]]
id = "acme"
name = "Acme"

[[projects]]
id = "portal"
customer = "acme"
title = "Customer portal"
goal = "Self-service for 80% of requests"
came_for = "A help desk that answers in Russian"
goals_now = "Fewer calls"

[[timeline]]
project = "portal"
stage = "Design"
planned = 2026-09-30
done = 2026-09-28
agreed = 2026-08-01

[[timeline]]
project = "portal"
stage = "Launch"
planned = 2026-12-01
agreed = true

[[roadmap]]
project = "portal"
id = "sso"
title = "Single sign-on"
status = "blocked"
since = 2026-10-03
blocker = { text = "Waiting for the IdP metadata", who = "customer" }
tickets = [17, "2026100110000001"]

[[review_notes]]
customer = "acme"
period = "2026-10"
question = "built"
text = "They moved their FAQ into the portal."
"""

PROJECT = {
    "id": "portal",
    "customer": "acme",
    "title": "Customer portal",
    "goal": "Self-service for 80% of requests",
    "came_for": "A help desk that answers in Russian",
    "goals_now": ["Fewer calls"],
}


@pytest.fixture
def desk(make_desk):
    return make_desk(clock=None)


@pytest.fixture
def run(desk, cli):
    base = cli(desk)

    def invoke(*args: str, code: int = 0):
        result = base("--now", "2026-10-20T10:00:00+00:00", *args)
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def _apply(run, tmp_path, text: str, code: int = 0) -> str:
    path = tmp_path / "review.toml"
    path.write_text(text, encoding="utf-8")
    return run("apply", str(path), code=code)


def test_apply_round_trip_and_json_shapes(run, tmp_path):
    out = _apply(run, tmp_path, FILE)
    for line in (
        "customers created: 1",
        "projects created: 1",
        "timeline stages created: 2",
        "roadmap items created: 1",
        "review notes created: 1",
    ):
        assert line in out
    again = _apply(run, tmp_path, FILE)
    assert "created" not in again and "updated" not in again and "projects unchanged: 1" in again
    assert json.loads(run("project", "list", "--format", "json")) == [PROJECT]
    stages = json.loads(run("timeline", "list", "--project", "portal", "--format", "json"))
    assert stages == [
        {
            "project": "portal",
            "stage": "Design",
            "goal": None,
            "start": None,
            "planned": "2026-09-30",
            "done": "2026-09-28",
            "agreed": True,
            "agreed_on": "2026-08-01",
        },
        {
            "project": "portal",
            "stage": "Launch",
            "goal": None,
            "start": None,
            "planned": "2026-12-01",
            "done": None,
            "agreed": True,
            "agreed_on": None,
        },
    ]
    items = json.loads(run("roadmap", "list", "--format", "json"))
    assert items == [
        {
            "project": "portal",
            "id": "sso",
            "title": "Single sign-on",
            "status": "blocked",
            "blocker": {"text": "Waiting for the IdP metadata", "who": "customer"},
            "tickets": ["17", "2026100110000001"],
            "history": [{"status": "blocked", "on": "2026-10-03"}],
        }
    ]


def test_apply_refuses_an_unknown_project_and_writes_nothing(run, tmp_path, desk):
    bad = FILE.replace('project = "portal"\nstage = "Launch"', 'project = "nope"\nstage = "Launch"')
    out = _apply(run, tmp_path, bad, code=2)
    assert "timeline[1].project" in out and "unknown project 'nope'" in out
    assert desk.directory.customers() == [] and json.loads(run("project", "list", "--format", "json")) == []
    out = _apply(run, tmp_path, FILE.replace('status = "blocked"', 'status = "done"'), code=2)
    assert "roadmap[0].status" in out


def test_cli_add_set_list_and_status_history(run, tmp_path):
    _apply(run, tmp_path, FILE.split("[[projects]]")[0])
    assert "project portal created" in run(
        "project",
        "add",
        "--id",
        "portal",
        "--customer",
        "acme",
        "--title",
        "Customer portal",
        "--goal-now",
        "Fewer calls",
    )
    run("project", "add", "--id", "portal", "--customer", "acme", "--title", "x", code=1)
    run("project", "add", "--id", "other", "--customer", "nobody", "--title", "x", code=2)
    assert "must not contain '/'" in run("project", "add", "--id", "a/b", "--customer", "acme", "--title", "x", code=2)
    run("project", "set", "portal", "--came-for", "A help desk")
    assert json.loads(run("project", "list", "--customer", "acme", "--format", "json"))[0]["came_for"] == "A help desk"
    run(
        "timeline",
        "add",
        "--project",
        "portal",
        "--stage",
        "Launch",
        "--planned",
        "2026-12-01",
        "--agreed",
        "2026-10-01",
    )
    run("timeline", "set", "portal", "Launch", "--done", "2026-10-19")
    (stage,) = json.loads(run("timeline", "list", "--format", "json"))
    assert (stage["done"], stage["agreed"], stage["agreed_on"]) == ("2026-10-19", True, "2026-10-01")
    run(
        "roadmap",
        "add",
        "--project",
        "portal",
        "--title",
        "Single sign-on",
        "--id",
        "sso",
        "--status",
        "delivered",
        "--since",
        "2026-10-02",
    )
    run("roadmap", "set", "portal", "sso", "--blocker", "No IdP yet", "--blocker-who", "customer")
    run("roadmap", "set", "portal", "sso", "--status", "adopted")  # dated today (--now)
    run("roadmap", "add", "--project", "nope", "--title", "x", code=2)
    (item,) = json.loads(run("roadmap", "list", "--project", "portal", "--format", "json"))
    assert item["history"] == [{"status": "delivered", "on": "2026-10-02"}, {"status": "adopted", "on": "2026-10-20"}]
    assert item["blocker"] == {"text": "No IdP yet", "who": "customer"}
    run("roadmap", "set", "portal", "sso", "--no-blocker")
    review = json.loads(run("review", "acme", "--period", "2026-10", "--format", "json"))
    built = review["answers"][0]
    assert [(i["id"], i["on"]) for i in built["adopted"]] == [("sso", "2026-10-20")] and built["adopted"][0][
        "blocker"
    ] is None
    assert json.loads(run("review", "acme", "--format", "json"))["period"]["label"] == "2026-10"  # default: this month
    assert json.loads(run("review", "acme", "--period", "2026-09", "--format", "json"))["answers"][0]["empty"] is True


def test_notes_are_filed_by_period_and_question(run, tmp_path):
    _apply(run, tmp_path, FILE.split("[[projects]]")[0])
    text = "Their support line now closes password resets itself."
    assert "review notes created: 1" in run(
        "review", "note", "acme", "--period", "2026-10", "--question", "built", "--text", text
    )
    assert "review notes unchanged: 1" in run(
        "review", "note", "acme", "--period", "2026-10", "--question", "built", "--text", text
    )
    run("review", "note", "acme", "--period", "2026-13", "--question", "built", "--text", "x", code=2)
    run("review", "note", "nobody", "--period", "2026-10", "--question", "built", "--text", "x", code=2)
    review = json.loads(run("review", "acme", "--period", "2026-10", "--format", "json"))
    assert review["answers"][0]["notes"] == [text] and review["answers"][0]["empty"] is False
    assert json.loads(run("review", "acme", "--period", "2026-11", "--format", "json"))["answers"][0]["notes"] == []
    run("review", "acme", "--format", "docx", code=2)
    run("review", "acme", "--locale", "xx-nowhere", code=2)


def test_empty_review_says_so(run, tmp_path):
    _apply(run, tmp_path, FILE.split("[[projects]]")[0])
    review = json.loads(run("review", "acme", "--period", "2026-10", "--format", "json"))
    assert all(a["empty"] for a in review["answers"]) and review["timeline"] == []
    html = run("review", "acme", "--period", "2026-10", "--format", "html", "--locale", "en")
    assert html.count('<p class="empty">') == 6 and "<svg" not in html
    assert "No notes for this period, no work in progress, no blocked item, no open ticket and no SLA breach." in html


def test_records_api_checks_the_actor(desk):
    records = desk.records("third_party")
    stored = records.put("thing", "a/1", {"n": 1, "tags": ["x"]}, actor=Actor.operator())
    assert (stored.plugin, stored.key, stored.data, stored.created_by) == (
        "third_party",
        "a/1",
        {"n": 1, "tags": ["x"]},
        "operator",
    )
    records.put("thing", "b/1", {"n": 2}, actor=Actor.plugin("third_party"))
    assert [r.key for r in records.list("thing", prefix="a/")] == ["a/1"]
    assert [r.key for r in records.list("thing")] == ["a/1", "b/1"]
    assert desk.records("another").list("thing") == []  # each plugin sees its own
    with pytest.raises(Forbidden):
        records.put("thing", "c", {}, actor=Actor.contact("someone@example.com"))
    with pytest.raises(Forbidden):
        records.delete("thing", "a/1", actor=Actor.agent("ghost"))
    with pytest.raises(BadValue):
        records.put("thing", "c", ["not", "an", "object"], actor=Actor.operator())  # type: ignore[arg-type]
    with pytest.raises(BadValue):
        records.put_many([("thing", "d", {"ok": 1}), ("thing", "", {})], actor=Actor.operator())
    assert records.get("thing", "d") is None  # all or nothing
    assert records.delete("thing", "a/1", actor=Actor.operator()) is True
    assert records.get("thing", "a/1") is None and records.delete("thing", "a/1", actor=Actor.operator()) is False


def test_review_link_is_served(run, tmp_path, desk):
    from starlette.testclient import TestClient

    from deskframe.web import create_app

    _apply(run, tmp_path, FILE)
    link = run("review", "acme", "--link").strip()
    assert link == run("review", "acme", "--link").strip()  # one link per customer
    assert link.startswith("http://127.0.0.1:8000/reviews/") and len(link.rsplit("/", 1)[1]) == 32
    client = TestClient(create_app(desk))
    page = client.get(link.replace("http://127.0.0.1:8000", "") + "?period=2026-10")
    assert page.status_code == 200 and "They moved their FAQ into the portal." in page.text
    assert page.headers["cache-control"] == "private, no-store" and "<script" not in page.text
    for bad in ("/reviews/" + "A" * 32, "/reviews/short", "/reviews/%3Cscript%3E"):
        miss = client.get(bad)
        assert (miss.status_code, miss.text) == (404, "Not Found")
    assert client.get(link.replace("http://127.0.0.1:8000", "") + "?period=bad").status_code == 400
    run("review", "nobody", "--link", code=2)
