"""Plugin-owned records in the database (table ``plugin_records``, migration 0017).

Values are JSON objects stored as text: the store neither knows nor checks their shape,
only that they are objects. Lists are ordered by key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..model import PluginRecord
from .record_rows import PluginRecordRow


def _view(row: PluginRecordRow) -> PluginRecord:
    return PluginRecord(
        plugin=row.plugin,
        kind=row.kind,
        key=row.key,
        data=json.loads(row.data),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class RecordRepo:
    """Plugin records inside one transaction (a mixin of :class:`deskframe.store.Repository`)."""

    session: Session
    now: dt.datetime

    def _record_row(self, plugin: str, kind: str, key: str) -> PluginRecordRow | None:
        return self.session.scalar(
            select(PluginRecordRow).where(
                PluginRecordRow.plugin == plugin, PluginRecordRow.kind == kind, PluginRecordRow.key == key
            )
        )

    def get_record(self, plugin: str, kind: str, key: str) -> PluginRecord | None:
        """The record, or None."""
        row = self._record_row(plugin, kind, key)
        return _view(row) if row else None

    def list_records(self, plugin: str, kind: str, prefix: str | None = None) -> list[PluginRecord]:
        """The plugin's records of ``kind`` (keys starting with ``prefix``), by key."""
        query = select(PluginRecordRow).where(PluginRecordRow.plugin == plugin, PluginRecordRow.kind == kind)
        if prefix:
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(PluginRecordRow.key.like(escaped + "%", escape="\\"))
        return [_view(r) for r in self.session.scalars(query.order_by(PluginRecordRow.key))]

    def put_record(
        self, plugin: str, kind: str, key: str, data: dict[str, Any], actor: str
    ) -> tuple[PluginRecord, bool]:
        """Create or replace the record's data; ``(record, created)``."""
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        row = self._record_row(plugin, kind, key)
        created = row is None
        if row is None:
            row = PluginRecordRow(
                plugin=plugin,
                kind=kind,
                key=key,
                data=text,
                created_at=self.now,
                created_by=actor,
                updated_at=self.now,
                updated_by=actor,
            )
            self.session.add(row)
        elif row.data != text:
            row.data, row.updated_at, row.updated_by = text, self.now, actor
        self.session.flush()
        return _view(row), created

    def delete_record(self, plugin: str, kind: str, key: str) -> bool:
        """Delete the record; False when there was none."""
        result = self.session.execute(
            delete(PluginRecordRow).where(
                PluginRecordRow.plugin == plugin, PluginRecordRow.kind == kind, PluginRecordRow.key == key
            )
        )
        return bool(getattr(result, "rowcount", 0))
