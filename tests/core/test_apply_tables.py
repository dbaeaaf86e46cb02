"""``register_apply_tables``: a plugin's own arrays in ``deskframe apply FILE``, checked before
anything is written; an array the core or another plugin owns is a plugin error."""

from __future__ import annotations

import types

import pytest

import deskframe
from deskframe import ApplyTables
from deskframe.errors import ConfigError, PluginError
from deskframe.tables import TableReader


def _plugin(name: str, tables: tuple[str, ...], written: list) -> types.SimpleNamespace:
    def parse(desk, found, known_customer):
        out = []
        for i, raw in enumerate(found.get("gadgets", [])):
            t = TableReader(raw, f"gadgets[{i}]")
            t.reject_unknown(["customer", "size"])
            if not known_customer(t.str("customer")):
                raise ConfigError("unknown customer", key=t.key("customer"))
            out.append((t.str("customer"), t.int("size")))
        return out

    def write(desk, parsed, actor):
        written.extend(parsed)
        desk.records(name).put_many([("gadget", c, {"size": s}) for c, s in parsed], actor=actor)
        return {"gadgets written": len(parsed)}

    @deskframe.hookimpl
    def register_apply_tables(register):
        register(ApplyTables(name, tables, parse, write))

    return types.SimpleNamespace(__name__=name, register_apply_tables=register_apply_tables)


def test_a_plugin_array_is_parsed_then_written_after_the_core(make_desk, cli, tmp_path):
    written: list = []
    desk = make_desk(plugins=[_plugin("gadgets", ("gadgets",), written)])
    path = tmp_path / "d.toml"
    path.write_text('[[customers]]\nid = "acme"\nname = "Acme"\n\n[[gadgets]]\ncustomer = "acme"\nsize = 3\n')
    result = cli(desk)("apply", str(path))
    assert result.exit_code == 0, result.output
    assert "customers created: 1" in result.output and "gadgets written: 1" in result.output
    assert written == [("acme", 3)] and desk.records("gadgets").get("gadget", "acme").data == {"size": 3}
    path.write_text('[[customers]]\nid = "b"\nname = "B"\n\n[[gadgets]]\ncustomer = "nobody"\nsize = 1\n')
    result = cli(desk)("apply", str(path))
    assert result.exit_code == 2 and "gadgets[0].customer" in result.output
    assert [c.key for c in desk.directory.customers()] == ["acme"]  # the core wrote nothing either


def test_unclaimed_arrays_are_still_refused(make_desk, cli, tmp_path):
    desk = make_desk()
    path = tmp_path / "d.toml"
    path.write_text("[[gizmos]]\nsize = 1\n")
    result = cli(desk)("apply", str(path))
    assert result.exit_code == 2 and "gizmos" in result.output


def test_claiming_a_core_array_is_a_plugin_error(make_desk):
    from deskframe.apply import plugin_tables

    desk = make_desk(plugins=[_plugin("greedy", ("customers",), [])])
    with pytest.raises(PluginError, match="customers"):
        plugin_tables(desk)
