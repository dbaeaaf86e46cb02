"""An amount in words for the invoice's language, through ``num2words``.

Russian invoices write the total as «Девять тысяч триста семьдесят пять рублей 00 копеек»:
the whole units in words, the minor units as two digits, each followed by its noun in
the grammatical number the figure asks for. ``num2words`` gives the words and the noun
forms (its ``CURRENCY_FORMS`` and ``pluralize``); only the assembly is done here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from deskframe.money import Money

#: Languages whose num2words converter knows currency nouns; others fall back to English.
_SUPPORTED = ("ru", "en")


def _converter(language: str) -> Any:
    from num2words import CONVERTER_CLASSES

    return CONVERTER_CLASSES[language if language in _SUPPORTED else "en"]


def amount_in_words(value: Money, language: str) -> str:
    """``value`` in words, capitalised: ``Три тысячи рублей 00 копеек`` / ``Three thousand roubles 00 kopeks``.

    A currency num2words has no nouns for is written with its ISO code (``Five hundred EUR 00``).
    """
    from num2words import num2words

    amount = abs(value.rounded().amount)
    whole = int(amount)
    minor_digits = value.minor_unit
    minor = int((amount - whole) * (Decimal(10) ** minor_digits)) if minor_digits else 0
    lang = language if language in _SUPPORTED else "en"
    words = num2words(whole, lang=lang)
    converter = _converter(lang)
    forms = getattr(converter, "CURRENCY_FORMS", {}).get(value.currency)
    if forms:
        major_noun = converter.pluralize(whole, forms[0])
        minor_noun = converter.pluralize(minor, forms[1])
    else:
        major_noun, minor_noun = value.currency, ""
    text = f"{words} {major_noun}"
    if minor_digits:
        text += f" {minor:0{minor_digits}d}" + (f" {minor_noun}" if minor_noun else "")
    if value.amount < 0:
        text = ("минус " if lang == "ru" else "minus ") + text
    return text[:1].upper() + text[1:]
