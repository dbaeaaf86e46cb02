"""What plugins register: small descriptors the core keeps in its registry.

Each descriptor has a ``name``; the core rejects two plugins registering the
same name of the same kind and remembers which plugin gave what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    import click

    from .actors import Actor
    from .desk import Desk
    from .model import InboundMessage, IntakeResult, Unparseable


@runtime_checkable
class Channel(Protocol):
    """A configured intake channel instance.

    ``fetch`` yields messages; the core calls ``ack`` for each only after the
    message's ticket change has been committed, so a crash before ``ack`` means
    the message is fetched again and deduplicated, never lost. An optional
    ``batch_size`` above 1 lets the core commit that many messages per
    transaction; such a channel must accept ``ack`` after its ``fetch`` iterator
    is exhausted (until the next ``fetch``). An optional ``poll_interval``
    (seconds) is how often ``deskframe intake run`` polls it (else its
    ``--interval``). A source that cannot be reached raises
    :class:`deskframe.errors.ChannelUnavailable` from ``fetch`` or ``ack``: the
    core reports it and polls the channel again at its next turn.
    """

    name: str

    def fetch(self) -> Iterable[InboundMessage | Unparseable]: ...

    def ack(self, message: InboundMessage, result: IntakeResult) -> None: ...


@attrs.frozen
class ChannelType:
    """A kind of intake channel (``email``, ``chat``, ``phone`` ...).

    ``build(table, desk)`` validates one ``[[channels]]`` table and returns a
    :class:`Channel`; it raises :class:`deskframe.errors.ConfigError` with a key
    relative to the table on bad input. ``validate(table)`` checks a table without
    building it (used at start-up); by default the core calls nothing more than
    the name check. ``parse(raw, table)`` turns kept raw bytes back into an
    :class:`~deskframe.model.InboundMessage` (used by ``intake quarantine retry``).
    """

    name: str
    build: Callable[[dict[str, Any], Desk], Channel]
    validate: Callable[[dict[str, Any]], Any] | None = None
    parse: Callable[[bytes, dict[str, Any]], InboundMessage] | None = None
    description: str = ""


@attrs.frozen
class SlaPolicyType:
    """A kind of SLA policy; ``build(table)`` turns a ``[sla.NAME]`` table into a policy."""

    name: str
    build: Callable[[dict[str, Any]], Any]
    description: str = ""


@attrs.frozen
class PricingModelType:
    """A kind of pricing model; ``build(table)`` turns a ``[pricing.NAME]`` table into a model."""

    name: str
    build: Callable[[dict[str, Any]], Any]
    description: str = ""


@attrs.frozen
class OutputFormat:
    """An output format: ``render(kind, data)`` returns text or bytes of ``media_type``.

    ``kinds`` lists what it renders (``invoice``, ``invoices``, ``report`` ...).
    ``options`` names the keyword arguments ``render`` accepts from the core:
    ``locale`` (``[billing] locale``), ``timezone`` (``[desk] timezone``), ``agent_label``
    and ``payment_terms_days`` (``[billing]``).
    """

    name: str
    media_type: str
    render: Callable[..., str | bytes]
    kinds: tuple[str, ...] = ("invoice",)
    description: str = ""
    options: tuple[str, ...] = ()


@attrs.frozen
class Importer:
    """An importer of another system's data, mounted as ``deskframe import NAME``."""

    name: str
    command: click.Command
    description: str = ""


@attrs.frozen
class ConfigSection:
    """A top-level config table a plugin owns.

    ``validate(value)`` checks the table alone and returns what the plugin keeps
    (in ``config.sections[name]``); ``check(validated, config)``, if given, runs
    after the whole file is parsed to check references into other tables (a
    calendar name, an agent). Both raise ConfigError with keys relative to the table.
    """

    name: str
    validate: Callable[[Any], Any]
    check: Callable[[Any, Any], None] | None = None
    description: str = ""


@attrs.frozen
class ApplyTables:
    """Top-level arrays of tables a plugin adds to ``deskframe apply FILE`` (``[[projects]]`` ...).

    ``tables`` names the arrays it owns (none may be a core section or another plugin's).
    ``apply`` calls ``parse(desk, tables, known_customer)`` with ``{name: [raw table, ...]}`` (an
    absent array is ``[]``) before writing anything: it validates and returns what ``write``
    needs, raising :class:`~deskframe.errors.ConfigError` with keys such as ``"projects[1].id"``
    (:class:`~deskframe.tables.TableReader` builds them); ``known_customer(key)`` is true for a
    customer stored or in the same file. After the core's tables are written (one transaction),
    ``write(desk, parsed, actor)`` writes the plugin's and returns counts such as
    ``{"projects created": 1}``; it is not called when every array is empty. Applying the same
    file twice must change nothing the second time.
    """

    name: str
    tables: tuple[str, ...]
    parse: Callable[[Desk, dict[str, list[Any]], Callable[[str], bool]], Any]
    write: Callable[[Desk, Any, Actor], Mapping[str, int]]
    description: str = ""


@attrs.frozen
class Recommendation:
    """Advice a report rule gives, and the figure that triggered it.

    ``text`` is the advice as an English message id (a report translates it through its
    catalog; a text it has no translation for is shown as given). ``figure`` names the
    figure (``breached_share``), ``value`` is its value in this report and ``threshold``
    the limit it crossed, both as shown to the reader (``"25%"``, ``"> 10%"``).
    """

    rule: str
    text: str
    figure: str
    value: str
    threshold: str = ""


@attrs.frozen
class ReportRule:
    """A recommendation rule of customer reports.

    ``check(report)`` receives the figures of one report (the ``deskframe_reports``
    plugin's ``CustomerReport``, documented in docs/reports.md) and returns the
    :class:`Recommendation` objects it triggers (an empty list when none).
    """

    name: str
    check: Callable[[Any], Iterable[Recommendation]]
    description: str = ""


@attrs.frozen
class Job:
    """A scheduled job of ``deskframe worker`` (a report sent every month, a clean-up every night).

    ``run(desk)`` does one run and returns what it did as counts (``{"sent": 3}``, shown on the
    worker's line for the run) or ``None``. It is run every ``every`` (a positive
    :class:`~datetime.timedelta`) by whichever worker finds it due first: workers sharing one
    PostgreSQL record each run in the database, so a run happens once per period however many
    workers there are, and never twice at the same time. A run that raises is reported with the
    job's name and tried again at its next turn; a worker asked to stop lets a run finish.
    """

    name: str
    every: dt.timedelta
    run: Callable[[Desk], Mapping[str, int] | None]
    description: str = ""


@attrs.frozen
class PageLink:
    """One link of a :class:`PageSection`: ``label`` (text, escaped) to ``url``; ``note`` is a muted remark."""

    label: str
    url: str
    note: str = ""


def _links(value: Iterable[PageLink]) -> tuple[PageLink, ...]:
    return tuple(value)


@attrs.frozen
class PageSection:
    """What a plugin adds to a customer's page (``customer_sections`` hook): a titled section.

    ``name`` becomes the section's ``id`` (``section-NAME``); ``title`` and the ``links`` are text
    the core escapes; ``empty`` is shown when there are no links and no ``html``. ``html`` is
    markup the plugin rendered itself with an autoescaping template and returned as
    :class:`markupsafe.Markup`; a plain ``str`` is escaped like any text.
    """

    name: str
    title: str
    links: tuple[PageLink, ...] = attrs.field(default=(), converter=_links)
    html: str = ""
    empty: str = ""
