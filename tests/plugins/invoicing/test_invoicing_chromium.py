"""The invoice page in a real browser (headless Chromium): a 390 px wide phone reads it
without scrolling sideways, and it prints on A4.

Widths are measured through Playwright driving the system's Chromium (``executable_path``;
Playwright never downloads a browser here): the ``chromium --headless`` command line
cannot make a window narrower than 500 px. The A4 check prints with the command line, so
the page's own ``@page`` rule decides the paper. ``scripts/test`` installs Debian's
``chromium`` when it is missing; without it these tests skip, naming what to install,
except on CI (``CI=true``), where a missing browser fails them: CI never skips them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_invoicing_layout import _desk

from deskframe_invoicing import html_format

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ON_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not ON_CI, reason="needs chromium (apt-get install chromium)"),
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--no-first-run",
)


def _chromium(*args: str, cwd: Path) -> str:
    result = subprocess.run([CHROMIUM, *FLAGS, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _scroll_widths(pages: dict[str, str], width: int, tmp_path: Path, browser) -> dict[str, int]:
    """``document.documentElement.scrollWidth`` of each page in a ``width`` px wide viewport
    (``browser``: the session's Chromium, tests/conftest.py)."""
    out = {}
    view = browser.new_page(viewport={"width": width, "height": 844}, java_script_enabled=True)
    try:
        for name, page in pages.items():
            path = tmp_path / f"{name}.html"
            path.write_text(page, encoding="utf-8")
            view.goto(path.as_uri())
            assert view.evaluate("innerWidth") == width
            out[name] = view.evaluate("document.documentElement.scrollWidth")
    finally:
        view.close()
    return out


def _invoices(make_desk, billed):
    _, hourly, sub, _ = _desk(make_desk, tax="20%")
    october = billed.desk.billing.invoice(billed.october)
    return {
        "hourly-ru": html_format.render("invoice", hourly, locale="ru"),
        "subscription-ru": html_format.render("invoice", sub, locale="ru"),
        "late-held-ru": html_format.render("invoice", october, locale="ru"),
        "late-held-en": html_format.render("invoice", october, locale="en"),
        "index-ru": html_format.render("invoices", billed.desk.billing.invoices(), locale="ru"),
    }


def test_phone_width_has_no_sideways_scrolling(make_desk, billed, tmp_path, browser):
    pages = _invoices(make_desk, billed)
    assert _scroll_widths(pages, 390, tmp_path, browser) == dict.fromkeys(pages, 390)
    # a desktop window still shows the A4 sheet, without scrolling either
    assert _scroll_widths(pages, 1024, tmp_path, browser) == dict.fromkeys(pages, 1024)


def test_prints_on_a4(make_desk, billed, tmp_path):
    page = tmp_path / "invoice.html"
    page.write_text(_invoices(make_desk, billed)["hourly-ru"], encoding="utf-8")
    pdf = tmp_path / "invoice.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri(), cwd=tmp_path)
    data = pdf.read_bytes()
    boxes = {
        tuple(float(n) for n in box) for box in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    }
    assert boxes and all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in boxes), boxes  # A4 in points
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages == 1, pages
