"""deskframe: a thin core for a technical-support service assembled from plugins.

A plugin needs only what this module exports: the :data:`hookimpl` marker, the
descriptors it registers and the domain values it receives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names below are, for type checkers; at run time they load on first use
    import pluggy

    from .actors import Actor
    from .errors import (
        BadValue,
        ConfigError,
        DeskframeError,
        DomainError,
        Forbidden,
        NotFound,
        PluginError,
        TicketLocked,
    )
    from .events import ArticleAdded, InvoiceIssued, SlaEvent, TicketChanged, TicketOpened
    from .extensions import (
        ApplyTables,
        Channel,
        ChannelType,
        ConfigSection,
        Importer,
        Job,
        OutputFormat,
        PageLink,
        PageSection,
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
        PluginRecord,
        Queue,
        Route,
        Ticket,
        TimeEntry,
        Unparseable,
    )
    from .money import Money
    from .outbound import ChangeView, Delivery, DeliveryError, OutboundAttachment, OutboundMessage, OutboxEntry
    from .periods import Period
    from .tables import TableReader
    from .web.api.routing import ApiRoute, Param

    #: Marker for hook implementations: ``@deskframe.hookimpl``.
    hookimpl: pluggy.HookimplMarker

__version__ = "0.1.0"

#: Public name -> the module that defines it. Importing ``deskframe`` stays cheap (``deskframe --version``
#: must not pay for attrs, pluggy or the domain model); each name is imported on first use (PEP 562).
_EXPORTS = {
    **dict.fromkeys(
        (
            "BadValue",
            "ConfigError",
            "DeskframeError",
            "DomainError",
            "Forbidden",
            "NotFound",
            "PluginError",
            "TicketLocked",
        ),
        "errors",
    ),
    **dict.fromkeys(("ArticleAdded", "InvoiceIssued", "SlaEvent", "TicketChanged", "TicketOpened"), "events"),
    **dict.fromkeys(
        (
            "ApplyTables",
            "Channel",
            "ChannelType",
            "ConfigSection",
            "Importer",
            "Job",
            "OutputFormat",
            "PageLink",
            "PageSection",
            "PricingModelType",
            "Recommendation",
            "ReportRule",
            "SlaPolicyType",
        ),
        "extensions",
    ),
    **dict.fromkeys(
        (
            "PRIORITY_LEVELS",
            "Agent",
            "Article",
            "Attachment",
            "Contact",
            "Contract",
            "Customer",
            "HistoryEntry",
            "InboundAttachment",
            "InboundMessage",
            "IntakeResult",
            "PluginRecord",
            "Queue",
            "Route",
            "Ticket",
            "TimeEntry",
            "Unparseable",
        ),
        "model",
    ),
    **dict.fromkeys(
        ("ChangeView", "Delivery", "DeliveryError", "OutboundAttachment", "OutboundMessage", "OutboxEntry"),
        "outbound",
    ),
    "Actor": "actors",
    "Money": "money",
    "Period": "periods",
    "TableReader": "tables",
    "ApiRoute": "web.api.routing",
    "Param": "web.api.routing",
}


def __getattr__(name: str) -> Any:
    """The public names, each imported from its module on first use (and then kept in this module)."""
    if name == "hookimpl":
        from .markers import hookimpl as value
    elif name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "PRIORITY_LEVELS",
    "Actor",
    "Agent",
    "ApiRoute",
    "ApplyTables",
    "Article",
    "ArticleAdded",
    "Attachment",
    "BadValue",
    "ChangeView",
    "Channel",
    "ChannelType",
    "ConfigError",
    "ConfigSection",
    "Contact",
    "Contract",
    "Customer",
    "Delivery",
    "DeliveryError",
    "DeskframeError",
    "DomainError",
    "Forbidden",
    "HistoryEntry",
    "Importer",
    "InboundAttachment",
    "InboundMessage",
    "IntakeResult",
    "InvoiceIssued",
    "Job",
    "Money",
    "NotFound",
    "OutboundAttachment",
    "OutboundMessage",
    "OutboxEntry",
    "OutputFormat",
    "PageLink",
    "PageSection",
    "Param",
    "Period",
    "PluginError",
    "PluginRecord",
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
