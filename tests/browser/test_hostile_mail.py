"""Hostile mail: an HTML mail with ``<img src=x onerror=...>``, ``<script>``, a ``javascript:``
link, an SVG ``onload`` and a ``<meta refresh>``, taken in through intake (a Maildir channel,
``deskframe intake run --once``) and shown on the agent's ticket page in a real browser. No
script of the mail runs: checked through a ``window`` flag (in the page and in the mail's
frame) and the console, on the ticket page and with the mail's HTML opened directly in a tab."""

from __future__ import annotations

import pytest
from browser_desk import Server
from browser_pages import DIRECTORY, agent_login, require_agent_pages, watch_console
from playwright.sync_api import Error as PlaywrightError

#: Every trick sets window.pwned (or logs PWNED) if it runs.
HOSTILE_HTML = """<html><head><meta http-equiv="refresh" content="0;url=javascript:window.pwned='meta'">
<script>window.pwned = 'script'; console.log('PWNED script')</script></head>
<body onload="window.pwned='body'; console.log('PWNED body')">
<p>Dear support, the invoice is attached.</p>
<img src=x onerror="window.pwned='img'; console.log('PWNED img'); parent.pwned='img'">
<a id="evil" href="javascript:window.pwned='link'; console.log('PWNED link'); parent.pwned='link'">open the invoice</a>
<svg><script>window.pwned='svg'</script><animate onbegin="window.pwned='svg'" attributeName="x" dur="1s"/></svg>
<iframe src="javascript:parent.pwned='iframe'"></iframe>
<form action="javascript:parent.pwned='form'"><button id="evil-button">Pay</button></form>
</body></html>"""

MAIL = (
    "From: Ann Acme <ann@acme.example>\r\n"
    "To: support@desk.example\r\n"
    "Subject: Invoice overdue\r\n"
    "Message-ID: <hostile-1@acme.example>\r\n"
    "Date: Thu, 03 Dec 2026 09:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/alternative; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Dear support, the invoice is attached.\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n" + HOSTILE_HTML.replace("\n", "\r\n") + "\r\n"
    "--b1--\r\n"
)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    maildir = root / "maildir"
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True)
    server = Server(
        root,
        config_extra=f'[[channels]]\nname = "mail"\ntype = "email"\nsource = "maildir:{maildir}"\n'
        'address = "support@desk.example"\n',
    )
    server.apply(DIRECTORY)
    server.password("agent", "alice")
    (maildir / "new" / "1790000001.M1P1.hostile").write_bytes(MAIL.encode("utf-8"))
    server.cli("intake", "run", "--once")
    server.start()
    try:
        require_agent_pages(server)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def ticket(desk):
    found = [t for t in desk.json("ticket", "list") if t["subject"] == "Invoice overdue"]
    assert len(found) == 1, desk.json("ticket", "list")
    shown = desk.ticket(found[0]["number"])
    html = [a for a in shown["articles"] if a.get("html")]
    assert html, "the mail's HTML part was not kept"
    return shown["number"], html[0]["id"]


def _no_script_ran(page, console):
    assert page.evaluate("typeof window.pwned") == "undefined"
    for frame in page.frames[1:]:  # the mail's frame, where the browser lets us look into it
        try:
            flag = frame.evaluate("typeof window.pwned")
        except PlaywrightError:  # a frame without script rights cannot be asked: nothing ran there either
            continue
        assert flag == "undefined", frame.url
    assert not [line for line in console if "PWNED" in line], console


def test_no_script_of_the_mail_runs_on_the_ticket_page(desk, ticket, new_context):
    number, article = ticket
    page = new_context("en").new_page()
    console = watch_console(page)
    agent_login(page, desk.url, "alice")
    page.goto(f"{desk.url}/tickets/{number}")
    frame_element = page.wait_for_selector(f"#mail-{article}")
    sandbox = frame_element.get_attribute("sandbox")
    assert sandbox is not None and "allow-scripts" not in sandbox
    frame = frame_element.content_frame()
    frame.wait_for_load_state()
    assert "the invoice is attached" in frame.inner_text("body")
    # the tricks are gone or inert: click the link and the button as a user would
    for selector in ("#evil", "#evil-button", "a", "button"):
        if frame.query_selector(selector):
            frame.click(selector, no_wait_after=True, timeout=3000)
    page.wait_for_timeout(500)  # give anything that could fire a chance to (an onerror, a refresh)
    _no_script_ran(page, console)
    assert page.url == f"{desk.url}/tickets/{number}"
    html = page.content()
    assert "<script>window.pwned" not in html and "onerror=" not in html.replace("&quot;", '"').split("srcdoc")[0]


def test_no_script_runs_with_the_mail_opened_directly(desk, ticket, new_context):
    number, article = ticket
    page = new_context("en").new_page()
    console = watch_console(page)
    agent_login(page, desk.url, "alice")
    answer = page.goto(f"{desk.url}/tickets/{number}/articles/{article}/html")
    assert answer.status == 200
    csp = answer.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, csp  # the mail's HTML is served under a policy that names its scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, csp
    assert "the invoice is attached" in page.inner_text("body")
    for selector in ("#evil", "#evil-button", "a", "button"):
        if page.query_selector(selector):
            page.click(selector, no_wait_after=True, timeout=3000)
    page.wait_for_timeout(500)
    _no_script_ran(page, console)


def test_the_check_can_fail(new_context):
    """The flag and console check see a script that does run (in a page of our own, not the desk's)."""
    page = new_context("en").new_page()
    console = watch_console(page)
    page.set_content("<img src=x onerror=\"window.pwned='img'; console.log('PWNED img')\">")
    page.wait_for_timeout(300)
    with pytest.raises(AssertionError):
        _no_script_ran(page, console)
