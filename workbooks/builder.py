"""Writes a unit's standard reporting workbook from the campaign definition (openpyxl).

Macro-free .xlsx: Excel's own data validation with Vietnamese prompts and errors, drop-downs
from a hidden list sheet, sheet protection with only entry cells unlocked, conditional
formatting that colours statuses (so no code ever colours a cell), frozen headers, A4
landscape with repeated header rows, Times New Roman. Layout and keys come from `layout.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from campaign import layout as L
from campaign.dates import date_example
from campaign.definition import RULE_KINDS, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Campaign, Target, Unit
from campaign.grids import blank_grids
from campaign.numbers import NUMBER_RULE, NUMBER_RULE_DOTS, WHOLE_RULE
from campaign.sheet_formulas import report_formulas
from campaign.unit_report import column_letter, parse_report
from workbooks.atomic import save_atomic
from workbooks.cells import row_height, set_value

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FILL_HEADER = PatternFill("solid", fgColor="DDEBF7")
FILL_ENTRY = PatternFill("solid", fgColor="FFF2CC")
FILL_COMPUTED = PatternFill("solid", fgColor="F2F2F2")
FILL_NONE = PatternFill("solid", fgColor="D9D9D9")
STATUS_COLOURS = {
    STATUS_VUOT: ("C6EFCE", "006100"),
    STATUS_DAT: ("E2EFDA", "375623"),
    STATUS_KHONG_DAT: ("FFC7CE", "9C0006"),
    "Chưa có số liệu": ("EDEDED", "595959"),
}
CF_ROWS = 400  # conditional formats reach far below the data so inserted rows are covered


def _font(bold: bool = False, size: int = 12, colour: str | None = None, italic: bool = False) -> Font:
    return Font(name=L.FONT, bold=bold, size=size, color=colour, italic=italic)


def workbook_filename(campaign: Campaign, unit: Unit) -> str:
    return f"{campaign.id}_{unit.code}.xlsx"


class _Lists:
    """Drop-down sources on a hidden sheet: Excel's list validation is limited to 255
    characters when written inline, and award names alone exceed that."""

    def __init__(self, wb: Workbook):
        self.ws = wb.create_sheet(L.LISTS_NAME)
        self.ws.sheet_state = "hidden"
        self.col = 0

    def add(self, title: str, items: tuple[str, ...] | list[str]) -> str:
        self.col += 1
        letter = column_letter(self.col)
        self.ws.cell(1, self.col, title).font = _font(bold=True)
        for i, item in enumerate(items, 2):
            self.ws.cell(i, self.col, item).font = _font()
        return f"'{L.LISTS_NAME}'!${letter}$2:${letter}${len(items) + 1}"


def _list_validation(ws: Worksheet, source: str, prompt: str, cells: str) -> None:
    dv = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showDropDown=False,  # sic: False *shows* the in-cell arrow in OOXML
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="warning",
        promptTitle="Chọn trong danh sách",
        prompt=prompt[:255],
        errorTitle="Giá trị không có trong danh sách",
        error="Hãy chọn một giá trị trong danh sách thả xuống.",
    )
    dv.add(cells)
    ws.add_data_validation(dv)


def _number_validation(
    ws: Worksheet, cell: str, label: str, whole: bool, low: int = 0, high: int | None = None
) -> None:
    kind = "số nguyên" if whole else "số"
    if high is None:
        dv = DataValidation(type="whole" if whole else "decimal", operator="greaterThanOrEqual", formula1=str(low))
        rng = f"{kind} từ {low} trở lên"
    else:
        dv = DataValidation(
            type="whole" if whole else "decimal", operator="between", formula1=str(low), formula2=str(high)
        )
        rng = f"{kind} từ {low} đến {high}"
    dv.allow_blank = True
    dv.showInputMessage = True
    dv.showErrorMessage = True
    dv.errorStyle = "warning"  # a warning, not a stop: nothing a reporter types is thrown away
    dv.promptTitle = "Nhập số liệu"
    dv.prompt = f"{label}: nhập {rng}. {WHOLE_RULE if whole else NUMBER_RULE}"[:255]
    dv.errorTitle = "Số liệu không hợp lệ"
    dv.error = f"Ô này cần {rng}. Không gõ chữ, dấu % hay đơn vị tính."[:255]
    dv.add(cell)
    ws.add_data_validation(dv)


def _setup_sheet(ws: Worksheet, spec: L.SheetLayout, grid: list[list]) -> dict[str, int]:
    """Write the sheet's values from its grid, style key row, titles and header, and set up
    printing and protection; returns {row key: row number}."""
    for r, line in enumerate(grid, 1):
        for c, value in enumerate(line, 1):
            if value is not None:
                set_value(ws.cell(r, c), value)
    for i, col in enumerate(spec.columns, 2):
        ws.column_dimensions[column_letter(i)].width = col.width
    ws.row_dimensions[1].hidden = True
    ws.column_dimensions["A"].hidden = True
    last = column_letter(len(spec.columns) + 1)
    ws.cell(2, 2).font = _font(bold=True, size=14)
    ws.cell(3, 2).font = _font(italic=True)
    for i in range(2, len(spec.columns) + 2):
        c = ws.cell(4, i)
        c.font = _font(bold=True)
        c.fill = FILL_HEADER
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[4].height = 45
    ws.freeze_panes = "D5" if spec.key == "report" else "C5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = L.FONT
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # False = allowed: reporters may widen columns
    ws.protection.formatRows = False
    ws.protection.insertRows = spec.key in ("info", "targets")
    ws.protection.deleteRows = True
    ws.sheet_view.zoomScale = 90
    rows = {line[0]: r for r, line in enumerate(grid, 1) if r > 4 and line[0] not in (None, L.END_MARKER)}
    end = len(grid)
    _fit_heights(ws, spec, 5, end)
    ws.print_area = f"B2:{last}{end - 1}"
    return rows


def _style_row(ws: Worksheet, spec: L.SheetLayout, row: int, entry_keys: set[str]) -> None:
    for i, col in enumerate(spec.columns, 2):
        c = ws.cell(row, i)
        c.font = _font()
        c.border = BORDER
        c.alignment = Alignment(vertical="top", wrap_text=True)
        if col.key in entry_keys:
            c.protection = Protection(locked=False)
            c.fill = FILL_ENTRY
        elif col.computed:
            # Excel refuses macro writes into locked cells of a protected sheet, and the
            # buttons write here; the next click overwrites anything typed by hand
            c.protection = Protection(locked=False)
            c.fill = FILL_COMPUTED


def _fit_heights(ws: Worksheet, spec: L.SheetLayout, first: int, last: int) -> None:
    widths = [c.width for c in spec.columns]
    for r in range(first, last):
        ws.row_dimensions[r].height = row_height([ws.cell(r, i).value for i in range(2, len(widths) + 2)], widths)


def _guide(ws: Worksheet, campaign: Campaign, unit: Unit) -> None:
    due = campaign.results_due_before.strftime("%d/%m/%Y")
    lines = [
        (f"SỔ BÁO CÁO KẾT QUẢ PHONG TRÀO THI ĐUA NĂM {campaign.year}", True),
        (f"Chủ đề: “{campaign.theme}”", False),
        (f"Đơn vị: {unit.name} (mã {unit.code})", True),
        ("", False),
        ("Cách điền:", True),
        ("1. Trang 'Thông tin': chọn kỳ báo cáo, ghi người báo cáo, ngày báo cáo.", False),
        (
            "2. Trang 'Báo cáo': nhập số liệu vào các ô màu vàng. Tỷ lệ % do phần mềm tự tính từ tử số và mẫu số, không gõ %.",
            False,
        ),
        (f"   {NUMBER_RULE}", False),
        (f"   {NUMBER_RULE_DOTS}", False),
        (
            "   Các dòng 'Chỉ tiêu riêng' để đơn vị tự bổ sung chỉ tiêu của mình (chọn cách đánh giá, ghi mục tiêu, ví dụ ≥ 95 hoặc 14 - 15).",
            False,
        ),
        ("3. Trang 'Nhiệm vụ': chọn mức độ thực hiện từng nhóm nhiệm vụ và ghi kết quả nổi bật.", False),
        (
            "4. Trang 'Mô hình, điển hình' và 'Đề nghị khen thưởng': mỗi dòng một mô hình, một người hoặc một tập thể.",
            False,
        ),
        ("5. Bấm 'Kiểm tra' (hoặc chạy 'thidua validate'): lỗi hiện ở cột 'Kiểm tra' ngay cạnh ô cần sửa.", False),
        ("6. Bấm 'Tính tiến độ', rồi 'Gửi báo cáo' khi không còn lỗi.", False),
        ("", False),
        (f"Hạn gửi báo cáo: trước ngày {due}, qua {campaign.office}.", True),
        ("Không đổi tên, không xóa các trang; có thể chèn thêm dòng ở trang Mô hình và Đề nghị khen thưởng.", False),
        ("Ô màu vàng: đơn vị nhập. Ô màu xám: phần mềm tính, không sửa.", False),
    ]
    ws.column_dimensions["A"].width = 120
    for i, (text, bold) in enumerate(lines, 1):
        c = ws.cell(i, 1, text)
        c.font = _font(bold=bold, size=14 if i == 1 else 12)
        c.alignment = Alignment(wrap_text=True)
    ws.protection.sheet = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _info(ws: Worksheet, campaign: Campaign, grid: list[list], lists: _Lists) -> None:
    rows = _setup_sheet(ws, L.INFO, grid)
    period_src = lists.add("Kỳ báo cáo", [p.name for p in campaign.periods])
    entry_rows = {key for key, _, entry in L.INFO_ROWS if entry}
    for key, row in rows.items():
        _style_row(ws, L.INFO, row, {"value"} if key in entry_rows else set())
        ws.cell(row, 2).font = _font(bold=True)
    _list_validation(ws, period_src, "Chọn kỳ báo cáo.", f"C{rows['period']}")
    dv = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({campaign.year},1,1)",
        formula2=f"DATE({campaign.year},12,31)",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="warning",
        promptTitle="Ngày báo cáo",
        prompt=f"Nhập ngày theo dạng {date_example(campaign.year)}, trong năm {campaign.year}.",
        errorTitle="Ngày không hợp lệ",
        error=f"Ngày báo cáo phải nằm trong năm {campaign.year}.",
    )
    dv.add(f"C{rows['report_date']}")
    ws.add_data_validation(dv)
    ws.cell(rows["report_date"], 3).number_format = "dd/mm/yyyy"


def _targets(ws: Worksheet, grid: list[list]) -> None:
    for row in _setup_sheet(ws, L.TARGETS, grid).values():
        _style_row(ws, L.TARGETS, row, set())


def _report(ws: Worksheet, campaign: Campaign, unit: Unit, grid: list[list], lists: _Lists) -> None:
    spec = L.REPORT
    rows = _setup_sheet(ws, spec, grid)
    col = {c.key: i for i, c in enumerate(spec.columns, 2)}
    status_src = lists.add("Tự đánh giá", [STATUS_VUOT, STATUS_DAT, STATUS_KHONG_DAT])
    rule_src = lists.add("Cách đánh giá", [k.label for k in RULE_KINDS.values() if k.code != "level"])
    first = min(rows.values())
    for t in campaign.targets_for(unit):
        _target_row(ws, campaign, t, rows[t.code], col, lists)
    own_rows = [r for k, r in rows.items() if k.startswith(L.OWN_PREFIX)]
    for row in own_rows:
        _style_row(ws, spec, row, set(L.OWN_ENTRY_COLUMNS) | {"input_a", "input_b", "self_status", "note"})
        for key in ("input_a", "input_b"):
            ws.cell(row, col[key]).number_format = "#,##0.##"
    if own_rows:
        rule_col = column_letter(col["rule"])
        _list_validation(
            ws,
            rule_src,
            "Chọn cách đánh giá chỉ tiêu riêng của đơn vị.",
            f"{rule_col}{own_rows[0]}:{rule_col}{own_rows[-1]}",
        )
        _goal_prompt(ws, column_letter(col["goal"]), own_rows)
    self_col = column_letter(col["self_status"])
    _list_validation(
        ws,
        status_src,
        "Đơn vị tự đánh giá: Vượt, Đạt hoặc Không đạt.",
        f"{self_col}{first}:{self_col}{max(rows.values())}",
    )
    _status_colours(ws, column_letter(col["status"]), first)
    check = column_letter(col["check"])
    ws.conditional_formatting.add(
        f"{check}{first}:{check}{first + CF_ROWS}",
        FormulaRule(formula=[f'LEFT(${check}{first},3)="Lỗi"'], font=Font(color="9C0006", bold=True)),
    )
    for key in ("value", "pct_plan", "pct_prev"):
        for row in rows.values():
            ws.cell(row, col[key]).number_format = "#,##0.##"
    # the check column's title cell carries the last check's summary
    summary = ws.cell(2, col["check"])
    summary.font = _font(bold=True, colour="1F4E78")
    summary.alignment = Alignment(wrap_text=True, vertical="top")
    summary.protection = Protection(locked=False)
    ws.row_dimensions[2].height = 32


def _goal_prompt(ws: Worksheet, letter: str, rows: list[int]) -> None:
    """What an own target's goal may look like for the sheet to compute it (campaign/own_formulas.py)."""
    dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=False)
    dv.promptTitle = "Mục tiêu"
    dv.prompt = (
        "Ghi một số (95; 97,5) hoặc một khoảng (14 - 15), có thể thêm ≥ hoặc %. Phần thập phân dùng dấu phẩy,"
        " một chữ số; không dùng dấu chấm. Bảng tính tự tính ngay; dạng khác phần mềm vẫn đọc khi Kiểm tra."
    )[:255]
    # any text is taken (Kiểm tra reads more forms than the sheet), so the error never shows
    dv.errorTitle = "Mục tiêu"
    dv.error = "Ghi mục tiêu dạng 95, 97,5 hoặc 14 - 15."
    dv.add(f"{letter}{rows[0]}:{letter}{rows[-1]}")
    ws.add_data_validation(dv)


def _target_row(ws: Worksheet, campaign: Campaign, t: Target, row: int, col: dict[str, int], lists: _Lists) -> None:
    entry = {"input_a", "self_status", "note"} | ({"input_b"} if len(t.inputs) > 1 else set())
    _style_row(ws, L.REPORT, row, entry)
    if len(t.inputs) < 2:
        ws.cell(row, col["input_b"]).fill = FILL_NONE
    a = f"{column_letter(col['input_a'])}{row}"
    b = f"{column_letter(col['input_b'])}{row}"
    if t.rule == "level":
        src = lists.add(f"Mức {t.code}", list(t.levels))
        _list_validation(ws, src, f"{t.inputs[0]}: chọn một mức. Ghi minh chứng ở cột Ghi chú.", a)
    elif t.rule == "rank_max":
        _number_validation(ws, a, t.inputs[0], whole=True, low=1, high=campaign.localities)
    else:
        _number_validation(ws, a, t.inputs[0], whole=t.integer_inputs)
        if len(t.inputs) > 1:
            _number_validation(ws, b, t.inputs[1], whole=t.integer_inputs)
    for ref in (a, b):
        ws[ref].number_format = "#,##0" if t.integer_inputs else "#,##0.##"


def _status_colours(ws: Worksheet, letter: str, first: int) -> None:
    rng = f"{letter}{first}:{letter}{first + CF_ROWS}"
    for status, (bg, fg) in STATUS_COLOURS.items():
        ws.conditional_formatting.add(
            rng,
            FormulaRule(
                formula=[f'${letter}{first}="{status}"'],
                fill=PatternFill("solid", fgColor=bg, bgColor=bg),
                font=Font(color=fg, bold=True),
            ),
        )


def _tasks(ws: Worksheet, grid: list[list], lists: _Lists) -> None:
    rows = _setup_sheet(ws, L.TASKS, grid)
    src = lists.add("Mức độ nhiệm vụ", L.TASK_LEVELS)
    for row in rows.values():
        _style_row(ws, L.TASKS, row, {"level", "percent", "result"})
    first, last = min(rows.values()), max(rows.values())
    _number_validation(ws, f"E{first}:E{last}", "% hoàn thành", whole=False, low=0, high=100)
    _list_validation(ws, src, "Chọn mức độ thực hiện nhóm nhiệm vụ.", f"D{first}:D{last}")


def _items(ws: Worksheet, spec: L.SheetLayout, grid: list[list], lists_for: dict[str, str]) -> None:
    rows = _setup_sheet(ws, spec, grid)
    entry = {c.key for c in spec.columns if c.entry}
    for row in rows.values():
        _style_row(ws, spec, row, entry)
    first, last = min(rows.values()), max(rows.values())
    for key, src in lists_for.items():
        letter = column_letter(next(i for i, c in enumerate(spec.columns, 2) if c.key == key))
        _list_validation(ws, src, f"Chọn {spec.column(key).header.lower()}.", f"{letter}{first}:{letter}{last}")


def _meta(ws: Worksheet, grid: list[list], unit_key: str = "") -> None:
    """The hidden meta sheet, written in this one place (and re-hidden by `seal_meta`)."""
    for r, line in enumerate(grid, 1):
        for c, value in enumerate(line, 1):
            ws.cell(r, c, value)
    if unit_key:  # the key this unit signs its pushes with (campaign/signing.py), here only
        ws.cell(L.META_KEYS.index("unit_key") + 1, 2, unit_key)
    seal_meta(ws.parent)


def seal_meta(wb: Workbook) -> None:
    """The meta sheet veryHidden: not offered by Excel's Unhide dialog. LibreOffice and WPS save
    it as merely hidden, so every write by thidua puts it back. Left unprotected because Gửi báo
    cáo records the pushed revision here from inside Excel."""
    if L.META_NAME in wb.sheetnames:
        wb[L.META_NAME].sheet_state = "veryHidden"


def _formulas(ws: Worksheet, campaign: Campaign, grids: dict[str, list[list]]) -> None:
    """The report rows' own formulas, placed by the keys the grids carry; the own rows' helper
    rows are hidden (nothing there to read or type)."""
    report = parse_report(grids)
    for row in report.sheets["report"].rows:
        if row.key.startswith(L.OWN_HELPER_PREFIX + L.OWN_PREFIX):
            ws.row_dimensions[row.number].hidden = True
    for (r, c), (_, key, formula) in report_formulas(campaign, report).items():
        cell = ws.cell(r, c)
        cell.value = str(formula)
        # computed by the sheet: nothing to type; the check cell stays open to Kiểm tra's writes
        cell.protection = Protection(locked=key != "check")
        if key in ("value", "pct_plan", "pct_prev"):
            cell.number_format = "#,##0.##" if key == "value" else "#,##0.#"


def build_workbook(
    campaign: Campaign,
    unit: Unit,
    generated_at: dt.datetime | None = None,
    model_rows: int = L.MODEL_ROWS,
    proposal_rows: int = L.PROPOSAL_ROWS,
    unit_key: str = "",
) -> Workbook:
    grids = blank_grids(campaign, unit, generated_at, model_rows, proposal_rows)
    wb = Workbook()
    guide = wb.active
    guide.title = L.GUIDE_NAME
    _guide(guide, campaign, unit)
    sheets = {spec.key: wb.create_sheet(spec.name) for spec in L.DATA_SHEETS}
    lists = _Lists(wb)
    _info(sheets["info"], campaign, grids[L.INFO.name], lists)
    _targets(sheets["targets"], grids[L.TARGETS.name])
    _report(sheets["report"], campaign, unit, grids[L.REPORT.name], lists)
    _tasks(sheets["tasks"], grids[L.TASKS.name], lists)
    _items(sheets["models"], L.MODELS, grids[L.MODELS.name], {"type": lists.add("Loại mô hình", L.MODEL_TYPES)})
    _items(
        sheets["proposals"],
        L.PROPOSALS,
        grids[L.PROPOSALS.name],
        {
            "award": lists.add("Hình thức khen thưởng", [a.name for a in campaign.awards]),
            "subject": lists.add("Đối tượng", L.SUBJECTS),
        },
    )
    _meta(wb.create_sheet(L.META_NAME), grids[L.META_NAME], unit_key)
    _formulas(sheets["report"], campaign, grids)
    lists.ws.protection.sheet = True
    # Open on the report sheet, where the work is; only it selected, or Excel groups sheets.
    wb.active = wb.sheetnames.index(L.REPORT.name)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == L.REPORT.name
    return wb


def write_unit_workbook(
    campaign: Campaign, unit: Unit, dest: Path, generated_at: dt.datetime | None = None, unit_key: str = "", **rows: int
) -> Path:
    save_atomic(build_workbook(campaign, unit, generated_at, unit_key=unit_key, **rows), dest)
    return dest
