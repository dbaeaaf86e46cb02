"""Issue 13: schemathesis calls every operation of ``/api/openapi.json`` on the ASGI app with
generated parameters and bodies (valid and invalid), as an admin and as a contact: no answer is
a 5xx, and every answer has a documented media type and fits its own schema.

The schema is loaded from the running app (the module's desk, core routes and a plugin's), and
each operation gets a bounded number of examples (:data:`EXAMPLES` per generation mode) so the
module stays well under a minute. Half of the generated ticket numbers are replaced by the
fixture's ticket so the operations reach real data, not only 404s. (schemathesis' own pytest
integration, ``from_fixture``, does not run under pytest 9: the operations are driven through
``as_strategy`` with hypothesis here, and every failing operation is reported at once.)
"""

from __future__ import annotations

import pytest
import schemathesis
from api_world import build_world, close_world
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

#: Examples per operation and generation mode.
EXAMPLES = 3
#: Who calls: an admin reaches every operation, a contact the customer's side.
ROLES = ("admin", "contact_a")
#: The ticket-number path parameters the API uses.
TICKET_PARAMS = ("number", "ticket", "into")
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # type: ignore[no-untyped-def]
    built = build_world(tmp_path_factory)
    yield built
    close_world(built)


def runner(world, operation, mode, calls):  # type: ignore[no-untyped-def]
    """A hypothesis test of one operation in one generation mode; ``calls`` counts the requests."""
    roles = ROLES if mode is GenerationMode.POSITIVE else ROLES[:1]  # invalid input: the admin only

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def run(case):  # type: ignore[no-untyped-def]
        for name in TICKET_PARAMS:
            value = (case.path_parameters or {}).get(name)
            if value is not None and sum(str(value).encode()) % 2 == 0:
                case.path_parameters[name] = world.ticket
        for role in roles:
            calls.append(role)
            response = case.call(headers=world.headers(role))
            case.validate_response(response, checks=CHECKS)

    return run


def test_no_server_error_and_answers_fit_their_schema(world):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", world.app())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the document lists no operation"
    failures: list[str] = []
    calls: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                runner(world, operation, mode, calls)()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                continue
            except Exception as exc:  # one line per failing operation, all reported together
                first = getattr(exc, "exceptions", [exc])[0]  # a group of several: show the first
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {first}"[:600])
    assert not failures, f"{len(failures)} operation(s) failed:\n" + "\n".join(failures)
    assert len(calls) >= len(operations) * len(ROLES)
