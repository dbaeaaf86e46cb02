"""The page frame: login and logout pages, static files (CSS, vendored htmx), the CSP, languages."""

from __future__ import annotations

import pytest

from deskframe.actors import Actor
from deskframe.model import Agent
from deskframe.web.app import SECURITY_HEADERS
from deskframe.web.pages.locale import choose, parse_accept_language

from .conftest import PASSWORD, client, csrf_of, logged_in, set_passwords


@pytest.fixture(scope="module")
def desk(module_desk):
    desk = module_desk()
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=Actor.operator())
    set_passwords(desk, ("agent", "alice"))
    return desk


def test_login_page_is_a_form_with_login_and_password_fields(desk):
    answer = client(desk).get("/login")
    assert answer.status_code == 200
    assert 'name="login"' in answer.text and 'name="password"' in answer.text
    assert 'value="/tickets"' in answer.text  # where a successful login leads


def test_form_login_redirects_to_tickets_and_sets_the_cookie(desk):
    web = client(desk)
    answer = web.post("/login", data={"login": "alice", "password": PASSWORD, "next": "/tickets"})
    assert answer.status_code == 303 and answer.headers["location"] == "/tickets"
    assert "deskframe_session" in answer.cookies
    assert web.get("/login").headers["location"] == "/tickets"  # logged in: the form is skipped


def test_a_refused_form_login_shows_the_form_again_with_the_error_and_401(desk):
    answer = client(desk).post(
        "/login", data={"login": "alice", "password": "wrong", "next": "/tickets"}, headers={"Accept-Language": "ru"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="login-error"' in answer.text and "Неверный логин или пароль" in answer.text
    assert 'value="alice"' in answer.text  # the login is kept, the password is not
    assert "wrong" not in answer.text


def test_a_refused_api_login_still_answers_json(desk):
    answer = client(desk).post("/login", data={"login": "alice", "password": "wrong"})
    assert answer.status_code == 401 and answer.headers["content-type"] == "application/problem+json"


def test_logout_page_posts_with_the_csrf_token_and_ends_the_session(desk):
    web = logged_in(desk, "alice")
    page = web.get("/logout")
    assert page.status_code == 200
    assert web.post("/logout?next=/login").status_code == 403  # no token: still logged in
    assert web.get("/logout").status_code == 200
    answer = web.post("/logout?next=/login", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert web.get("/logout").headers["location"] == "/login"


def test_static_files_are_served_with_htmx_and_its_licence(desk):
    web = client(desk)
    css = web.get("/static/deskframe.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = web.get("/static/vendor/htmx/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]
    assert "Zero-Clause BSD" in web.get("/static/vendor/htmx/LICENSE").text
    assert "2.0.11" in web.get("/static/vendor/htmx/README").text


def test_csp_allows_only_own_scripts_and_no_framing():
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-eval'" not in csp


def test_pages_carry_the_csp_and_load_htmx_from_static_only(desk):
    answer = client(desk).get("/login")
    assert answer.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in answer.text
    assert answer.text.count("<script") == 1


@pytest.mark.parametrize(
    ("setting", "header", "expected"),
    [
        (None, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        (None, "de-DE, en;q=0.5, ru;q=0.7", "ru"),
        (None, "de", "en"),
        (None, None, "en"),
        ("en", "ru", "en"),
        (None, "ru;q=0, en", "en"),
    ],
)
def test_language_from_setting_else_accept_language(setting, header, expected):
    assert choose(setting, header) == expected


def test_accept_language_order():
    assert parse_accept_language("en;q=0.1, ru") == ["ru", "en"]


def test_login_page_in_russian_and_english(desk):
    web = client(desk)
    ru = web.get("/login", headers={"Accept-Language": "ru"})
    assert '<html lang="ru">' in ru.text and "Пароль" in ru.text and ru.headers["content-language"] == "ru"
    en = web.get("/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in en.text and "Password" in en.text


def test_the_chosen_language_wins_over_accept_language(desk):
    web = client(desk)
    answer = web.post("/language", data={"language": "ru", "next": "/login"})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    page = web.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in page.text
    web.post("/language", data={"language": "xx", "next": "//evil.example/"})  # ignored, and no open redirect
    assert web.post("/language", data={"language": "en", "next": "//evil.example/"}).headers["location"] == "/tickets"


def test_a_logged_in_language_choice_needs_the_csrf_token(desk):
    web = logged_in(desk, "alice")
    page = web.get("/logout")
    assert web.post("/language", data={"language": "ru", "next": "/logout"}).status_code == 403
    answer = web.post("/language", data={"language": "ru", "next": "/logout", "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    assert '<html lang="ru">' in web.get("/logout", headers={"Accept-Language": "en"}).text
