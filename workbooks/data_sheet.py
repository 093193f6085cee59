"""The long-form data of Tổng hợp for PivotTables: the "Dữ liệu" sheet and `--csv`.

pandas does the typing and the CSV: each column gets one type (numbers stay numbers, empty
cells are empty), and the CSV is written the way Excel on a Vietnamese PC opens it directly
(";" between columns, "," before decimals, UTF-8 with its mark). It is imported only here, on
the consolidator's path; no button a unit clicks loads it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from campaign.consolidation import Consolidation, data_table
from campaign.unit_report import column_letter
from workbooks.atomic import write_atomic
from workbooks.styles import BOLD_STYLE, add_styles, plain, styled

SHEET = "Dữ liệu"
TABLE_NAME = "DuLieuThiDua"  # Excel table names: letters, digits, underscores; no diacritics
NUMBER_COLUMNS = ("Giá trị số liệu 1", "Giá trị số liệu 2", "Kết quả", "% so với mục tiêu", "% so với năm trước")


def data_frame(c: Consolidation) -> pd.DataFrame:
    t = data_table(c)
    frame = pd.DataFrame(t.rows, columns=t.headers)
    for col in NUMBER_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame


def write_data_sheet(wb, c: Consolidation) -> Worksheet:
    """The "Dữ liệu" sheet of a write-only workbook (the master): the long form as an Excel
    Table, ready for Insert > PivotTable, streamed top to bottom."""
    frame = data_frame(c)
    add_styles(wb)
    ws = wb.create_sheet(SHEET)
    widths = data_table(c).widths
    for col in range(1, len(frame.columns) + 1):
        ws.column_dimensions[column_letter(col)].width = widths[col - 1]
    ws.freeze_panes = "A2"
    ws.append([styled(ws, h, BOLD_STYLE) for h in frame.columns])
    for record in frame.itertuples(index=False, name=None):
        ws.append([plain(ws, _cell_value(v)) for v in record])
    last = max(len(frame) + 1, 2)  # an Excel table needs one data row, even an empty one
    table = ExcelTable(displayName=TABLE_NAME, ref=f"A1:{column_letter(len(frame.columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # a streamed sheet keeps no cells to name the columns from: they are named here, as the header
    table.autoFilter = AutoFilter(ref=table.ref)
    table.tableColumns = [TableColumn(id=i, name=str(h)) for i, h in enumerate(frame.columns, 1)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually", UserWarning)
        ws.add_table(table)
    return ws


def _cell_value(value):
    """A frame's value as the cell holds it: 874, not 874.0; a missing number, no cell."""
    if isinstance(value, float):
        if pd.isna(value):
            return None
        if value.is_integer():
            return int(value)
    return value


def write_csv(c: Consolidation, dest: Path) -> Path:
    frame = data_frame(c)
    write_atomic(
        Path(dest),
        lambda tmp: frame.to_csv(tmp, sep=";", decimal=",", float_format="%.15g", index=False, encoding="utf-8-sig"),
    )
    return Path(dest)
