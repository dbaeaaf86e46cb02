"""Issue 14: "The language is chosen by the user's setting, else by Accept-Language."

The setting is stored on the account (agents and portal contacts), so it holds on every device
the account logs in from; the ``deskframe_lang`` cookie serves only the pages nobody is logged
in to (the login pages), and a login adopts it when the account has no setting yet."""

from __future__ import annotations

import pytest

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.errors import BadValue, Forbidden
from deskframe.model import Agent, Contact, Customer

from .conftest import PASSWORD, client, csrf_of, logged_in, set_passwords

EN = {"Accept-Language": "en-GB,en;q=0.9"}
RU = {"Accept-Language": "ru-RU,ru;q=0.9"}


@pytest.fixture(scope="module")
def desk(module_desk):
    desk = module_desk()
    op = Actor.operator()
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=op)
    desk.directory.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme"), actor=op)
    for login in ("alice", "boris", "carl", "dora"):
        desk.directory.add_agent(Agent(login=login, name=login.title()), actor=op)
    desk.directory.add_agent(Agent(login="root", name="Root", access="admin"), actor=op)
    set_passwords(desk, *[("agent", x) for x in ("alice", "boris", "carl", "dora", "root")])
    set_passwords(desk, ("contact", "ann@acme.example"))
    return desk


def lang(page) -> str:
    assert page.status_code == 200, page.status_code
    return page.text.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_choice_is_stored_on_the_account_and_holds_on_another_device(desk):
    laptop = logged_in(desk, "alice", headers=EN)
    tickets = laptop.get("/tickets")
    assert lang(tickets) == "en"
    chosen = laptop.post("/language", data={"language": "ru", "next": "/tickets", "csrf_token": csrf_of(tickets.text)})
    assert chosen.status_code == 303
    assert Accounts.of(desk).language("agent", "alice") == "ru"

    phone = logged_in(desk, "alice", headers=EN)  # another device: no cookie, an English browser
    assert "deskframe_lang" not in phone.cookies
    page = phone.get("/tickets")
    assert lang(page) == "ru" and page.headers["content-language"] == "ru"
    phone.cookies.set("deskframe_lang", "en")  # a cookie left from the login page does not override the setting
    assert lang(phone.get("/tickets")) == "ru"


def test_without_a_setting_accept_language_decides(desk):
    ru_browser = logged_in(desk, "boris", headers=RU)
    assert lang(ru_browser.get("/tickets")) == "ru"
    assert lang(ru_browser.get("/tickets", headers=EN)) == "en"
    assert Accounts.of(desk).language("agent", "boris") is None


def test_the_login_page_choice_becomes_the_setting_of_an_account_without_one(desk):
    web = client(desk, headers=EN)
    web.post("/language", data={"language": "ru", "next": "/login"})
    assert lang(web.get("/login")) == "ru"  # the anonymous page: by the cookie
    answer = web.post("/login", data={"login": "carl", "password": PASSWORD, "next": "/tickets"})
    assert answer.status_code == 303
    assert Accounts.of(desk).language("agent", "carl") == "ru"
    assert lang(logged_in(desk, "carl", headers=EN).get("/tickets")) == "ru"  # and on another device

    # an account with a setting keeps it, whatever the login page's cookie says
    Accounts.of(desk).set_language("agent", "dora", "en", actor=Actor.agent("dora"))
    other = client(desk, headers=RU)
    other.post("/language", data={"language": "ru", "next": "/login"})
    other.post("/login", data={"login": "dora", "password": PASSWORD, "next": "/tickets"})
    assert lang(other.get("/tickets")) == "en"
    assert Accounts.of(desk).language("agent", "dora") == "en"


def test_a_portal_contact_has_its_own_setting(desk):
    def portal_login(headers):
        web = client(desk, headers=headers)
        answer = web.post(
            "/portal/login", data={"email": "ann@acme.example", "password": PASSWORD, "next": "/portal/tickets"}
        )
        assert answer.status_code == 303
        return web

    web = portal_login(RU)
    page = web.get("/portal/tickets")
    assert lang(page) == "ru"
    web.post("/language", data={"language": "en", "next": "/portal/tickets", "csrf_token": csrf_of(page.text)})
    assert Accounts.of(desk).language("contact", "ann@acme.example") == "en"
    assert lang(portal_login(RU).get("/portal/tickets")) == "en"


def test_the_setting_is_the_accounts_own_or_an_admins(desk):
    accounts = Accounts.of(desk)
    with pytest.raises(Forbidden, match=r"account\.language"):
        accounts.set_language("agent", "boris", "ru", actor=Actor.agent("alice"))
    with pytest.raises(Forbidden, match=r"account\.language"):
        accounts.set_language("agent", "boris", "ru", actor=Actor.contact("ann@acme.example"))
    with pytest.raises(BadValue, match="language"):
        accounts.set_language("agent", "boris", "de", actor=Actor.agent("boris"))
    assert accounts.set_language("agent", "boris", "ru", actor=Actor.agent("root")) is True
    assert accounts.set_language("agent", "boris", None, actor=Actor.operator()) is True
    assert accounts.language("agent", "boris") is None
