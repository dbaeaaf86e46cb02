"""Canned responses: Jinja2 templates with placeholders, rendered in a sandbox.

Placeholders: ``{{ customer }}`` (customer name), ``{{ contact }}``,
``{{ number }}`` (ticket number), ``{{ subject }}``, ``{{ agent }}``,
``{{ due }}`` (the next SLA due time, or an empty string).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Jinja2 is imported when a template is checked or rendered, not with the Desk
    from jinja2.sandbox import ImmutableSandboxedEnvironment

PLACEHOLDERS = ("customer", "contact", "number", "subject", "agent", "due", "queue", "priority")


def _environment() -> ImmutableSandboxedEnvironment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def check_template(body: str) -> str | None:
    """A problem with ``body`` (syntax, unknown placeholder), or ``None``."""
    import jinja2

    env = _environment()
    try:
        parsed = env.parse(body)
    except jinja2.TemplateSyntaxError as exc:
        return f"template error on line {exc.lineno}: {exc.message}"
    from jinja2 import meta

    unknown = sorted(set(meta.find_undeclared_variables(parsed)) - set(PLACEHOLDERS))
    if unknown:
        return f"unknown placeholder {unknown[0]!r} (known: {', '.join(PLACEHOLDERS)})"
    return None


def render(body: str, values: dict[str, Any]) -> str:
    """Render a canned response with the ticket's values."""
    context = {name: ("" if values.get(name) is None else values.get(name)) for name in PLACEHOLDERS}
    return _environment().from_string(body).render(context)
