"""Writing a `ropa.Ropa` as an XLSX workbook (openpyxl) or a standalone HTML page."""

from __future__ import annotations

import io
import re

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from mamori.disclosures.ropa import Ropa, w

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet's name."""
    return _SHEET_NAME_BAD.sub(" ", title)[:31]


def to_xlsx(ropa: Ropa) -> bytes:
    book = Workbook()
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    front = book.active
    assert front is not None  # a new workbook always has one sheet
    front.title = sheet_name(w("controller", ropa.language))
    front.append([ropa.title])
    front["A1"].font = Font(bold=True, size=14)
    for key, value in ropa.controller:
        front.append([key, value])
    front.column_dimensions["A"].width = 36
    front.column_dimensions["B"].width = 90
    for row in front.iter_rows(min_row=2):
        row[0].font = bold
        for cell in row:
            cell.alignment = wrap
    for sheet in ropa.sheets:
        page = book.create_sheet(sheet_name(sheet.title))
        page.append(sheet.headers)
        for row in sheet.rows:
            page.append(row)
        for cell in page[1]:
            cell.font = bold
        for column in range(1, len(sheet.headers) + 1):
            page.column_dimensions[get_column_letter(column)].width = 40
        for row in page.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
        page.freeze_panes = "B2"
    book.properties.title = f"{ropa.title} — {ropa.organisation} v{ropa.version}"
    book.properties.identifier = f"{ropa.organisation}/v{ropa.version}/sha256:{ropa.content_hash}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(ropa: Ropa) -> str:
    return render_to_string("disclosures/ropa.html", {"ropa": ropa})


def filename(ropa: Ropa, extension: str) -> str:
    return f"ropa-{ropa.organisation}-v{ropa.version}-{ropa.language}.{extension}"
