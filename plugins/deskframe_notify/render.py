"""Notification templates: Jinja2 files ``templates/<language>/<name>.txt`` (package data), or
in ``[notify] templates`` (a directory with the same layout, looked at first).

A template's first line is ``Subject: ...``, then an empty line, then the body; both are
rendered with the event's values (docs/notify.md lists them). A language without the template
falls back to English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .settings import NotifySettings, template_dir

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
FALLBACK_LANGUAGE = "en"


def find(name: str, language: str, settings: NotifySettings, config: Any) -> Path | None:
    """The file of template ``name`` in ``language`` (else English), or None."""
    roots = ([template_dir(settings, config)] if settings.templates else []) + [PACKAGE_TEMPLATES]
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        for root in roots:
            path = root / lang / f"{name}.txt"
            if path.is_file():
                return path
    return None


def render(path: Path, values: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the template file at ``path`` rendered with ``values``."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.ChainableUndefined, autoescape=False, keep_trailing_newline=True
    )
    source = path.read_text(encoding="utf-8")
    head, _, body = source.partition("\n\n")
    if not head.lower().startswith("subject:"):
        head, body = "", source
    subject = env.from_string(head[len("subject:") :].strip()).render(values) if head else ""
    text = env.from_string(body).render(values)
    return " ".join(subject.split()), text.strip() + "\n"
