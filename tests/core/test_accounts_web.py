"""Issue 13, accounts on the web: login and logout with signed session cookies, bearer tokens,
CSRF, 429 after 10 failed logins in a minute (a settable clock, no sleeping), audit records."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from argon2 import PasswordHasher
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import deskframe
from deskframe.accounts import cookies
from deskframe.accounts.service import Accounts
from deskframe.accounts.settings import KEY_FILE
from deskframe.accounts.web_routes import authenticate, check_csrf, csrf_token
from deskframe.actors import Actor
from deskframe.model import Agent, Contact, Customer, Queue
from deskframe.testing import Clock
from deskframe.web import create_app

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct horse battery"
#: argon2 with cheap parameters: the throttling tests log in dozens of times.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class WhoAmI:
    """A plugin route that resolves the principal the way the API will, and a change that needs CSRF."""

    @deskframe.hookimpl
    def register_routes(self, register):
        async def whoami(request):
            principal = await authenticate(request)
            return JSONResponse(
                {"via": principal.via, **principal.rights.as_dict(), "csrf": csrf_token(request, principal)}
            )

        async def change(request):
            principal = await authenticate(request)
            check_csrf(request, principal)
            return JSONResponse({"changed_by": principal.name})

        register(Route("/whoami", whoami, methods=["GET"]))
        register(Route("/change", change, methods=["POST"]))


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def site(make_desk, clock):
    desk = make_desk(clock=clock, plugins=[WhoAmI()])
    desk.directory.add_queue(Queue(name="support"), actor=Actor.operator())
    desk.directory.add_customer(Customer(key="acme", name="ACME"), actor=Actor.operator())
    desk.directory.add_contact(Contact(name="Ann", email="ann@acme.example", customer="acme"), actor=Actor.operator())
    desk.directory.add_agent(Agent(login="alice", name="Alice", access="admin"), actor=Actor.operator())
    desk.directory.add_agent(Agent(login="bob", name="Bob", queues={"support": "write"}), actor=Actor.operator())
    accounts = Accounts.of(desk, hasher=CHEAP)
    for kind, name in (("agent", "alice"), ("agent", "bob"), ("contact", "ann@acme.example")):
        accounts.set_password(kind, name, PASSWORD, actor=Actor.operator())
    return desk


def client(desk, base_url="http://testserver"):
    """A test client of the desk's app whose accounts hash with :data:`CHEAP` parameters."""
    app = create_app(desk)
    app.state.accounts = Accounts.of(desk, hasher=CHEAP)
    return TestClient(app, base_url=base_url)


def test_agent_login_sets_a_signed_http_only_cookie_and_logout_ends_the_session(site):
    web = client(site)
    assert web.get("/whoami").status_code == 401
    answer = web.post("/login", data={"login": "bob", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["kind"], body["name"], body["role"]) == ("agent", "bob", "agent") and body["csrf_token"]
    header = answer.headers["set-cookie"]
    assert header.startswith(f"{cookies.COOKIE_NAME}=") and "HttpOnly" in header and "SameSite=lax" in header
    assert "Secure" not in header  # plain http
    assert answer.headers["cache-control"] == "no-store"
    value = web.cookies[cookies.COOKIE_NAME]
    secret, _, signature = value.rpartition(".")
    assert secret.startswith("dfs_") and signature and PASSWORD not in value

    me = web.get("/whoami").json()
    assert (me["via"], me["name"], me["queues"], me["csrf"]) == (
        "session",
        "bob",
        {"support": "write"},
        body["csrf_token"],
    )

    # a change with the cookie needs the session's CSRF token
    assert web.post("/change").status_code == 403
    assert web.post("/change", headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert web.post("/change", headers={"X-CSRF-Token": body["csrf_token"]}).json() == {"changed_by": "bob"}

    assert web.post("/logout").status_code == 403  # logout is a change too
    out = web.post("/logout", data={"csrf_token": body["csrf_token"]})
    assert out.status_code == 204 and cookies.COOKIE_NAME not in web.cookies
    # the old cookie no longer works even if someone kept it
    web.cookies.set(cookies.COOKIE_NAME, value)
    assert web.get("/whoami").status_code == 401


def test_tampered_or_foreign_cookies_are_refused(site):
    web = client(site)
    web.post("/login", data={"login": "bob", "password": PASSWORD})
    value = web.cookies[cookies.COOKIE_NAME]
    secret, _, signature = value.rpartition(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (
        f"{secret}.{flipped}",
        f"{secret[:-1]}x.{signature}",
        secret,
        cookies.sign(b"another key of thirty-two bytes!!", secret),
        "",
        "x.y.z",
        "%C3%A9.%C3%A9",
    ):
        fresh = client(site)
        fresh.cookies.set(cookies.COOKIE_NAME, bad)
        assert fresh.get("/whoami").status_code == 401, bad
    good = client(site)
    good.cookies.set(cookies.COOKIE_NAME, value)
    assert good.get("/whoami").json()["name"] == "bob"


def test_https_cookie_is_secure_and_next_redirects_locally(site):
    web = client(site, base_url="https://desk.example")
    answer = web.post(
        "/login", data={"login": "alice", "password": PASSWORD, "next": "/queues"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/queues"
    assert "Secure" in answer.headers["set-cookie"]
    evil = client(site).post(
        "/login", data={"login": "alice", "password": PASSWORD, "next": "//evil.example/"}, follow_redirects=False
    )
    assert evil.status_code == 200 and "location" not in evil.headers


def test_portal_login_of_a_contact_and_json_bodies(site):
    web = client(site)
    assert web.post("/portal/login", data={"email": "ann@acme.example", "password": "nope-nope"}).status_code == 401
    answer = web.post("/portal/login", json={"email": "Ann@ACME.example", "password": PASSWORD})
    assert answer.status_code == 200 and answer.json()["kind"] == "contact"
    me = web.get("/whoami").json()
    assert (me["role"], me["customer"], me["customer_admin"]) == ("contact", "acme", False)
    # a contact cannot log in as an agent, nor an agent at the portal
    assert client(site).post("/login", data={"login": "ann@acme.example", "password": PASSWORD}).status_code == 401
    assert client(site).post("/portal/login", data={"email": "bob", "password": PASSWORD}).status_code == 401
    for bad in ({}, {"login": "bob"}, {"password": PASSWORD}):
        assert client(site).post("/login", data=bad).status_code == 400
    assert client(site).post("/login", content=b"x" * 20_000).status_code == 400
    assert client(site).post("/login", json=["bob", PASSWORD]).status_code == 400


def test_bearer_token_resolution_and_401s(site, clock):
    accounts = Accounts.of(site, hasher=CHEAP)
    secret, _ = accounts.create_token("agent", "alice", lifetime=dt.timedelta(days=1), actor=Actor.operator())
    web = client(site)
    me = web.get("/whoami", headers={"Authorization": f"Bearer {secret}"}).json()
    assert (me["via"], me["name"], me["role"], me["csrf"]) == ("token", "alice", "admin", None)
    # a token needs no CSRF token: browsers never send the header by themselves
    assert web.post("/change", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    for header in ("Bearer", "Bearer ", f"Basic {secret}", f"Bearer {secret}x", "Bearer dft_nope"):
        answer = web.get("/whoami", headers={"Authorization": header})
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer", header
    # a bad Authorization header is not rescued by a good cookie
    web.post("/login", data={"login": "bob", "password": PASSWORD})
    assert web.get("/whoami").status_code == 200
    assert web.get("/whoami", headers={"Authorization": "Bearer dft_nope"}).status_code == 401
    clock.now += dt.timedelta(days=1)
    assert web.get("/whoami", headers={"Authorization": f"Bearer {secret}"}).status_code == 401  # expired


def test_a_new_password_ends_the_sessions_of_the_account(site):
    bob, alice = client(site), client(site)
    bob.post("/login", data={"login": "bob", "password": PASSWORD})
    alice.post("/login", data={"login": "alice", "password": PASSWORD})
    Accounts.of(site, hasher=CHEAP).set_password("agent", "bob", "a brand new password", actor=Actor.operator())
    assert bob.get("/whoami").status_code == 401
    assert alice.get("/whoami").status_code == 200
    assert (
        "1 session(s) ended"
        in Accounts.of(site).audit_log(kinds=["password_set"], limit=1, actor=Actor.operator())[0].detail
    )


def test_sessions_expire_with_the_configured_lifetime(make_desk, clock):
    desk = make_desk(clock=clock, plugins=[WhoAmI()], config='[web]\nsession_lifetime = "30m"\n')
    desk.directory.add_agent(Agent(login="bob", name="Bob"), actor=Actor.operator())
    Accounts.of(desk, hasher=CHEAP).set_password("agent", "bob", PASSWORD, actor=Actor.operator())
    web = client(desk)
    answer = web.post("/login", data={"login": "bob", "password": PASSWORD})
    assert "Max-Age=1800" in answer.headers["set-cookie"]
    clock.now += dt.timedelta(minutes=29)
    assert web.get("/whoami").status_code == 200
    clock.now += dt.timedelta(minutes=1)
    assert web.get("/whoami").status_code == 401


def test_ten_failures_in_a_minute_block_the_account_for_a_minute(site, clock):
    web = client(site)
    for i in range(10):
        assert web.post("/login", data={"login": "bob", "password": f"wrong-{i}"}).status_code == 401
        clock.now += dt.timedelta(seconds=5)  # ten failures within 45 seconds
    last_failure = clock.now - dt.timedelta(seconds=5)
    blocked = web.post("/login", data={"login": "bob", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.headers["content-type"] == "application/problem+json"
    assert int(blocked.headers["retry-after"]) == 55
    assert PASSWORD not in blocked.text
    # other accounts from other addresses are not affected (the test client has one address,
    # so ask the service with another one)
    Accounts.of(site, hasher=CHEAP).login("agent", "alice", PASSWORD, address="192.0.2.7")
    clock.now = last_failure + dt.timedelta(seconds=59)
    assert web.post("/login", data={"login": "bob", "password": PASSWORD}).status_code == 429
    clock.now = last_failure + dt.timedelta(seconds=60)
    assert web.post("/login", data={"login": "bob", "password": PASSWORD}).status_code == 200

    log = Accounts.of(site, hasher=CHEAP).audit_log(kinds=["login", "login_failed"], limit=100, actor=Actor.operator())
    failed = [e for e in log if e.kind == "login_failed"]
    assert len(failed) == 12 and {e.actor for e in failed} == {"bob"}
    assert [e.detail for e in failed].count("blocked") == 2 and failed[0].address == "testclient"
    assert [(e.actor, e.address) for e in log if e.kind == "login"] == [("bob", "testclient"), ("alice", "192.0.2.7")]


def test_nine_failures_do_not_block_and_spread_out_failures_never_do(site, clock):
    web = client(site)
    for i in range(9):
        web.post("/login", data={"login": "bob", "password": f"wrong-{i}"})
    assert web.post("/login", data={"login": "bob", "password": PASSWORD}).status_code == 200
    clock.now += dt.timedelta(minutes=5)
    for i in range(15):  # one every 7 seconds: never 10 within a minute
        assert web.post("/login", data={"login": "alice", "password": f"wrong-{i}"}).status_code == 401
        clock.now += dt.timedelta(seconds=7)


def test_one_address_trying_many_accounts_is_blocked(site, clock):
    accounts = Accounts.of(site, hasher=CHEAP)
    from deskframe.accounts.service import LoginRefused, LoginThrottled

    for i in range(10):
        with pytest.raises(LoginRefused):
            accounts.login("agent", f"guess{i}", PASSWORD, address="198.51.100.1")
    with pytest.raises(LoginThrottled):
        accounts.login("agent", "alice", PASSWORD, address="198.51.100.1")
    assert accounts.login("agent", "alice", PASSWORD, address="198.51.100.2").principal.name == "alice"
    unknown = accounts.audit_log(kinds=["login_failed"], limit=1, actor=Actor.operator())[0]
    assert unknown.detail == "blocked" and unknown.actor == "alice"
    guesses = accounts.audit_log(kinds=["login_failed"], limit=20, actor=Actor.operator())[1:]
    assert {(e.actor, e.detail) for e in guesses} == {(None, "unknown account")}  # typed names are not kept


def test_signing_key_file_is_private_and_shared(site):
    path = site.config.data_dir / KEY_FILE
    client(site)
    assert path.exists()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes()
    web = client(site)
    web.post("/login", data={"login": "bob", "password": PASSWORD})
    again = client(site)  # another app (another worker) reads the same key
    again.cookies.set(cookies.COOKIE_NAME, web.cookies[cookies.COOKIE_NAME])
    assert again.get("/whoami").status_code == 200 and path.read_bytes() == key
    if os.name == "posix":
        path.chmod(0o644)
        from deskframe.errors import ConfigError

        with pytest.raises(ConfigError, match="readable by others"):
            client(site)


def test_configured_keys(make_desk, monkeypatch):
    from deskframe.errors import ConfigError

    desk = make_desk(config='[web]\nsecret_key_env = "DESKFRAME_TEST_WEB_KEY"\n')
    monkeypatch.delenv("DESKFRAME_TEST_WEB_KEY", raising=False)
    with pytest.raises(ConfigError, match="DESKFRAME_TEST_WEB_KEY"):
        create_app(desk)
    monkeypatch.setenv("DESKFRAME_TEST_WEB_KEY", "k" * 40)
    assert Accounts.of(desk).key == b"k" * 40
    assert not (desk.config.data_dir / KEY_FILE).exists()
    with pytest.raises(ConfigError, match=r"web\.secret_key: must be a string of at least 32"):
        make_desk(config='[web]\nsecret_key = "short"\n')
    with pytest.raises(ConfigError, match=r"web\.nope"):
        make_desk(config="[web]\nnope = 1\n")


def test_signing_key_file_named_in_config(tmp_path):
    """``[web] secret_key_file`` (issue 14: "from the environment or a file named in config"):
    ``deskframe init`` creates it with mode 0600, relative to the config file, and the app signs
    with it instead of DATA_DIR/web-secret.key."""
    from click.testing import CliRunner

    from deskframe.accounts.settings import signing_key, web_settings
    from deskframe.cli import build_cli
    from deskframe.config import load_config
    from deskframe.errors import ConfigError
    from deskframe.plugins import build_plugins

    site = tmp_path / "site"
    site.mkdir()
    config_file = site / "deskframe.toml"
    config_file.write_text(
        '[desk]\ndatabase = "sqlite:///deskframe.db"\ntimezone = "UTC"\n[web]\nsecret_key_file = "keys/site.key"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(build_cli(build_plugins(entry_points=False)), ["init", str(site)])
    assert result.exit_code == 0, result.output
    key = site / "keys" / "site.key"
    assert f"session signing key: {key}" in result.output
    assert not (site / "data" / KEY_FILE).exists()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    config = load_config(config_file, build_plugins(entry_points=False).registry)
    assert signing_key(web_settings(config), config.data_dir) == key.read_text(encoding="ascii").strip().encode()
    both = '[web]\nsecret_key_env = "K"\nsecret_key_file = "k.key"\n'
    with pytest.raises(ConfigError, match=r"web\.secret_key_file: give one of"):
        load_config_text(tmp_path, both)


def load_config_text(directory, text):
    from deskframe.config import load_config
    from deskframe.plugins import build_plugins

    path = directory / "other.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, build_plugins(entry_points=False).registry)


def test_authenticate_raises_401_http_exception(site):
    """What API routes rely on: an HTTPException Starlette turns into a 401 answer."""
    web = client(site)
    answer = web.get("/whoami", headers={"Authorization": "Bearer "})
    assert answer.status_code == 401
    assert issubclass(HTTPException, Exception)
