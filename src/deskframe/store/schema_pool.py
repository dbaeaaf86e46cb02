"""Emptied PostgreSQL schemas kept for the next test desk (used by :class:`.schema_templates.SchemaTemplates`).

Making a migrated schema on PostgreSQL means creating some forty tables, sixty indexes,
functions and triggers, and dropping them all again when the test ends: most of a small
test's time. A schema a test has finished with is instead emptied and kept, when that is
certainly safe, and the next desk of the same kind gets it under its own name:

* its catalog rows (tables, columns, indexes, constraints, triggers, functions, types,
  sequences...) must be exactly those it had when the test got it: every DDL statement
  inserts, deletes or rewrites such a row, which changes its ``ctid`` or ``xmin``;
* no other connection may hold a lock in it (a process the test left running);
* then, in one transaction, every table that has rows is emptied (triggers off), the rows
  the migrations themselves wrote (``alembic_version``) are put back, every sequence is set
  back to where the migration left it, and the schema is renamed out of the test's way.

Anything else (a changed schema, a lock, an error, a role that may not turn triggers off)
leaves the schema to be dropped as before. ``tests/core/test_schema_pool.py`` checks that a
reused schema equals a fresh one and that a changed one is never reused.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


Kind = tuple[str, tuple[str, ...]]

#: Schemas kept per kind: a test makes one desk or a few.
KEEP = 4

#: The schema's own objects (tables, sequences, views, functions, types...: whatever names it
#: as its namespace in pg_depend), and the indexes of its tables. Found through indexes, not
#: by scanning pg_class (which a suite that creates and drops many schemas bloats).
_OWN = """WITH owned AS (
    SELECT classid, objid FROM pg_depend
     WHERE refclassid = 'pg_namespace'::regclass AND refobjid = :ns AND deptype = 'n'
), rels AS (
    SELECT coalesce(array_agg(objid), '{}') AS oids FROM owned WHERE classid = 'pg_class'::regclass
), everything AS (
    SELECT rels.oids || coalesce((SELECT array_agg(indexrelid) FROM pg_index WHERE indrelid = ANY(rels.oids)), '{}')
           AS oids FROM rels
), others AS (
    SELECT coalesce(array_agg(objid), '{}') AS oids FROM owned WHERE classid <> 'pg_class'::regclass
)"""
#: (catalog, the condition selecting the schema's rows): every kind of object a test could change.
_CATALOGS = (
    ("pg_namespace", "oid = :ns"),
    ("pg_depend", "refclassid = 'pg_namespace'::regclass AND refobjid = :ns"),
    ("pg_class", "oid = ANY((SELECT oids FROM everything)::oid[])"),
    ("pg_attribute", "attrelid = ANY((SELECT oids FROM everything)::oid[])"),
    ("pg_attrdef", "adrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_index", "indrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_constraint", "conrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_trigger", "tgrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_rewrite", "ev_class = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_policy", "polrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_sequence", "seqrelid = ANY((SELECT oids FROM rels)::oid[])"),
    ("pg_proc", "oid = ANY((SELECT oids FROM others)::oid[])"),
    ("pg_type", "oid = ANY((SELECT oids FROM others)::oid[])"),
    ("pg_ts_config", "oid = ANY((SELECT oids FROM others)::oid[])"),
)
#: One string naming the version of every catalog row of the schema (``:ns``): a DDL statement
#: inserts, deletes or rewrites such a row (new ``ctid`` and ``xmin``); statistics are written in place.
FINGERPRINT = (
    _OWN
    + " SELECT "
    + " || '|' || ".join(
        f"(SELECT coalesce(string_agg(ctid::text || xmin::text, ',' ORDER BY ctid), '') FROM {catalog} WHERE {where})"
        for catalog, where in _CATALOGS
    )
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Seed:
    """What a freshly migrated schema of one kind holds: rows the migrations wrote, sequence positions."""

    def __init__(self, tables: list[str], rows: dict[str, str], sequences: list[tuple[str, int, bool]]):
        self.tables = tables
        self.rows = rows
        self.sequences = sequences

    @classmethod
    def read(cls, connection: Connection, schema: str) -> Seed:
        """Read the seed of a freshly migrated ``schema``."""
        ns = _namespace(connection, schema)
        tables = list(
            connection.execute(
                text("SELECT relname FROM pg_class WHERE relnamespace = :ns AND relkind IN ('r', 'p') ORDER BY 1"),
                {"ns": ns},
            ).scalars()
        )
        rows: dict[str, str] = {}
        for table in _filled(connection, schema, tables):
            found = connection.execute(
                text(f"SELECT coalesce(json_agg(t), '[]') FROM {_quoted(schema)}.{_quoted(table)} t")
            )
            rows[table] = json.dumps(found.scalar_one())
        sequences = [
            (name, int(last), bool(called))
            for name, last, called in connection.execute(
                text(
                    "SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL"
                    " FROM pg_sequences WHERE schemaname = :schema ORDER BY 1"
                ),
                {"schema": schema},
            )
        ]
        return cls(tables, rows, sequences)


def _namespace(connection: Connection, schema: str) -> int:
    return int(connection.execute(text("SELECT oid FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar_one())


def _filled(connection: Connection, schema: str, tables: list[str]) -> list[str]:
    """The tables of ``schema`` that hold at least one row."""
    if not tables:
        return []
    probe = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {_quoted(schema)}.{_quoted(t)})" for i, t in enumerate(tables)
    )
    return [tables[i] for i in connection.execute(text(probe)).scalars()]


def fingerprint(connection: Connection, schema: str) -> str:
    """The version of every catalog row describing ``schema`` (changes with any DDL in it)."""
    return str(connection.execute(text(FINGERPRINT), {"ns": _namespace(connection, schema)}).scalar_one())


class SchemaPool:
    """Emptied schemas by kind, and the catalog fingerprint of each schema handed out."""

    def __init__(self) -> None:
        self._seeds: dict[Kind, Seed] = {}
        self._free: dict[Kind, list[str]] = {}
        self._out: dict[str, tuple[Kind, str]] = {}
        self._usable = True

    def has_seed(self, kind: Kind) -> bool:
        """Whether a fresh schema of ``kind`` was seen (so its schemas can be reused)."""
        return kind in self._seeds

    def take(self, connection: Connection, schema: str, kind: Kind) -> bool:
        """Replace the new, empty ``schema`` by a kept one of ``kind`` under that name, if there is one."""
        free = self._free.get(kind)
        if not free:
            return False
        kept = free.pop()
        try:
            with connection.begin():
                connection.execute(text(f"DROP SCHEMA {_quoted(schema)}"))
                connection.execute(text(f"ALTER SCHEMA {_quoted(kept)} RENAME TO {_quoted(schema)}"))
        except Exception:  # the kept schema is gone (dropped by hand?): the new one stays, untouched
            return False
        self.handed_out(connection, schema, kind)
        return True

    def handed_out(self, connection: Connection, schema: str, kind: Kind) -> None:
        """Note ``schema`` (of ``kind``, fresh and committed) as given to a test; the first of a kind is its seed."""
        if kind not in self._seeds:
            self._seeds[kind] = Seed.read(connection, schema)
        self._out[schema] = (kind, fingerprint(connection, schema))

    def give_back(self, connection: Connection, schema: str) -> bool:
        """Empty ``schema`` and keep it (True), or leave it to be dropped (False): see the module's docstring."""
        entry = self._out.pop(schema, None)
        if entry is None or not self._usable:
            return False
        kind, before = entry
        if len(self._free.get(kind, ())) >= KEEP:
            return False
        try:
            kept = self._empty(connection, schema, kind, before)
        except Exception:  # a lock wait cut short, a closed connection...: drop it as before
            return False
        if kept is not None:
            self._free.setdefault(kind, []).append(kept)
        return kept is not None

    def _empty(self, connection: Connection, schema: str, kind: Kind, before: str) -> str | None:
        seed = self._seeds[kind]
        with connection.begin():
            ns = _namespace(connection, schema)
            if fingerprint(connection, schema) != before:
                return None
            held = connection.execute(
                text(
                    "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    " WHERE c.relnamespace = :ns AND l.pid <> pg_backend_pid() LIMIT 1"
                ),
                {"ns": ns},
            ).first()
            if held is not None:
                return None
            connection.execute(text("SET LOCAL lock_timeout = '5s'"))
            try:
                with connection.begin_nested():  # the setting outlives the savepoint
                    connection.execute(text("SET LOCAL session_replication_role = replica"))
            except Exception:
                self._usable = False  # this role may not turn triggers off: no schema is reused
                return None
            place = _quoted(schema)
            for table in _filled(connection, schema, seed.tables):
                connection.execute(text(f"DELETE FROM {place}.{_quoted(table)}"))
            for table, rows in seed.rows.items():
                connection.execute(
                    text(
                        f"INSERT INTO {place}.{_quoted(table)} SELECT * FROM"
                        f" json_populate_recordset(NULL::{place}.{_quoted(table)}, CAST(:rows AS json))"
                    ),
                    {"rows": rows},
                )
            if seed.sequences:
                calls = ", ".join(
                    f"setval(CAST(:s{i} AS regclass), {int(last)}, {'true' if called else 'false'})"
                    for i, (_, last, called) in enumerate(seed.sequences)
                )
                names: dict[str, Any] = {
                    f"s{i}": f"{place}.{_quoted(name)}" for i, (name, _, _) in enumerate(seed.sequences)
                }
                connection.execute(text(f"SELECT {calls}"), names)
            kept = "t_" + uuid.uuid4().hex[:16]
            connection.execute(text(f"ALTER SCHEMA {place} RENAME TO {_quoted(kept)}"))
        return kept

    def drop_all(self, connection: Connection) -> None:
        """Drop every kept schema (the session is over)."""
        with connection.begin():
            for free in self._free.values():
                for schema in free:
                    connection.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE"))
        self._free.clear()
