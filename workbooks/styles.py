"""The named cell styles of the workbooks thidua writes for the office (the master, the figures
workbook), and the cells of streamed (write-only) sheets.

Every cell of a kind shares one named style (it shows in Excel's Cell Styles): openpyxl hashes
and de-duplicates each Font, Border and Alignment assigned to a cell, which was most of the
time Tổng hợp took at 5 000 units; a named style is a copy of nine integers.
"""

from __future__ import annotations

from functools import lru_cache

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

from campaign import layout as L
from workbooks.cells import needs_cell, set_value

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")

TITLE_STYLE = "Tổng hợp - tên bảng"
HEADER_STYLE = "Tổng hợp - đầu cột"
BODY_STYLE = "Tổng hợp - ô"
NUMBER_STYLE = "Tổng hợp - ô số"
TEXT_STYLE = "Tổng hợp - chữ"
BOLD_STYLE = "Tổng hợp - chữ đậm"
WRAP_STYLE = "Tổng hợp - đoạn"
BOLD_WRAP_STYLE = "Tổng hợp - đoạn đậm"
SOURCE_STYLE = "Tổng hợp - nguồn số liệu"
NUMBER_FORMAT = "#,##0.##"


@lru_cache(maxsize=64)
def font(bold=False, size=12, italic=False, underline=None) -> Font:
    """One shared Font per kind (the export's header and paragraphs set a few cells each)."""
    return Font(name=L.FONT, bold=bold, size=size, italic=italic, underline=underline)


def _named_styles() -> list[NamedStyle]:
    top = Alignment(vertical="top", wrap_text=True)
    return [
        NamedStyle(TITLE_STYLE, font=font(bold=True)),
        NamedStyle(
            HEADER_STYLE,
            font=font(bold=True, size=11),
            fill=HEAD_FILL,
            border=BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(BODY_STYLE, font=font(size=11), border=BORDER, alignment=top),
        NamedStyle(NUMBER_STYLE, font=font(size=11), border=BORDER, alignment=top, number_format=NUMBER_FORMAT),
        NamedStyle(TEXT_STYLE, font=font()),
        NamedStyle(BOLD_STYLE, font=font(bold=True)),
        NamedStyle(WRAP_STYLE, font=font(), alignment=top),
        NamedStyle(BOLD_WRAP_STYLE, font=font(bold=True), alignment=top),
        NamedStyle(SOURCE_STYLE, font=font(size=9, italic=True)),
    ]


def add_styles(wb: Workbook) -> Workbook:
    """Register the named styles once per workbook (again is a no-op)."""
    if TITLE_STYLE not in wb.named_styles:
        for style in _named_styles():
            wb.add_named_style(style)
    return wb


def styled(ws, value, style: str):
    """A cell for a write-only sheet's row: the value as data (see `set_value`), its style."""
    cell = WriteOnlyCell(ws)
    set_value(cell, value)
    cell.style = style
    return cell


def plain(ws, value):
    """A value for a write-only sheet's row as it is, or as a cell where openpyxl would misread
    it (text starting with "=" would become a formula; control characters are not XML)."""
    if not needs_cell(value):
        return value
    cell = WriteOnlyCell(ws)
    set_value(cell, value)
    return cell
