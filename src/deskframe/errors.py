"""The one error hierarchy of deskframe.

The CLI turns every :class:`DeskframeError` into one line and its ``exit_code``
(see docs/cli.md): 2 when what the user typed is wrong (:class:`ConfigError`,
:class:`PluginError`, :class:`NotFound`, :class:`BadValue`), 1 when a valid
request is refused by the desk's state (:class:`TicketLocked`, an invoice already
issued, ...). Anything else is a bug.
"""

from __future__ import annotations


class DeskframeError(Exception):
    """Base class of every error deskframe reports to a user."""

    exit_code = 1


class ConfigError(DeskframeError):
    """A configuration file or value is wrong.

    ``str()`` gives ``FILE: KEY: PROBLEM`` so that the user knows where to look.
    """

    exit_code = 2

    def __init__(self, problem: str, *, file: str | None = None, key: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.key = key
        super().__init__(self.format())

    def format(self) -> str:
        parts = [p for p in (self.file, self.key) if p]
        parts.append(self.problem)
        return ": ".join(parts)

    def within(self, *, file: str | None = None, prefix: str | None = None) -> ConfigError:
        """Return a copy located in ``file`` with ``prefix`` put before the key."""
        key = self.key
        if prefix:
            key = f"{prefix}.{key}" if key else prefix
            key = key.replace(".[", "[")
        return ConfigError(self.problem, file=file or self.file, key=key)


class PluginError(DeskframeError):
    """A plugin failed to load, misspelled a hook, or registered a clashing name."""

    exit_code = 2


class DomainError(DeskframeError):
    """A valid request the desk's state refuses (exit code 1): a lock held, an invoice already issued.

    Subclasses for what the user typed wrong (:class:`NotFound`, :class:`BadValue`) exit with 2.
    """


class BadValue(DomainError):
    """A value the user gave is malformed or out of range (a date, a period, an empty body); exit code 2."""

    exit_code = 2


class NotFound(BadValue):
    """The named object does not exist (an unknown ticket number, id, login); exit code 2."""


class Forbidden(DomainError):
    """The actor may not do this (exit code 1); the message names the actor and the action."""

    def __init__(self, actor: str, action: str, why: str = ""):
        self.actor = actor
        self.action = action
        super().__init__(f"{actor} may not {action}" + (f": {why}" if why else ""))


class TicketLocked(DomainError):
    """The ticket is locked by another agent; ``holder`` names that agent."""

    def __init__(self, number: str, holder: str) -> None:
        self.number = number
        self.holder = holder
        super().__init__(f"ticket {number} is locked by {holder}")


class Conflict(DomainError):
    """A write collided with another writer's (a unique key taken meanwhile); ``constraint`` names it."""

    def __init__(self, message: str, constraint: str | None = None) -> None:
        self.constraint = constraint
        super().__init__(message)


class UnstorableValue(BadValue):
    """The database refused a value of this request (too long for an index, out of range, malformed).

    The fault is in the data, not the database: intake quarantines such a message and
    goes on with the next one.
    """


class StorageError(DeskframeError):
    """The database is missing, not migrated, or refused an operation."""


class ChannelUnavailable(DeskframeError):
    """An intake channel's source cannot be reached now (server down, login refused, missing folder).

    A channel raises it from ``fetch`` or ``ack``; the core ends that channel's poll
    (messages not yet stored stay at their source), reports why, and polls it again
    at its next turn while the other channels go on.
    """
