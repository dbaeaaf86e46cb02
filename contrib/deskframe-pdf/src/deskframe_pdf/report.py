"""A customer report (``deskframe_reports``' plain document) laid out on A4 pages.

The document arrives translated and formatted (see docs/reports.md in deskframe):
``{"title", "subtitle", "lang", "sections": [{"heading", "columns", "rows", "notes"}]}``.
Each section is a heading, an optional table (columns after the first right-aligned, as
they hold numbers) and notes. Text is set in the shipped DejaVu Sans, so Cyrillic prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .render import FONT, GREY, LIGHT, font_paths

#: Usable width of an A4 page with 15 mm margins.
WIDTH = 180


def _table(pdf: Any, columns: list[str], rows: list[list[str]]) -> None:
    from fpdf.fonts import FontFace

    numbers = len(columns) - 1
    each = min(32.0, (WIDTH - 50) / numbers) if numbers else 0.0
    widths = (WIDTH - each * numbers, *([each] * numbers))
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        text_align=("LEFT", *(["RIGHT"] * (len(columns) - 1))),
        line_height=4.4,
        padding=(1, 1),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
        align="LEFT",
        v_align="TOP",
    ) as table:
        heading = table.row()
        for name in columns:
            heading.cell(str(name))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value))


def render_report(document: Mapping[str, Any]) -> bytes:
    """The PDF of a customer report document."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for style, path in font_paths().items():
        pdf.add_font(FONT, style, path)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(str(document.get("title", "")))
    pdf.set_creator("deskframe-pdf")
    pdf.set_lang(str(document.get("lang") or "en"))
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, str(document.get("title", "")), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 5, str(document.get("subtitle", "")), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for section in document.get("sections", ()):
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 7, str(section.get("heading", "")), new_x="LMARGIN", new_y="NEXT")
        if section.get("rows"):
            _table(pdf, list(section.get("columns") or [""] * len(section["rows"][0])), section["rows"])
        pdf.set_font(FONT, "", 9)
        for note in section.get("notes", ()):
            pdf.multi_cell(0, 5, str(note), align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
