"""Issue 13: the OpenAPI 3.1 document at ``/api/openapi.json`` is generated from the app's route
table (core and plugin ``ApiRoute`` objects, nothing else) and is valid; ``/api/docs`` lists
the same operations as a plain page under the app's CSP."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from api_world import build_world, close_world
from openapi_spec_validator import validate
from starlette.responses import JSONResponse
from starlette.routing import Mount

import deskframe
from deskframe.web.api.openapi import api_routes, build_document
from deskframe.web.api.routing import ApiRoute, Param


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # type: ignore[no-untyped-def]
    built = build_world(tmp_path_factory)
    yield built
    close_world(built)


@pytest.fixture(scope="module")
def document(world):  # type: ignore[no-untyped-def]
    answer = world.client().get("/api/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return answer.json()


def operations(document):  # type: ignore[no-untyped-def]
    return {op["operationId"]: (method.upper(), path, op) for path, item in document["paths"].items() for method, op in item.items()}  # fmt: skip


def test_the_document_is_valid_openapi_3_1(document):  # type: ignore[no-untyped-def]
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["info"]["version"] == deskframe.__version__


def test_every_api_route_of_the_app_and_only_those_is_an_operation(world, document):  # type: ignore[no-untyped-def]
    app = world.app()
    expected = {route.operation_id: (route.method, path) for path, route in api_routes(app.routes)}
    found = {op_id: (method, path) for op_id, (method, path, _) in operations(document).items()}
    assert found == expected
    # the plugin's routes, registered by the test through register_routes
    assert found["x.ticket"] == ("GET", "/api/x/tickets/{number}")
    assert found["x.note"] == ("POST", "/api/x/tickets/{number}/notes")
    paths = set(document["paths"])
    for plain in ("/healthz", "/login", "/portal/login", "/logout", "/api/openapi.json", "/api/docs"):
        assert plain not in paths


def test_operations_carry_security_parameters_schemas_and_problems(document):  # type: ignore[no-untyped-def]
    ops = operations(document)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert schemes["session"]["in"] == "cookie" and schemes["session"]["name"] == "deskframe_session"
    _, _, ping = ops["x.ping"]
    assert ping["security"] == [] and "401" not in ping["responses"]
    _, _, note = ops["x.note"]
    assert note["security"] == [{"bearer": []}, {"session": []}]
    assert (note["x-access"], note["x-policy-action"]) == ("agent", "ticket.note")
    assert note["parameters"] == [
        {
            "name": "number",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "a ticket number",
        }
    ]
    assert note["requestBody"]["content"]["application/json"]["schema"]["required"] == ["body"]
    assert set(note["responses"]) == {"201", "400", "401", "403", "404", "413", "422"}
    for status in ("401", "403", "413"):
        content = note["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "Problem" in document["components"]["schemas"]
    for _, _, op in ops.values():  # every protected operation answers 401 with a problem
        if op["security"]:
            assert "401" in op["responses"], op["operationId"]


async def _nothing(request):  # type: ignore[no-untyped-def]
    return JSONResponse({})


def test_named_schemas_mounts_and_mistakes():  # type: ignore[no-untyped-def]
    routes = [
        Mount(
            "/api/v9",
            routes=[
                ApiRoute(
                    "/things/{id:int}", _nothing, method="get", operation_id="things.show", summary="A thing",
                    tag="things", access="agent", params=(Param("id", where="path", type="integer"),),
                    response="Thing",
                ),
                ApiRoute(
                    "/things/{id:int}/file", _nothing, method="GET", operation_id="things.file", summary="Its file",
                    tag="things", access="contact", media_type="application/octet-stream",
                ),
            ],
        )
    ]  # fmt: skip
    doc = build_document(routes, version="1", components={"Thing": {"type": "object"}})
    validate(doc)
    op = doc["paths"]["/api/v9/things/{id}"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert op["parameters"][0]["schema"] == {"type": "integer"}
    # an undeclared path parameter is still documented; a file answers binary
    file_op = doc["paths"]["/api/v9/things/{id}/file"]["get"]
    assert file_op["parameters"][0]["name"] == "id"
    assert file_op["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    with pytest.raises(ValueError, match="no schema named 'Thing'"):
        build_document(routes, version="1", components={})
    twice = [*routes, ApiRoute("/x", _nothing, method="GET", operation_id="things.show", summary="", tag="t", access="public")]  # fmt: skip
    with pytest.raises(ValueError, match=r"operation id 'things\.show'"):
        build_document(twice, version="1", components={"Thing": {}})
    with pytest.raises(ValueError, match="access must be one of"):
        ApiRoute("/y", _nothing, method="GET", operation_id="y", summary="", tag="t", access="everyone")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_docs_page_lists_the_operations_without_scripts_or_outside_resources(world, document):  # type: ignore[no-untyped-def]
    answer = world.client().get("/api/docs")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    page = _Page()
    page.feed(answer.text)
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    for name, value in page.attrs:  # no inline handlers, nothing fetched from elsewhere
        assert not name.startswith("on"), name
        if name in ("href", "src") and value:
            assert value.startswith(("/", "#")), value
    text = " ".join(page.text)
    for op_id, (_method, path, _) in operations(document).items():
        assert op_id in text and path in text
    assert f"Operations: {len(operations(document))}." in text
    assert answer.headers["content-language"] == "en"


def test_docs_page_in_russian(world, document):  # type: ignore[no-untyped-def]
    web = world.client()
    for answer in (
        web.get("/api/docs", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}),
        web.get("/api/docs?lang=ru"),
    ):
        assert answer.headers["content-language"] == "ru" and "<html lang='ru'>" in answer.text
        assert "Операций: " in answer.text and "инженерам" in answer.text and "Authentication" not in answer.text
    assert web.get("/api/docs", headers={"Accept-Language": "de, fr"}).headers["content-language"] == "en"


def test_api_route_and_param_are_public_names_for_plugins():  # type: ignore[no-untyped-def]
    assert deskframe.ApiRoute is ApiRoute and deskframe.Param is Param
    assert {"ApiRoute", "Param"} <= set(deskframe.__all__)
