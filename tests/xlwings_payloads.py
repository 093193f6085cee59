"""Payloads like the ones real Excel sends to xlwings (see shared/corpus/xlwings-payloads), built
from real workbooks, and a runner for the button handlers on xlwings' own remote engine."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before xlwings is imported


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return f"{v.isoformat()}T00:00:00.000Z"
    return v


def book_payload(path: Path, active: str = "Báo cáo", selection: str = "A1") -> dict:
    """What the Office.js client sends: every sheet's values from A1 as a rectangle."""
    import xlwings as xw

    from workbooks.grid_reader import read_grids

    grids = read_grids(path)
    sheets = []
    for name, grid in grids.items():
        width = max((len(r) for r in grid), default=1) or 1
        values = [[_cell(v) for v in row] + [""] * (width - len(row)) for row in grid] or [[""]]
        sheets.append({"name": name, "values": values, "pictures": [], "tables": []})
    names = list(grids)
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {
            "name": Path(path).name,
            "active_sheet_index": names.index(active) if active in names else 0,
            "selection": selection,
        },
        "names": [],
        "sheets": sheets,
    }


def run_handler(name: str, payload: dict) -> list[dict]:
    """Click a button: the handler runs against the payload; returns the actions Excel would apply."""
    import xlwings as xw

    from xl_addin import handlers

    book = xw.Book(json=payload)
    book.set_mock_caller()
    try:
        getattr(handlers, name)()
        return book.json()["actions"]
    finally:
        xw.Book._mock_caller = None
        book.close()


def apply_actions(payload: dict, actions: list[dict]) -> dict[str, list[list[Any]]]:
    """The grids after Excel applied the actions' setValues (what the user would see)."""
    grids = {s["name"]: [list(r) for r in s["values"]] for s in payload["sheets"]}
    order = [s["name"] for s in payload["sheets"]]
    for a in actions:
        if a["func"] == "addSheet":
            order.append(a["args"][1])
            grids[a["args"][1]] = []
        if a["func"] != "setValues":
            continue
        grid = grids[order[a["sheet_position"]]]
        for i, row in enumerate(a["values"]):
            r = a["start_row"] + i
            while len(grid) <= r:
                grid.append([])
            for j, v in enumerate(row):
                c = a["start_column"] + j
                while len(grid[r]) <= c:
                    grid[r].append("")
                grid[r][c] = _as_excel_stores(v)
    return {k: [[None if v == "" else v for v in row] for row in g] for k, g in grids.items()}


def _as_excel_stores(v: Any) -> Any:
    # xlwings sends dates as ISO text; Excel stores them as dates. A leading apostrophe only
    # marks text: Excel keeps what follows it.
    if isinstance(v, str) and v.startswith("'"):
        return v[1:]
    if isinstance(v, str):
        import re

        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00:00)?", v)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    return v


def alerts(actions: list[dict]) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]
