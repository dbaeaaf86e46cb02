"""Property: any word of a stored text finds it, and no query string makes search fail (SQLite, PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskframe.actors import Actor
from deskframe.errors import DomainError

LETTERS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüßçñ"
)
SEPARATORS = " .,-_@/:;!?()\"'\n«»—+#&<>=*~|\\%$"
TEXT = st.text(st.sampled_from(LETTERS + SEPARATORS), min_size=1, max_size=60)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def acme(desk, factory):
    factory.customer("acme")
    return desk


@SETTINGS
@given(text=TEXT, pick=st.integers(min_value=0))
def test_every_word_of_a_text_finds_it(acme, text, pick):
    words = re.findall(r"[^\W_]+", text)
    if not words:
        return
    ticket = acme.tickets.open(subject="Обращение", body=text, customer="acme", actor=Actor.operator())
    word = words[pick % len(words)]
    found = [r["number"] for r in acme.tickets.search(word, limit=10_000)]
    assert ticket.number in found, (text, word)
    upper = word.upper() if word.upper().lower() == word.lower() else word  # "ß".upper() is "SS"
    assert ticket.number in [r["number"] for r in acme.tickets.search(upper + "*", limit=10_000)], (text, word)


@SETTINGS
@given(query=st.text(max_size=80))
def test_no_query_makes_search_fail(acme, query):
    try:
        rows = acme.tickets.search(query)
    except DomainError as exc:
        assert "too many words" in str(exc)
    else:
        assert isinstance(rows, list)
