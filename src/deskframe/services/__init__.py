"""The application services, one module per concept; :class:`deskframe.desk.Desk` builds them.

* :mod:`.tickets` and :mod:`.ticket_actions` - opening, reading and changing tickets;
* :mod:`.directory` - customers, contacts, agents, queues, contracts;
* :mod:`.time` - time entries;
* :mod:`.sla` - SLA clocks, checks and reports;
* :mod:`.intake` - storing inbound messages;
* :mod:`.activity` - read-only: a customer's tickets, clocks and time in a period (reports);
* billing is :mod:`deskframe.services.billing` (the ledger: invoice runs, issue, void, payments).

Each service owns its transactions and the notify events it fires (after the commit,
through :class:`.context.ServiceContext`), and asks :mod:`deskframe.policy` whether the
:class:`~deskframe.actors.Actor` of a change may make it.
"""
