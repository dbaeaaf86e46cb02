"""deskframe: a thin core for a technical-support service assembled from plugins.

A plugin needs only what this module exports: the :data:`hookimpl` marker, the
descriptors it registers and the domain values it receives.
"""

from __future__ import annotations

import pluggy

from .errors import BadValue, ConfigError, DeskframeError, DomainError, NotFound, PluginError, TicketLocked
from .events import ArticleAdded, InvoiceIssued, SlaEvent, TicketChanged, TicketOpened
from .extensions import (
    Channel,
    ChannelType,
    ConfigSection,
    Importer,
    OutputFormat,
    PricingModelType,
    Recommendation,
    ReportRule,
    SlaPolicyType,
)
from .model import (
    PRIORITY_LEVELS,
    Agent,
    Article,
    Attachment,
    Contact,
    Contract,
    Customer,
    HistoryEntry,
    InboundAttachment,
    InboundMessage,
    IntakeResult,
    Queue,
    Route,
    Ticket,
    TimeEntry,
    Unparseable,
)
from .money import Money
from .tables import TableReader

__version__ = "0.1.0"

#: Marker for hook implementations: ``@deskframe.hookimpl``.
hookimpl = pluggy.HookimplMarker("deskframe")

__all__ = [
    "PRIORITY_LEVELS",
    "Agent",
    "Article",
    "ArticleAdded",
    "Attachment",
    "BadValue",
    "Channel",
    "ChannelType",
    "ConfigError",
    "ConfigSection",
    "Contact",
    "Contract",
    "Customer",
    "DeskframeError",
    "DomainError",
    "HistoryEntry",
    "Importer",
    "InboundAttachment",
    "InboundMessage",
    "IntakeResult",
    "InvoiceIssued",
    "Money",
    "NotFound",
    "OutputFormat",
    "PluginError",
    "PricingModelType",
    "Queue",
    "Recommendation",
    "ReportRule",
    "Route",
    "SlaEvent",
    "SlaPolicyType",
    "TableReader",
    "Ticket",
    "TicketChanged",
    "TicketLocked",
    "TicketOpened",
    "TimeEntry",
    "Unparseable",
    "__version__",
    "hookimpl",
]
