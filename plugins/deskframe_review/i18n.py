"""The review's words in the customer's language: gettext catalogs ``ru`` and ``en`` in
``locale/<lang>/LC_MESSAGES/deskframe_review.po``, compiled in memory by
:func:`deskframe.i18n.catalog_translations` (no build step)."""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "deskframe_review"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def translations(language: str) -> gettext.NullTranslations:
    """The translations of ``language`` (``"ru"``); English message ids when there is no catalog."""
    from deskframe.i18n import catalog_translations

    return catalog_translations(LOCALE_DIR, DOMAIN, language)
