"""``deskframe review CUSTOMER [--period P] --format FORMAT [-o FILE] [--locale L] [--link]`` and
``deskframe review note CUSTOMER --period P --question Q --text TEXT``."""

from __future__ import annotations

from typing import Any

import click

from deskframe.cli import pass_desk
from deskframe.cli.context import actor_for
from deskframe.cli.output import write_output
from deskframe.errors import BadValue
from deskframe.tables import TableReader

from . import make_review, render_review, review_formats
from .entries import QUESTIONS


class ReviewGroup(click.Group):
    """``review CUSTOMER ...`` runs ``review show CUSTOMER ...``; ``review note ...`` adds a note."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group("review", cls=ReviewGroup)
def review_group() -> None:
    """The account review of a customer: five questions answered, with the timeline."""


@review_group.command("show")
@click.argument("customer")
@click.option("--period", help="A month (YYYY-MM) or a quarter (YYYY-Qn); default: this month.")
@click.option("--format", "fmt", default="text", show_default=True, help="html, json or text; pdf with deskframe-pdf.")
@click.option("--locale", help="en or ru; default: the contract's params.locale, else [billing] locale.")
@click.option("--output", "-o", help="Write to this file instead of stdout.")
@click.option(
    "--link", is_flag=True, help="Print the customer's unguessable review link (served by 'deskframe serve')."
)
@pass_desk
def review_show(
    desk: Any,
    customer: str,
    period: str | None,
    fmt: str,
    locale: str | None,
    output: str | None,
    link: bool,
) -> None:
    """The review of CUSTOMER for a period (``deskframe review CUSTOMER`` for short)."""
    if link:
        from .links import link as make_link

        click.echo(make_link(desk, customer, actor_for()))
        return
    formats = review_formats(desk)
    if fmt not in formats:
        raise BadValue(f"--format: unknown format {fmt!r} (known: {', '.join(formats)})")
    review, view = make_review(desk, customer, period, locale)
    write_output(render_review(desk, review, view, fmt), output)


@review_group.command("note")
@click.argument("customer")
@click.option("--period", required=True, help="A month (YYYY-MM) or a quarter (YYYY-Qn).")
@click.option("--question", required=True, type=click.Choice(QUESTIONS), help="Which of the five questions it answers.")
@click.option("--text", required=True, help="What to say in the review.")
@click.option("--agent", help="Act as this agent (default: the local operator).")
@pass_desk
def review_note(desk: Any, customer: str, period: str, question: str, text: str, agent: str | None) -> None:
    """Add a note to CUSTOMER's review of a period (the same text twice is one note)."""
    from . import entries
    from .review import find_customer
    from .store import ReviewStore

    note = entries.note(TableReader({"customer": customer, "period": period, "question": question, "text": text}))
    find_customer(desk, customer)
    counts = ReviewStore(desk).write([("note", note)], actor_for(agent))
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
