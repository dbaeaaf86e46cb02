"""store/urls.py reads a database URL as SQLAlchemy's ``make_url`` does, without SQLAlchemy.

The config loader checks ``[desk] database`` with it on every command and the quick listing opens
the database from it, so it must agree with the engine: same parts, same errors, same masked text.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from deskframe.store.urls import DbUrl, mask_url, parse_url, url_problem

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes


def reference_mask_url(url: str) -> str:
    """mask_url as it was written on SQLAlchemy (store/database.py before store/urls.py)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        pass
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    start = head.find("://") + 3 if "://" in head else 0
    colon = head.find(":", start)
    return f"{head[: colon + 1]}***@{tail}" if colon >= 0 else url


def reference_url_problem(url: str) -> str | None:
    """url_problem as it was written on SQLAlchemy."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"not a database URL: {reference_mask_url(url)!r} (e.g. sqlite:///deskframe.db)"
    except (ValueError, TypeError):
        return f"not a database URL: {reference_mask_url(url)!r} (host or port malformed; a port is a number 1-65535)"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"port out of range (1-65535): {parsed.port}"
    return None


def parts(url: Any) -> tuple[Any, ...]:
    query = {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in url.query.items()}
    return (url.drivername, url.username, url.password, url.host, url.port, url.database, query)


def sqlalchemy_parts(text: str) -> Any:
    try:
        return parts(make_url(text))
    except ArgumentError:
        return "no url"
    except (ValueError, TypeError):
        return "bad value"


def our_parts(text: str) -> Any:
    from deskframe.store.urls import UrlSyntaxError

    try:
        return parts(parse_url(text))
    except UrlSyntaxError:
        return "no url"
    except ValueError:
        return "bad value"


#: Pieces URLs are made of, including the separators that make parsing hard.
PIECES = st.sampled_from(
    [
        "sqlite",
        "postgresql",
        "postgresql+psycopg",
        "mysql+pymysql",
        "://",
        ":",
        "/",
        "//",
        "@",
        "?",
        "&",
        "=",
        "[",
        "]",
        "::1",
        "%",
        "%40",
        "%2F",
        "%3A",
        "+",
        " ",
        "#",
        "u",
        "pw",
        "host",
        "127.0.0.1",
        "5432",
        "0",
        "70000",
        "abc",
        "db",
        "x.db",
        ":memory:",
        "options=-csearch_path%3Dt_1",
        "sslmode=require",
        "a=1&a=2",
        "é",
        "Ж",
        "٣",
    ]
)
URLS = st.one_of(
    st.lists(PIECES, max_size=14).map("".join),
    st.text(max_size=40),
    st.builds(
        lambda scheme, credentials, host, port, db, query: f"{scheme}://{credentials}{host}{port}{db}{query}",
        st.sampled_from(["sqlite", "postgresql+psycopg", "x_y", "a+b+c"]),
        st.sampled_from(["", "u@", "u:@", "u:p@ss@", "u:p%2Fw@", "user name@", "u%40x@", ":pw@", "u:a:b@"]),
        st.sampled_from(["", "h", "127.0.0.1", "[::1]", "[fe80::1%25eth0]"]),
        st.sampled_from(["", ":5432", ":0", ":99999", ":x", ":"]),
        st.sampled_from(["", "/", "/db", "//abs/x.db", "/rel dir/x.db", "/%7Eme/x.db", "/a?b"]),
        st.sampled_from(["", "?", "?a=1", "?a=1&a=2&b=", "?options=-csearch_path%3Ds&x=%20"]),
    ),
)


@settings(max_examples=1500, deadline=None)
@given(URLS)
def test_parse_url_reads_what_sqlalchemy_reads(text: str) -> None:
    assert our_parts(text) == sqlalchemy_parts(text)


@settings(max_examples=1500, deadline=None)
@given(URLS)
def test_mask_url_and_url_problem_say_what_they_said_on_sqlalchemy(text: str) -> None:
    assert mask_url(text) == reference_mask_url(text)
    assert url_problem(text) == reference_url_problem(text)


@pytest.mark.parametrize(
    "text",
    [
        "sqlite:////abs/path/desk.db",
        "sqlite:///rel/desk.db?timeout=5",
        "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dt_0123",
        "postgresql://us%40er:p%3Ass@[::1]:6543/d%2Fb?a=1&a=2&b=x+y",
        "nosuchdb://host/db",
        "postgresql+psycopg://u:pw@host:abc/db",
        "postgres:/u:pw@h",
        "deskframe.db",
    ],
)
def test_known_urls(text: str) -> None:
    assert our_parts(text) == sqlalchemy_parts(text)
    assert mask_url(text) == reference_mask_url(text)
    assert url_problem(text) == reference_url_problem(text)


def test_render_and_backend() -> None:
    url = parse_url("postgresql+psycopg://u:secret@h:1/db?b=2&a=1")
    assert isinstance(url, DbUrl) and url.backend == "postgresql"
    assert url.render() == "postgresql+psycopg://u:***@h:1/db?a=1&b=2"
    assert url.render(hide_password=False) == make_url(url.render(hide_password=False)).render_as_string(False)


def test_config_loading_imports_no_sqlalchemy(tmp_path: Any) -> None:
    """Every command reads the config: checking its database URL must not import SQLAlchemy."""
    import subprocess
    import sys

    (tmp_path / "deskframe.toml").write_text('[desk]\ndatabase = "sqlite:///x.db"\n', encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from deskframe.config import load_config;"
        "from deskframe.plugins import build_plugins;"
        f"c = load_config(Path({str(tmp_path / 'deskframe.toml')!r}), build_plugins(lazy=True).registry);"
        "print(c.database_url); print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"sqlite:///{(tmp_path / 'x.db').as_posix()}", "[]"]
