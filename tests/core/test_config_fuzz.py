"""Issue 18, fuzzing: arbitrary TOML trees and mutated example configs through the CLI.

Property: ``deskframe --config FILE canned list`` (a command that loads and validates the
whole configuration, core and plugin tables) either succeeds, or prints exactly one
``Error: FILE: ...`` line and exits with 2; never a traceback or another exit code.
The trees are written with ``tomli_w``. Two sources: generated trees whose top level uses
the real table names, and the example configs of ``examples/`` with one value replaced,
removed or added at a random place. Bounded by ``max_examples``; ``benchmarks/fuzz.py
--target config`` runs the same properties for minutes.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/deskframe.toml"))
TOP_KEYS = [
    "desk",
    "tickets",
    "canned",
    "channels",
    "sla",
    "pricing",
    "calendars",
    "billing",
    "phone",
    "import",
    "oncall",
    "search",
]
KEYS = [
    "database",
    "timezone",
    "interval",
    "name",
    "type",
    "model",
    "rates",
    "default",
    "default_queue",
    "series",
    "tax_rate",
    "idle_gap",
    "max_bytes",
    "source",
    "address",
    "secret_env",
    "calendar",
    "hours",
    "warn",
    "first_response",
    "unit_minutes",
    "body",
    "states",
    "priorities",
    "currency",
    "increment",
    "P1",
]

scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.sampled_from([2**31, 2**63 - 1, -(2**63), 0, -1, 10**27]),
    st.floats(),
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from("a1:/%.@-\x00\x1b\u202e é{}h5mdwP#"), max_size=20).filter(
        lambda s: "\ud800" not in s
    ),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 300,
            "1" * 60,
            "10%",
            "1e27",
            "NaN",
            "-5",
            "4h",
            "99999999w",
            "maildir:mail",
            "postgresql+psycopg://u:pw@h:abc/db",
            "sqlite:///x.db",
            "Europe/Moscow",
            "hourly",
            "targets",
            "email",
            "chat",
            "RUB",
            "{{ customer }}",
            "{{ nope }}",
            "24x7",
            "10:00-19:00",
        ]
    ),
    st.dates(),
    st.datetimes(),
    st.times(),
)


def _trees(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=4),
    )


values = st.recursive(scalars, _trees, max_leaves=15)
trees = st.dictionaries(
    st.one_of(st.sampled_from(TOP_KEYS), st.text(max_size=6)),
    st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=5), values),
    max_size=4,
)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``tree``: table keys and array indexes."""
    out = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _paths(value, (*prefix, i))
    return out


@st.composite
def mutated_examples(draw: st.DrawFn) -> dict[str, Any]:
    """An example config with one place replaced, removed, or given an extra key."""
    tree = tomllib.loads(draw(st.sampled_from(EXAMPLES)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = draw(st.sampled_from(paths[1:] or paths))
        parent: Any = tree
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1] if path else None
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if last is None:
            continue
        if action == "replace":
            parent[last] = draw(values)
        elif action == "remove" and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(KEYS))] = draw(values)
    return tree


def _writable(tree: dict[str, Any]) -> bool:
    """tomli_w writes any tree except lone surrogates and times with offsets; the rest is TOML."""
    try:
        tomli_w.dumps(tree)
    except (TypeError, ValueError, UnicodeEncodeError):
        return False
    return True


class ConfigRunner:
    """Runs ``deskframe --config FILE canned list`` in-process with one CLI and one plugin set."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.cli = build_cli(build_plugins())
        self.path = workdir / "deskframe.toml"
        (workdir / "mail").mkdir(exist_ok=True)

    def check(self, tree: dict[str, Any]) -> None:
        """The property: success, or one ``Error: FILE: ...`` line and exit code 2."""
        if not _writable(tree):
            return
        self.path.write_text(tomli_w.dumps(tree), encoding="utf-8")
        result = CliRunner().invoke(
            self.cli, ["--config", str(self.path), "canned", "list"], env={"DESKFRAME_DATABASE_URL": ""}
        )
        shown = f"{result.output}\n{tomli_w.dumps(tree)[:1500]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{type(result.exception).__name__}: {result.exception}\n{shown}"
        )
        if result.exit_code == 0:
            return
        assert result.exit_code == 2, shown
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {self.path}: "), shown


def run(max_examples: int, seed: int | None = None, workdir: Path | None = None) -> None:
    """Both properties, ``max_examples`` each (``seed`` for benchmarks/fuzz.py)."""
    import hypothesis

    runner = ConfigRunner(workdir or Path(tempfile.mkdtemp()))
    for strategy in (trees, mutated_examples()):
        test = settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            derandomize=seed is None,
            suppress_health_check=list(HealthCheck),
        )(given(strategy)(runner.check))
        if seed is not None:
            test = hypothesis.seed(seed)(test)
        test()


def test_the_examples_load(tmp_path: Path) -> None:
    runner = ConfigRunner(tmp_path)
    for example in EXAMPLES:
        tree = tomllib.loads(example.read_text(encoding="utf-8"))
        runner.path.write_text(tomli_w.dumps(tree), encoding="utf-8")
        result = CliRunner().invoke(runner.cli, ["--config", str(runner.path), "canned", "list"])
        assert result.exit_code == 0, (example, result.output)


def test_arbitrary_and_mutated_configs_load_or_give_one_line(tmp_path: Path) -> None:
    run(max_examples=100, workdir=tmp_path)


def test_found_by_fuzzing(tmp_path: Path) -> None:
    """Cases the fuzzer found, kept as plain regression checks."""
    runner = ConfigRunner(tmp_path)
    for tree in (
        {"desk": {"database": "postgresql+psycopg://u:pw@h:abc/db"}},
        {"tickets": {"default_queue": "x\x00y"}},
        {"billing": {"tax_rate": "1e-99999999999"}},
        {"desk": {"attachment_max_bytes": 2**63 - 1}},
        {"calendars": {"c": {"timezone": "UTC", "hours": "24x7", "extra_holidays": [dt.date(1, 1, 1)]}}},
    ):
        runner.check(tree)
