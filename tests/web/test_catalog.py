"""The pages' gettext catalogs: every message the templates and page modules use has a Russian
translation, and the catalogs compile (as :func:`deskframe.i18n.catalog_translations` does at first use)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po

from deskframe.web.pages.render import DOMAIN, LOCALE_DIR, translations

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("web_catalog", ROOT / "scripts" / "web_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_russian_translation():
    used = {m.id for m in load_script().extract() if m.id}
    assert len(used) > 100
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        ru = read_po(fh, locale="ru", domain=DOMAIN)
    translated = {m.id for m in ru if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in used - translated)
    assert not missing, f"run scripts/web_catalog.py and translate: {missing}"


def test_catalogs_compile_and_translate():
    assert translations("ru").gettext("Send") == "Отправить"
    assert translations("en").gettext("Send") == "Send"
