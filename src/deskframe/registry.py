"""Name -> implementation registries filled by the register hooks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from .errors import PluginError

#: register hook name -> registry kind, and how to read a registered item's name.
REGISTER_HOOKS: dict[str, str] = {
    "register_channel_types": "channel_types",
    "register_sla_policies": "sla_policies",
    "register_pricing_models": "pricing_models",
    "register_output_formats": "output_formats",
    "register_importers": "importers",
    "register_commands": "commands",
    "register_routes": "routes",
    "register_config_sections": "config_sections",
    "register_report_rules": "report_rules",
}


def item_name(kind: str, item: Any) -> str:
    """The name an item is registered under (a route's path, otherwise ``.name``)."""
    if kind == "routes":
        name = getattr(item, "path", None)
    else:
        name = getattr(item, "name", None)
    if not isinstance(name, str) or not name:
        raise PluginError(f"a registered {kind} item has no name: {item!r}")
    return name


@attrs.define
class Registered:
    """One registered item and the plugin that registered it."""

    kind: str
    name: str
    item: Any
    plugin: str


@attrs.define
class Registry:
    """Everything the plugins registered, by kind and name.

    Two plugins registering the same name of the same kind is an error naming
    both. Built once per process by :func:`deskframe.plugins.build_registry`.
    """

    _items: dict[str, dict[str, Registered]] = attrs.field(factory=dict)

    def add(self, kind: str, item: Any, *, plugin: str) -> None:
        name = item_name(kind, item)
        bucket = self._items.setdefault(kind, {})
        if name in bucket:
            first = bucket[name].plugin
            raise PluginError(
                f"{kind[:-1].replace('_', ' ')} '{name}' is registered by both plugin '{first}' and plugin '{plugin}'"
            )
        bucket[name] = Registered(kind, name, item, plugin)

    def get(self, kind: str, name: str) -> Any | None:
        entry = self._items.get(kind, {}).get(name)
        return entry.item if entry else None

    def names(self, kind: str) -> list[str]:
        return sorted(self._items.get(kind, {}))

    def items(self, kind: str) -> list[Any]:
        """Registered items of ``kind`` in registration order (routes match in this order)."""
        return [entry.item for entry in self._items.get(kind, {}).values()]

    def __iter__(self) -> Iterator[Registered]:
        for bucket in self._items.values():
            yield from bucket.values()

    def by_plugin(self, plugin: str) -> dict[str, list[str]]:
        """What ``plugin`` registered: kind -> sorted names."""
        out: dict[str, list[str]] = {}
        for entry in self:
            if entry.plugin == plugin:
                out.setdefault(entry.kind, []).append(entry.name)
        return {k: sorted(v) for k, v in sorted(out.items())}
