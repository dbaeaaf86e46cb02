"""The invoice's words in its own language: Babel gettext catalogs ``ru`` and ``en``.

The catalogs are the ``.po`` files in ``locale/<lang>/LC_MESSAGES/deskframe_invoicing.po``
beside this module (installed as package data). A compiled ``.mo`` next to a ``.po``
is used when it is at least as new; otherwise the ``.po`` is compiled in memory with
``babel.messages`` on first use, so a fresh clone installed with ``pip install -e .``
needs no build step. A language without a catalog gets the English message ids.

Message ids are the English texts; ``en`` exists so translators see every message,
and so that an English wording can change without touching the code.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

DOMAIN = "deskframe_invoicing"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language`` (it may not exist)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def translations(language: str) -> gettext.NullTranslations:
    """The translations of ``language`` (``"ru"``); English message ids when there is no catalog."""
    po = catalog_path(language)
    if not po.is_file():
        return gettext.NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_po(po)
    return gettext.GNUTranslations(io.BytesIO(data))
