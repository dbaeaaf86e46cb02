"""Configuration through a real desk: the reference example loads, bad values name their key."""

from __future__ import annotations

import pytest
from sla_plugin_util import EXAMPLE

from deskframe.errors import ConfigError
from deskframe_sla.cutoff import CutoffPolicy
from deskframe_sla.oncall import Rotation
from deskframe_sla.targets import TargetsPolicy


def test_reference_example_loads(make_desk):
    desk = make_desk(EXAMPLE)
    registry = desk.plugins.registry
    standard = registry.get("sla_policies", desk.config.sla["standard"]["type"]).build(desk.config.sla["standard"])
    studio = registry.get("sla_policies", "cutoff").build(desk.config.sla["studio"])
    assert isinstance(standard, TargetsPolicy) and isinstance(studio, CutoffPolicy)
    assert standard.calendar_names() | studio.calendar_names() <= set(desk.config.calendars)
    night = desk.config.sections["oncall"]["night"]
    assert isinstance(night, Rotation)
    assert (night.shift_start, night.shift_end, night.period_days) == (19 * 60, 10 * 60, 7)
    assert night.agents == ("carol", "dave") and night.support_types == ("24x7", "premium")


TARGETS = '[sla.standard]\ntype = "targets"\ncalendar = "moscow-8x5"\n'
CUTOFF = '[sla.studio]\ntype = "cutoff"\ncalendar = "moscow-8x5"\n'
ONCALL = '[oncall.night]\nshift = "19:00-10:00"\nagents = ["carol"]\nstart = "2026-01-05"\n'


def targets(extra: str, entries: str = 'P1 = { first_response = "1h" }') -> str:
    return TARGETS + extra + "\n[sla.standard.targets]\n" + entries + "\n"


BAD = [
    # targets
    (targets("", 'P1 = { first_response = "15" }'), "sla.standard.targets.P1.first_response: must be a duration"),
    (targets("", 'P1 = { first_response = "0m" }'), "sla.standard.targets.P1.first_response: must be more than zero"),
    (targets("", "P1 = { first_response = 15 }"), "sla.standard.targets.P1.first_response: must be a string"),
    (targets("", 'P5 = { first_response = "1h" }'), "sla.standard.targets.P5: unknown priority"),
    (targets("", 'P1 = { respond = "1h" }'), "sla.standard.targets.P1.respond: unknown key"),
    (targets("", 'P1 = "1h"'), "sla.standard.targets.P1: must be a table"),
    (TARGETS, "sla.standard.targets: is required"),
    ('[sla.standard]\ntype = "targets"\n[sla.standard.targets]\n', "sla.standard.calendar: is required"),
    (targets('warn = "120%"'), "sla.standard.warn: percentage must be between 0% and 100%"),
    (targets('warn = "soon"'), "sla.standard.warn: must be a percentage such as '80%' or a lead time"),
    (targets('warn = "x%"'), "sla.standard.warn: bad percentage"),
    (targets('pause_states = ["waiting"]'), "sla.standard.pause_states[0]: unknown state type 'waiting'"),
    (targets('pause_states = ["closed"]'), "sla.standard.pause_states[0]: state type 'closed' cannot pause"),
    (targets('pause_states = "pending"'), "sla.standard.pause_states: must be an array"),
    (targets("escalate_on_breach = 5"), "sla.standard.escalate_on_breach: must be at most 3"),
    (targets('colour = "red"'), "sla.standard.colour: unknown key"),
    (
        targets("") + '[sla.standard.support_types.premium]\ntargets = { P1 = { resolution = "4x" } }\n',
        "sla.standard.support_types.premium.targets.P1.resolution: must be a duration",
    ),
    (
        targets("") + '[sla.standard.support_types.premium]\ncolour = "red"\n',
        "sla.standard.support_types.premium.colour: unknown key",
    ),
    (
        targets("") + '[sla.standard.support_types.premium]\nwarn = "200%"\n',
        "sla.standard.support_types.premium.warn: percentage",
    ),
    (
        targets("") + '[sla.standard.support_types]\npremium = { calendar = "a" }\nPremium = { calendar = "b" }\n',
        "sla.standard.support_types.Premium: support type given more than once",
    ),
    # cutoff
    (CUTOFF, "sla.studio.cutoff: is required"),
    (CUTOFF + 'cutoff = "25:00"\n', "sla.studio.cutoff: must be a time of day HH:MM"),
    (CUTOFF + 'cutoff = "noon"\n', "sla.studio.cutoff: must be a time of day HH:MM"),
    (CUTOFF + 'cutoff = "12:00"\nstop_on = "close"\n', "sla.studio.stop_on: unknown value 'close'"),
    (CUTOFF + 'cutoff = "12:00"\nkind = ""\n', "sla.studio.kind: must not be empty"),
    (CUTOFF + 'cutoff = "12:00"\nwarn = "-5m"\n', "sla.studio.warn"),
    (CUTOFF + 'cutoff = "12:00"\nresponse = "1h"\n', "sla.studio.response: unknown key"),
    # oncall
    (ONCALL.replace('"19:00-10:00"', '"19-10"'), "oncall.night.shift: must be HH:MM-HH:MM"),
    (ONCALL.replace('"19:00-10:00"', '"19:00-19:00"'), "oncall.night.shift: empty shift"),
    (ONCALL.replace('["carol"]', "[]"), "oncall.night.agents: must name at least one agent"),
    (ONCALL.replace('["carol"]', '["carol", 3]'), "oncall.night.agents[1]: must be a string"),
    (ONCALL + 'rotation = "12h"\n', "oncall.night.rotation: must be a whole number of days"),
    (ONCALL + 'rotation = "weekly"\n', "oncall.night.rotation: must be a duration"),
    (ONCALL.replace('"2026-01-05"', '"2026-13-01"'), "oncall.night.start: must be a date"),
    (ONCALL.replace('start = "2026-01-05"\n', ""), "oncall.night.start: is required"),
    (ONCALL + 'timezone = "Mars/Base"\n', "oncall.night.timezone: unknown time zone 'Mars/Base'"),
    (ONCALL + 'support_types = "premium"\n', "oncall.night.support_types: must be an array"),
    (ONCALL + 'pager = "yes"\n', "oncall.night.pager: unknown key"),
    ('[oncall]\nnight = "carol"\n', "oncall.night: must be a table"),
]


@pytest.mark.parametrize(("config", "expected"), BAD, ids=[e.split(":")[0] + f"-{i}" for i, (_, e) in enumerate(BAD)])
def test_bad_config_names_the_key(make_desk, config, expected):
    with pytest.raises(ConfigError) as info:
        make_desk(config)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(info.value.file))  # FILE: KEY: PROBLEM
