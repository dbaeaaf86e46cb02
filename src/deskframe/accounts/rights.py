"""The rights of an account: :mod:`deskframe.rights`, under the name the accounts package has always offered.

The functions live outside this package so that :mod:`deskframe.policy` can read them while
the accounts service asks the policy about tokens, passwords and the audit log (no import cycle).
"""

from __future__ import annotations

from ..rights import (
    QUEUE_RIGHTS,
    Rights,
    may_administer,
    may_read_queue,
    may_see_internal,
    may_see_ticket,
    may_write_queue,
    of_agent,
    of_contact,
    queue_right,
    readable_queues,
)

__all__ = [
    "QUEUE_RIGHTS",
    "Rights",
    "may_administer",
    "may_read_queue",
    "may_see_internal",
    "may_see_ticket",
    "may_write_queue",
    "of_agent",
    "of_contact",
    "queue_right",
    "readable_queues",
]
