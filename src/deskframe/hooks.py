"""A typed facade over the plugin manager: core code never calls ``pm.hook`` untyped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import attrs
import pluggy

from .model import InboundMessage, Route

if TYPE_CHECKING:
    from .actors import Actor
    from .desk import Desk
    from .directory import DirectoryView
    from .outbound import ChangeView, OutboundMessage

log = logging.getLogger("deskframe.plugins")


@attrs.frozen
class HookFailure:
    """A notify hook implementation that raised."""

    plugin: str
    hook: str
    error: str


class Hooks:
    """One method per resolve/notify hook."""

    def __init__(self, pm: pluggy.PluginManager):
        self._pm = pm

    def wants(self, hook: str) -> bool:
        """True if any plugin implements notify hook ``hook`` or the ``outbound_messages`` collect
        hook, which receives every event (events are built only then)."""
        return bool(getattr(self._pm.hook, hook).get_hookimpls() or self._pm.hook.outbound_messages.get_hookimpls())

    def collects(self) -> bool:
        """True if any plugin implements the ``outbound_messages`` collect hook."""
        return bool(self._pm.hook.outbound_messages.get_hookimpls())

    def route_message(self, message: InboundMessage, directory: DirectoryView) -> Route:
        """The first plugin's route, with the fields it left ``None`` filled by the core's default."""
        from . import defaults

        route: Route | None = None
        for impl in reversed(self._pm.hook.route_message.get_hookimpls()):
            if impl.plugin is defaults:
                continue
            # pluggy types implementations as returning object; the hookspec promises a Route or None
            route = cast("Route | None", impl.function(message=message, directory=directory))
            if route is not None:
                break
        default = defaults.route_message(message=message, directory=directory)
        if route is None:
            return default
        missing = {f.name: getattr(default, f.name) for f in attrs.fields(Route) if getattr(route, f.name) is None}
        if "customer" not in missing and route.customer is not None and route.customer != default.customer:
            missing.pop("contract", None)  # the default contract belongs to the default customer
            if route.contract is None and directory.customer(route.customer) is not None:
                contract = directory.active_contract(route.customer)
                missing["contract"] = contract.key if contract else None
        return attrs.evolve(route, **missing)

    def contract_param_problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        """Every plugin's ``(key, problem)`` pairs about a contract's ``params``."""
        found: list[tuple[str, str]] = []
        for answer in self._pm.hook.contract_param_problems(params=params):
            found.extend(answer or [])
        return found

    def customer_sections(self, desk: Desk, customer: str, actor: Actor, language: str, portal: bool) -> list[Any]:
        """Every plugin's :class:`~deskframe.extensions.PageSection` values for a customer's page, in
        plugin order; a plugin that raises is logged and left out."""
        found: list[Any] = []
        for impl in reversed(self._pm.hook.customer_sections.get_hookimpls()):
            try:
                returned = impl.function(desk=desk, customer=customer, actor=actor, language=language, portal=portal)
                found.extend(cast("list[Any]", returned or []))
            except Exception as exc:  # a plugin's bug must not take the page down
                log.exception(
                    "plugin '%s' failed in customer_sections: %s: %s", impl.plugin_name, type(exc).__name__, exc
                )
        return found

    def classify_priority(self, message: InboundMessage, route: Route) -> str | None:
        return self._pm.hook.classify_priority(message=message, route=route)

    def notify(self, hook: str, event: Any, desk: Desk) -> list[HookFailure]:
        """Call every implementation of notify hook ``hook``; one failing does not stop the rest."""
        failures = []
        for impl in reversed(getattr(self._pm.hook, hook).get_hookimpls()):
            try:
                impl.function(event=event, desk=desk)
            except Exception as exc:  # a plugin's bug must not undo the committed change
                log.exception("plugin '%s' failed in %s: %s: %s", impl.plugin_name, hook, type(exc).__name__, exc)
                failures.append(HookFailure(impl.plugin_name, hook, f"{type(exc).__name__}: {exc}"))
        return failures

    def outbound_messages(
        self, hook: str, event: Any, view: ChangeView, enqueue: Callable[[list[OutboundMessage]], Any]
    ) -> list[HookFailure]:
        """Ask every plugin for the messages one event of a change causes (the collect hook) and
        hand each plugin's messages to ``enqueue`` before asking the next (so a later plugin sees
        them in ``view``). A plugin that raises or returns something else than messages is logged
        and returned as a failure, never raised."""
        from .outbound import fixed

        failures = []
        for impl in reversed(self._pm.hook.outbound_messages.get_hookimpls()):
            try:
                returned = impl.function(hook=hook, event=event, view=view)
                if returned is None:
                    continue
                found = [fixed(m) for m in cast("list[OutboundMessage]", returned)]
            except Exception as exc:  # a plugin's bug must not stop the change or the other plugins
                log.exception(
                    "plugin '%s' failed in outbound_messages(%s): %s: %s",
                    impl.plugin_name,
                    hook,
                    type(exc).__name__,
                    exc,
                )
                failures.append(HookFailure(impl.plugin_name, "outbound_messages", f"{type(exc).__name__}: {exc}"))
                continue
            if found:
                enqueue(found)
        return failures
