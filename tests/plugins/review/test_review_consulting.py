"""The consulting example's account review, answer by answer, and its SVG timeline structurally
(the demo runs once for the module; its desk is SQLite, as the example configures it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "consulting"
NOW = "2026-11-01T12:00:00+03:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    target = tmp_path_factory.mktemp("consulting") / "desk"
    plugins = build_plugins()
    result = CliRunner().invoke(
        build_cli(plugins), ["demo", str(target), "--example", str(EXAMPLE), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)

    def run(*args: str) -> str:
        out = CliRunner().invoke(build_cli(plugins), ["--config", str(target / "deskframe.toml"), "--now", NOW, *args])
        assert out.exit_code == 0, out.output
        return out.output

    return summary, run


def answers(run, customer: str = "alfa-bank") -> dict:
    review = json.loads(run("review", customer, "--period", "2026-10", "--format", "json"))
    assert [a["question"] for a in review["answers"]] == ["built", "unused", "now", "came_for", "goals"]
    return {a["question"]: a for a in review["answers"]}


def test_demo_writes_the_review_and_says_so(demo):
    summary, _run = demo
    files = [f for f in summary["files"] if f["file"].endswith("review-alfa-bank-2026-10.html")]
    assert files and files[0]["command"] == "review alfa-bank"
    page = Path(files[0]["file"]).read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "<script" not in page
    assert page.count('class="answer"') == 5 and 'class="empty"' not in page


def test_every_answer_has_data(demo):
    _summary, run = demo
    assert [q for q, a in answers(run).items() if a["empty"]] == []


def test_built_is_the_note_and_the_item_adopted_in_the_period(demo):
    built = answers(demo[1])["built"]
    assert len(built["notes"]) == 1 and "пул соединений v2" in built["notes"][0]
    assert [(i["id"], i["on"]) for i in built["adopted"]] == [("pool-v2", "2026-10-14")]
    assert len(built["adopted"][0]["tickets"]) == 1  # linked by a CLI step


def test_unused_is_the_delivered_item_with_its_blocker(demo):
    unused = answers(demo[1])["unused"]
    assert [i["id"] for i in unused["delivered"]] == ["latency-dashboard"]
    assert unused["delivered"][0]["blocker"] == {
        "text": "Заказчик ещё не выделил сервер для Grafana",
        "who": "customer",
    }
    assert unused["notes"] == []


def test_now_is_work_in_progress_the_blocked_item_and_sla_trouble(demo):
    now = answers(demo[1])["now"]
    assert [i["id"] for i in now["in_progress"]] == ["reference-cache"]
    assert [(i["id"], i["blocker"]["who"]) for i in now["blocked"]] == [("dr-replication", "third-party")]
    assert now["open_tickets"] == []  # the processing ticket was resolved on 12 October
    assert [(b["priority"], b["kind"], b["category"]) for b in now["sla_breaches"]] == [("P1", "resolution", "missed")]
    assert now["notes"] == ["Кэш справочников отстаёт от плана: ждём от банка выгрузку тарифов."]


def test_came_for_and_goals_now(demo):
    got = answers(demo[1])
    assert got["came_for"]["projects"][0]["came_for"].startswith("Аудит производительности процессинга")
    goals = got["goals"]
    assert goals["goals_now"][0]["goals"] == [
        "5000 платежей в секунду к новогоднему пику",
        "Резервный ЦОД с переключением за 15 минут",
    ]
    assert [(s["stage"], s["state"]) for s in goals["stages_ahead"]] == [
        ("Кэш справочников", "late"),
        ("Резервный ЦОД", "planned"),
    ]


def test_a_customer_without_data_gets_plain_sentences(demo):
    run = demo[1]
    got = answers(run, "sever-bank")
    assert [q for q, a in got.items() if a["empty"]] == ["built", "unused", "came_for", "goals"]
    text = run("review", "sever-bank", "--period", "2026-10", "--locale", "en")
    assert "No notes for this period, and no roadmap item was adopted in it." in text
    assert "Not recorded: no current goals, no stages ahead, and no notes for this period." in text
    assert "2026100630000017" in text  # its open ticket answers question 3
    ru = run("review", "sever-bank", "--period", "2026-10", "--locale", "ru")
    assert "Заметок за этот период нет, ни один пункт дорожной карты в нём не внедрён." in ru


def _svg(html: str) -> str:
    match = re.search(r'<svg[^>]*class="timeline".*?</svg>', html, re.S)
    assert match, "no timeline"
    return match.group(0)


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ("Done", "Planned", "Late", "Agreed with the customer", "Oct 2026", "Timeline")),
        ("ru", ("Выполнено", "Запланировано", "Просрочено", "Согласовано с заказчиком", "окт. 2026", "План-график")),
    ],
)
def test_timeline_svg_structure(demo, locale, words):
    html = demo[1]("review", "alfa-bank", "--period", "2026-10", "--format", "html", "--locale", locale)
    svg = _svg(html)
    states = re.findall(r'<rect class="stage (done|planned|late)"', svg)
    assert len(states) == 5
    assert (states.count("done"), states.count("late"), states.count("planned")) == (3, 1, 1)
    # 4 stages agreed (the reserve data centre is not), one mark each, plus the legend's
    assert len(re.findall(r'<circle class="agreed" ', svg)) == 4
    assert svg.count('class="agreed legend"') == 1
    assert len(re.findall(r'<line class="due"', svg)) == 1  # the late stage shows when it was due
    labels = re.findall(r'<text class="label"[^>]*>([^<]*)</text>', svg)
    assert labels == [
        "Аудит производительности",
        "Оптимизация пула соединений",
        "Нагрузочное тестирование",
        "Кэш справочников",
        "Резервный ЦОД",
    ]
    for word in words:
        assert word in svg
    other = {"en": "Выполнено", "ru": "Agreed with the customer"}[locale]
    assert other not in svg
    assert "<script" not in svg


def test_pdf_through_deskframe_pdf(demo, tmp_path):
    pytest.importorskip("deskframe_pdf")
    pypdf = pytest.importorskip("pypdf")
    import io

    out = tmp_path / "review.pdf"
    demo[1]("review", "alfa-bank", "--period", "2026-10", "--format", "pdf", "--locale", "ru", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    compact = " ".join(text.split())
    for words in (
        "Обзор сопровождения",
        "С чем заказчик пришёл к нам впервые",
        "Репликация в резервный ЦОД",
        "План-график",
    ):
        assert words in compact, words
