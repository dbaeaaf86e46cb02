"""``deskframe apply`` is all or nothing: a bad entry anywhere in the file writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DIRECTORY = """
[[queues]]
name = "support"

[[customers]]
id = "acme"
name = "ACME LLC"

[[customers]]
id = "globex"
name = "Globex"

[[contacts]]
customer = "acme"
name = "Ann"
email = "ann@acme.example"

[[agents]]
login = "alice"
name = "Alice"

[[contracts]]
id = "acme-2026"
customer = "acme"
support_type = "8x5"

[[contracts]]
id = "globex-2026"
customer = "globex"
support_type = "8x5"

[[contracts]]
id = "broken"
customer = "acme"
support_type = "8x5"
sla = "x"
"""


@pytest.fixture
def run(desk: Any, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)
    return cli(desk)


def _nothing_written(desk: Any) -> None:
    assert desk.directory.customers() == [] and desk.directory.contacts() == [] and desk.directory.agents() == []
    assert desk.directory.contracts() == [] and [q.name for q, _ in desk.directory.queues()] == []


def test_a_bad_contract_at_the_end_writes_nothing(desk: Any, run: Any) -> None:
    Path("directory.toml").write_text(DIRECTORY, encoding="utf-8")
    result = run("apply", "directory.toml")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: directory.toml: contracts[2].sla: unknown SLA policy 'x'"), lines
    _nothing_written(desk)


@pytest.mark.parametrize(
    "entry, key, message",
    [
        (
            '[[contacts]]\nname = "Bob"\nemail = "bob@x.example"\ncustomer = "nobody"\n',
            "contacts[1].customer",
            "unknown customer 'nobody'",
        ),
        (
            '[[contracts]]\nid = "c9"\ncustomer = "nobody"\nsupport_type = "8x5"\n',
            "contracts[2].customer",
            "unknown customer 'nobody'",
        ),
        (
            '[[contracts]]\nid = "c9"\ncustomer = "acme"\nsupport_type = "8x5"\npricing = "gold"\n',
            "contracts[2].pricing",
            "unknown pricing model 'gold'",
        ),
        (
            '[[contracts]]\nid = "c9"\ncustomer = "acme"\nsupport_type = "8x5"\nstart = 2026-02-01\nend = 2026-01-01\n',
            "contracts[2].end",
            "end 2026-01-01 is before start 2026-02-01",
        ),
    ],
    ids=["contact-customer", "contract-customer", "pricing", "end-before-start"],
)
def test_every_reference_is_checked_before_writing(desk: Any, run: Any, entry: str, key: str, message: str) -> None:
    good = DIRECTORY[: DIRECTORY.index('[[contracts]]\nid = "broken"')]
    Path("directory.toml").write_text(good + entry, encoding="utf-8")
    result = run("apply", "directory.toml")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"Error: directory.toml: {key}: {message}"), result.stderr
    _nothing_written(desk)


def test_a_good_file_is_written_whole_and_may_name_stored_customers(desk: Any, run: Any) -> None:
    good = DIRECTORY[: DIRECTORY.index('[[contracts]]\nid = "broken"')]
    Path("directory.toml").write_text(good, encoding="utf-8")
    result = run("apply", "directory.toml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "agents created: 1",
        "contacts created: 1",
        "contracts created: 2",
        "customers created: 2",
        "queues created: 1",
    ]
    Path("more.toml").write_text(
        '[[contracts]]\nid = "acme-2027"\ncustomer = "acme"\nsupport_type = "24x7"\n', encoding="utf-8"
    )
    assert run("apply", "more.toml").stdout.strip() == "contracts created: 1"
    assert [c.key for c in desk.directory.contracts()] == ["acme-2026", "acme-2027", "globex-2026"]
