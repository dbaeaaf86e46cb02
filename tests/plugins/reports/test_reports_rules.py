"""The recommendation rules: each triggered and not triggered, each naming its figure; rules
registered by another plugin through register_report_rules; a failing rule does not stop the report."""

from __future__ import annotations

import attrs
import pytest
from reports_helpers import build

import deskframe
from deskframe import Recommendation, ReportRule
from deskframe.testing import registered
from deskframe_reports import build_report, rules


@pytest.fixture
def report(scenario):
    return build_report(scenario.desk, "acme", "2026-10")[0]


def test_reference_rules_fire_on_the_scenario(report):
    found = {r["rule"]: r for r in report.recommendations}
    assert set(found) == {"premium-tier", "smaller-retainer", "recurring-subject"}
    assert found["premium-tier"]["figure"] == "breached_share" and found["premium-tier"]["value"] == "71.4%"
    assert found["smaller-retainer"]["value"] == "2026-08: 0%, 2026-09: 10%, 2026-10: 35%"
    assert "vpn" in found["recurring-subject"]["value"] and "3" in found["recurring-subject"]["value"]


def test_premium_tier(report):
    assert rules.premium_tier(report)[0].threshold == "> 10%"
    calm = attrs.evolve(report, breaches={**report.breaches, "share": 10.0})
    assert rules.premium_tier(calm) == []
    premium = attrs.evolve(report, contracts=[{**report.contracts[0], "support_type": "premium"}])
    assert rules.premium_tier(premium) == []


def test_around_the_clock(report):
    assert report.outside_hours["share"] == 28.6 and rules.around_the_clock(report) == []
    late = attrs.evolve(report, outside_hours={"tickets": 4, "considered": 10, "share": 40.0})
    (rec,) = rules.around_the_clock(late)
    assert (rec.rule, rec.figure, rec.value, rec.text) == (
        "24x7",
        "outside_hours_share",
        "40%",
        "Consider 24x7 support.",
    )


def test_smaller_retainer(report):
    assert len(rules.smaller_retainer(report)) == 1
    usage = [dict(u) for u in report.retainer_usage]
    usage[1]["used_pct"] = 50.0  # one period at half: not "below 50% three in a row"
    assert rules.smaller_retainer(attrs.evolve(report, retainer_usage=usage)) == []
    assert rules.smaller_retainer(attrs.evolve(report, retainer_usage=usage[1:])) == []
    assert rules.smaller_retainer(attrs.evolve(report, retainer_usage=[])) == []


def test_smaller_retainer_not_when_used(make_desk):
    s = build(make_desk, included_hours=2)  # 3.5 h of 2 h in October
    found = {r["rule"] for r in build_report(s.desk, "acme", "2026-10")[0].recommendations}
    assert "smaller-retainer" not in found


def test_recurring_subjects(make_desk):
    s = build(make_desk, vpn_subjects=("VPN timeout", "Printer jam", "Password reset"))
    found = build_report(s.desk, "acme", "2026-10")[0]
    assert found.recurring == [] and "recurring-subject" not in {r["rule"] for r in found.recommendations}


def test_recurring_subjects_across_word_forms(make_desk):
    s = build(make_desk, vpn_subjects=("Ошибка печати счёта", "ошибки печати", "Re: ошибка при печати акта"))
    (group,) = build_report(s.desk, "acme", "2026-10")[0].recurring
    assert group["count"] == 3 and sorted(group["words"]) == ["ошибка", "печати"]


class ThirdPartyRules:
    """A rule plugin as a third party writes it, and one that crashes."""

    @deskframe.hookimpl
    def register_report_rules(self, register):
        register(ReportRule("many-p1", self.many_p1))
        register(ReportRule("broken", self.broken))

    @staticmethod
    def many_p1(report):
        count = report.tickets["by_priority"].get("P1", {}).get("opened", 0)
        return (
            [Recommendation("many-p1", "Review the P1 tickets.", "p1_opened", str(count), "> 1")] if count > 1 else []
        )

    @staticmethod
    def broken(report):
        raise RuntimeError("boom")


def test_a_plugins_rule_is_applied_and_a_broken_one_is_skipped(scenario, caplog):
    with registered(scenario.desk, ThirdPartyRules(), "third-party-rules"):
        report = build_report(scenario.desk, "acme", "2026-10")[0]
        assert "report_rules" in scenario.desk.plugins.registry.by_plugin("third-party-rules")
    mine = [r for r in report.recommendations if r["rule"] == "many-p1"]
    assert mine == [
        {"rule": "many-p1", "text": "Review the P1 tickets.", "figure": "p1_opened", "value": "2", "threshold": "> 1"}
    ]
    assert "report rule 'broken' failed: RuntimeError: boom" in caplog.text


def test_reference_rules_are_registered_by_the_plugin(scenario):
    assert scenario.desk.plugins.registry.by_plugin("reports")["report_rules"] == sorted(r.name for r in rules.RULES)
