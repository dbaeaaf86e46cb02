"""The report's formats through the CLI: html (escaped, SVG charts, no script, print
stylesheet), text in ru and en, json and csv shapes, and exit 2 on bad input."""

from __future__ import annotations

import csv
import io
import json
import re

import attrs
import pytest
from reports_helpers import HOSTILE, OP

from deskframe_reports import build_report, render_report
from deskframe_reports.view import View

BAR = re.compile(r'<rect[^>]*height="([0-9.]+)"[^>]*class="rect reactive tooltip-trigger"')


def bars(svg: str) -> int:
    """The bars of a pygal chart that have a height (a zero is drawn flat)."""
    return sum(float(h) > 0 for h in BAR.findall(svg))


@pytest.fixture
def run(scenario, cli):
    base = cli(scenario.desk)

    def invoke(*args: str):
        return base("--now", "2026-11-05T12:00:00+00:00", "report", "customer", *args)

    return invoke


def _svg(html: str, name: str) -> str:
    match = re.search(rf'<svg[^>]*id="chart-{name}".*?</svg>', html, re.S)
    assert match, f"no chart {name}"
    return match.group(0)


def test_html_escapes_subjects_and_draws_charts(run, tmp_path):
    out = tmp_path / "report.html"
    result = run("acme", "--period", "2026-10", "--format", "html", "--locale", "en", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert HOSTILE not in html and "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; VPN timeout &amp; login" in html
    assert "Acme &amp; Co" in html and '<html lang="en">' in html
    assert "@media print" in html and "@page" in html
    assert html.count("<svg") == 3
    # bars: weekly P1 2 + P3 1, P3 1, P3 3 (zero draws nothing); SLA met/breached of P1 and P3; 3 agent bars
    assert bars(_svg(html, "weekly")) == 4
    assert bars(_svg(html, "sla")) == 4
    assert bars(_svg(html, "hours")) == 3
    assert "Tickets per week by priority" in _svg(html, "weekly")
    assert "Anna Petrova" in _svg(html, "hours")
    assert "<!--" not in html  # no generator comment with today's date in the charts


def test_html_in_russian(run):
    result = run("acme", "--period", "2026-10", "--format", "html", "--locale", "ru")
    assert result.exit_code == 0, result.output
    html = result.output
    assert '<html lang="ru">' in html and "Отчёт о поддержке" in html
    assert "Заявки по неделям и приоритетам" in _svg(html, "weekly")
    assert "Выполнено" in _svg(html, "sla") and "Нарушено" in _svg(html, "sla")
    assert "Рассмотрите тариф «Премиум»." in html
    assert "основание — Заявки с нарушением SLA: 71,4% (порог &gt; 10%)" in html  # the rule's figure, by locale
    assert "71,4" in html  # numbers by locale
    assert "1 окт. 2026" in html


def test_text_en_and_ru(run):
    en = run("acme", "--period", "2026-10", "--format", "text", "--locale", "en")
    assert en.exit_code == 0, en.output
    assert "Support report: Acme & Co" in en.output and "Oct 1, 2026" in en.output
    assert "Consider the premium tier. (triggered by Tickets with a breach: 71.4% (threshold > 10%))" in en.output
    assert "▲ +250.0%" in en.output
    ru = run("acme", "--period", "2026-10", "--format", "text", "--locale", "ru")
    assert "Отчёт о поддержке: Acme & Co" in ru.output
    assert "Подойдёт абонемент поменьше. (основание — Использование часов абонемента:" in ru.output
    assert "3,50" in ru.output and "▲ +250,0" in ru.output


def test_locale_defaults_to_billing_then_contract(scenario, cli):
    result = cli(scenario.desk)("report", "customer", "acme", "--period", "2026-10")
    assert "Support report" in result.output  # [billing] locale = "en"; text is the default format
    contract = scenario.desk.directory.contract("acme-8x5")
    scenario.desk.directory.add_contract(
        attrs.evolve(contract, params={"included_hours": 10, "locale": "ru"}), actor=OP
    )
    result = cli(scenario.desk)("report", "customer", "acme", "--period", "2026-10")
    assert "Отчёт о поддержке" in result.output


def test_json_shape(run):
    result = run("acme", "--period", "2026-10", "--format", "json", "--locale", "ru")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {
        "customer",
        "period",
        "contracts",
        "tickets",
        "sla",
        "breaches",
        "outside_hours",
        "slowest",
        "hours",
        "retainer_usage",
        "categories",
        "night_duty",
        "weekly",
        "recurring",
        "comparison",
        "recommendations",
        "locale",
    }
    assert data["customer"] == {"key": "acme", "name": "Acme & Co"}
    assert data["tickets"]["opened"] == 7 and data["period"]["label"] == "2026-10"
    rec = data["recommendations"][0]
    assert set(rec) == {"rule", "text", "figure", "value", "threshold", "localized"}
    assert rec["text"] == "Consider the premium tier." and rec["localized"]["text"] == "Рассмотрите тариф «Премиум»."
    assert any(s["subject"] == HOSTILE for s in data["slowest"])  # JSON keeps the text as it is


def test_csv_shape(run):
    result = run("acme", "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert all(len(r) == 4 for r in rows)
    assert ["tickets", "all", "opened", "7"] in rows
    assert ["sla", "P1 first_response", "median_hours", "1.5"] in rows
    assert ["hours_by_agent", "anna", "billable_minutes", "120"] in rows
    assert ["comparison", "opened", "change_pct", "250.0"] in rows
    assert ["recommendations", "premium-tier", "breached_share", "71.4%"] in rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["acme", "--period", "2026-13"], "Error: --period: bad period '2026-13' (expected a month YYYY-MM"),
        (["acme", "--period", "October"], "Error: --period: bad period 'October'"),
        (["nobody", "--period", "2026-10"], "Error: unknown customer 'nobody'"),
        (["acme", "--period", "2026-10", "--contract", "x"], "Error: --contract: customer 'acme' has no contract 'x'"),
        (["acme", "--period", "2026-10", "--format", "docx"], "Error: --format: unknown format 'docx'"),
        (["acme", "--period", "2026-10", "--locale", "xx_QQ_bad!"], "Error: --locale: unknown locale"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_period_is_a_usage_error(run):
    result = run("acme")
    assert result.exit_code == 2 and "--period" in result.output


def test_pdf_through_deskframe_pdf(run, tmp_path):
    pytest.importorskip("deskframe_pdf")
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "report.pdf"
    result = run("acme", "--period", "2026-10", "--format", "pdf", "--locale", "ru", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Отчёт о поддержке" in text and "Рассмотрите тариф" in text
    assert "<script>alert" in text  # a PDF has no markup: the subject prints as typed


def test_by_ticket_cells_are_escaped_as_autoescaping_does():
    from markupsafe import escape

    from deskframe_reports.html_format import _escape

    for text in ["a&b<c>d'e\"f", "plain", "", "&amp;", "<script>alert('x')</script>", "Привет & \u00a0"]:
        assert _escape(text) == str(escape(text))


def _by_ticket_table(html: str) -> list[list[str]]:
    """The cells of the hours-by-ticket table's body rows."""
    table = html.split("<h3>By ticket</h3>" if "<h3>By ticket</h3>" in html else "<h3>По заявкам</h3>", 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def test_html_lists_every_ticket_up_to_the_limit_by_number(scenario):
    from deskframe_reports.html_format import BY_TICKET_SHOWN

    report, _locale = build_report(scenario.desk, "acme", "2026-10")
    rows = [
        {"ticket": f"T{n:03d}", "subject": f"s{n}", "billable": n, "non_billable": 0, "estimate_minutes": None}
        for n in range(BY_TICKET_SHOWN)
    ]
    report = attrs.evolve(report, hours={**report.hours, "by_ticket": rows})
    html = render_report(scenario.desk, report, "html", "en")
    cells = _by_ticket_table(html)
    assert [c[0] for c in cells] == [f"T{n:03d}" for n in range(BY_TICKET_SHOWN)]
    assert "Other tickets" not in html and "with the most hours" not in html


def test_html_shows_the_tickets_with_most_hours_and_sums_the_others(scenario):
    from deskframe_reports.html_format import BY_TICKET_SHOWN

    report, _locale = build_report(scenario.desk, "acme", "2026-10")
    # by number; hours (billable + non-billable) rise with the number, two ties at the cut
    n = BY_TICKET_SHOWN + 7
    rows = [
        {
            "ticket": f"T{k:03d}",
            "subject": f"<s{k}>",
            "billable": 60 * k,
            "non_billable": 6 if k % 2 else 0,
            "estimate_minutes": 600,
        }
        for k in range(n)
    ]
    # T006 ties T007 (426 min) at the cut: the smaller number is shown, T007 goes with the others
    rows[6]["billable"], rows[6]["non_billable"] = 60 * 7 + 1, 5
    report = attrs.evolve(report, hours={**report.hours, "by_ticket": rows})
    for locale, other, note in (
        ("en", "Other tickets: 7", f"57 tickets: the {BY_TICKET_SHOWN} with the most hours are shown"),
        ("ru", "Прочие заявки: 7", f"Заявок: 57; показаны {BY_TICKET_SHOWN} с наибольшим числом часов"),
    ):
        html = render_report(scenario.desk, report, "html", locale)
        cells = _by_ticket_table(html)
        assert len(cells) == BY_TICKET_SHOWN + 1 and note in html
        expected = sorted(rows, key=lambda r: (-(r["billable"] + r["non_billable"]), r["ticket"]))[:BY_TICKET_SHOWN]
        assert [c[0] for c in cells[:-1]] == [r["ticket"] for r in expected]
        assert cells[0][:2] == ["T056", "&lt;s56&gt;"]
        assert [c[0] for c in cells[-3:-1]] == ["T008", "T006"]
        rest = [r for r in rows if r not in expected]
        assert sorted(r["ticket"] for r in rest) == ["T000", "T001", "T002", "T003", "T004", "T005", "T007"]
        view = View(locale)
        assert cells[-1] == [
            other,
            view.hours(sum(r["billable"] for r in rest)),
            view.hours(sum(r["non_billable"] for r in rest)),
            "\u2014",
        ]
    # json and csv still list every ticket
    data = json.loads(render_report(scenario.desk, report, "json", "en"))
    assert [t["ticket"] for t in data["hours"]["by_ticket"]] == [r["ticket"] for r in rows]
    assert render_report(scenario.desk, report, "csv", "en").count("hours_by_ticket,T") == 3 * n
