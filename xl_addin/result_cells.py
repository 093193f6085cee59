"""What Kiểm tra and Tính tiến độ write back: a plan of cell values, applied by any writer.

The plan is plain data ({sheet: {(row, col): value}}), built from where the report's keys
were found, so the file writer (openpyxl) and the Excel handler (xlwings) write the same
cells. Only computed and check columns are ever in it: entered values are never touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction
from typing import Any

from xl_addin.assessment import Assessment
from xl_addin.findings import CANH_BAO, LOI, THONG_TIN, count, sort_findings
from xl_addin.unit_report import UnitReport

Plan = dict[str, dict[tuple[int, int], Any]]
PROGRESS_COLS = ("value", "pct_plan", "pct_prev", "status", "on_track")
MAX_CELL_TEXT = 32000  # Excel allows 32 767 characters in a cell


def display(value: Fraction | str | None, places: int = 2) -> Any:
    if value is None or isinstance(value, str):
        return value
    f = round(float(value), places)
    return int(f) if f.is_integer() else f


def summary_text(a: Assessment, when: dt.datetime) -> str:
    return (
        f"Kiểm tra lúc {when:%H:%M %d/%m/%Y}: {count(a.findings, LOI)} lỗi, "
        f"{count(a.findings, CANH_BAO)} cảnh báo, {count(a.findings, THONG_TIN)} thông tin."
    )


def result_plan(report: UnitReport, a: Assessment, progress: bool, when: dt.datetime | None = None) -> Plan:
    when = when or dt.datetime.now()
    plan: Plan = defaultdict(dict)
    by_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    loose: list[str] = []
    for f in sort_findings(a.findings):
        row = _row_of(f.cell)
        if row is None:
            loose.append(f.line())
        else:
            by_cell[(f.sheet, row)].append(f.line())
    for sheet in report.sheets.values():
        if "check" not in sheet.columns:
            continue
        col = sheet.columns["check"]
        for row in sheet.rows:
            lines = by_cell.pop((sheet.name, row.number), [])
            plan[sheet.name][(row.number, col)] = "\n".join(lines)[:MAX_CELL_TEXT] or None
    # findings on rows the parse did not collect (e.g. the info sheet's own cells) or on none
    for lines in by_cell.values():
        loose.extend(lines)
    rep = report.sheets["report"]
    summary = "\n".join([summary_text(a, when)] + loose)[:MAX_CELL_TEXT]
    plan[rep.name][(rep.key_row + 1, rep.columns["check"])] = summary
    if progress:
        results = {r.row.number: r for r in a.results}
        for row in rep.rows:
            r = results.get(row.number)
            o = r.outcome if r else None
            values = {
                "value": display(o.value) if o else None,
                "pct_plan": display(o.pct_plan, 1) if o else None,
                "pct_prev": display(o.pct_prev, 1) if o else None,
                "status": o.status if o else None,
                "on_track": o.on_track if o else None,
            }
            for col in PROGRESS_COLS:
                plan[rep.name][(row.number, rep.columns[col])] = values[col]
    return dict(plan)


def _row_of(cell: str) -> int | None:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else None


def blocks(cells: dict[tuple[int, int], Any]) -> list[tuple[int, int, list[list[Any]]]]:
    """Contiguous rectangles covering exactly the given cells: (first row, first column, values).

    An Excel button writes each rectangle in one call, so a click costs the same number of
    writes for 10 target rows as for 200; no rectangle reaches a cell outside the plan.
    """
    by_col: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_col[c].append(r)
    runs = []
    for c, rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((start, prev, c))
                start = r
            prev = r
        runs.append((start, prev, c))
    merged: list[list[int]] = []
    for r0, r1, c in sorted(runs):
        if merged and merged[-1][0] == r0 and merged[-1][1] == r1 and merged[-1][3] + 1 == c:
            merged[-1][3] = c
        else:
            merged.append([r0, r1, c, c])
    return [
        (r0, c0, [[cells[(r, c)] for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]) for r0, r1, c0, c1 in merged
    ]
