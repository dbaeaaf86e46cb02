"""``phone import``: a PBX call log (CSV) -> one inbound call article (new ticket) per row.

Columns are found by the header names in ``[phone.csv]``. Each row's identity is a hash
of its normalized values (time, caller, duration, agent, summary), used as the intake
external id: importing the same log again, or an overlapping export, adds nothing.
A row that cannot be read (bad date, unknown agent, bad number ...) is reported with its
line number and skipped; the import goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe import Agent
from deskframe.errors import BadValue, DeskframeError

from . import callers
from .calls import Call, annotate_call, find_agent, message_for
from .settings import PhoneSettings, parse_duration


@attrs.define
class ImportReport:
    rows: int = 0
    created: int = 0
    appended: int = 0
    duplicates: int = 0
    failed: list[dict[str, Any]] = attrs.field(factory=list)

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Row:
    line: int
    values: dict[str, str]


def read_rows(path: Path, settings: PhoneSettings) -> list[Row]:
    """The data rows with the line each starts on; a missing mapped column is an error naming its key."""
    mapping = settings.csv
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise BadValue(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle, delimiter=mapping.delimiter)
        try:
            header = next(reader, None)
            if header is None:
                raise BadValue(f"{path}: empty file (expected a header row)")
            names = [h.strip() for h in header]
            index: dict[str, int] = {}
            for key, column in mapping.columns().items():
                if column not in names:
                    raise BadValue(
                        f"{path}: no column {column!r} (phone.csv.{key}); the header has: {', '.join(names)}"
                    )
                index[key] = names.index(column)
            rows, start = [], reader.line_num + 1
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append(
                        Row(start, {key: cells[i].strip() if i < len(cells) else "" for key, i in index.items()})
                    )
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise BadValue(f"{path}: not UTF-8 text (byte {exc.start} near line {reader.line_num + 1})") from None
        except csv.Error as exc:
            raise BadValue(f"{path}: line {reader.line_num}: {exc}") from None
    return rows


def parse_date(text: str, settings: PhoneSettings, default_zone: str) -> dt.datetime:
    fmt = settings.csv.date_format
    try:
        value = dt.datetime.strptime(text, fmt)
    except ValueError:
        raise BadValue(f"bad date {text!r} (expected {fmt})") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.csv.timezone or default_zone))
    return value.astimezone(dt.timezone.utc)


def row_call(desk: Any, settings: PhoneSettings, row: Row, agents: list[Agent]) -> Call:
    values = row.values
    at = parse_date(values["date"], settings, desk.config.timezone)
    if not values["caller"]:
        raise BadValue("no caller")
    caller = callers.resolve(desk, values["caller"], settings.default_region)
    duration = None
    if values["duration"]:
        try:
            duration = parse_duration(values["duration"])
        except ValueError as exc:
            raise BadValue(str(exc)) from None
    if not values["agent"]:
        raise BadValue("no agent")
    agent = find_agent(agents, values["agent"])
    return Call(caller=caller, agent=agent, summary=values["summary"], duration=duration, at=at)


def row_id(call: Call) -> str:
    """The row's intake external id: a hash of its normalized values."""
    key = [
        call.at.isoformat() if call.at else None,
        call.caller.phone or call.caller.email,
        int(call.duration.total_seconds()) if call.duration is not None else None,
        call.agent.login,
        call.summary.strip(),
    ]
    return "csv:" + hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:40]


def import_calls(
    desk: Any, settings: PhoneSettings, rows: Iterable[Row], on_row: Callable[[Row, str], None] | None = None
) -> ImportReport:
    """Take each row in; failures are collected with their line, never raised."""
    report = ImportReport()
    agents = desk.directory.agents()
    zone = ZoneInfo(settings.csv.timezone or desk.config.timezone)
    for row in rows:
        report.rows += 1
        try:
            call = row_call(desk, settings, row, agents)
            assert call.at is not None
            result = desk.intake.receive(message_for(settings, call, row_id(call), call.at, zone))
            if result.duplicate:
                report.duplicates += 1
                outcome = "duplicate"
            else:
                annotate_call(desk, result.ticket, call)
                outcome = "created" if result.created else "appended"
                if result.created:
                    report.created += 1
                else:
                    report.appended += 1
        except DeskframeError as exc:
            report.failed.append({"line": row.line, "error": str(exc)})
            outcome = "failed"
        if on_row is not None:
            on_row(row, outcome)
    return report
