"""The hook contract between the deskframe core and its plugins.

Three kinds of hook:

* **register** hooks receive a ``register`` callback. Call it once per thing the
  plugin provides. The core rejects a name another plugin already registered
  and remembers which plugin registered what (``deskframe plugins``).
* **resolve** hooks are ``firstresult``: the first plugin returning something
  other than ``None`` wins; the core's own answer runs last.
* **notify** hooks receive a frozen event after the change that fired them has
  been committed. An exception in one plugin is logged with the plugin's name
  and neither rolls back the change nor stops other plugins.
* **collect** hooks are called inside a change's transaction, before it commits:
  ``outbound_messages`` returns the messages a change causes, and the outbox
  stores them in that same transaction (docs/outbox.md).

Implement a hook with :data:`deskframe.hookimpl`; a function named like a hook
but misspelled is an error naming the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from starlette.routing import BaseRoute

    from .actors import Actor
    from .desk import Desk
    from .directory import DirectoryView
    from .events import ArticleAdded, InvoiceIssued, SlaEvent, TicketChanged, TicketOpened
    from .extensions import (
        ApplyTables,
        ChannelType,
        ConfigSection,
        Importer,
        Job,
        OutputFormat,
        PageSection,
        PricingModelType,
        ReportRule,
        SlaPolicyType,
    )
    from .model import InboundMessage, Route
    from .outbound import ChangeView, Delivery, OutboundMessage

hookspec = pluggy.HookspecMarker("deskframe")


# --- register hooks -------------------------------------------------------


@hookspec
def register_channel_types(register: Callable[[ChannelType], None]) -> None:
    """Register intake channel types.

    Call ``register(ChannelType(name, build))`` for each type. A ``[[channels]]``
    table whose ``type`` equals ``name`` is handed to ``build(table, desk)``.
    """


@hookspec
def register_sla_policies(register: Callable[[SlaPolicyType], None]) -> None:
    """Register SLA policy types.

    Call ``register(SlaPolicyType(name, build))``; a ``[sla.NAME]`` table whose
    ``type`` equals ``name`` is handed to ``build(table)``.
    """


@hookspec
def register_pricing_models(register: Callable[[PricingModelType], None]) -> None:
    """Register pricing models.

    Call ``register(PricingModelType(name, build))``; a ``[pricing.NAME]`` table
    whose ``model`` equals ``name`` is handed to ``build(table)``.
    """


@hookspec
def register_output_formats(register: Callable[[OutputFormat], None]) -> None:
    """Register output formats for invoices and reports.

    Call ``register(OutputFormat(name, media_type, render))``; the name becomes a
    ``--format`` choice of the commands that render those kinds.
    """


@hookspec
def register_importers(register: Callable[[Importer], None]) -> None:
    """Register importers of other systems' data.

    Call ``register(Importer(name, command))``; ``command`` (a click command) is
    mounted as ``deskframe import NAME``.
    """


@hookspec
def register_commands(register: Callable[[click.Command], None]) -> None:
    """Register top-level CLI commands or groups.

    Call ``register(command)`` with a click command; it is added to the
    ``deskframe`` group under ``command.name``. Use ``deskframe.cli.pass_desk``
    to receive the configured :class:`~deskframe.desk.Desk`.
    """


@hookspec
def register_routes(register: Callable[[BaseRoute], None]) -> None:
    """Register web routes served by ``deskframe serve``.

    Call ``register(route)`` with a Starlette route; handlers reach the desk as
    ``request.app.state.desk``. Paths must be unique across plugins.

    A route of the REST API is a :class:`deskframe.ApiRoute` (one method of one path, with
    :class:`deskframe.Param` for its parameters): it says who may call it (``access``:
    ``public``, ``contact``, ``agent`` or ``admin``), the policy ``action`` a change asks
    about, and its body and response JSON Schemas. Such routes appear in the OpenAPI
    document at ``/api/openapi.json`` and on ``/api/docs``, and the core's authorisation
    tests call them with every role; a plain Starlette route is served but not documented.
    Put API routes under ``/api/`` so ``[web] cors_origins`` applies to them::

        register(deskframe.ApiRoute(
            "/api/x/ping", ping, method="GET", operation_id="x.ping", summary="Ping",
            tag="x", access="agent", response={"type": "object"},
        ))
    """


@hookspec
def register_config_sections(register: Callable[[ConfigSection], None]) -> None:
    """Claim a top-level table of ``deskframe.toml``.

    Call ``register(ConfigSection(name, validate))``; ``validate(value)`` raises
    :class:`~deskframe.errors.ConfigError` with a key relative to the table.
    Unclaimed unknown tables are a configuration error.
    """


@hookspec
def register_report_rules(register: Callable[[ReportRule], None]) -> None:
    """Register recommendation rules of customer reports.

    Call ``register(ReportRule(name, check))``; ``deskframe report customer`` calls
    ``check(report)`` with the figures of the report (see docs/reports.md) and lists each
    :class:`~deskframe.extensions.Recommendation` it returns, with the figure that
    triggered it. A rule that raises is reported by name and the report goes on.
    """


@hookspec
def register_jobs(register: Callable[[Job], None]) -> None:
    """Register scheduled jobs that ``deskframe worker`` runs.

    Call ``register(Job(name, every, run))``; ``run(desk)`` is called about every
    ``every`` (a :class:`~datetime.timedelta`) and returns counts of what it did
    (``{"sent": 3}``) or ``None``. With several workers on one PostgreSQL each
    run happens once per period, in one worker. The names ``intake``, ``sla`` and
    ``outbox`` belong to the core's own jobs. ``deskframe worker --jobs NAME``
    runs only the jobs named.
    """


@hookspec
def register_deliveries(register: Callable[[Delivery], None]) -> None:
    """Register how outgoing messages of a kind are delivered.

    Call ``register(Delivery(kind, deliver, session=None))`` once per kind of message the
    plugin transports (``email``, ``chat``, ...). ``deliver(message, desk)`` sends one
    :class:`~deskframe.outbound.OutboundMessage` outside any transaction and raises
    :class:`~deskframe.outbound.DeliveryError` (``permanent=True`` when retrying cannot help);
    the outbox records the outcome and retries with back-off. The outbox knows no transport:
    a message whose kind nobody registered stays queued until one is. A batch ``session``,
    ``pipelined`` (the gate before the far side may accept a message) and ``parallel`` (several
    sessions of a pass side by side, ``[outbox] sessions``) are described on
    :class:`~deskframe.outbound.Delivery` and in docs/outbox.md.
    """


@hookspec
def register_apply_tables(register: Callable[[ApplyTables], None]) -> None:
    """Add top-level arrays of tables to ``deskframe apply FILE``.

    Call ``register(ApplyTables(name, tables, parse, write))``: the arrays named in
    ``tables`` (``("projects", "timeline")``) are then accepted beside the core's
    ``[[customers]]``, ``[[contracts]]`` ...; ``parse`` validates them before anything is
    written and ``write`` stores them after the core's tables (see
    :class:`~deskframe.extensions.ApplyTables`). An array two plugins claim, or one that is a
    core section, is a plugin error.
    """


# --- resolve hooks --------------------------------------------------------


@hookspec(firstresult=True)
def route_message(message: InboundMessage, directory: DirectoryView) -> Route | None:
    """Decide the customer, contact, contract and queue of a new inbound message.

    Return a :class:`~deskframe.model.Route` or ``None`` to let the next plugin
    (and finally the core's default: sender e-mail -> contact -> customer,
    else sender domain -> customer, else the unknown queue) decide.
    """


@hookspec(firstresult=True)
def classify_priority(message: InboundMessage, route: Route) -> str | None:
    """Return the priority (``P1`` .. ``P4``) of a new ticket, or ``None``.

    The core's default is the route's priority, else the configured default.
    """


# --- collect hooks -------------------------------------------------------


@hookspec
def outbound_messages(hook: str, event: Any, view: ChangeView) -> list[OutboundMessage] | None:
    """Return the messages a change causes; they are enqueued in the change's own transaction.

    Called once per event of a change, inside its transaction and before it commits: ``hook``
    is the notify hook the event is for (``ticket_opened``, ``article_added``,
    ``ticket_changed``, ``sla_warning``, ``sla_breached``, ``invoice_issued``) and ``event``
    the same frozen value that hook receives after the commit. ``view``
    (:class:`~deskframe.outbound.ChangeView`) reads the data as of this transaction: the
    ticket, its customer's contacts, the owner agent, the queue's agents, SLA due times, blobs,
    and the messages already in the outbox (for caps and rate limits).

    Return :class:`~deskframe.outbound.OutboundMessage` values (or ``None``/``[]``); never send
    from here and never call the desk's services (the change's transaction is open). If the change
    rolls back, so do its messages. An exception is logged with the plugin's name and recorded
    like a notify hook's failure; the change and the other plugins' messages still commit.
    """


@hookspec
def contract_param_problems(params: dict[str, Any]) -> list[tuple[str, str]] | None:
    """Return what is wrong with the ``params`` keys this plugin reads, as ``(key, problem)`` pairs.

    Called for every contract written by ``apply`` or ``contract add`` (before anything is
    stored); each pair becomes an error naming ``contracts[i].params.KEY`` (exit 2). Check only
    the keys your plugin owns (``report_every``, ``report_to`` ...) and return ``None`` or ``[]``
    when they are fine or absent.
    """


@hookspec
def customer_sections(desk: Desk, customer: str, actor: Actor, language: str, portal: bool) -> list[PageSection] | None:
    """Return sections a plugin adds to a customer's page: :class:`~deskframe.extensions.PageSection` values.

    Called when the agent page ``/customers/{key}`` (``portal`` False) or the portal's ticket
    list of a contact at customer ``customer`` (``portal`` True) is rendered, outside any
    transaction, for ``actor`` (the logged-in agent or contact) in page language ``language``
    (``en``/``ru``). Decide what ``actor`` may see through :mod:`deskframe.policy`, e.g.
    ``desk.directory.may_read_account(customer, actor=actor)`` (agents, and the customer's
    ``customer_admin`` contacts), and return ``None`` or ``[]`` to show nothing. A section has a
    title and links (text the core escapes), or ``html`` the plugin rendered with its own
    autoescaping template (:class:`markupsafe.Markup`). A plugin that raises is logged and left
    out; the page still renders. The pages a link leads to are the plugin's own routes
    (``register_routes``); :func:`deskframe.web.pages.sections.request_actor` tells such a route
    who is logged in, and it answers 404 to anyone the policy does not let read them.
    """


# --- notify hooks ---------------------------------------------------------


@hookspec
def ticket_opened(event: TicketOpened, desk: Desk) -> None:
    """A ticket was created (by intake, CLI, import ...)."""


@hookspec
def article_added(event: ArticleAdded, desk: Desk) -> None:
    """An article was added; an outbound one is the channel plugin's to deliver."""


@hookspec
def ticket_changed(event: TicketChanged, desk: Desk) -> None:
    """A ticket's state, priority, owner, lock, queue, line or customer changed, or it was merged."""


@hookspec
def sla_warning(event: SlaEvent, desk: Desk) -> None:
    """An SLA clock reached its warning point (fired once per clock)."""


@hookspec
def sla_breached(event: SlaEvent, desk: Desk) -> None:
    """An SLA clock passed its due time unmet (fired once per clock)."""


@hookspec
def invoice_issued(event: InvoiceIssued, desk: Desk) -> None:
    """An invoice was issued (fired once per invoice)."""
