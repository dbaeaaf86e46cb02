"""deskframe-pdf: invoices as PDF, an output format for ``deskframe invoice show``.

Hook implemented here:

* ``register_output_formats`` - the format ``pdf`` (``application/pdf``, kinds ``invoice``
  and ``customer_report``, option ``locale``): ``deskframe invoice show NUMBER --format pdf
  -o invoice.pdf`` and ``deskframe report customer CUSTOMER --period 2026-10 --format pdf
  -o report.pdf`` (the ``reports`` plugin's plain document, laid out by :mod:`.report`).

The PDF is laid out with fpdf2 (:mod:`.render`) in DejaVu Sans, a Unicode font shipped
inside this package (``fonts/``, with its license), so Cyrillic and other non-Latin
text print without any font installed on the machine. Money is formatted for
``[billing] locale`` with Babel (:mod:`.formatting`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import deskframe

if TYPE_CHECKING:
    from deskframe import OutputFormat

    from . import formatting, render

__version__ = "0.1.0"
__all__ = ["FORMAT", "formatting", "render", "render_pdf"]
_SUBMODULES = ("formatting", "render")
#: ``render.MEDIA_TYPE``, here so the format is described without importing fpdf2.
MEDIA_TYPE = "application/pdf"


def render_pdf(kind: str, data: Any, *, locale: str | None = None) -> bytes:
    """``OutputFormat.render``: the PDF bytes of one invoice (``kind`` ``"invoice"``) or of a
    customer report's document (``kind`` ``"customer_report"``, already in its language)."""
    if kind == "customer_report" and isinstance(data, dict):
        from .report import render_report

        return render_report(data)
    from deskframe.billing import Invoice

    from . import render

    if kind != "invoice" or not isinstance(data, Invoice):
        raise deskframe.DomainError(f"the pdf format renders one invoice or a customer report, not {kind!r}")
    return render.render_invoice(data, locale)


def pdf_format() -> OutputFormat:
    """The ``pdf`` output format (``FORMAT``)."""
    from deskframe import OutputFormat

    return OutputFormat(
        "pdf",
        MEDIA_TYPE,
        render_pdf,
        kinds=("invoice", "customer_report"),
        options=("locale",),
        description="printable A4 invoice or customer report as PDF (fpdf2, DejaVu Sans: Cyrillic included)",
    )


@deskframe.hookimpl
def register_output_formats(register: Callable[[OutputFormat], None]) -> None:
    register(pdf_format())


def __getattr__(name: str) -> Any:
    """``FORMAT`` and the submodules, imported on first use (importing the plugin stays cheap)."""
    if name == "FORMAT":
        value = globals()["FORMAT"] = pdf_format()
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
