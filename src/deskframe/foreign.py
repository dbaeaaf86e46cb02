"""Public access for importers to another system's database (see :class:`ForeignDatabase`)."""

from .store.foreign import ForeignDatabase

__all__ = ["ForeignDatabase"]
