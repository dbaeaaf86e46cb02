"""Render the hook reference (docs/hooks.md) from :mod:`deskframe.hookspecs`.

``python -m deskframe.hookdocs > docs/hooks.md`` regenerates it; a test fails
when the file and the specifications drift apart.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import hookspecs

KINDS = (("Register hooks", "register_"), ("Resolve hooks", None), ("Notify hooks", None))
RESOLVE = ("route_message", "classify_priority")


def _hooks() -> list[tuple[str, Callable[..., Any]]]:
    return [
        (name, fn) for name, fn in vars(hookspecs).items() if inspect.isfunction(fn) and hasattr(fn, "deskframe_spec")
    ]


def _section(name: str) -> str:
    if name.startswith("register_"):
        return "Register hooks"
    return "Resolve hooks" if name in RESOLVE else "Notify hooks"


def render() -> str:
    """The Markdown hook reference."""
    lines = [
        "# Hook reference",
        "",
        "Generated from `src/deskframe/hookspecs.py` by `python -m deskframe.hookdocs`; do not edit by hand.",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for title, _ in KINDS:
        lines += [f"## {title}", ""]
        for name, fn in _hooks():
            if _section(name) != title:
                continue
            signature = str(inspect.signature(fn)).replace("'", "").replace('"', "")
            first = " (firstresult)" if name in RESOLVE else ""
            lines += [
                f"### `{name}`{first}",
                "",
                "```python",
                f"def {name}{signature}",
                "```",
                "",
                inspect.cleandoc(fn.__doc__ or ""),
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
