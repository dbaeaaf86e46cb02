"""Who the OTRS import acts as: the name the ticket history and the policy check see."""

from __future__ import annotations

from deskframe.actors import Actor

#: Who this plugin acts as in the ticket history.
ACTOR = Actor.plugin("deskframe_otrs")
