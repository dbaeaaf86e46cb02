"""Storage: the only package that speaks SQL.

:class:`Store` opens the database and hands out :class:`Repository` objects,
one per transaction; nothing outside this package sees a session.

Importing the package is cheap: its names are loaded on first use (PEP 562), so a light
module of the package (:mod:`.urls`, :mod:`.quick_list`: no SQLAlchemy) can be imported
without the ORM, the mapped rows and the repositories (:mod:`.repository`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .blobs import BlobStore, BlobTooLarge
    from .directory_repo import phone_digits
    from .repository import Repository, Store, head_revision

#: Public name -> the submodule that defines it.
_HOMES = {
    "BlobStore": "blobs",
    "BlobTooLarge": "blobs",
    "Repository": "repository",
    "Store": "repository",
    "head_revision": "repository",
    "phone_digits": "directory_repo",
}


def __getattr__(name: str) -> Any:
    """The public name ``name``, imported from its submodule on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included."""
    return sorted([*globals(), *_HOMES])


__all__ = ["BlobStore", "BlobTooLarge", "Repository", "Store", "head_revision", "phone_digits"]
