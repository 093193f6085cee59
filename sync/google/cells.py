"""Cells as spreadsheets.batchUpdate takes them and spreadsheets.get gives them back: the
requests a push and a review write, and the grid read out of GridData."""

from __future__ import annotations

from typing import Any

from sync.google.names import TAB_COLUMNS, TAB_ROWS
from sync.google.names import quote as _quote


def tab_range(code: str) -> str:
    return f"{_quote(code)}!A1:E{TAB_ROWS}"


def grid_of(sheet: dict) -> list[list[Any]]:
    """A sheet of spreadsheets.get's grid data (`data[0].rowData`) as rows of values."""
    data = (sheet.get("data") or [{}])[0]
    return [[effective(cell) for cell in row.get("values") or []] for row in data.get("rowData") or []]


def effective(cell: dict) -> Any:
    """A cell of grid data as values.get would give it: numberValue, stringValue or boolValue,
    None when empty."""
    return next(iter((cell.get("effectiveValue") or {}).values()), None)


def cell_data(value: Any) -> dict:
    """A value typed as RAW types it: numbers as numbers, text stays text (never a formula)."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def replace_tab(sheet_id: int, grid: list[list[Any]]) -> dict:
    # with a range, every cell of it that `rows` does not reach is cleared: the whole tab is
    # replaced without sending 1 000 padded rows
    return {
        "updateCells": {
            "range": {
                "sheetId": sheet_id,
                "startRowIndex": 0,
                "endRowIndex": TAB_ROWS,
                "startColumnIndex": 0,
                "endColumnIndex": TAB_COLUMNS,
            },
            "rows": [{"values": [cell_data(v) for v in row]} for row in grid],
            "fields": "userEnteredValue",
        }
    }


def write_row(sheet_id: int, row_index: int, column_index: int, values: list[Any]) -> dict:
    """One row of cells from (row_index, column_index), 0-based."""
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row_index, "columnIndex": column_index},
            "rows": [{"values": [cell_data(v) for v in values]}],
            "fields": "userEnteredValue",
        }
    }


def append_row(sheet_id: int, fields: list[Any]) -> dict:
    return {
        "appendCells": {
            "sheetId": sheet_id,
            "rows": [{"values": [cell_data(str(f)) for f in fields]}],
            "fields": "userEnteredValue",
        }
    }


def grow_rows(sheet_id: int, rows: int) -> dict:
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"rowCount": rows}},
            "fields": "gridProperties.rowCount",
        }
    }
