"""What the buttons write back: plans of cell values, applied by any writer.

A plan is plain data ({sheet: {(row, col): value}}), built from where the report's keys were
found, so the file writer (openpyxl), the Excel handlers (xlwings) and the tests write the same
cells. Kiểm tra and Tính tiến độ plan only computed and check columns (entered values are never
touched); Lấy về plans the entry cells; Tổng hợp plans each table as one rectangle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from campaign import layout as L
from campaign.assessment import Assessment
from campaign.consolidation import Table
from campaign.dates import show_time, vietnam_now
from campaign.figures import shown
from campaign.findings import CANH_BAO, FC, LOI, THONG_TIN, count, sort_findings
from campaign.formulas import FORMULA_CODES, with_lines
from campaign.numbers import display
from campaign.own_formulas import computed_by_formula
from campaign.unit_report import UnitReport, entry_columns

Plan = dict[str, dict[tuple[int, int], Any]]
PROGRESS_COLS = ("value", "pct_plan", "pct_prev", "status", "on_track")
MAX_CELL_TEXT = 32000  # Excel allows 32 767 characters in a cell


def summary_text(a: Assessment, when: dt.datetime) -> str:
    return (
        f"Kiểm tra lúc {when:%H:%M %d/%m/%Y}: {count(a.findings, LOI)} lỗi, "
        f"{count(a.findings, CANH_BAO)} cảnh báo, {count(a.findings, THONG_TIN)} thông tin."
    )


def result_plan(report: UnitReport, a: Assessment, progress: bool, when: dt.datetime | None = None) -> Plan:
    when = when or vietnam_now()
    plan: Plan = defaultdict(dict)
    by_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    shown_by_formula: dict[tuple[str, int], list[str]] = defaultdict(list)
    loose: list[str] = []
    remarks: list[str] = []  # a return's general remarks (reasons tied to no row)
    for f in sort_findings(a.findings):
        row = _row_of(f.cell)
        if row is None:
            (remarks if f.code == FC.DUYET_TRA_LAI else loose).append(f.line())
        else:
            by_cell[(f.sheet, row)].append(f.line())
            if f.code in FORMULA_CODES:
                shown_by_formula[(f.sheet, row)].append(f.line())
    rep = report.sheets["report"]
    for sheet in report.sheets.values():
        if "check" not in sheet.columns:
            continue
        col = sheet.columns["check"]
        for row in sheet.rows:
            lines = by_cell.pop((sheet.name, row.number), [])
            live = a.formulas.get((row.number, col)) if sheet is rep else None
            if live is not None:
                # the row's own check formula stays, Kiểm tra's other lines follow it
                # (all of them when an input holds text: the formula then decides nothing)
                typed_text = any(isinstance(row.value(k), str) for k in ("input_a", "input_b"))
                said = [] if typed_text or not _formula_decides(row) else shown_by_formula[(sheet.name, row.number)]
                rest = [x for x in lines if x not in said]
                plan[sheet.name][(row.number, col)] = with_lines(live[2], rest)
            else:
                plan[sheet.name][(row.number, col)] = "\n".join(lines)[:MAX_CELL_TEXT] or None
    # findings on rows the parse did not collect (e.g. the info sheet's own cells) or on none
    for lines in by_cell.values():
        loose.extend(lines)
    state = str(report.meta.get("review_state") or "")
    at = str(report.meta.get("review_at") or "")
    head = [f"Trạng thái duyệt: {state}" + (f" (lúc {show_time(at)})" if at else "")] if state else []
    # the general remarks right under the state: when the title row cannot grow enough (the
    # writer caps it so the frozen header leaves room on screen) the first lines still show
    summary = "\n".join(head + remarks + [summary_text(a, when)] + loose)[:MAX_CELL_TEXT]
    plan[rep.name][(rep.key_row + 1, rep.columns["check"])] = summary
    if progress:
        results = {r.row.number: r for r in a.results}
        for row in rep.rows:
            r = results.get(row.number)
            o = r.outcome if r else None
            value, pct_plan, pct_prev = shown(r.target, o) if r and o else (None, None, None)
            values = {
                "value": display(value),
                "pct_plan": display(pct_plan, 1),
                "pct_prev": display(pct_prev, 1),
                "status": o.status if o else None,
                "on_track": o.on_track if o else None,
            }
            for col in PROGRESS_COLS:
                # Tính tiến độ writes only what the sheet's formulas cannot show (own targets)
                if (row.number, rep.columns[col]) not in a.formulas:
                    plan[rep.name][(row.number, rep.columns[col])] = values[col]
    return dict(plan)


def _formula_decides(row) -> bool:
    """An own row's formulas say its input checks only where they read its rule and goal."""
    return not row.key.startswith(L.OWN_PREFIX) or computed_by_formula({k: row.value(k) for k in row.cells})


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


def meta_plan(values: dict[str, Any]) -> Plan:
    """The sync fields of the hidden meta sheet (revision, hash, pushed at, by)."""
    # the key too: a workbook made before a key existed gets its row
    cells: dict[tuple[int, int], Any] = {}
    for k, v in values.items():
        cells[(L.META_KEYS.index(k) + 1, 1)] = k
        cells[(L.META_KEYS.index(k) + 1, 2)] = v
    return {L.META_NAME: cells}


def pull_plan(report: UnitReport, entries: dict[str, dict[str, dict[str, Any]]], meta: dict[str, Any]) -> Plan:
    """Lấy về: every entry cell set to the pulled entries (blank where the pull has none), and
    the meta sheet told which revision the workbook now holds."""
    plan: Plan = {}
    for key, sheet in report.sheets.items():
        cells = plan.setdefault(sheet.name, {})
        for row in sheet.rows:
            for col in entry_columns(L.SHEET_BY_KEY[key], row.key):
                cells[(row.number, sheet.columns[col])] = entries.get(key, {}).get(row.key, {}).get(col)
    plan.update(meta_plan(meta))
    return {k: v for k, v in plan.items() if v}


def table_rectangle(table: Table, previous: list[list[Any]]) -> list[list[Any]]:
    """A table as one rectangle from A1 (title, headers, rows) that also blanks whatever a
    longer previous run (`previous`, the sheet as it is) left below or beside it."""
    rows = [[table.title] + [""] * (len(table.headers) - 1), list(table.headers)] + [list(r) for r in table.rows]
    width = max(len(table.headers), max((len(r) for r in previous), default=0))
    height = max(len(rows), len(previous))
    full = [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows]
    return full + [[""] * width for _ in range(height - len(full))]
