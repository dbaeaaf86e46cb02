"""The review as a reader sees it: the questions, statuses and plain "nothing here" sentences in
the customer's language (gettext), dates by locale (Babel). Every format reads this view."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from deskframe.errors import BadValue

from .i18n import translations


def N_(message: str) -> str:
    """Mark a message id for the catalog without translating it here."""
    return message


#: The five questions, as headings.
QUESTIONS = {
    "built": N_("What the customer built in the period, and how it changed their service"),
    "unused": N_("What we delivered that is not in use yet, and what blocks it"),
    "now": N_("What we are doing now, and the difficulties"),
    "came_for": N_("What the customer first came to us for"),
    "goals": N_("The customer's goals now"),
}
#: What an answer with no data says, per question.
EMPTY = {
    "built": N_("No notes for this period, and no roadmap item was adopted in it."),
    "unused": N_("No notes for this period, and nothing delivered waits to be put to use."),
    "now": N_("No notes for this period, no work in progress, no blocked item, no open ticket and no SLA breach."),
    "came_for": N_("Not recorded: no project says what the customer first came for, and no notes for this period."),
    "goals": N_("Not recorded: no current goals, no stages ahead, and no notes for this period."),
}
STATUSES = {
    "requested": N_("requested"),
    "accepted": N_("accepted"),
    "planned": N_("planned"),
    "in-progress": N_("in progress"),
    "delivered": N_("delivered"),
    "adopted": N_("adopted"),
    "blocked": N_("blocked"),
}
WHO = {"us": N_("on our side"), "customer": N_("on the customer's side"), "third-party": N_("a third party")}
STAGE_STATES = {"done": N_("Done"), "planned": N_("Planned"), "late": N_("Late")}
KINDS = {"first_response": N_("first response"), "resolution": N_("resolution")}


@functools.lru_cache(maxsize=16)
def _locale(name: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise BadValue(f'--locale: unknown locale {name!r}: use a code such as "en" or "ru"') from None


class View:
    """Words and dates of one locale (``"en"``, ``"ru"`` ...)."""

    def __init__(self, locale: str):
        self.name = locale
        self.locale = _locale(locale)
        self._t = translations(self.locale.language)

    @property
    def language(self) -> str:
        """``en``, ``ru`` ..."""
        return str(self.locale.language)

    def _(self, message: str) -> str:
        """``message`` in the view's language."""
        return self._t.gettext(message)

    def date(self, iso: str | None) -> str:
        """An ISO date by locale (medium); none is a dash."""
        from babel.dates import format_date

        return "\u2014" if not iso else format_date(dt.date.fromisoformat(iso), format="medium", locale=self.locale)

    def month(self, day: dt.date) -> str:
        """``Oct 2026`` / ``окт. 2026`` (a timeline tick)."""
        from babel.dates import format_date

        return format_date(day, format="LLL yyyy", locale=self.locale)

    def question(self, key: str) -> str:
        return self._(QUESTIONS[key])

    def empty(self, key: str) -> str:
        return self._(EMPTY[key])

    def status(self, status: str) -> str:
        return self._(STATUSES.get(status, status))

    def state(self, state: str) -> str:
        return self._(STAGE_STATES.get(state, state))

    def kind(self, kind: str) -> str:
        return self._(KINDS.get(kind, kind))

    def blocker(self, blocker: dict[str, str] | None) -> str:
        """``blocked on the customer's side: <text>``; empty without a blocker."""
        if not blocker:
            return ""
        return self._("blocker ({who}): {text}").format(
            who=self._(WHO.get(blocker["who"], blocker["who"])), text=blocker["text"]
        )

    def item(self, item: dict[str, Any], *, on: str | None = None) -> str:
        """One roadmap item on one line: title, status and date, tickets, blocker."""
        parts = [
            f"{item['title']} ({item['project']})",
            f"{self.status(item['status'])} {self.date(on or item['since'])}",
        ]
        if item["tickets"]:
            parts.append(self._("tickets: {numbers}").format(numbers=", ".join(item["tickets"])))
        if item.get("blocker"):
            parts.append(self.blocker(item["blocker"]))
        return " \u2014 ".join(parts)

    def stage(self, stage: dict[str, Any]) -> str:
        """A timeline stage on one line."""
        line = f"{stage['stage']} ({stage['project']}): {self.state(stage['state'])}, {self._('due')} {self.date(stage['planned'])}"
        if stage["done"]:
            line += f", {self._('done')} {self.date(stage['done'])}"
        if stage["agreed"]:
            line += f", {self._('agreed with the customer')}"
            if stage["agreed_on"]:
                line += f" {self.date(stage['agreed_on'])}"
        if stage.get("goal"):
            line += f" \u2014 {stage['goal']}"
        return line

    def lines(self, answer: dict[str, Any]) -> list[tuple[str, list[str]]]:
        """An answer as ``(subheading, lines)`` groups, in the view's language; [] when empty."""
        q, _ = answer["question"], self._
        groups: list[tuple[str, list[str]]] = []
        if answer["notes"]:
            groups.append((_("Notes"), list(answer["notes"])))
        if q == "built" and answer["adopted"]:
            groups.append((_("Adopted in the period"), [self.item(i, on=i["on"]) for i in answer["adopted"]]))
        if q == "unused" and answer["delivered"]:
            groups.append(
                (
                    _("Delivered, not adopted"),
                    [
                        self.item(i) + ("" if i.get("blocker") else " \u2014 " + _("no blocker recorded"))
                        for i in answer["delivered"]
                    ],
                )
            )
        if q == "now":
            for key, heading in (("in_progress", _("In progress")), ("blocked", _("Blocked"))):
                if answer[key]:
                    groups.append((heading, [self.item(i) for i in answer[key]]))
            if answer["open_tickets"]:
                groups.append(
                    (
                        _("Open tickets"),
                        [
                            f"{t['number']} {t['subject']} ({t['priority']}, {t['state']})"
                            for t in answer["open_tickets"]
                        ],
                    )
                )
            if answer["sla_breaches"]:
                groups.append(
                    (
                        _("SLA breaches in the period"),
                        [
                            f"{b['ticket']} {b['subject']}: {self.kind(b['kind'])} ({b['priority']}), "
                            f"{_('due')} {self.date(b['due_at'][:10])}"
                            for b in answer["sla_breaches"]
                        ],
                    )
                )
        if q == "came_for" and answer["projects"]:
            groups.append((_("Projects"), [f"{p['title']}: {p['came_for']}" for p in answer["projects"]]))
        if q == "goals":
            if answer["goals_now"]:
                groups.append((_("Goals now"), [f"{p['title']}: {g}" for p in answer["goals_now"] for g in p["goals"]]))
            if answer["stages_ahead"]:
                groups.append((_("Stages ahead"), [self.stage(s) for s in answer["stages_ahead"]]))
        return groups
