"""``deskframe plugin new``: write a plugin distribution that installs and passes its own tests.

:func:`scaffold` writes ``DIRECTORY/deskframe-NAME/`` for one of :data:`KINDS`::

    pyproject.toml            setuptools; entry point  [project.entry-points.deskframe] NAME = "deskframe_NAME"
    README.md                 what it does, how to configure, install and test it
    src/deskframe_NAME/__init__.py   a working minimal implementation of the kind
    tests/conftest.py         pytest_plugins = ["deskframe.testing"]
    tests/test_NAME.py        tests that pass straight away (through the installed entry point)

NAME (lowercase letters, digits, single hyphens) is also what the plugin registers, so it
must not clash with an installed plugin. The files are Jinja2 templates, package data
under ``deskframe/scaffold/templates/`` (``KIND/__init__.py.j2`` and ``KIND/test_plugin.py.j2``
for each kind, and the files every kind shares); an implementation's docstring doubles as
its README's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import DeskframeError

#: What ``--kind`` accepts, and what each kind registers (registry kind of ``deskframe plugins``).
KINDS: dict[str, str] = {
    "channel": "channel_types",
    "sla-policy": "sla_policies",
    "pricing-model": "pricing_models",
    "output-format": "output_formats",
    "command": "commands",
}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
MAX_NAME = 40


class ScaffoldError(DeskframeError):
    """A plugin name or target directory ``deskframe plugin new`` cannot use."""


def package_name(name: str) -> str:
    """The import package of plugin ``name``: ``acme-inbox`` -> ``deskframe_acme_inbox``."""
    return "deskframe_" + name.replace("-", "_")


def check_name(name: str, taken: Iterable[str] | Mapping[str, str] = ()) -> str:
    """Return ``name`` if it can name a plugin, else raise :class:`ScaffoldError` saying why.

    ``taken``: names in use, or a mapping of them to who uses them ("the installed plugin 'email'").
    """
    if not isinstance(name, str) or not name:
        raise ScaffoldError("plugin name must not be empty")
    if name.startswith(("deskframe-", "deskframe_")):
        raise ScaffoldError(
            f"plugin name {name!r}: leave out the 'deskframe-' prefix "
            f"(the distribution is called deskframe-NAME already)"
        )
    if len(name) > MAX_NAME:
        raise ScaffoldError(f"plugin name {name!r} is too long ({len(name)} characters, at most {MAX_NAME})")
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldError(
            f"plugin name {name!r} is not valid: use lowercase letters, digits and single "
            f"hyphens, starting with a letter (e.g. 'acme-inbox')"
        )
    used = taken if isinstance(taken, Mapping) else dict.fromkeys(taken, "an installed plugin or command")
    if name in used:
        raise ScaffoldError(f"plugin name {name!r} is taken by {used[name]}; choose another")
    return name


def scaffold(name: str, kind: str, directory: Path, *, taken: Iterable[str] | Mapping[str, str] = ()) -> Path:
    """Write the plugin distribution ``directory/deskframe-NAME`` of ``kind``; return its path.

    ``taken`` lists names already in use (installed plugins, registered names of
    that kind, core commands). An existing target is never overwritten.
    """
    check_name(name, taken)
    if kind not in KINDS:
        raise ScaffoldError(f"unknown plugin kind {kind!r} (known: {', '.join(KINDS)})")
    root = Path(directory) / f"deskframe-{name}"
    if root.exists():
        raise ScaffoldError(f"{root} already exists; not overwriting it (remove it or choose another --dir)")
    package = package_name(name)
    values = {
        "name": name,
        "package": package,
        "dist": f"deskframe-{name}",
        "kind": kind,
        "dependencies": ", ".join(f'"{d}"' for d in ("deskframe", *EXTRA_DEPENDENCIES.get(kind, ()))),
    }
    env = _environment()
    implementation = env.get_template(f"{kind}/__init__.py.j2").render(values)
    files = {
        "pyproject.toml": env.get_template("pyproject.toml.j2").render(values),
        "README.md": env.get_template("README.md.j2").render(values, description=_docstring(implementation)),
        f"src/{package}/__init__.py": implementation,
        "tests/conftest.py": env.get_template("conftest.py.j2").render(values),
        f"tests/test_{name.replace('-', '_')}.py": env.get_template(f"{kind}/test_plugin.py.j2").render(values),
    }
    try:
        root.mkdir(parents=True)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write {root}: {exc.strerror or exc}") from None
    return root


def _environment() -> Any:
    """The Jinja2 environment of the templates shipped as package data beside this module."""
    import jinja2  # only ``plugin new`` needs it

    return jinja2.Environment(
        loader=jinja2.PackageLoader("deskframe.scaffold", "templates"),
        keep_trailing_newline=True,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
    )


def _docstring(module: str) -> str:
    """A module template's docstring as Markdown: the README's description of the plugin."""
    text = module.split('"""', 2)[1].strip() + "\n"
    return text.replace("\n::\n", "\n").replace("::\n", ":\n")  # indented blocks stay code blocks


#: Extra run-time dependencies of a kind's generated distribution.
EXTRA_DEPENDENCIES = {"command": ("click>=8.1",)}
