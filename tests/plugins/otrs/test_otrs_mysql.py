"""deskframe import otrs from MariaDB/MySQL (PyMySQL): BLOB content, the same mappings, re-runs."""

from __future__ import annotations

import datetime as dt
import json

import otrs_fixture
import pytest


@pytest.fixture
def mysql_source():
    url, drop = otrs_fixture.new_mysql_database()
    writer = otrs_fixture.mysql_writer(url)
    try:
        data = otrs_fixture.populate(writer)
        orphans = otrs_fixture.add_orphans(writer)
        yield url, writer, data, orphans
    finally:
        writer.close()
        drop()


def test_import_from_mariadb(desk, cli, mysql_source):
    url, writer, d, orphans = mysql_source

    def run(*flags):
        result = cli(desk)("import", "otrs", "--source", url, "--format", "json", *flags)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    summary = run()
    assert summary["source"].startswith("mysql+pymysql://")
    assert summary["tickets"]["new"] == 8 and summary["articles"] == 14
    assert (summary["time_entries"], summary["minutes"]) == (3, 91)
    assert [r["otrs_id"] for r in summary["skipped"] if r["kind"] == "article"] == [str(orphans["article"])]

    t1 = desk.tickets.get(d.numbers["t1"])
    assert (t1.state, t1.priority, t1.owner, t1.locked_by, t1.customer) == ("closed", "P2", "alice", "alice", "acme")
    first = t1.articles[0]
    assert desk.blobs.get(first.raw_sha256) == otrs_fixture.koi8_mail()  # LONGBLOB bytes, not base64
    pdf = next(a for a in first.attachments if a.filename == "схема.pdf")
    assert desk.blobs.get(pdf.sha256) == otrs_fixture.PDF
    assert "Почта не работает с утра." in first.text
    assert {a.login: a.email for a in desk.directory.agents()}["alice"] == "alice@vendor.example"  # LONGBLOB preference
    assert desk.tickets.get(d.numbers["t3"]).merged_into == t1.number
    assert desk.tickets.get(d.numbers["t2"]).articles[2].text.endswith("bob: Смотрю")

    again = run()
    assert again["tickets"]["read"] == 0
    reread = run("--since", "2000-01-01")
    assert (reread["tickets"]["new"], reread["tickets"]["updated"], reread["articles"], reread["time_entries"]) == (
        0,
        0,
        0,
        0,
    )

    writer.time(d.ids["t2"], "12", by=d.ids["bob"], when=dt.datetime(2025, 2, 1, 10, 0))
    writer.touch(d.ids["t2"], dt.datetime(2025, 2, 1, 10, 0))
    delta = run("--since", "2025-01-01")
    assert (delta["tickets"]["read"], delta["time_entries"], delta["minutes"]) == (1, 1, 12)
    assert sum(e.minutes for e in desk.time.entries()) == 91 + 12
