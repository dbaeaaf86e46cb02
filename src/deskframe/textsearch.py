"""Full-text search values without SQL: search languages, normalisation, stems, query terms.

Both stores index the same normalised text (NFC, ``ё`` folded to ``е``) and
split queries the same way; :mod:`deskframe.store.search` turns the terms into
an FTS5 ``MATCH`` (SQLite, with Snowball stems from PyStemmer) or a
``tsquery`` (PostgreSQL, with its own text-search configurations).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import attrs

#: Search language code -> Snowball algorithm, which is also the PostgreSQL
#: text-search configuration of the same name (both ship these stemmers).
LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
DEFAULT_LANGUAGES: tuple[str, ...] = ("ru", "en")
#: At most this many languages: each adds stems to every article's index entry.
MAX_LANGUAGES = 4
#: Characters of an article's text that are indexed (keeps a PostgreSQL tsvector
#: of subject + text in every configured language under its 1 MB limit, and
#: intake of a huge pasted log cheap).
INDEXED_CHARS = 50_000
#: At most this many words in one query (each becomes a clause of the database's query).
MAX_TERMS = 32

# Letters and digits; "_" and punctuation separate words, as in FTS5's unicode61 tokenizer.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TERM = re.compile(r"([^\W_]+)(\*?)", re.UNICODE)


@attrs.frozen
class Term:
    """One word of a query: every term must match; ``prefix`` for ``word*``."""

    word: str
    prefix: bool = False


def check_languages(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes, lower-cased and without repeats; ValueError naming the first unknown one."""
    out: list[str] = []
    for code in codes:
        key = code.strip().lower()
        if key not in LANGUAGES:
            raise ValueError(f"unknown search language {code!r} (known: {', '.join(sorted(LANGUAGES))})")
        if key not in out:
            out.append(key)
    if len(out) > MAX_LANGUAGES:
        raise ValueError(f"at most {MAX_LANGUAGES} languages, got {len(out)}")
    return tuple(out)


def normalize(text: str) -> str:
    """Text as it is indexed and queried: NFC, ``ё``/``Ё`` as ``е``/``Е``, cut to :data:`INDEXED_CHARS`."""
    text = unicodedata.normalize("NFC", text[:INDEXED_CHARS])
    return text.replace("ё", "е").replace("Ё", "Е")


def words(text: str) -> list[str]:
    """The lower-cased words of already normalised ``text``, in order."""
    return _WORD.findall(text.lower())


def query_terms(query: str) -> list[Term]:
    """The terms of a user's query: words, each optionally ending in ``*`` (a prefix), repeats
    dropped; ValueError for more than :data:`MAX_TERMS`."""
    text = normalize(query).lower()
    terms = list(dict.fromkeys(Term(word, bool(star)) for word, star in _TERM.findall(text)))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"too many words to search for ({len(terms)}; at most {MAX_TERMS})")
    return terms


@functools.cache
def _stemmer(language: str) -> object:
    import Stemmer  # PyStemmer: the Snowball stemmers as a C extension

    return Stemmer.Stemmer(LANGUAGES[language])


def stems(tokens: Iterable[str], languages: Iterable[str]) -> list[str]:
    """The distinct Snowball stems of ``tokens`` (lower-case words) in every language, in order."""
    unique = list(dict.fromkeys(tokens))
    found: dict[str, None] = {}
    for language in languages:
        found.update(dict.fromkeys(_stemmer(language).stemWords(unique)))  # type: ignore[attr-defined]
    return list(found)


def term_stems(term: Term, languages: Iterable[str]) -> list[str]:
    """The stems a term's word may appear as in the index (the word itself for a prefix)."""
    if term.prefix:
        return [term.word]
    return stems([term.word], languages)
