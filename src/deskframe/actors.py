"""Who acts: every service operation that changes data is told its :class:`Actor`.

The front doors make the actor (the CLI from ``--agent``, later the API from a token and
the web UI from a session); the services hand it to :mod:`deskframe.policy`, which says
whether it may act, and record its name in the ticket's history.
"""

from __future__ import annotations

from typing import Literal

import attrs

ActorKind = Literal["agent", "contact", "system", "plugin"]
KINDS: tuple[str, ...] = ("agent", "contact", "system", "plugin")


@attrs.frozen
class Actor:
    """The one acting: an agent (by login), a customer contact (by e-mail), the system
    (``sla``, ``intake``) or a plugin (by its name).

    ``console`` marks the trusted local operator (the CLI user, as Znuny's console is):
    the policy trusts it, but an agent it names must still be a known, active agent.
    """

    kind: ActorKind = attrs.field(validator=attrs.validators.in_(KINDS))
    name: str
    console: bool = False

    @classmethod
    def agent(cls, login: str, *, console: bool = False) -> Actor:
        """An agent acting under its login."""
        if not isinstance(login, str) or not login:
            raise ValueError(f"an agent actor needs a login, got {login!r}")
        return cls("agent", login, console)

    @classmethod
    def contact(cls, email: str) -> Actor:
        """A customer's contact acting under its e-mail address."""
        if not isinstance(email, str) or not email:
            raise ValueError(f"a contact actor needs an e-mail address, got {email!r}")
        return cls("contact", email.strip().lower())

    @classmethod
    def system(cls, name: str) -> Actor:
        """The desk itself at work (``sla`` checks, ``intake`` of inbound messages ...)."""
        return cls("system", name)

    @classmethod
    def plugin(cls, name: str) -> Actor:
        """A plugin acting on its own (an importer, a channel recording a delivery)."""
        return cls("plugin", name)

    @classmethod
    def operator(cls, agent: str | None = None) -> Actor:
        """The trusted local operator; acting as agent ``agent`` when one is named.

        Without an agent the change is recorded in history without a name, as the CLI
        has always done for ``ticket state`` and the like without ``--agent``.
        """
        return cls.agent(agent, console=True) if agent else cls("system", "", console=True)

    @property
    def history_name(self) -> str | None:
        """What the ticket history's ``actor`` column records (None: the anonymous operator)."""
        return self.name or None

    @property
    def login(self) -> str | None:
        """The agent's login when an agent acts, else None."""
        return self.name if self.kind == "agent" else None

    def __str__(self) -> str:
        if not self.name:
            return "the local operator"
        return f"{self.kind} '{self.name}'"
