"""``deskframe project|timeline|roadmap add|set|list``: the review's data from the command line.

The options are validated by the same parsers as ``apply``'s tables (:mod:`.entries`); ``set``
changes only the options given. Writes are the local operator's, or ``--agent``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from deskframe.cli import pass_desk
from deskframe.cli.context import actor_for
from deskframe.cli.output import FORMAT_OPTION, emit
from deskframe.errors import BadValue
from deskframe.tables import TableReader

from . import entries
from .entries import BLOCKER_WHO, STATUSES
from .review import find_customer
from .store import ReviewStore

AGENT_OPTION = click.option("--agent", help="Act as this agent (default: the local operator).")


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != ()}


def _save(
    desk: Any,
    kind: str,
    data: dict[str, Any],
    parser: Callable[[TableReader], dict[str, Any]],
    agent: str | None,
    *,
    new: bool,
) -> None:
    store = ReviewStore(desk)
    entry = parser(TableReader(data))
    if kind == "project":
        find_customer(desk, entry["customer"])
    else:
        store.project(entry["project"])
    if new:
        store.add(kind, entry, actor_for(agent))
        click.echo(f"{kind} {store_key(kind, entry)} created")
    else:
        counts = store.write([(kind, entry)], actor_for(agent))
        click.echo(
            f"{kind} {store_key(kind, entry)} {'unchanged' if any('unchanged' in k for k in counts) else 'updated'}"
        )


def store_key(kind: str, entry: dict[str, Any]) -> str:
    from .store import key_of

    return key_of(kind, entry)


# --- projects ------------------------------------------------------------------
@click.group("project")
def project_group() -> None:
    """Customer projects of extended support (account review)."""


def _project_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--title"),
            click.option("--goal", help="The project's goal."),
            click.option("--came-for", help="What the customer first came to us for."),
            click.option("--goal-now", "goals_now", multiple=True, help="A current goal of the customer (repeatable)."),
            AGENT_OPTION,
        ]
    ):
        func = option(func)
    return func


@project_group.command("add")
@click.option("--id", "key", required=True, help="The project's handle.")
@click.option("--customer", required=True)
@_project_options
@pass_desk
def project_add(
    desk: Any,
    key: str,
    customer: str,
    title: str | None,
    goal: str | None,
    came_for: str | None,
    goals_now: tuple[str, ...],
    agent: str | None,
) -> None:
    """Create a project of a customer."""
    if title is None:
        raise BadValue("--title is required")
    data = _given(
        id=key, customer=customer, title=title, goal=goal, came_for=came_for, goals_now=list(goals_now) or None
    )
    _save(desk, "project", data, entries.project, agent, new=True)


@project_group.command("set")
@click.argument("key", metavar="ID")
@_project_options
@pass_desk
def project_set(
    desk: Any,
    key: str,
    title: str | None,
    goal: str | None,
    came_for: str | None,
    goals_now: tuple[str, ...],
    agent: str | None,
) -> None:
    """Change a project (the options given; ``--goal-now`` replaces the list)."""
    data = ReviewStore(desk).stored("project", key)
    data.update(_given(title=title, goal=goal, came_for=came_for, goals_now=list(goals_now) or None))
    _save(desk, "project", {k: v for k, v in data.items() if v is not None}, entries.project, agent, new=False)


@project_group.command("list")
@click.option("--customer")
@FORMAT_OPTION
@pass_desk
def project_list(desk: Any, customer: str | None, fmt: str) -> None:
    """List projects (JSON: the project shape of docs/review.md)."""
    if customer is not None:
        find_customer(desk, customer)
    emit(ReviewStore(desk).projects(customer), ("id", "customer", "title", "goal"), fmt, empty="No projects.")


# --- timeline --------------------------------------------------------------------
@click.group("timeline")
def timeline_group() -> None:
    """Stages of a project's timeline agreed with the customer."""


def _stage_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--goal", help="What the stage achieves."),
            click.option("--start", help="First day (YYYY-MM-DD); default: the end of the stage before."),
            click.option("--planned", help="The day it is due (YYYY-MM-DD)."),
            click.option("--done", help="The day it was done (YYYY-MM-DD)."),
            click.option("--agreed", help="yes, no, or the date it was agreed with the customer."),
            AGENT_OPTION,
        ]
    ):
        func = option(func)
    return func


def _agreed(value: str | None) -> Any:
    if value is None:
        return None
    if value.lower() in ("yes", "true"):
        return True
    if value.lower() in ("no", "false"):
        return False
    return value


@timeline_group.command("add")
@click.option("--project", required=True)
@click.option("--stage", required=True, help="The stage's name.")
@_stage_options
@pass_desk
def timeline_add(
    desk: Any,
    project: str,
    stage: str,
    goal: str | None,
    start: str | None,
    planned: str | None,
    done: str | None,
    agreed: str | None,
    agent: str | None,
) -> None:
    """Add a stage to a project's timeline."""
    data = _given(
        project=project, stage=stage, goal=goal, start=start, planned=planned, done=done, agreed=_agreed(agreed)
    )
    _save(desk, "stage", data, entries.stage, agent, new=True)


@timeline_group.command("set")
@click.argument("project")
@click.argument("stage")
@_stage_options
@pass_desk
def timeline_set(
    desk: Any,
    project: str,
    stage: str,
    goal: str | None,
    start: str | None,
    planned: str | None,
    done: str | None,
    agreed: str | None,
    agent: str | None,
) -> None:
    """Change a stage (the options given)."""
    data = ReviewStore(desk).stored("stage", f"{project}/{stage}")
    agreed_on = data.pop("agreed_on")
    data["agreed"] = agreed_on or data["agreed"]
    data.update(_given(goal=goal, start=start, planned=planned, done=done, agreed=_agreed(agreed)))
    _save(desk, "stage", {k: v for k, v in data.items() if v is not None}, entries.stage, agent, new=False)


@timeline_group.command("list")
@click.option("--project")
@FORMAT_OPTION
@pass_desk
def timeline_list(desk: Any, project: str | None, fmt: str) -> None:
    """List timeline stages, by planned date (JSON: the stage shape of docs/review.md)."""
    store = ReviewStore(desk)
    if project is not None:
        store.project(project)
    emit(store.stages(project), ("project", "stage", "planned", "done", "agreed"), fmt, empty="No timeline stages.")


# --- roadmap ---------------------------------------------------------------------
@click.group("roadmap")
def roadmap_group() -> None:
    """A project's roadmap items, their status and blockers."""


def _item_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--status", type=click.Choice(STATUSES)),
            click.option("--since", help="The day it reached this status (default: today)."),
            click.option("--blocker", help="What blocks it."),
            click.option(
                "--blocker-who", type=click.Choice(BLOCKER_WHO), help="Whose side the blocker is on (default: us)."
            ),
            click.option("--ticket", "tickets", multiple=True, help="A linked ticket number (repeatable)."),
            AGENT_OPTION,
        ]
    ):
        func = option(func)
    return func


def _blocker(text: str | None, who: str | None) -> dict[str, str] | None:
    return None if text is None else {"text": text, "who": who or "us"}


@roadmap_group.command("add")
@click.option("--project", required=True)
@click.option("--title", required=True)
@click.option("--id", "key", help="The item's handle (default: its title).")
@_item_options
@pass_desk
def roadmap_add(
    desk: Any,
    project: str,
    title: str,
    key: str | None,
    status: str | None,
    since: str | None,
    blocker: str | None,
    blocker_who: str | None,
    tickets: tuple[str, ...],
    agent: str | None,
) -> None:
    """Add an item to a project's roadmap (status default: requested)."""
    data = _given(
        project=project,
        title=title,
        id=key,
        status=status or "requested",
        since=since,
        blocker=_blocker(blocker, blocker_who),
        tickets=list(tickets) or None,
    )
    _save(desk, "item", data, entries.item, agent, new=True)


@roadmap_group.command("set")
@click.argument("project")
@click.argument("key", metavar="ID")
@click.option("--title")
@click.option("--no-blocker", is_flag=True, help="Forget the blocker.")
@_item_options
@pass_desk
def roadmap_set(
    desk: Any,
    project: str,
    key: str,
    title: str | None,
    no_blocker: bool,
    status: str | None,
    since: str | None,
    blocker: str | None,
    blocker_who: str | None,
    tickets: tuple[str, ...],
    agent: str | None,
) -> None:
    """Change an item (the options given; a new status is dated ``--since`` or today)."""
    data = ReviewStore(desk).stored("item", f"{project}/{key}")
    if status is not None and status != data["status"]:
        data["since"] = None
    if blocker_who is not None and blocker is None and data.get("blocker"):
        blocker = data["blocker"]["text"]
    data.update(
        _given(
            title=title,
            status=status,
            since=since,
            blocker=_blocker(blocker, blocker_who),
            tickets=list(tickets) or None,
        )
    )
    if no_blocker:
        data["blocker"] = None
    _save(desk, "item", {k: v for k, v in data.items() if v is not None}, entries.item, agent, new=False)


@roadmap_group.command("list")
@click.option("--project")
@FORMAT_OPTION
@pass_desk
def roadmap_list(desk: Any, project: str | None, fmt: str) -> None:
    """List roadmap items with their status history (JSON: the item shape of docs/review.md)."""
    store = ReviewStore(desk)
    if project is not None:
        store.project(project)
    emit(
        store.items(project), ("project", "id", "title", "status", "blocker", "tickets"), fmt, empty="No roadmap items."
    )
