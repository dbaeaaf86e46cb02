"""RELIABILITY item 21: a bad config stops start-up with exit code 2 and one line.

Every case runs the installed ``deskframe`` console script in a child process and
checks: exit code 2, nothing on stdout, exactly one non-empty line on stderr naming
the file and the key at fault, and no traceback anywhere.

A cold start costs ~0.7 s of CPU (SQLAlchemy, Alembic), too much for ~60 cases, so
one module-scoped fixture runs them all: each in a process forked from a single
interpreter that imported deskframe once (:data:`WARM_DRIVER`), and a few of them
(:data:`COLD`) also in a fresh interpreter, which must print the very same thing.
Add a case with ``mark=pytest.mark.xfail(reason=..., strict=True)`` for a known bug.
A small plugin distribution (written to a temporary ``site`` directory put on
``PYTHONPATH``) registers a channel type, an SLA policy type, a pricing model and a
config section, so that errors raised by *plugins'* validators are located too.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

# desks of its own, whatever DESKFRAME_TEST_DATABASE_URL says: the same in both passes
pytestmark = pytest.mark.sqlite_pass

SCRIPT = Path(sys.executable).parent / "deskframe"

#: The plugin the configs below refer to (names unlikely to clash with real plugins).
CFGTEST_PLUGIN = """
import deskframe
from deskframe import ChannelType, ConfigError, ConfigSection, PricingModelType, SlaPolicyType


def _validate_channel(table):
    if "address" not in table:
        raise ConfigError("is required", key="address")
    if "@" not in table["address"]:
        raise ConfigError("not an e-mail address: %r" % table["address"], key="address")


def _build_sla(table):
    if not isinstance(table.get("response", "4h"), str):
        raise ConfigError("must be a duration such as '4h'", key="response")
    return table


def _build_pricing(table):
    if "rate" not in table:
        raise ConfigError("is required", key="rate")
    return table


def _section(value):
    if not isinstance(value.get("level"), int) or isinstance(value.get("level"), bool):
        raise ConfigError("must be an integer", key="level")
    return value


@deskframe.hookimpl
def register_channel_types(register):
    register(ChannelType("cfgtest-mail", build=lambda table, desk: None, validate=_validate_channel))


@deskframe.hookimpl
def register_sla_policies(register):
    register(SlaPolicyType("cfgtest-sla", build=_build_sla))


@deskframe.hookimpl
def register_pricing_models(register):
    register(PricingModelType("cfgtest-hourly", build=_build_pricing))


@deskframe.hookimpl
def register_config_sections(register):
    register(ConfigSection("cfgtest", validate=_section))
"""

GOOD_CHANNEL = """
[[channels]]
name = "support"
type = "cfgtest-mail"
address = "help@vendor.example"
"""


def make_dist(site: Path, dist: str, version: str, module: str, source: str, entry: str) -> None:
    """A fake installed distribution: ``module.py`` plus its ``.dist-info`` with one entry point."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[deskframe]\n{entry} = {module}\n", encoding="utf-8")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_") and k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


@attrs.frozen
class Case:
    """A broken config file and what its error line must contain."""

    id: str
    content: str | bytes | None  # None: the file does not exist
    needles: tuple[str, ...] = ()
    pattern: str | None = None  # a regex the line (after the file name) must match
    mark: Any = None


CASES = [
    Case("toml-syntax", '[desk]\ntimezone = "UTC"\ndata_dir = \n', ("invalid TOML", "line 3")),
    Case("toml-unclosed-string", '[tickets]\nsubject_hook = "Ticket#\n', ("invalid TOML", "line 2")),
    Case("not-utf8", b'[desk]\ntimezone = "Europe/Moscow"\n# \xcf\xf0\xe8\xe2\xe5\xf2 (cp1251)\n', ("UTF-8",)),
    Case("missing-file", None, ("file not found",)),
    Case("unknown-top-table", '[desks]\ntimezone = "UTC"\n', ("desks: unknown key",)),
    Case("unknown-desk-key", '[desk]\ndatabse = "sqlite:///x.db"\n', ("desk.databse: unknown key", "database")),
    Case("desk-not-a-table", "desk = 5\n", ("desk: must be a table",)),
    Case("bad-database-url", '[desk]\ndatabase = "deskframe.db"\n', ("desk.database: not a database URL",)),
    Case(
        "bad-timezone",
        '[desk]\ntimezone = "Mars/Olympus_Mons"\n',
        ("desk.timezone: unknown time zone", "Mars/Olympus_Mons"),
    ),
    Case("timezone-not-string", "[desk]\ntimezone = 3\n", ("desk.timezone: must be a string",)),
    Case(
        "bool-for-int",
        "[desk]\nattachment_max_bytes = true\n",
        ("desk.attachment_max_bytes: must be an integer, got a boolean",),
    ),
    Case("negative-int", "[desk]\nattachment_max_bytes = -5\n", ("desk.attachment_max_bytes: must be at least 1",)),
    Case("empty-data-dir", '[desk]\ndata_dir = "  "\n', ("desk.data_dir: must not be empty",)),
    Case("system-id-letters", '[tickets]\nsystem_id = "abc"\n', ("tickets.system_id", "'abc'")),
    Case("system-id-three-digits", '[tickets]\nsystem_id = "123"\n', ("tickets.system_id", "'123'")),
    Case("system-id-integer", "[tickets]\nsystem_id = 10\n", ("tickets.system_id: must be a string",)),
    Case(
        "number-layout",
        '[tickets]\nnumber_layout = "Random"\n',
        ("tickets.number_layout: unknown value 'Random'", "DateChecksum"),
    ),
    Case("unknown-ticket-key", '[tickets]\ndefault_prio = "P2"\n', ("tickets.default_prio: unknown key",)),
    Case(
        "unknown-state-type",
        '[tickets.states]\nnew = "new"\nopen = "open"\nclosed = "closed"\nlimbo = "purgatory"\n',
        ("tickets.states.limbo: unknown state type 'purgatory'",),
    ),
    Case(
        "states-without-closed",
        '[tickets.states]\nnew = "new"\nworking = "open"\ndone = "resolved"\n',
        ("tickets.states", "closed"),
    ),
    Case("states-not-a-table", '[tickets]\nstates = ["new", "open"]\n', ("tickets.states: must be a table",)),
    Case(
        "unknown-priority-level",
        '[tickets.priorities]\nP1 = "critical"\nP9 = "whenever"\n',
        ("tickets.priorities.P9: unknown priority level",),
    ),
    Case("priority-name-not-string", "[tickets.priorities]\nP2 = 2\n", ("tickets.priorities.P2: must be a string",)),
    Case(
        "default-priority",
        '[tickets]\ndefault_priority = "urgent"\n',
        ("tickets.default_priority: unknown priority 'urgent'",),
    ),
    Case(
        "foreign-replies-not-bool",
        '[tickets]\nallow_foreign_replies = "yes"\n',
        ("tickets.allow_foreign_replies: must be true or false",),
    ),
    Case(
        "canned-unknown-placeholder",
        '[canned.thanks]\nbody = "Hello {{ custmer }}"\n',
        ("canned.thanks.body: unknown placeholder 'custmer'",),
    ),
    Case(
        "canned-template-syntax",
        '[canned.thanks]\nbody = """Hello,\n{% if customer %}dear {{ customer }}"""\n',
        ("canned.thanks.body: template error on line",),
    ),
    Case(
        "canned-unclosed-expression",
        '[canned.thanks]\nbody = "Hello {{ customer "\n',
        ("canned.thanks.body: template error",),
    ),
    Case("canned-missing-body", '[canned.thanks]\ndescription = "no body"\n', ("canned.thanks.body: is required",)),
    Case("canned-unknown-key", '[canned.thanks]\nbody = "hi"\nbodyy = "typo"\n', ("canned.thanks.bodyy: unknown key",)),
    Case("channels-not-array", 'channels = "email"\n', ("channels: must be an array",)),
    Case(
        "channel-missing-type",
        '[[channels]]\nname = "support"\naddress = "a@b.example"\n',
        ("channels[0].type: is required",),
    ),
    Case("channel-missing-name", '[[channels]]\ntype = "cfgtest-mail"\n', ("channels[0].name: is required",)),
    Case(
        "channel-type-unknown",
        GOOD_CHANNEL + '\n[[channels]]\nname = "chat"\ntype = "imapp"\n',
        pattern=r": channels\[1\]\.type: unknown channel type 'imapp' \(known: [^)]*cfgtest-mail[^)]*\)$",
    ),
    Case(
        "channel-duplicate-name", GOOD_CHANNEL + GOOD_CHANNEL, ("channels[1].name: duplicate channel name 'support'",)
    ),
    Case(
        "channel-plugin-validate",
        '[[channels]]\nname = "support"\ntype = "cfgtest-mail"\naddress = "nobody"\n',
        ("channels[0].address: not an e-mail address",),
    ),
    Case(
        "sla-unknown-type",
        '[sla.gold]\ntype = "platinum-plus"\n',
        pattern=r": sla\.gold\.type: unknown SLA policy type 'platinum-plus' \(known: [^)]*cfgtest-sla",
    ),
    Case("sla-missing-type", '[sla.gold]\nresponse = "4h"\n', ("sla.gold.type: is required",)),
    Case(
        "sla-plugin-validate",
        '[sla.gold]\ntype = "cfgtest-sla"\nresponse = 4\n',
        ("sla.gold.response: must be a duration",),
    ),
    Case(
        "pricing-unknown-model",
        '[pricing.std]\nmodel = "barter"\n',
        pattern=r": pricing\.std\.model: unknown pricing model 'barter' \(known: [^)]*cfgtest-hourly",
    ),
    Case("pricing-plugin-validate", '[pricing.std]\nmodel = "cfgtest-hourly"\n', ("pricing.std.rate: is required",)),
    Case("plugin-section-validate", '[cfgtest]\nlevel = "high"\n', ("cfgtest.level: must be an integer",)),
    Case("calendar-not-a-table", '[calendars]\nmoscow = "Europe/Moscow"\n', ("calendars.moscow: must be a table",)),
    Case("unknown-db-driver", '[desk]\ndatabase = "nosuchdb://host/db"\n', ("desk.database", "nosuchdb")),
    Case("sqlite-parent-is-a-file", '[desk]\ndatabase = "sqlite:///{name}/sub/desk.db"\n', ("desk.database",)),
    Case("key-with-newline", '[desk]\n"data\\ndir" = "data"\n', ("unknown key",)),
]


@attrs.frozen
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    path: Path


@attrs.frozen
class Job:
    args: tuple[str, ...]
    env: dict[str, str]
    cwd: Path
    path: Path  # the file whose name the error must carry


def run_cold(job: Job) -> Outcome:
    """The console script in a fresh interpreter, exactly as a user runs it."""
    proc = subprocess.run(
        [str(SCRIPT), *job.args],
        env=job.env,
        cwd=job.cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr, job.path)


#: Runs the console script file once per job, each in a child forked from one interpreter
#: that has already imported deskframe (a cold start costs ~0.7 s of CPU, mostly
#: SQLAlchemy and Alembic). Each child gets its own argv, environment, working
#: directory and stdout/stderr files, and exits like the interpreter would: the
#: SystemExit code, or a printed traceback and 1 for an uncaught exception.
WARM_DRIVER = r"""
import importlib, importlib.metadata, json, os, runpy, sys, traceback
# warm the imports once: the CLI, what a command imports lazily, and the installed plugins
for name in ("deskframe.cli", "deskframe.desk", "deskframe.apply", "deskframe.canned", "deskframe.config"):
    importlib.import_module(name)
for ep in importlib.metadata.entry_points(group="deskframe"):
    try:
        ep.load()
    except Exception:
        pass  # a broken plugin fails again, and is reported, in the child
script, jobs = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
codes, running, parallel = {}, {}, max(1, min(4, os.cpu_count() or 1))


def reap():
    pid, status = os.wait()
    codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)


for job in jobs:
    while len(running) >= parallel:
        reap()
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid:
        running[pid] = job["out"]
        continue
    code = 1
    try:
        os.chdir(job["cwd"])
        os.environ.clear(); os.environ.update(job["env"])
        for fd, name in ((1, job["out"]), (2, job["err"])):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(target, fd); os.close(target)
        sys.argv = [script, *job["args"]]
        try:
            runpy.run_path(script, run_name="__main__")
            code = 0
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr); code = 1
        except BaseException:
            traceback.print_exc(); code = 1
    finally:
        try:
            sys.stdout.flush(); sys.stderr.flush()
        finally:
            os._exit(code)
while running:
    reap()
json.dump(codes, open(sys.argv[3], "w"))
"""


def run_warm(jobs: dict[str, Job], workdir: Path, env: dict[str, str]) -> dict[str, Outcome]:
    """Run many jobs through :data:`WARM_DRIVER` (``env`` is the driver's own, e.g. PYTHONPATH)."""
    import json

    specs = []
    for i, (key, job) in enumerate(jobs.items()):
        specs.append(
            {
                "key": key,
                "args": list(job.args),
                "env": job.env,
                "cwd": str(job.cwd),
                "out": str(workdir / f"{i}.out"),
                "err": str(workdir / f"{i}.err"),
            }
        )
    (workdir / "jobs.json").write_text(json.dumps(specs), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", WARM_DRIVER, str(SCRIPT), str(workdir / "jobs.json"), str(workdir / "codes.json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    codes = json.loads((workdir / "codes.json").read_text())
    return {
        spec["key"]: Outcome(
            codes[spec["out"]],
            Path(spec["out"]).read_text("utf-8", errors="replace"),
            Path(spec["err"]).read_text("utf-8", errors="replace"),
            jobs[spec["key"]].path,
        )
        for spec in specs
    }


APPLY_CASES = [
    Case(
        "contact-email",
        '[[contacts]]\nname = "Ann"\nemail = "ann@acme.example"\n\n[[contacts]]\nname = "Bob"\nemail = "bob-at-acme"\n',
        ("contacts[1].email: not an e-mail address", "bob-at-acme"),
    ),
    Case(
        "agent-line", '[[agents]]\nlogin = "alice"\nname = "Alice"\nline = 5\n', ("agents[0].line: must be at most 3",)
    ),
    Case(
        "agent-line-bool",
        '[[agents]]\nlogin = "alice"\nname = "Alice"\nline = true\n',
        ("agents[0].line: must be an integer",),
    ),
    Case(
        "customer-unknown-key",
        '[[customers]]\nid = "acme"\nname = "ACME"\ncolour = "red"\n',
        ("customers[0].colour: unknown key",),
    ),
    Case("customer-missing-name", '[[customers]]\nid = "acme"\n', ("customers[0].name: is required",)),
    Case(
        "customer-domains",
        '[[customers]]\nid = "acme"\nname = "ACME"\ndomains = ["acme.example", 7]\n',
        ("customers[0].domains[1]: must be a string",),
    ),
    Case(
        "contract-lines",
        '[[contracts]]\nid = "c1"\ncustomer = "acme"\nsupport_type = "8x5"\nlines = [1, 7]\n',
        ("contracts[0].lines[1]: must be 1, 2 or 3",),
    ),
    Case(
        "contract-date",
        '[[contracts]]\nid = "c1"\ncustomer = "acme"\nsupport_type = "8x5"\nstart = "2026-13-01"\n',
        ("contracts[0].start: must be a date",),
    ),
    Case("unknown-section", '[[customer]]\nid = "acme"\nname = "ACME"\n', ("customer: unknown key", "customers")),
    Case("syntax", '[[customers]]\nid = "acme"\nname = ACME\n', ("invalid TOML", "line 3")),
]


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    make_dist(site, "deskframe-cfgtest", "0.1", "deskframe_cfgtest_plugin", CFGTEST_PLUGIN, "cfgtest")
    return site


#: Scenarios also run in a cold interpreter: the console script exactly as a user starts it.
COLD = ("config:channel-type-unknown", "apply:contact-email", "env")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, plugin_site: Path) -> dict[str, Outcome]:
    """Run every scenario of this module at once and keep the results by id."""
    root = tmp_path_factory.mktemp("configs")
    env = clean_env(PYTHONPATH=str(plugin_site))
    jobs: dict[str, Job] = {}

    for case in CASES:
        path = root / f"{case.id}.toml"
        if isinstance(case.content, bytes):
            path.write_bytes(case.content)
        elif case.content is not None:
            path.write_text(case.content.replace("{name}", path.name), encoding="utf-8")
        jobs[f"config:{case.id}"] = Job(("--config", str(path), "ticket", "list"), env, root, path)

    good = root / "good" / "deskframe.toml"
    good.parent.mkdir()
    good.write_text('[desk]\ndatabase = "sqlite:///desk.db"\n' + GOOD_CHANNEL, encoding="utf-8")
    for case in APPLY_CASES:
        path = root / f"directory-{case.id}.toml"
        path.write_text(str(case.content), encoding="utf-8")
        jobs[f"apply:{case.id}"] = Job(("--config", str(good), "apply", str(path)), env, root, path)

    # DESKFRAME_CONFIG is honoured; --config beats it; ./deskframe.toml is the default.
    via_env = root / "via-env.toml"
    via_env.write_text('[desk]\ntimezone = "Nowhere/Special"\n', encoding="utf-8")
    env_with_config = clean_env(PYTHONPATH=str(plugin_site), DESKFRAME_CONFIG=str(via_env))
    jobs["env"] = Job(("ticket", "list"), env_with_config, root, via_env)
    via_flag = root / "via-flag.toml"
    via_flag.write_text('[tickets]\nsystem_id = "x"\n', encoding="utf-8")
    jobs["flag-beats-env"] = Job(("--config", str(via_flag), "ticket", "list"), env_with_config, root, via_flag)
    cwd = root / "cwd"
    cwd.mkdir()
    (cwd / "deskframe.toml").write_text('[desk]\nattachment_max_bytes = "25MB"\n', encoding="utf-8")
    jobs["default-location"] = Job(("ticket", "list"), env, cwd, cwd / "deskframe.toml")
    jobs["database-env"] = Job(
        ("--config", str(good), "ticket", "list"),
        clean_env(PYTHONPATH=str(plugin_site), DESKFRAME_DATABASE_URL="desk.sqlite"),
        root,
        good,
    )

    warm_dir = root / "warm"
    warm_dir.mkdir()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        cold = {key: pool.submit(run_cold, jobs[key]) for key in COLD}
        if hasattr(os, "fork"):
            results = run_warm(jobs, warm_dir, env)
        else:  # pragma: no cover - no fork (Windows): every job cold
            results = dict(zip(jobs, pool.map(run_cold, jobs.values())))
        results.update({f"cold:{key}": f.result() for key, f in cold.items()})
    return results


def one_error_line(outcome: Outcome, code: int = 2) -> str:
    """Assert the shape every configuration error must have; return its line."""
    everything = outcome.stdout + outcome.stderr
    assert "Traceback" not in everything, everything
    assert outcome.returncode == code, everything
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one line on stderr, got {outcome.stderr!r}"
    line = lines[0]
    assert line.startswith("Error: "), line
    assert outcome.path.name in line, f"file {outcome.path.name} not named in {line!r}"
    return line


def check_case(case: Case, outcome: Outcome) -> None:
    line = one_error_line(outcome)
    for needle in case.needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    if case.pattern:
        # the key comes right after the file name: "Error: FILE: KEY: PROBLEM"
        assert re.search(re.escape(outcome.path.name) + case.pattern, line), line


def _params(cases: list[Case]) -> list[Any]:
    return [pytest.param(c, id=c.id, marks=[c.mark] if c.mark else []) for c in cases]


def test_there_are_enough_cases() -> None:
    assert len([c for c in CASES if c.mark is None]) >= 20
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", _params(CASES))
def test_broken_config_one_line_exit_2(case: Case, outcomes: dict[str, Outcome]) -> None:
    check_case(case, outcomes[f"config:{case.id}"])


@pytest.mark.parametrize("key", COLD)
def test_cold_console_script_gives_the_same_line(key: str, outcomes: dict[str, Outcome]) -> None:
    """The warm runs stand for real ones: a fresh interpreter prints the identical output."""
    cold, warm = outcomes[f"cold:{key}"], outcomes[key]
    one_error_line(cold)
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout, warm.stderr)


def test_unknown_channel_type_line_is_exactly_as_documented(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["config:channel-type-unknown"]
    line = one_error_line(outcome)
    assert line.startswith(f"Error: {outcome.path}: channels[1].type: unknown channel type 'imapp' (known: ")


def test_toml_syntax_error_names_line_and_column(outcomes: dict[str, Outcome]) -> None:
    line = one_error_line(outcomes["config:toml-syntax"])
    assert re.search(r"line 3, column \d+", line), line


@pytest.mark.parametrize("case", _params(APPLY_CASES))
def test_broken_directory_file_one_line_exit_2(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[f"apply:{case.id}"]
    check_case(case, outcome)
    # the directory file is named, not the (valid) config file good/deskframe.toml
    assert "deskframe.toml" not in outcome.stderr


def test_config_file_from_environment_variable(outcomes: dict[str, Outcome]) -> None:
    line = one_error_line(outcomes["env"])
    assert "via-env.toml: desk.timezone: unknown time zone 'Nowhere/Special'" in line


def test_config_option_beats_environment_variable(outcomes: dict[str, Outcome]) -> None:
    line = one_error_line(outcomes["flag-beats-env"])
    assert "via-flag.toml: tickets.system_id" in line and "via-env" not in line


def test_default_config_is_deskframe_toml_in_the_working_directory(outcomes: dict[str, Outcome]) -> None:
    line = one_error_line(outcomes["default-location"])
    assert "deskframe.toml: desk.attachment_max_bytes: must be an integer, got a string" in line


def test_database_url_from_environment_is_validated(outcomes: dict[str, Outcome]) -> None:
    line = one_error_line(outcomes["database-env"])
    assert "desk.database: not a database URL: 'desk.sqlite'" in line


def test_parse_config_in_process_gives_key_without_file() -> None:
    """The library API: keys are relative, ``load_config`` adds the file."""
    from deskframe.config import parse_config
    from deskframe.errors import ConfigError
    from deskframe.plugins import build_plugins

    registry = build_plugins(entry_points=False).registry
    with pytest.raises(ConfigError) as info:
        parse_config({"tickets": {"states": {"new": "new", "open": "open"}}}, registry)
    assert info.value.key == "tickets.states" and info.value.file is None
    assert str(info.value) == "tickets.states: needs a state of type 'closed'"
    moved = info.value.within(file="x.toml")
    assert str(moved) == "x.toml: tickets.states: needs a state of type 'closed'"
    assert str(info.value.within(prefix="outer")) == "outer.tickets.states: needs a state of type 'closed'"
