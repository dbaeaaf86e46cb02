"""Shared pieces of the invoicing tests: the billed desk, an html checker, a server runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import attrs
import invoicing_pricing

from deskframe.actors import Actor
from deskframe.testing import free_port

HERE = Path(__file__).resolve().parent
NOW = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)

CONFIG = """
[billing]
tax_rate = "20%"
series = "INV"
public_url = "http://127.0.0.1:8123"
locale = "ru"
[billing.vendor]
name = "Studio LLC"
address = "Nevsky 1, St Petersburg"
tax_id = "7800000000"
[pricing.pm]
model = "per-minute"
rate = "25"
"""

CUSTOMER_NAME = "ООО «Ромашка»"
MAIL_SUBJECT = "Настройка почты"
XSS_SUBJECT = "<img src=x onerror=alert(1)>"
HELD_SUBJECT = "Редизайн сайта"


@attrs.define
class Billed:
    """The scenario: September invoiced, then October with a late entry, an estimate and held time."""

    desk: object
    september: str
    october: str
    mail_ticket: str
    xss_ticket: str
    held_ticket: str


def billed_desk(make_desk, config: str = CONFIG, clock=None) -> Billed:
    """A desk with two issued invoices; October: 2 500,00 + 20 % = 3 000,00 RUB.

    October lines (25 RUB/min): the mail ticket 10 min logged late for 2026-09-29 (250),
    60 min alice (1 500), 20 min bob (500) -- 1.5 h against an approved 2 h estimate;
    the XSS ticket 10 min (250); the redesign ticket's 30 min are held (estimate unapproved).
    """
    from deskframe.testing import Factory

    desk = make_desk(config, plugins=[invoicing_pricing], clock=clock or (lambda: NOW))
    f = Factory(desk)
    f.customer("romashka", name=CUSTOMER_NAME)
    f.contract("romashka", key="romashka-pm", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    f.agent("bob")
    mail = desk.tickets.open(
        subject=MAIL_SUBJECT, body="Почта не работает", customer="romashka", actor=Actor.operator()
    ).number
    xss = desk.tickets.open(subject=XSS_SUBJECT, body="x", customer="romashka", actor=Actor.operator()).number
    held = desk.tickets.open(subject=HELD_SUBJECT, body="x", customer="romashka", actor=Actor.operator()).number
    desk.tickets.estimate(mail, hours=Decimal("2"), actor=Actor.operator())
    desk.tickets.estimate(mail, approve=True, actor=Actor.agent("alice"))
    desk.time.log(mail, actor=Actor.agent("alice"), minutes=4, date=dt.date(2026, 9, 28))
    desk.billing.run("2026-09", actor=Actor.operator())
    (september,) = desk.billing.issue(period="2026-09", actor=Actor.operator())
    desk.time.log(mail, actor=Actor.agent("alice"), minutes=10, date=dt.date(2026, 9, 29))  # late
    desk.time.log(mail, actor=Actor.agent("alice"), minutes=60, date=dt.date(2026, 10, 5))
    desk.time.log(mail, actor=Actor.agent("bob"), minutes=20, date=dt.date(2026, 10, 6))
    desk.time.log(xss, actor=Actor.agent("alice"), minutes=10, date=dt.date(2026, 10, 7))
    desk.tickets.estimate(held, hours=Decimal("3"), actor=Actor.operator())
    desk.time.log(held, actor=Actor.agent("bob"), minutes=30, date=dt.date(2026, 10, 8))
    desk.billing.run("2026-10", actor=Actor.operator())
    (october,) = desk.billing.issue(period="2026-10", actor=Actor.operator())
    return Billed(desk, september.number, october.number, mail, xss, held)


def spaces(text: str) -> str:
    """Babel's no-break spaces (U+00A0, U+202F) as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class StrictHTML(HTMLParser):
    """Fails on a mismatched or unclosed tag; collects tags and attribute names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs_):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs_)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs_):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs_)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'} at {self.getpos()}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check_html(page: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(page)
    parser.close()
    assert parser.errors == [], parser.errors
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


def _plugin_path(root: Path) -> Path:
    """A directory holding a dist-info whose entry point loads ``invoicing_pricing``."""
    site = root / "site"
    info = site / "deskframe_invoicing_test_pricing-0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: deskframe-invoicing-test-pricing\nVersion: 0.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[deskframe]\ninvoicing-test-pricing = invoicing_pricing\n", encoding="utf-8"
    )
    return site


@contextlib.contextmanager
def serve(config: Path, root: Path) -> Iterator[int]:
    """Run ``deskframe --config CONFIG serve`` on a free port until /healthz answers; yields the port."""
    port = free_port()
    script = Path(sys.executable).parent / "deskframe"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_plugin_path(root)), str(HERE), env.get("PYTHONPATH")) if p)
    log_path = root / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(script), "--config", str(config), "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                        if resp.status == 200:
                            break
                except (OSError, urllib.error.URLError):
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait(5)
                    output = log_path.read_text("utf-8", "replace")
                    raise AssertionError(f"deskframe serve did not come up:\n{output}")
                time.sleep(0.1)
            yield port
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``; (status, lower-cased headers, body), also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()
