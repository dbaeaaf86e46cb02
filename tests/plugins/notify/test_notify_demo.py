"""``deskframe demo`` (the web studio's reference configuration) shows notifications in its
summary: the rules of its ``[notify]`` table, each message an ``.eml`` file of the file delivery."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_the_demo_summary_lists_notifications(tmp_path):
    result = CliRunner().invoke(
        build_cli(build_plugins()),
        ["demo", str(tmp_path / "studio"), "--example", str(EXAMPLES / "webstudio"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    messages = summary["outbox"]["messages"]
    topics = {m["topic"] for m in messages}
    assert {"notify.ticket_resolved", "notify.invoice_issued", "notify.ticket_opened"} <= topics
    links = {i["customer"]: i["link"] for i in summary["invoices"]}
    invoice_mails = [m for m in messages if m["topic"] == "notify.invoice_issued"]
    assert len(invoice_mails) == len(links) and all(m["state"] == "sent" and m["file"] for m in invoice_mails)
    parsed = [
        email.message_from_bytes(Path(m["file"]).read_bytes(), policy=email.policy.default) for m in invoice_mails
    ]
    assert all(str(p["Content-Language"]) == "ru" and str(p["Auto-Submitted"]) == "auto-generated" for p in parsed)
    bodies = [p.get_content() for p in parsed]
    for link in links.values():  # each customer's mail carries its own invoice's link, in Russian
        assert any(link in body and "Выставлен счёт" in body for body in bodies)
