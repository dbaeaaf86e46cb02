"""Rows of plugin-owned records (migration 0017): one table any plugin keeps its data in.

A record is ``(plugin, kind, key) -> JSON data`` with who wrote it and when. Plugins do not
add tables of their own; they reach this one through :class:`deskframe.plugin_state.PluginRecords`
(``desk.records("name")``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .rows import Base, FreeText

#: The longest plugin name, record kind and record key.
PLUGIN_LENGTH, KIND_LENGTH, KEY_LENGTH = 100, 50, 200


class PluginRecordRow(Base):
    """One plugin-owned record; ``data`` is a JSON object (text)."""

    __tablename__ = "plugin_records"
    __table_args__ = (UniqueConstraint("plugin", "kind", "key", name="uq_plugin_records_plugin_kind_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin: Mapped[str] = mapped_column(String(PLUGIN_LENGTH))
    kind: Mapped[str] = mapped_column(String(KIND_LENGTH))
    key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    data: Mapped[str] = mapped_column(FreeText())
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(FreeText())
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(FreeText())
