"""Building the plugin manager: explicit, per run, never at import time."""

from __future__ import annotations

import difflib
import functools
import importlib
import os
from collections.abc import Iterable
from typing import Any

import pluggy

from . import entrypoints, hookspecs
from .errors import PluginError
from .registry import REGISTER_HOOKS, Registry

#: The entry-point group plugins (reference and third-party alike) register under.
ENTRY_POINT_GROUP = "deskframe"
#: Modules inside the core that are registered like plugins (datasette's DEFAULT_PLUGINS).
DEFAULT_PLUGINS = ("deskframe.defaults",)
#: Comma-separated plugin names to skip, e.g. a broken third-party plugin.
DISABLE_ENV = "DESKFRAME_DISABLE_PLUGINS"


class PluginInfo:
    """A loaded plugin: its name, and where it came from.

    ``distribution`` and ``version`` are read from the installed metadata when first asked for
    (``deskframe plugins``, an error message), not when the plugin is loaded: parsing every
    plugin's METADATA is a large part of ``deskframe --help`` otherwise. (A plain class, not
    attrs, for the same reason.)
    """

    __slots__ = ("_dist", "builtin", "module", "name")

    def __init__(
        self,
        name: str,
        module: str,
        distribution: str | None = None,
        version: str | None = None,
        builtin: bool = False,
        *,
        entry_point: Any = None,
    ):
        self.name = name
        self.module = module
        self.builtin = builtin
        self._dist: Any = (  # (distribution, version), or the entry point to read them from
            entry_point if entry_point is not None else (distribution, version)
        )

    def _origin(self) -> tuple[str | None, str | None]:
        if not isinstance(self._dist, tuple):
            self._dist = _dist_of(self._dist) if self._dist is not None else (None, None)
        return self._dist

    @property
    def distribution(self) -> str | None:
        """The distribution (``pip`` name) that installed the plugin, if known."""
        return self._origin()[0]

    @property
    def version(self) -> str | None:
        """That distribution's version, if known."""
        return self._origin()[1]

    def _key(self) -> tuple[Any, ...]:
        return (self.name, self.module, self.distribution, self.version, self.builtin)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginInfo):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"PluginInfo(name={self.name!r}, module={self.module!r}, distribution={self.distribution!r}, "
            f"version={self.version!r}, builtin={self.builtin!r})"
        )


class Plugins:
    """The plugin manager of one run, what it loaded, and what they registered."""

    def __init__(self, pm: pluggy.PluginManager, infos: list[PluginInfo], registry: Registry):
        self.pm = pm
        self.infos = infos
        self.registry = registry

    def __repr__(self) -> str:
        return f"Plugins(infos={self.infos!r})"

    def hook_names(self, name: str) -> list[str]:
        """Names of the hooks plugin ``name`` implements."""
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(c.name for c in self.pm.get_hookcallers(plugin) or [])

    def implements(self, hook: str) -> bool:
        """True if any plugin implements ``hook`` (asks no plugin to register anything)."""
        return bool(getattr(self.pm.hook, hook).get_hookimpls())


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows the hook specifications and nothing else."""
    pm = pluggy.PluginManager("deskframe")
    pm.add_hookspecs(hookspecs)
    return pm


def _dist_of(ep: Any) -> tuple[str | None, str | None]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def _register(pm: pluggy.PluginManager, module: Any, name: str) -> None:
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin '{name}': {' '.join(str(exc).split())}") from None
    except ValueError as exc:  # a second plugin under the same name
        raise PluginError(f"plugin '{name}': {exc}") from None


def load_entry_points(pm: pluggy.PluginManager, blocked: Iterable[str] = ()) -> list[PluginInfo]:
    """Import and register every plugin of the ``deskframe`` entry-point group.

    A plugin that fails to import is reported by name with its error.
    """
    infos: list[PluginInfo] = []
    skip = set(blocked)
    for ep in sorted(entrypoints.entry_points(ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in skip:
            continue
        if pm.get_plugin(ep.name) is not None:
            dist, _ = _dist_of(ep)
            first = next((i for i in infos if i.name == ep.name), None)
            if first is not None and first.distribution == dist and first.module == ep.value:
                continue  # the same plugin seen twice (duplicate metadata of one install)
            other = f"distribution {first.distribution}" if first and first.distribution else "the core"
            raise PluginError(f"plugin name '{ep.name}' of distribution {dist} is already used by {other}")
        try:
            module = ep.load()
        except Exception as exc:  # any import-time failure of third-party code
            dist, version = _dist_of(ep)
            origin = f" (distribution {dist} {version})" if dist else ""
            raise PluginError(f"plugin '{ep.name}'{origin} failed to import: {type(exc).__name__}: {exc}") from None
        _register(pm, module, ep.name)
        infos.append(PluginInfo(ep.name, ep.value, entry_point=ep))
    return infos


def check_hooks(pm: pluggy.PluginManager) -> None:
    """Fail on a hook implementation that matches no specification, naming the plugin."""
    known = sorted(pm.hook.__dict__)
    for name, caller in sorted(pm.hook.__dict__.items()):
        if caller.spec is not None:
            continue
        for impl in caller.get_hookimpls():
            close = difflib.get_close_matches(name, [k for k in known if pm.hook.__dict__[k].spec], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise PluginError(f"plugin '{impl.plugin_name}' implements unknown hook '{name}'{hint}")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(" ".join(str(exc).split())) from None


def build_registry(pm: pluggy.PluginManager, *, lazy: bool = False) -> Registry:
    """Call every register hook, plugin by plugin, so each item is attributed.

    With ``lazy``, each kind's hook is called when that kind is first read (the CLI: a command
    pays only for the kinds it uses, and a plugin's failing hook is reported by the command that
    needs it); otherwise every hook is called now, and a failing one raises here.
    """
    hook_of = {kind: hook_name for hook_name, kind in REGISTER_HOOKS.items()}

    def fill(kind: str) -> None:
        hook_name = hook_of[kind]
        for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):  # registration order
            register = functools.partial(registry.add, kind, plugin=impl.plugin_name)
            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin '{impl.plugin_name}' failed in {hook_name}: {type(exc).__name__}: {exc}"
                ) from None

    registry = Registry(loader=fill)
    if not lazy:
        registry.load_all()
    return registry


def build_plugins(
    *,
    entry_points: bool = True,
    extra: Iterable[tuple[str, Any]] = (),
    blocked: Iterable[str] | None = None,
    lazy: bool = False,
) -> Plugins:
    """Build the plugin manager of one run.

    Loads the core's default plugins, the ``deskframe`` entry points (unless
    ``entry_points`` is false) and any ``extra`` (name, plugin object) pairs,
    checks every hook implementation, then fills the registry (with ``lazy``, each kind on
    first use: see :func:`build_registry`).
    """
    if blocked is None:
        blocked = [n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()]
    pm = new_plugin_manager()
    infos: list[PluginInfo] = []
    for module_name in DEFAULT_PLUGINS:
        _register(pm, importlib.import_module(module_name), module_name)
        infos.append(PluginInfo(module_name, module_name, "deskframe", _own_version(), builtin=True))
    if entry_points:
        infos.extend(load_entry_points(pm, blocked))
    for name, plugin in extra:
        _register(pm, plugin, name)
        infos.append(PluginInfo(name, getattr(plugin, "__name__", type(plugin).__name__), None, None))
    check_hooks(pm)
    return Plugins(pm, infos, build_registry(pm, lazy=lazy))


def _own_version() -> str:
    from . import __version__

    return __version__
