"""Writing into an existing unit workbook by its keys (openpyxl): entries and results.

Used by the CLI's validate/progress (results), by tests and the demo (filling entries), by
upgrade (copying entries into a new template) and by pull (bringing a tab back). Every write
is atomic, keeps a timestamped backup when asked, and never lets a string become a formula.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import MergedCell

from campaign import layout as L
from campaign.dates import vietnam_now
from campaign.refusals import RC, WorkbookRefused
from campaign.unit_report import UnitReport, parse_report
from workbooks.atomic import save_atomic as _save_atomic
from workbooks.builder import seal_meta
from workbooks.cells import row_height, set_value
from workbooks.xlsx_bounds import check_sizes
from workbooks.xlsx_limits import TooBig

BACKUP_DIR = ".thidua-sao-luu"
Entries = dict[str, dict[str, dict[str, Any]]]  # layout key -> row key -> column key -> value


def save_atomic(wb, path: Path) -> None:
    """Every write by thidua: the meta sheet veryHidden again (a LibreOffice or WPS save leaves
    it merely hidden, where a unit can unhide it), then written atomically."""
    seal_meta(wb)
    _save_atomic(wb, path)


def load(path: Path):
    from openpyxl import load_workbook

    try:
        # openpyxl loads every sheet in full: the declared sizes bound it (a lie fails the CRC)
        check_sizes(path)
        return load_workbook(path)
    except TooBig as exc:
        raise WorkbookRefused(RC.TEP_VUOT_GIOI_HAN, name=Path(path).name, why=exc) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise WorkbookRefused(RC.TEP_KHONG_MO_DE_GHI, name=Path(path).name) from None


def grids_of(wb) -> dict[str, list[list[Any]]]:
    return {ws.title: [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)] for ws in wb.worksheets}


def backup(path: Path, when: dt.datetime | None = None) -> Path:
    when = when or vietnam_now()
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    dest = folder / f"{path.stem}-{when:%Y%m%d-%H%M%S-%f}{path.suffix}"
    shutil.copy2(path, dest)
    return dest


def fill_entries(path: Path, entries: Entries, dest: Path | None = None) -> UnitReport:
    """Put values into entry cells found by row and column keys; returns the parsed layout."""
    wb = load(path)
    report = parse_report(grids_of(wb), Path(path).name)
    for layout_key, rows in entries.items():
        sheet = report.sheets[layout_key]
        ws = wb[sheet.name]
        for row_key, cols in rows.items():
            row = next((r for r in sheet.rows if r.key == row_key), None)
            if row is None:
                raise KeyError(f"{sheet.name}: no row {row_key}")
            for col_key, value in cols.items():
                cell = ws.cell(row.number, sheet.columns[col_key])
                if isinstance(cell, MergedCell):
                    raise WorkbookRefused(RC.SO_BAO_CAO_O_GOP, sheet=sheet.name, cell=cell.coordinate)
                set_value(cell, value)
    save_atomic(wb, Path(dest or path))
    return report


def set_meta(path: Path, values: dict[str, Any]) -> None:
    wb = load(path)
    ws = wb[L.META_NAME]
    left = dict(values)
    for row in ws.iter_rows(min_row=1, max_col=2):
        if row[0].value in left:
            set_value(row[1], left.pop(row[0].value))
    for key, value in left.items():  # a key newer than the workbook: its row is added
        ws.append([key, None])
        set_value(ws.cell(ws.max_row, 2), value)
    save_atomic(wb, path)


TITLE_ROW_MAX = row_height(["\n" * 5], [10])  # six lines


def apply_plan(path: Path, plan: dict[str, dict[tuple[int, int], Any]], keep_backup: bool = True) -> Path | None:
    """Write a result plan (from campaign.result_cells) atomically; returns the backup made."""
    wb = load(path)
    saved = backup(path) if keep_backup else None

    for sheet_name, cells in plan.items():
        ws = wb[sheet_name]
        for (r, c), value in cells.items():
            cell = ws.cell(r, c)
            if isinstance(cell, MergedCell):  # a reporter merged cells here; results skip them
                continue
            set_value(cell, value)
            if isinstance(value, str) and r > 1:
                # grow the row so a message prints whole; never shrink what the reporter set. The
                # title row (2) holds the report's summary and sits in the frozen header: it grows
                # to six lines at most, so the table keeps the screen
                width = ws.column_dimensions[cell.column_letter].width or 10
                need = min(row_height([value], [width]), TITLE_ROW_MAX if r == 2 else 400)
                if need > (ws.row_dimensions[r].height or 0):
                    ws.row_dimensions[r].height = need
    save_atomic(wb, path)
    return saved
