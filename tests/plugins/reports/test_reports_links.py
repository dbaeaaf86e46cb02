"""The slowest tickets link to their portal pages when ``[billing] public_url`` is set, and
nothing links without it; a bad ``public_url`` stops start-up naming the key (exit 2)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from reports_helpers import build

from deskframe.cli import build_cli
from deskframe.config import parse_config
from deskframe.errors import ConfigError
from deskframe.plugins import build_plugins

#: A base with a path holding characters html must escape in an attribute, and a trailing slash.
BASE = "https://desk.example/help&'support/"
#: How the base appears after the trailing slash goes.
SITE = "https://desk.example/help&'support"
#: ... and escaped in an html attribute (markupsafe: & ' as &amp; &#39;).
SITE_HTML = "https://desk.example/help&amp;&#39;support"


def _invoke(cli, desk, *args: str):
    return cli(desk)("--now", "2026-11-05T12:00:00+00:00", "report", "customer", "acme", "--period", "2026-10", *args)


@pytest.fixture
def linked(make_desk):
    return build(make_desk, public_url=BASE)


def _slowest(cli, desk) -> list[dict]:
    result = _invoke(cli, desk, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["slowest"]


def test_json_gives_each_slowest_ticket_its_portal_url(linked, cli):
    slowest = _slowest(cli, linked.desk)
    assert len(slowest) == 5
    for row in slowest:
        assert row["url"] == f"{SITE}/portal/tickets/{row['number']}"
    # the slowest is t3 (resolution still running since 5 October): its own number, not another's
    assert slowest[0]["number"] == linked.t["t3"] and slowest[0]["url"].endswith("/" + linked.t["t3"])


@pytest.mark.parametrize(("locale", "word"), [("en", "Slowest tickets"), ("ru", "Самые долгие заявки")])
def test_html_links_escaped_in_both_languages(linked, cli, locale, word):
    result = _invoke(cli, linked.desk, "--format", "html", "--locale", locale)
    assert result.exit_code == 0, result.output
    html = result.output
    assert word in html
    section = html[html.index(word) : html.index('<section id="hours">')]
    numbers = [row["number"] for row in _slowest(cli, linked.desk)]
    for number in numbers:
        assert f'<td><a href="{SITE_HTML}/portal/tickets/{number}">{number}</a></td>' in section
    assert section.count("<a href=") == 5
    assert SITE not in html  # never unescaped
    assert html.count("<a href=") == 5  # only the slowest five link


def test_text_and_csv_carry_the_urls(linked, cli):
    numbers = [row["number"] for row in _slowest(cli, linked.desk)]
    text = _invoke(cli, linked.desk, "--format", "text", "--locale", "en").output
    for number in numbers:
        assert f"    {SITE}/portal/tickets/{number}\n" in text
    rows = list(csv.reader(io.StringIO(_invoke(cli, linked.desk, "--format", "csv").output)))
    assert [r for r in rows if r[2] == "url"] == [["slowest", n, "url", f"{SITE}/portal/tickets/{n}"] for n in numbers]


def test_without_public_url_no_links(scenario, cli):
    slowest = _slowest(cli, scenario.desk)
    assert len(slowest) == 5 and all("url" not in row for row in slowest)
    for fmt in ("html", "text", "csv"):
        out = _invoke(cli, scenario.desk, "--format", fmt).output
        assert "/portal/" not in out and "127.0.0.1" not in out, fmt
    assert "<a " not in _invoke(cli, scenario.desk, "--format", "html").output


def test_scheduled_mail_links_too(linked):
    """The mailed report is the same rendering: its html part links each slowest ticket."""
    from deskframe_reports import build_report, render_report

    report, locale = build_report(linked.desk, "acme", "2026-10")
    html = render_report(linked.desk, report, "html", locale)
    assert html.count(f'<a href="{SITE_HTML}/portal/tickets/') == 5


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("desk.example", "must start with http"),
        ("https://", "host"),
        ("https://desk example", "blanks"),
        ("https://desk.example/?a=1", "query"),
        ("https://desk.example/#top", "fragment"),
        ("https://desk.example:99999", "not a URL"),
    ],
)
def test_bad_public_url_is_a_config_error_naming_the_key(tmp_path: Path, url: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"billing": {"public_url": url}}, build_plugins().registry, path=tmp_path / "deskframe.toml")
    assert info.value.key == "billing.public_url" and words in info.value.problem, str(info.value)


def test_public_url_given_or_not(tmp_path: Path) -> None:
    registry = build_plugins().registry
    default = parse_config({}, registry, path=tmp_path / "deskframe.toml").billing
    assert (default.public_url, default.public_url_given) == ("http://127.0.0.1:8000", False)
    given = parse_config({"billing": {"public_url": BASE}}, registry, path=tmp_path / "deskframe.toml").billing
    assert (given.public_url, given.public_url_given) == (SITE, True)


def test_bad_public_url_through_the_cli_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "deskframe.toml"
    path.write_text(f'[desk]\ndatabase = "sqlite:///{tmp_path}/d.db"\n[billing]\npublic_url = "https://"\n')
    result = CliRunner().invoke(build_cli(build_plugins()), ["--config", str(path), "report", "due"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"Error: {path}: billing.public_url: needs a host name and no blanks, got 'https://'"
    ]
