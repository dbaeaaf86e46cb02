"""Fixtures for the deskframe_otrs tests: real OTRS/Znuny source databases (see otrs_fixture.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import otrs_fixture
import pytest


@attrs.define
class Source:
    url: str
    writer: otrs_fixture.Writer
    data: otrs_fixture.Data | None = None
    orphans: dict[str, int] | None = None


@pytest.fixture
def otrs_source() -> Iterator[Callable[..., Source]]:
    """``otrs_source(populate=True, orphans=True, bulk=0)``: a fresh Znuny database on PostgreSQL."""
    made: list[tuple[Source, Callable[[], None]]] = []

    def make(populate: bool = True, orphans: bool = True, bulk: int = 0) -> Source:
        url, drop = otrs_fixture.new_pg_database()
        source = Source(url, otrs_fixture.pg_writer(url))
        made.append((source, drop))
        if populate:
            source.data = otrs_fixture.populate(source.writer)
        if orphans:
            source.orphans = otrs_fixture.add_orphans(source.writer)
        if bulk:
            otrs_fixture.bulk(source.writer, bulk)
        return source

    yield make
    for source, drop in made:
        source.writer.close()
        drop()


@pytest.fixture
def run_import(cli: Any) -> Callable[..., dict[str, Any]]:
    """``run_import(desk, url, *flags)`` -> the JSON summary of ``deskframe import otrs`` (exit code 0)."""

    def run(desk: Any, url: str, *flags: str) -> dict[str, Any]:
        result = cli(desk)("import", "otrs", "--source", url, "--format", "json", *flags)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run
