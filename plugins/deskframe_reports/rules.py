"""The reference recommendation rules, and how a report applies every registered rule.

Each rule reads figures of a :class:`~.figures.CustomerReport` and returns the
:class:`~deskframe.Recommendation` objects it triggers, naming the figure, its value and
the threshold it crossed. Thresholds are the module's constants.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs

from deskframe import Recommendation, ReportRule

log = logging.getLogger("deskframe.reports")

#: Breached tickets above this share of the tickets opened: consider the premium tier.
BREACH_SHARE = 10.0
#: Tickets opened outside the contract's hours above this share: consider 24x7.
OUTSIDE_SHARE = 30.0
#: Retainer hours used below this share ...
RETAINER_SHARE = 50.0
#: ... this many periods in a row: a smaller retainer fits.
RETAINER_PERIODS = 3


def _pct(value: float, locale: str = "en") -> str:
    """A percentage as the report's reader writes it (``71.4%``, ``71,4 %``)."""
    from babel.numbers import format_percent

    return format_percent(value / 100, format="#,##0.#%", locale=locale.replace("-", "_"))


def premium_tier(report: Any) -> list[Recommendation]:
    """Breaches on more than :data:`BREACH_SHARE` % of the tickets opened (not for premium contracts)."""
    figure = report.breaches["share"]
    if figure is None or figure <= BREACH_SHARE:
        return []
    if report.contracts and all(c["support_type"] == "premium" for c in report.contracts):
        return []
    return [
        Recommendation(
            "premium-tier",
            "Consider the premium tier.",
            "breached_share",
            _pct(figure, report.locale),
            f"> {_pct(BREACH_SHARE, report.locale)}",
        )
    ]


def around_the_clock(report: Any) -> list[Recommendation]:
    """More than :data:`OUTSIDE_SHARE` % of the tickets opened outside the contract's hours."""
    figure = report.outside_hours["share"]
    if figure is None or figure <= OUTSIDE_SHARE:
        return []
    return [
        Recommendation(
            "24x7",
            "Consider 24x7 support.",
            "outside_hours_share",
            _pct(figure, report.locale),
            f"> {_pct(OUTSIDE_SHARE, report.locale)}",
        )
    ]


def smaller_retainer(report: Any) -> list[Recommendation]:
    """Retainer hours used below :data:`RETAINER_SHARE` % in each of the last :data:`RETAINER_PERIODS` periods."""
    usage = report.retainer_usage[-RETAINER_PERIODS:]
    if len(usage) < RETAINER_PERIODS or any(u["used_pct"] is None or u["used_pct"] >= RETAINER_SHARE for u in usage):
        return []
    value = ", ".join(f"{u['period']}: {_pct(u['used_pct'], report.locale)}" for u in usage)
    return [
        Recommendation(
            "smaller-retainer",
            "A smaller retainer fits.",
            "retainer_used_pct",
            value,
            f"< {_pct(RETAINER_SHARE, report.locale)}",
        )
    ]


def recurring_subjects(report: Any) -> list[Recommendation]:
    """Tickets whose subjects share the same words (see :mod:`.words`): one recommendation per group."""
    from .words import MIN_TICKETS

    return [
        Recommendation(
            "recurring-subject",
            "A knowledge-base article or a product fix.",
            "recurring_subject",
            f"\u201c{' '.join(group['words'])}\u201d \u00d7 {group['count']}",
            f">= {MIN_TICKETS}",
        )
        for group in report.recurring
    ]


RULES = (
    ReportRule("premium-tier", premium_tier, "breaches over 10% of tickets: consider the premium tier"),
    ReportRule("24x7", around_the_clock, "over 30% of tickets outside the contract's hours: consider 24x7"),
    ReportRule("smaller-retainer", smaller_retainer, "retainer used below 50% three periods in a row"),
    ReportRule("recurring-subject", recurring_subjects, "recurring subjects: a knowledge-base article or fix"),
)


def apply(report: Any, rules: list[ReportRule]) -> Any:
    """The report with the recommendations of every rule; a rule that raises is logged by
    name and left out (the report goes on)."""
    found: list[dict[str, Any]] = []
    for rule in rules:
        try:
            found.extend(attrs.asdict(r) for r in rule.check(report))
        except Exception as exc:  # a third party's rule must not stop the report
            log.error("report rule '%s' failed: %s: %s", rule.name, type(exc).__name__, exc)
    return attrs.evolve(report, recommendations=found)
