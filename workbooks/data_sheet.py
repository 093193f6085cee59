"""The long-form data of Tổng hợp for PivotTables: the "Dữ liệu" sheet and `--csv`.

pandas does the typing and the CSV: each column gets one type (numbers stay numbers, empty
cells are empty), and the CSV is written the way Excel on a Vietnamese PC opens it directly
(";" between columns, "," before decimals, UTF-8 with its mark). It is imported only here, on
the consolidator's path; no button a unit clicks loads it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from campaign.consolidation import Consolidation, data_table
from campaign.unit_report import column_letter
from workbooks.atomic import write_atomic
from workbooks.cells import set_value

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
    """The "Dữ liệu" sheet: the long form as an Excel Table, ready for Insert > PivotTable."""
    frame = data_frame(c)
    ws = wb.create_sheet(SHEET)
    widths = data_table(c).widths
    for col, header in enumerate(frame.columns, 1):
        set_value(ws.cell(1, col), header)
        ws.cell(1, col).font = Font(name="Times New Roman", bold=True)
        ws.column_dimensions[column_letter(col)].width = widths[col - 1]
    for r, record in enumerate(frame.itertuples(index=False), 2):
        for col, value in enumerate(record, 1):
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 874, not 874.0
            if not (isinstance(value, float) and pd.isna(value)) and value is not None:
                set_value(ws.cell(r, col), value)
    last = max(len(frame) + 1, 2)  # an Excel table needs one data row, even an empty one
    table = ExcelTable(displayName=TABLE_NAME, ref=f"A1:{column_letter(len(frame.columns))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    return ws


def write_csv(c: Consolidation, dest: Path) -> Path:
    frame = data_frame(c)
    write_atomic(
        Path(dest),
        lambda tmp: frame.to_csv(tmp, sep=";", decimal=",", float_format="%.15g", index=False, encoding="utf-8-sig"),
    )
    return Path(dest)
