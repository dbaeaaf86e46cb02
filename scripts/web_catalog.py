"""Refresh the web pages' gettext catalogs (src/deskframe/web/locale/{en,ru}/LC_MESSAGES/deskframe_web.po).

Extracts the messages of the templates (``{{ _("...") }}``, ``{% trans %}``) and of the
``deskframe.web.pages`` modules (``_("...")``) with Babel, then merges them into both
catalogs, keeping existing translations. Run ``python scripts/web_catalog.py`` and fill in the
empty ``msgstr`` of ``ru``; ``tests/web/test_catalog.py`` fails while one is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "deskframe" / "web"
DOMAIN = "deskframe_web"
METHODS = [("templates/**.html", "jinja2"), ("pages/**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


def extract() -> Catalog:
    """The messages the pages use, as a template catalog."""
    catalog = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB), METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> int:
    """Merge the extracted messages into the ``en`` and ``ru`` catalogs."""
    template = extract()
    for language in ("en", "ru"):
        po = WEB / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=language, domain=DOMAIN)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="deskframe")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True, include_lineno=False)
        missing = [m.id for m in catalog if m.id and language == "ru" and not m.string]
        if missing:
            print(f"{po}: {len(missing)} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
