"""The public API is typed, and ships its types: plugin authors' type checkers see them.

mypy itself runs from scripts/test (configured in pyproject.toml); these checks are the
fast part that needs no type checker: the PEP 561 marker is packaged, the strict mypy
override still names the public modules, and no function in them lacks annotations.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "deskframe"
#: What a plugin author imports: the package, the hook contract, the pytest helpers and
#: the modules whose classes the package re-exports.
PUBLIC = ("__init__", "hookspecs", "testing", "model", "extensions", "events", "money", "errors", "tables")
STRICT = ("disallow_untyped_defs", "disallow_incomplete_defs", "disallow_any_generics")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_ships_the_pep_561_marker():
    assert (SRC / "py.typed").is_file()
    assert "py.typed" in _pyproject()["tool"]["setuptools"]["package-data"]["deskframe"]


def test_mypy_checks_the_public_modules_strictly():
    overrides = _pyproject()["tool"]["mypy"]["overrides"]
    strict = [o for o in overrides if all(o.get(flag) for flag in STRICT)]
    covered = {m for o in strict for m in o["module"]}
    wanted = {"deskframe" if name == "__init__" else f"deskframe.{name}" for name in PUBLIC}
    assert wanted <= covered


def _unannotated(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        missing = [
            a.arg
            for i, a in enumerate(params)
            if a is not None and a.annotation is None and not (i == 0 and a.arg in ("self", "cls"))
        ]
        if node.returns is None:
            missing.append("return")
        if missing:
            found.append(f"{path.name}:{node.lineno} {node.name}({', '.join(missing)})")
    return found


@pytest.mark.parametrize("name", PUBLIC)
def test_every_function_of_the_public_api_is_annotated(name):
    assert _unannotated(SRC / f"{name}.py") == []


def test_the_annotation_check_finds_a_missing_annotation(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(self, a, b: int) -> None: ...\nclass C:\n    def g(self) -> int: ...\n    def h(cls, x: int): ...\n"
    )
    assert _unannotated(sample) == ["sample.py:1 f(a)", "sample.py:4 h(return)"]
