"""The long-form data of Tổng hợp for PivotTables: the "Dữ liệu" sheet and `--csv`.

Each number column holds one type: a number, or an empty cell (what pandas' `to_numeric` with
`errors="coerce"` makes of it), so numbers stay numbers for a PivotTable. pandas writes the
CSV the way Excel on a Vietnamese PC opens it directly (";" between columns, "," before
decimals, UTF-8 with its mark). It is imported only for the CSV: writing the master does not
load it (35 MB and half a second of a 5 000-unit Tổng hợp); no button a unit clicks loads it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from pathlib import Path

from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from campaign.consolidation import Consolidation, Table
from campaign.consolidation_tables import data_table
from campaign.unit_report import column_letter
from workbooks.atomic import write_atomic
from workbooks.master_cells import BOLD_STYLE, add_styles, plain, styled

SHEET = "Dữ liệu"
TABLE_NAME = "DuLieuThiDua"  # Excel table names: letters, digits, underscores; no diacritics
NUMBER_COLUMNS = ("Giá trị số liệu 1", "Giá trị số liệu 2", "Kết quả", "% so với mục tiêu", "% so với năm trước")


def _number(value) -> float | None:
    """A value of a number column as a float, or None where it holds no number (a level's
    name): what `pandas.to_numeric(errors="coerce")` gives, numeric text included."""
    if value is None:
        return None
    if isinstance(value, str):
        if "_" in value:  # Python reads "1_000" as a number, pandas does not
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    number = float(value)
    return None if math.isnan(number) else number


def typed_table(c: Consolidation) -> Table:
    """The long form with every number column typed (see `_number`)."""
    t = data_table(c)
    numbers = [t.headers.index(h) for h in NUMBER_COLUMNS]
    rows = []
    for values in t.rows:
        values = list(values)
        for i in numbers:
            values[i] = _number(values[i])
        rows.append(values)
    return replace(t, rows=rows)


def data_frame(c: Consolidation):
    import pandas as pd  # the CSV's alone (see the module's docstring)

    t = typed_table(c)
    frame = pd.DataFrame(t.rows, columns=t.headers)
    for col in NUMBER_COLUMNS:
        frame[col] = frame[col].astype("float64")
    return frame


def write_data_sheet(wb, c: Consolidation) -> Worksheet:
    """The "Dữ liệu" sheet of a write-only workbook (the master): the long form as an Excel
    Table, ready for Insert > PivotTable, streamed top to bottom."""
    t = typed_table(c)
    add_styles(wb)
    ws = wb.create_sheet(SHEET)
    for col in range(1, len(t.headers) + 1):
        ws.column_dimensions[column_letter(col)].width = t.widths[col - 1]
    ws.freeze_panes = "A2"
    ws.append([styled(ws, h, BOLD_STYLE) for h in t.headers])
    for record in t.rows:
        ws.append([plain(ws, _cell_value(v)) for v in record])
    last = max(len(t.rows) + 1, 2)  # an Excel table needs one data row, even an empty one
    table = ExcelTable(displayName=TABLE_NAME, ref=f"A1:{column_letter(len(t.headers))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # a streamed sheet keeps no cells to name the columns from: they are named here, as the header
    table.autoFilter = AutoFilter(ref=table.ref)
    table.tableColumns = [TableColumn(id=i, name=str(h)) for i, h in enumerate(t.headers, 1)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually", UserWarning)
        ws.add_table(table)
    return ws


def _cell_value(value):
    """A typed value as the cell holds it: 874, not 874.0; a missing number, no cell."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def write_csv(c: Consolidation, dest: Path) -> Path:
    frame = data_frame(c)
    write_atomic(
        Path(dest),
        lambda tmp: frame.to_csv(tmp, sep=";", decimal=",", float_format="%.15g", index=False, encoding="utf-8-sig"),
    )
    return Path(dest)
