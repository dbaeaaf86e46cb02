"""Name -> implementation registries filled by the register hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

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
    "register_jobs": "jobs",
    "register_deliveries": "deliveries",
    "register_apply_tables": "apply_tables",
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


class Registered:
    """One registered item and the plugin that registered it."""

    __slots__ = ("item", "kind", "name", "plugin")

    def __init__(self, kind: str, name: str, item: Any, plugin: str):
        self.kind = kind
        self.name = name
        self.item = item
        self.plugin = plugin

    def __repr__(self) -> str:
        return f"Registered(kind={self.kind!r}, name={self.name!r}, item={self.item!r}, plugin={self.plugin!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Registered):
            return NotImplemented
        return (self.kind, self.name, self.item, self.plugin) == (other.kind, other.name, other.item, other.plugin)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the attrs class it was


class Registry:
    """Everything the plugins registered, by kind and name.

    Two plugins registering the same name of the same kind is an error naming
    both. Built once per process by :func:`deskframe.plugins.build_registry`.

    With a ``loader``, a kind is filled on first use: ``loader(kind)`` calls that kind's register
    hook, so ``deskframe --help`` never builds (or imports) what only ``deskframe serve`` uses.
    (A plain class, not attrs: ``deskframe --help`` builds one and must not import attrs.)
    """

    def __init__(
        self, items: dict[str, dict[str, Registered]] | None = None, *, loader: Callable[[str], None] | None = None
    ):
        self._items: dict[str, dict[str, Registered]] = items if items is not None else {}
        self._loader = loader
        self._loaded: set[str] = set()

    def __repr__(self) -> str:
        return f"Registry({self._items!r})"

    def _load(self, kind: str) -> None:
        if self._loader is not None and kind not in self._loaded:
            self._loaded.add(kind)
            self._loader(kind)

    def load_all(self) -> None:
        """Fill every kind now (a registry without a loader is always full)."""
        for kind in REGISTER_HOOKS.values():
            self._load(kind)

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
        self._load(kind)
        entry = self._items.get(kind, {}).get(name)
        return entry.item if entry else None

    def names(self, kind: str) -> list[str]:
        self._load(kind)
        return sorted(self._items.get(kind, {}))

    def items(self, kind: str) -> list[Any]:
        """Registered items of ``kind`` in registration order (routes match in this order)."""
        self._load(kind)
        return [entry.item for entry in self._items.get(kind, {}).values()]

    def __iter__(self) -> Iterator[Registered]:
        self.load_all()
        for bucket in self._items.values():
            yield from bucket.values()

    def by_plugin(self, plugin: str) -> dict[str, list[str]]:
        """What ``plugin`` registered: kind -> sorted names."""
        out: dict[str, list[str]] = {}
        for entry in self:
            if entry.plugin == plugin:
                out.setdefault(entry.kind, []).append(entry.name)
        return {k: sorted(v) for k, v in sorted(out.items())}
