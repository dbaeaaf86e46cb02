"""The source's lookup tables (states, priorities, sender types, queues, users ...), read once per run."""

from __future__ import annotations

from typing import Any

import attrs

from . import mapping
from .source import Source


@attrs.frozen
class Lookups:
    """OTRS ids -> names for the rows a run maps, and the queue and user rows the directory step writes."""

    states: dict[Any, dict[str, Any]]
    priorities: dict[Any, str]
    locks: dict[Any, str]
    sender_types: dict[Any, str]
    channels: dict[Any, str]
    article_types: dict[Any, str]
    history_types: dict[Any, str]
    queue_rows: list[dict[str, Any]]
    queue_names: dict[Any, str]
    user_rows: list[dict[str, Any]]
    logins: dict[Any, str]
    user_emails: dict[Any, str | None]

    @classmethod
    def read(cls, src: Source) -> Lookups:
        """Read every lookup table from ``src``."""
        states = src.states()
        priorities = {k: v["name"] for k, v in src.lookup("ticket_priority").items()}
        locks = {k: v["name"] for k, v in src.lookup("ticket_lock_type").items()}
        sender_types = {k: v["name"] for k, v in src.lookup("article_sender_type").items()}
        channels = {k: v["name"] for k, v in src.lookup("communication_channel").items()}
        article_types = {k: v["name"] for k, v in src.lookup("article_type").items()}
        history_types = {k: v["name"] for k, v in src.lookup("ticket_history_type").items()}
        queue_rows = src.queues()
        user_rows = src.users()
        return cls(
            states=states,
            priorities=priorities,
            locks=locks,
            sender_types=sender_types,
            channels=channels,
            article_types=article_types,
            history_types=history_types,
            queue_rows=queue_rows,
            queue_names={q["id"]: mapping.text_of(q["name"]) for q in queue_rows},
            user_rows=user_rows,
            logins={u["id"]: mapping.text_of(u["login"]) for u in user_rows},
            user_emails={k: mapping.address(mapping.text_of(v)) for k, v in src.user_emails().items()},
        )
