"""The plugins' entry points, read without importing :mod:`importlib.metadata` where that is safe.

``deskframe --help`` must list the plugins' commands, so it reads the ``deskframe`` entry-point
group on every run. ``importlib.metadata`` (with the ``email`` package it imports) costs about as
much as the rest of ``--help`` together, so for the usual layout, ``*.dist-info`` and ``*.egg-info``
directories in the directories of ``sys.path``, this module reads ``entry_points.txt`` itself, by
the same rules (first distribution of a name on ``sys.path`` wins; the same text format). Anything
else on the path (a zip file, an import hook that provides distributions) falls back to
``importlib.metadata``. A distribution's name and version are read only when asked for.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from typing import Any

#: ``importlib.metadata.EntryPoint.pattern``: ``module:attr.path [extras]``.
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class EntryPoint:
    """What deskframe uses of :class:`importlib.metadata.EntryPoint`: ``name``, ``value``, ``load()``
    and ``dist`` (the distribution, opened with importlib.metadata when first asked for)."""

    __slots__ = ("_dist_path", "group", "name", "value")

    def __init__(self, name: str, value: str, group: str, dist_path: str):
        self.name = name
        self.value = value
        self.group = group
        self._dist_path = dist_path

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"

    def load(self) -> Any:
        """Import the module and return the object the value names."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"malformed entry point value {self.value!r}")
        module = importlib.import_module(match.group("module"))
        attributes = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attributes, module)

    @property
    def dist(self) -> Any:
        """The :class:`importlib.metadata.Distribution` that declares this entry point."""
        import importlib.metadata
        import pathlib

        return importlib.metadata.PathDistribution(pathlib.Path(self._dist_path))


def _normalize(name: str) -> str:
    """``importlib.metadata.Prepared.normalize``: PEP 503 with underscores."""
    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _plain_layout() -> bool:
    """True if the standard path finder is the only source of distributions and no zip is on the path."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return False
    return not any(entry and os.path.isfile(entry) for entry in sys.path)


def _sections(text: str, group: str) -> list[tuple[str, str]]:
    """The ``name = value`` pairs of section ``[group]`` of an ``entry_points.txt``."""
    pairs, section = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section == group:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def entry_points(group: str) -> list[Any]:
    """The entry points of ``group`` of every installed distribution (as ``importlib.metadata.entry_points``)."""
    if not _plain_layout():
        import importlib.metadata

        return list(importlib.metadata.entry_points(group=group))
    seen: set[str] = set()
    found: list[Any] = []
    for entry in sys.path:
        base = entry or "."
        try:
            children = os.listdir(base)
        except OSError:
            continue
        for child in children:
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            name = _normalize(low.rpartition(".")[0].partition("-")[0])
            if name in seen:
                continue
            seen.add(name)
            path = os.path.join(base, child)
            try:
                with open(os.path.join(path, "entry_points.txt"), encoding="utf-8") as file:
                    text = file.read()
            except OSError:
                continue
            found.extend(EntryPoint(n, v, group, path) for n, v in _sections(text, group))
    return found
