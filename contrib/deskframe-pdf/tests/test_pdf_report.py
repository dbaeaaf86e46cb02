"""The pdf format lays out a customer report's plain document (kind ``customer_report``)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

import deskframe
from deskframe_pdf import FORMAT, render_pdf

DOCUMENT = {
    "title": "Отчёт о поддержке: ООО «Ромашка»",
    "subtitle": "Период: 1 окт. 2026 г. – 31 окт. 2026 г. (2026-10)",
    "lang": "ru",
    "sections": [
        {"heading": "Итоги", "columns": ["", "2026-10", "2026-09"], "rows": [["Открыто", "7", "2"]], "notes": []},
        {"heading": "Рекомендации", "columns": [], "rows": [], "notes": ["Рассмотрите тариф «Премиум»."]},
    ],
}


def test_report_document_as_pdf():
    assert "customer_report" in FORMAT.kinds
    data = render_pdf("customer_report", DOCUMENT, locale="ru")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for needle in ("Отчёт о поддержке", "Итоги", "Открыто", "Рассмотрите тариф «Премиум»."):
        assert needle in text


def test_other_kinds_are_refused():
    with pytest.raises(deskframe.DomainError, match="one invoice or a customer report"):
        render_pdf("report", {})
