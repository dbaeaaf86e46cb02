"""Recurring subjects: tickets of a period whose subjects share the same words.

Words are lower-cased, reduced to their Snowball stem (English or Russian, by script)
so that "ошибка" and "ошибки" or "timeout" and "timeouts" count as one, and words
shorter than 3 letters, numbers and a few filler words are left out. Two content words
that occur together in the subjects of at least :data:`MIN_TICKETS` tickets make a
recurring group.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

#: Tickets sharing two subject words that make them "recurring".
MIN_TICKETS = 3
#: Groups reported at most.
MAX_GROUPS = 5
STOP = frozenset(
    [
        "this",
        "that",
        "with",
        "from",
        "have",
        "please",
        "help",
        "after",
        "when",
        "does",
        "about",
        "there",
        "their",
        "issue",
        "problem",
        "question",
        "request",
        "ticket",
        "urgent",
        "again",
        "still",
        "need",
        "support",
        "какой",
        "когда",
        "после",
        "просьба",
        "вопрос",
        "проблема",
        "заявка",
        "помогите",
        "срочно",
        "нужно",
        "можно",
        "снова",
        "опять",
        "только",
        "the",
        "and",
        "for",
        "not",
        "are",
        "you",
        "can",
        "fwd",
        "при",
        "для",
        "что",
        "как",
        "это",
        "или",
        "все",
        "нет",
    ]
)
WORD = re.compile(r"[^\W\d_]{3,}")


def stem(word: str) -> str:
    """The Snowball stem of a lower-case word (Russian for Cyrillic, else English), with the
    stemmers of the core's search (:func:`deskframe.textsearch.stems`)."""
    from deskframe.textsearch import stems

    found = stems([word], ["ru" if re.search("[а-яё]", word) else "en"])
    return found[0] if found else word


def content_words(subject: str, stemmed: dict[str, str] | None = None) -> dict[str, str]:
    """Stem -> first word form of the subject's content words; ``stemmed`` (word -> stem) keeps
    the stems found so far, for a caller going through many subjects with the same words."""
    out: dict[str, str] = {}
    for word in WORD.findall(subject.lower()):
        if word in STOP:
            continue
        if stemmed is None:
            key = stem(word)
        else:
            key = stemmed.get(word) or stemmed.setdefault(word, stem(word))
        out.setdefault(key, word)
    return out


def recurring(tickets: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Groups of at least :data:`MIN_TICKETS` tickets (``(number, subject)`` pairs) whose
    subjects share two words, the biggest first; a group whose tickets are all in a bigger one
    is left out."""
    # a month's subjects repeat the same words around ticket numbers and such: the tickets are
    # grouped by their sequence of words first (in the order each sequence first occurs), and
    # each distinct sequence is looked at once (its stems, forms and pairs)
    by_words: dict[tuple[str, ...], list[int]] = {}
    findall = WORD.findall
    for k, (_number, subject) in enumerate(tickets):
        key = tuple(findall(subject.lower()))
        found = by_words.get(key)
        if found is None:
            by_words[key] = [k]
        else:
            found.append(k)
    pairs: dict[tuple[str, str], list[list[int]]] = {}  # pair -> the ticket indexes of each sequence
    forms: dict[str, Counter[str]] = {}
    stemmed: dict[str, str] = {}  # a month's subjects repeat their words: stem each word once
    for indexes in by_words.values():
        words = content_words(tickets[indexes[0]][1], stemmed)
        for key_, form in words.items():
            counts = forms.get(key_)
            if counts is None:
                counts = forms[key_] = Counter()
            counts[form] += len(indexes)
        for pair in itertools.combinations(sorted(words)[:12], 2):
            pairs.setdefault(pair, []).append(indexes)
    counted = [(pair, runs, sum(map(len, runs))) for pair, runs in pairs.items()]
    groups = sorted(((p, r, n) for p, r, n in counted if n >= MIN_TICKETS), key=lambda item: (-item[2], item[0]))
    out: list[dict[str, Any]] = []
    for pair, runs, _n in groups:
        # the tickets in their own order, as if each had been appended one by one
        numbers = [tickets[k][0] for k in (runs[0] if len(runs) == 1 else sorted(itertools.chain(*runs)))]
        if any(set(numbers) <= set(g["tickets"]) for g in out):
            continue
        out.append({"words": [forms[k].most_common(1)[0][0] for k in pair], "count": len(numbers), "tickets": numbers})
        if len(out) == MAX_GROUPS:
            break
    return out
