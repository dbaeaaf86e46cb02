"""``deskframe plugin new``: names, refusals, and scaffolds that install and pass their own tests.

Each kind is scaffolded and its generated tests run in a subprocess, with the plugin
made visible the way an install makes it: its ``src`` on ``PYTHONPATH`` and a
``.dist-info`` (METADATA + entry_points.txt, the entry points read from the generated
``pyproject.toml``) in a second ``PYTHONPATH`` directory, so ``importlib.metadata`` finds
the entry point and the tests load the plugin through it. One slow test does a real
``pip install -e`` into a throw-away virtual environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from xml.etree import ElementTree

import pytest
import tomllib
from click.testing import CliRunner

from deskframe.cli.plugin_cmd import plugin_group, taken_names
from deskframe.scaffold import KINDS, ScaffoldError, check_name, package_name, scaffold

#: A name per kind, and the hook its plugin implements.
CASES = {
    "channel": ("sc-inbox", "register_channel_types"),
    "sla-policy": ("sc-sla", "register_sla_policies"),
    "pricing-model": ("sc-flat", "register_pricing_models"),
    "output-format": ("sc-md", "register_output_formats"),
    "command": ("sc-tools", "register_commands"),
}
DESKFRAME = Path(sys.executable).parent / "deskframe"


# --- names and refusals ------------------------------------------------------------


@pytest.mark.parametrize("name", ["acme", "acme-inbox", "x2", "a-1-b"])
def test_valid_names(name):
    assert check_name(name) == name
    assert package_name(name) == "deskframe_" + name.replace("-", "_")


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "must not be empty"),
        ("Acme", "lowercase letters, digits and single hyphens"),
        ("acme_inbox", "lowercase letters, digits and single hyphens"),
        ("1acme", "starting with a letter"),
        ("acme--inbox", "single hyphens"),
        ("acme-", "single hyphens"),
        ("acme inbox", "lowercase letters"),
        ("deskframe-acme", "leave out the 'deskframe-' prefix"),
        ("a" * 41, "too long"),
    ],
)
def test_invalid_names_say_why(name, problem):
    with pytest.raises(ScaffoldError, match=problem):
        check_name(name)


def test_taken_names_say_who_has_them():
    with pytest.raises(ScaffoldError, match="'acme' is taken by the installed plugin 'acme'"):
        check_name("acme", {"acme": "the installed plugin 'acme'"})
    with pytest.raises(ScaffoldError, match="'acme' is taken by an installed plugin or command"):
        check_name("acme", ["acme"])


def test_taken_names_cover_plugins_registered_names_and_core_commands():
    from deskframe.plugins import build_plugins

    plugins = build_plugins()
    assert "email" in taken_names("channel", plugins)  # the reference plugin's entry point
    assert "hourly" in taken_names("pricing-model", plugins)  # a registered pricing model
    assert {"ticket", "invoice", "plugin"} <= set(taken_names("command", plugins))
    assert {"json", "table", "csv"} <= set(taken_names("output-format", plugins))
    assert "hourly" not in taken_names("channel", plugins)


def test_unknown_kind_and_existing_directory_are_refused(tmp_path):
    with pytest.raises(ScaffoldError, match="unknown plugin kind 'widget'"):
        scaffold("acme", "widget", tmp_path)
    (tmp_path / "deskframe-acme").mkdir()
    (tmp_path / "deskframe-acme" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="already exists; not overwriting"):
        scaffold("acme", "channel", tmp_path)
    assert [p.name for p in (tmp_path / "deskframe-acme").iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_layout_and_pyproject(tmp_path, kind):
    root = scaffold("acme-x", kind, tmp_path)
    assert root == tmp_path / "deskframe-acme-x"
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        "src/deskframe_acme_x/__init__.py",
        "tests/conftest.py",
        "tests/test_acme_x.py",
    ]
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["build-system"]["build-backend"] == "setuptools.build_meta"
    assert meta["project"]["name"] == "deskframe-acme-x"
    assert "deskframe" in meta["project"]["dependencies"]
    assert meta["project"]["entry-points"]["deskframe"] == {"acme-x": "deskframe_acme_x"}
    assert meta["project"]["optional-dependencies"]["test"] == ["pytest>=8"]
    assert 'pytest_plugins = ["deskframe.testing"]' in (root / "tests" / "conftest.py").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# deskframe-acme-x\n") and "pip install -e ." in readme
    for path in (root / "src" / "deskframe_acme_x" / "__init__.py", root / "tests" / "test_acme_x.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
        assert "@@" not in path.read_text(encoding="utf-8")


# --- the command ---------------------------------------------------------------------


def test_plugin_new_writes_the_distribution_and_prints_next_steps(tmp_path):
    result = CliRunner().invoke(plugin_group, ["new", "acme-inbox", "--kind", "channel", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "deskframe-acme-inbox"
    assert (root / "src" / "deskframe_acme_inbox" / "__init__.py").is_file()
    assert f"pip install -e {root} && pytest {root}" in result.output
    again = CliRunner().invoke(plugin_group, ["new", "acme-inbox", "--kind", "channel", "--dir", str(tmp_path)])
    assert again.exit_code == 1 and "already exists; not overwriting" in again.output


@pytest.mark.parametrize(
    "args, problem",
    [
        (["new", "Acme", "--kind", "channel"], "Invalid value for NAME: plugin name 'Acme' is not valid"),
        (["new", "email", "--kind", "channel"], "'email' is taken by the installed plugin 'email'"),
        (["new", "ticket", "--kind", "command"], "taken by the core command 'deskframe ticket'"),
        (["new", "acme", "--kind", "widget"], "Invalid value for '--kind'"),
        (["new", "acme"], "Missing option '--kind'"),
    ],
)
def test_plugin_new_refuses_with_a_clear_error(tmp_path, args, problem):
    result = CliRunner().invoke(plugin_group, [*args, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and problem in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_plugin_new_inside_the_deskframe_command(tmp_path):
    """Wired as the core engineer will (CORE_COMMANDS), no config file is needed."""
    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    cli = build_cli(build_plugins())
    if "plugin" not in cli.commands:
        cli.add_command(plugin_group)
    result = CliRunner().invoke(
        cli,
        ["--config", str(tmp_path / "none.toml"), "plugin", "new", "acme", "--kind", "command", "--dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "deskframe-acme" / "tests" / "test_acme.py").is_file()


# --- generated distributions pass their own tests --------------------------------------


def fake_install(root: Path, site: Path) -> None:
    """Make visible what ``pip install -e root`` would, reading root's pyproject.toml."""
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n", encoding="utf-8"
    )
    lines = ["[deskframe]", *(f"{k} = {v}" for k, v in meta["entry-points"]["deskframe"].items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def listed(output: str, name: str) -> dict:
    rows = {row["name"]: row for row in json.loads(output)}
    assert name in rows, f"{name} not in {sorted(rows)}"
    return rows[name]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Every kind scaffolded and "installed" side by side; their tests run in one pytest
    process (one interpreter start instead of five), results per test file from JUnit XML."""
    base = tmp_path_factory.mktemp("scaffolds")
    site = base / "site"
    roots = {kind: scaffold(name, kind, base / "work") for kind, (name, _) in CASES.items()}
    for root in roots.values():
        fake_install(root, site)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*(str(r / "src") for r in roots.values()), str(site)])
    report = base / "junit.xml"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            *map(str, roots.values()),
        ],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    cases: dict[str, list[tuple[str, str]]] = {}
    if report.exists():
        for case in ElementTree.parse(report).iter("testcase"):
            outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
            cases.setdefault(case.get("classname", "").rsplit(".", 1)[-1], []).append((case.get("name"), outcome))
    shown = subprocess.run(
        [str(DESKFRAME), "plugins", "--format", "json"], cwd=base, env=env, capture_output=True, text=True, timeout=60
    )
    return {"run": run, "cases": cases, "plugins": shown}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffolded_plugin_passes_its_tests_and_is_listed(installed, kind):
    name, hook = CASES[kind]
    run = installed["run"]
    results = installed["cases"].get(f"test_{name.replace('-', '_')}")
    assert results, f"no test of {name} ran:\n{run.stdout}{run.stderr}"
    assert [r for r in results if r[1] != "passed"] == [], run.stdout + run.stderr
    shown = installed["plugins"]
    assert shown.returncode == 0, shown.stderr
    row = listed(shown.stdout, name)
    assert (row["distribution"], row["version"]) == (f"deskframe-{name}", "0.1.0")
    assert row["hooks"] == [hook]
    assert row["registered"] == {KINDS[kind]: [name]}


@pytest.mark.slow
def test_all_scaffolds_together_pass(installed):
    assert installed["run"].returncode == 0, installed["run"].stdout + installed["run"].stderr


def _pip_could_not_fetch(output: str) -> bool:
    return any(
        s in output
        for s in (
            "Could not find a version that satisfies",
            "NewConnectionError",
            "Temporary failure in name resolution",
            "No matching distribution",
        )
    )


@pytest.mark.slow
def test_real_editable_install_into_a_fresh_venv(tmp_path):
    """``pip install -e`` as a plugin author would, into a throw-away venv that sees this
    environment's packages (deskframe, pytest, pip) as --system-site-packages would."""
    root = scaffold("sc-real", "channel", tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(purelib, "_deskframe_parent_env.pth").write_text(
        f"import site; site.addsitedir({parent!r})\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-e", str(root)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0 and _pip_could_not_fetch(install.stdout + install.stderr):
        pytest.skip("pip could not fetch setuptools for the isolated build (no package index reachable)")
    assert install.returncode == 0, install.stdout + install.stderr
    tests = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout
    shown = subprocess.run(
        [
            str(python),
            "-c",
            "import sys; from deskframe.cli import main; main(sys.argv[1:])",
            "plugins",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    row = listed(shown.stdout, "sc-real")
    assert (row["distribution"], row["version"], row["registered"]) == (
        "deskframe-sc-real",
        "0.1.0",
        {"channel_types": ["sc-real"]},
    )
