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
from pathlib import Path

from deskframe.i18n import catalog_translations

DOMAIN = "deskframe_invoicing"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language`` (it may not exist)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=16)
def translations(language: str) -> gettext.NullTranslations:
    """The translations of ``language`` (``"ru"``); English message ids when there is no catalog
    (loaded as every plugin's catalog is: :func:`deskframe.i18n.catalog_translations`)."""
    return catalog_translations(LOCALE_DIR, DOMAIN, language)
