"""The ribbon buttons: read the calling workbook, run the core, write back, tell the user.

Called from the add-in's VBA through xlwings' RunPython, e.g.
`RunPython "import xl_addin.handlers as h; h.kiem_tra()"`. Each handler reads every sheet it
needs in one call per sheet, writes each output rectangle in one call (`result_cells.blocks`),
and reports in a Vietnamese message box. Colours come from the template's conditional
formatting; no cell is coloured from here. Only what a button needs is imported: Kiểm tra
never loads gspread, pandas or openpyxl.

Settings come from the environment the add-in starts Python with: THIDUA_CAMPAIGN (campaign
file), THIDUA_SHARE (shared folder) or THIDUA_GOOGLE_SHEET and THIDUA_GOOGLE_CREDENTIALS.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from campaign.refusals import RC

TITLE = "Thi đua"


def import_xlwings():
    """xlwings, without the pandas and numpy it imports whenever it finds them installed: about
    0,35 s of a 0,55 s cold start, and no button hands xlwings a DataFrame or an array. Only in a
    fresh process (a click through classic RunPython): where xlwings is already loaded (the UDF
    server, the tests) nothing changes. xlwings guards both imports with `except ImportError`."""
    import sys

    if "xlwings" not in sys.modules:
        for name in ("pandas", "numpy"):
            if name not in sys.modules:
                sys.modules[name] = None  # makes `import pandas` raise ImportError
    import xlwings

    return xlwings


def _caller():
    return import_xlwings().Book.caller()


_CAMPAIGNS: dict[tuple[str, float], Any] = {}


def _campaign():
    """The campaign, parsed once per file version: through the UDF server (a persistent Python)
    every click after the first skips it."""
    from workbooks.campaign_workbook import load_campaign

    source = os.environ.get("THIDUA_CAMPAIGN") or ""
    try:
        stamp = Path(source).stat().st_mtime if source else 0.0
    except OSError:
        stamp = -1.0  # let load_campaign say what is wrong with it
    key = (source, stamp)
    if key not in _CAMPAIGNS:
        _CAMPAIGNS.clear()
        _CAMPAIGNS[key] = load_campaign(source or None)
    return _CAMPAIGNS[key]


def read_book(book: Any, only: set[str] | None = None) -> dict[str, list[list[Any]]]:
    """{sheet name: values from A1}, one read per sheet."""
    grids = {}
    for sheet in book.sheets:
        if only is not None and sheet.name not in only:
            continue
        used = sheet.used_range
        values = used.options(ndim=2).value or []
        top, left = used.row - 1, used.column - 1
        grid = [[None] * (left + len(values[0]) if values else 0) for _ in range(top)]
        grid += [[None] * left + list(row) for row in values]
        grids[sheet.name] = grid
    return grids


FORMULA_STARTS = ("=", "+", "-", "@")


def as_excel_value(v: Any) -> Any:
    """What to hand Excel for a value: text that Excel would parse as a formula ("=HYPERLINK(…)"
    from a shared tab, "+84…" a phone number) gets the apostrophe that keeps it text."""
    from campaign.formulas import Formula

    if v is None:
        return ""
    if isinstance(v, Formula):  # the workbook's own formula, generated from the definition
        return str(v)
    if isinstance(v, str) and v.startswith(FORMULA_STARTS):
        return "'" + v
    return v


def write_plan(book: Any, plan: dict[str, dict[tuple[int, int], Any]]) -> int:
    """Write a plan as rectangles, one call each; returns how many writes it took."""
    from campaign.result_cells import blocks

    writes = 0
    for sheet_name, cells in plan.items():
        sheet = book.sheets[sheet_name]
        for r0, c0, values in blocks(cells):
            sheet.range((r0, c0), (r0 + len(values) - 1, c0 + len(values[0]) - 1)).value = [
                [as_excel_value(v) for v in row] for row in values
            ]
            writes += 1
    return writes


def _alert(book: Any, text: str) -> None:
    book.app.alert(text[:1000], title=TITLE)


def _guard(fn: Callable[[Any], str]) -> Callable[[], None]:
    """Every outcome, including a bug, ends as a Vietnamese message box, never a traceback."""

    def run() -> None:
        from campaign.refusals import explain

        book = _caller()
        try:
            message = fn(book)
        except Exception as exc:  # noqa: BLE001 - the user gets a message, a bug's details go to the log
            from xl_addin.cli import log_context  # only on this path: a click does not pay for it

            message, _ = explain(exc, log_context(f"nút {fn.__name__}"))
        _alert(book, message)

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def _unit_report(book: Any):
    from campaign.unit_report import parse_report

    return parse_report(read_book(book), book.name)


def _check(book: Any, progress: bool) -> str:
    from campaign.findings import CANH_BAO, LOI, count, sort_findings
    from xl_addin.check import check_report

    a = check_report(_campaign(), _unit_report(book), lambda plan: write_plan(book, plan), progress=progress)
    head = f"{a.unit.name if a.unit else a.unit_code}: {count(a.findings, LOI)} lỗi, {count(a.findings, CANH_BAO)} cảnh báo."
    if progress:
        counts = a.status_counts()
        head += (
            "\n"
            + ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
            + (f"\nĐiểm: {a.score.total}" if a.score else "")
        )
    errors = [f"- {f.where}: {f.message}" for f in sort_findings(a.findings) if f.severity == LOI][:8]
    if errors:
        head += "\n\nCần sửa (xem cột 'Kiểm tra'):\n" + "\n".join(errors)
    elif not progress:
        head += "\nKhông còn lỗi: có thể bấm 'Gửi báo cáo'."
    return head


@_guard
def kiem_tra(book: Any) -> str:
    """Kiểm tra: every entry checked, findings beside their rows."""
    return _check(book, progress=False)


@_guard
def tinh_tien_do(book: Any) -> str:
    """Tính tiến độ: computed value, % of plan, % of last year, status, on track."""
    return _check(book, progress=True)


def _backend(campaign, unit: str | None):
    from sync.configure import make_backend

    return make_backend(campaign, acting_unit=unit)


@_guard
def gui_bao_cao(book: Any) -> str:
    """Gửi báo cáo: check, then push this unit's sheets; refused with the reason."""
    from campaign.result_cells import meta_plan
    from xl_addin.push import push_report

    campaign = _campaign()
    report = _unit_report(book)
    backend = _backend(campaign, report.unit_code)
    result = push_report(campaign, report, backend, lambda meta: write_plan(book, meta_plan(meta)))
    return result.said(backend.name) + " Hãy lưu sổ (Ctrl+S)."


@_guard
def lay_ve(book: Any) -> str:
    """Lấy về: bring this unit's last pushed report back into the workbook."""
    from campaign.dates import show_time
    from campaign.result_cells import pull_plan
    from xl_addin.pull import pull_report

    campaign = _campaign()
    report = _unit_report(book)
    done = pull_report(
        campaign,
        report,
        _backend(campaign, report.unit_code),
        lambda entries, meta: write_plan(book, pull_plan(report, entries, meta)),
        how_to_force="lưu một bản sao rồi dùng lệnh 'thidua pull --force'",
    )
    remote, review = done.tab, done.review
    said = f"Đã lấy về bản gửi lần {remote.revision} của {report.unit_code} ({show_time(remote.pushed_at)})."
    if review is not None and review.reasons:
        said += f" Báo cáo bị trả lại ({show_time(review.at)}): lý do ở cột Kiểm tra; bấm Kiểm tra để xem."
    return said


def _consolidation(book: Any):
    from campaign import layout as L
    from xl_addin.consolidate import consolidate_reports

    if L.META_NAME in [s.name for s in book.sheets]:
        raise _not_master()
    campaign = _campaign()
    return consolidate_reports(campaign, _backend(campaign, None))


def _not_master():
    from campaign.refusals import WorkbookRefused

    return WorkbookRefused(RC.SO_BAO_CAO_KHONG_PHAI_SO_TONG_HOP)


@_guard
def tong_hop(book: Any) -> str:
    """Tổng hợp: pull every unit, check each, and write the tables into this workbook."""
    from campaign.consolidation import completeness_line, status_summary
    from campaign.consolidation_tables import TABLE_SHEETS, UNITS_SHEET, all_tables, typed_reasons
    from campaign.result_cells import table_rectangle

    c = _consolidation(book)
    existing = {s.name for s in book.sheets}
    used = read_book(book, set(TABLE_SHEETS) & existing)
    tables = all_tables(c, typed_reasons(used.get(UNITS_SHEET)))
    for name, table in tables.items():
        if name not in existing:
            book.sheets.add(name)
        full = table_rectangle(table, used.get(name, []))
        book.sheets[name].range((1, 1), (len(full), len(full[0]))).value = [
            [as_excel_value(v) for v in row] for row in full
        ]
    st = status_summary(c)
    return (
        "Đã tổng hợp.\nNộp báo cáo: "
        + completeness_line(c)
        + "\nChỉ tiêu: "
        + ", ".join(f"{k} {v}" for k, v in st.items())
        + ("\nCần xem lại:\n" + "\n".join(f"- {i}" for i in c.issues[:5]) if c.issues else "")
    )


@_guard
def xuat_bao_cao(book: Any) -> str:
    """Xuất báo cáo: the report for the city and its figures, beside this workbook. While the
    "Nội dung báo cáo" sheet has gaps left to write, the button writes the draft (DỰ THẢO, the
    gaps visible) and says so; once they are written, the final document."""
    from campaign.consolidation_tables import UNITS_SHEET
    from campaign.refusals import ExportRefused
    from campaign.report_text import NARRATIVE_SHEET, Narrative, narrative_digest
    from xl_addin.export import export_report

    c = _consolidation(book)
    folder = Path(os.environ.get("THIDUA_OUT") or Path(book.fullname).parent)
    stem = folder / f"bao-cao-thi-dua-{c.campaign.year}-{dt.date.today():%Y%m%d}"
    # the words as the consolidator edited them in this workbook's "Nội dung báo cáo" sheet
    # and the fingerprint of the Tổng hợp it was drafted from, if a master written by the CLI
    grids = read_book(book, {NARRATIVE_SHEET, UNITS_SHEET} & {s.name for s in book.sheets})
    rows = grids.get(NARRATIVE_SHEET)
    narrative = Narrative(rows, narrative_digest(rows), grids.get(UNITS_SHEET) or [], book.name) if rows else None
    try:
        done = export_report(c, stem, dt.date.today(), narrative)
    except ExportRefused as exc:
        if exc.code != RC.XUAT_CON_CHO_TRONG:
            raise
        done = export_report(c, stem, dt.date.today(), narrative, draft=True)
    return (
        f"Đã xuất báo cáo gửi thành phố{' (dự thảo)' if done.draft else ''}:\n{done.document}"
        + (f"\nvà bản PDF: {done.pdf}" if done.pdf else "")
        + f"\nSố liệu kèm theo: {done.data.name}"
        + (f"\nCòn {len(done.gaps)} chỗ cần viết trong sheet '{NARRATIVE_SHEET}'." if done.gaps else "")
        + ("\nNgày báo cáo đã quá hạn: báo cáo ghi rõ gửi chậm." if done.late else "")
    )


def _review_selected(book: Any, action: str) -> str:
    """Duyệt / Trả lại on the unit rows selected in the Tổng hợp sheet of units; a return's
    reason is the row's cell in the reason column (the ribbon asks for one and fills it)."""
    from campaign.consolidation_tables import LAST_ACTION_HEADER, REASON_HEADER, UNITS_SHEET, units_header_row
    from campaign.refusals import SyncError, WorkbookRefused, explain
    from campaign.review import RETURN, last_action
    from xl_addin.review import Ask, act

    selection = book.selection
    if selection is None or selection.sheet.name != UNITS_SHEET:
        raise WorkbookRefused(RC.ADDIN_CHON_DON_VI, sheet=UNITS_SHEET)
    grid = read_book(book, {UNITS_SHEET})[UNITS_SHEET]
    head = units_header_row(grid)
    if head is None:
        raise WorkbookRefused(RC.ADDIN_CHON_DON_VI, sheet=UNITS_SHEET)
    col_code, col_reason = grid[head].index("Mã"), grid[head].index(REASON_HEADER)
    col_state, col_last = grid[head].index("Duyệt"), grid[head].index(LAST_ACTION_HEADER)
    campaign = _campaign()
    backend = _backend(campaign, None)
    first = selection.row
    last = first + selection.shape[0] - 1
    done, refused = [], []
    for r in range(max(first, head + 2), min(last, len(grid)) + 1):
        row = grid[r - 1]
        code = str(row[col_code] or "").strip() if col_code < len(row) else ""
        if not code:
            continue
        reason = str(row[col_reason] or "").strip() if col_reason < len(row) else ""
        if action == RETURN and not reason:
            refused.append(f"{code}: chưa có lý do ở cột '{REASON_HEADER}'")
            continue
        try:
            new = act(campaign, backend, code, action, [Ask(reason)] if reason else [])
        except SyncError as exc:
            refused.append(f"{code}: {explain(exc)[0]}")
            continue
        # the state, the action, and the typed reason cleared: it was sent (it now shows under
        # the last action), and left typed it would go again with the next Trả lại
        sheet = book.sheets[UNITS_SHEET]
        sheet.range((r, col_state + 1)).value = new.state
        sheet.range((r, col_last + 1)).value = last_action(new)
        sheet.range((r, col_reason + 1)).value = None
        done.append(code)
    said = f"{action.capitalize()}: {', '.join(done)}." if done else f"Chưa {action} báo cáo nào."
    return said + ("\nKhông làm được:\n" + "\n".join(f"- {x}" for x in refused) if refused else "")


@_guard
def duyet(book: Any) -> str:
    """Duyệt: accept the reports of the selected units (consolidators only)."""
    from campaign.review import ACCEPT

    return _review_selected(book, ACCEPT)


@_guard
def tra_lai(book: Any) -> str:
    """Trả lại: return the selected units' reports with the reason typed on their rows."""
    from campaign.review import RETURN

    return _review_selected(book, RETURN)


# One entry per ribbon button: control id -> (label, handler); macros/ and tests use it.
BUTTONS = {
    "btnKiemTra": ("Kiểm tra", "kiem_tra"),
    "btnTinhTienDo": ("Tính tiến độ", "tinh_tien_do"),
    "btnGuiBaoCao": ("Gửi báo cáo", "gui_bao_cao"),
    "btnLayVe": ("Lấy về", "lay_ve"),
    "btnTongHop": ("Tổng hợp", "tong_hop"),
    "btnXuatBaoCao": ("Xuất báo cáo", "xuat_bao_cao"),
    "btnDuyet": ("Duyệt", "duyet"),
    "btnTraLai": ("Trả lại", "tra_lai"),
}
