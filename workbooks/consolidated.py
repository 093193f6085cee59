"""The consolidator's master workbook and the final export for the city (openpyxl).

Both render the same tables from `campaign.consolidation`. The export carries the
administrative header of Decree 30/2020/NĐ-CP (issuing body left, national motto right,
number and symbol, place and date), the summary table, annexes, charts, the recipients and
the signature block; macro-free, A4, Times New Roman.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from campaign import layout as L
from campaign.consolidation import Consolidation, Table, completeness_summary, review_summary, status_summary
from campaign.consolidation_tables import UNITS_SHEET, all_tables, typed_reasons
from campaign.definition import STATUS_CHUA_CO, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, STATUSES
from campaign.report_tables import DRAFT, NOT_SENT, ROMAN, SENT_LATE, SENT_ON_TIME, city_report, consolidation_digest
from campaign.report_text import (
    NARRATIVE_SHEET,
    SOURCE_LABEL,
    Narrative,
    draft_sections,
    narrative_digest,
    refresh_figures,
    to_rows,
)
from campaign.unit_report import column_letter
from workbooks.atomic import save_atomic
from workbooks.builder import STATUS_COLOURS
from workbooks.cells import row_height, set_value
from workbooks.master_cells import (
    BODY_STYLE,
    BOLD_STYLE,
    BOLD_WRAP_STYLE,
    HEADER_STYLE,
    NUMBER_STYLE,
    SOURCE_STYLE,
    TEXT_STYLE,
    TITLE_STYLE,
    WRAP_STYLE,
    StyledCells,
    add_styles,
    styled,
)
from workbooks.master_cells import (
    shared_font as _font,
)


def _a4(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 0.6, 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.oddFooter.center.text = "Trang &P / &N"
    ws.oddFooter.center.font = L.FONT


def _status_colours(ws: Worksheet, col: int, first: int, last: int) -> None:
    letter = column_letter(col)
    for status, (bg, fg) in STATUS_COLOURS.items():
        ws.conditional_formatting.add(
            f"{letter}{first}:{letter}{max(last, first)}",
            FormulaRule(
                formula=[f'${letter}{first}="{status}"'],
                fill=PatternFill("solid", fgColor=bg, bgColor=bg),
                font=Font(color=fg, bold=True),
            ),
        )


def _table_rows(table: Table, title: bool):
    """(row height or None, [(value, named style)]) per row of a table, top to bottom."""
    if title:
        yield None, [(table.title, TITLE_STYLE)]
    yield 42, [(h, HEADER_STYLE) for h in table.headers]
    widths = table.widths or [12] * len(table.headers)
    for values in table.rows:
        yield row_height(values, widths), [(v, NUMBER_STYLE if isinstance(v, float) else BODY_STYLE) for v in values]


def _finish_table(ws, table: Table, left: int, header_row: int, last_row: int) -> None:
    if "Đánh giá" in table.headers:
        _status_colours(ws, left + table.headers.index("Đánh giá"), header_row + 1, last_row)


def write_table(ws: Worksheet, table: Table, top: int, left: int = 1, title: bool = True) -> int:
    """Title, header and rows with borders at (top, left) of a sheet; returns the next free row."""
    add_styles(ws.parent)
    row = top - 1
    for height, cells in _table_rows(table, title):
        row += 1
        if height is not None:
            ws.row_dimensions[row].height = height
        for j, (value, style) in enumerate(cells):
            cell = ws.cell(row, left + j)
            set_value(cell, value)
            cell.style = style
    for j, w in enumerate(table.widths):
        ws.column_dimensions[column_letter(left + j)].width = w
    _finish_table(ws, table, left, top + int(title), row)
    return row + 1


def stream_table(ws: WriteOnlyWorksheet, table: Table, freeze: str | None = None) -> int:
    """The same table as the first thing on a write-only sheet, streamed row by row (nothing of
    it stays in memory); widths and panes go first, as a streamed sheet writes them first."""
    add_styles(ws.parent)
    for j, w in enumerate(table.widths):
        ws.column_dimensions[column_letter(1 + j)].width = w
    if freeze:
        ws.freeze_panes = freeze
    row = 0
    cells = StyledCells(ws)
    for height, pairs in _table_rows(table, True):
        row += 1
        if height is not None:
            ws.row_dimensions[row].height = height
        ws.append(cells.row(pairs))
    _finish_table(ws, table, 1, 2, row)
    return row + 1


def _kept_sheets(
    master: Path, campaign=None, sheets: tuple[str, ...] = (NARRATIVE_SHEET, UNITS_SHEET)
) -> dict[str, list]:
    """What the consolidator typed into a master workbook that Tổng hợp is about to rewrite:
    the "Nội dung báo cáo" rows and the units sheet (its reasons not yet sent). Only those
    sheets are inflated, under a bound that grows with the campaign (`master_limits`), so a
    master thidua wrote is readable at any registry size."""
    from workbooks.grid_reader import read_grids
    from workbooks.xlsx_limits import master_limits

    if not Path(master).exists():
        return {}
    units, targets = (len(campaign.units), len(campaign.targets)) if campaign is not None else (0, 0)
    try:
        grids = read_grids(Path(master), set(sheets), master_limits(units, targets))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in grids.items() if k in sheets}


def read_narrative(master: Path, campaign=None) -> Narrative | None:
    """The consolidator's edited "Nội dung báo cáo" rows in a master workbook, with the
    fingerprint of the consolidation they were drafted from and the units sheet; None when the
    master has no such sheet."""
    kept = _kept_sheets(master, campaign)
    rows = kept.get(NARRATIVE_SHEET)
    if rows is None:
        return None
    return Narrative(rows, narrative_digest(rows), kept.get(UNITS_SHEET) or [], str(master))


def _narrative_sheet(wb: Workbook, rows: list[list], digest: str) -> None:
    """Written top to bottom, so it streams in a write-only master and appends in a loaded one;
    the fingerprint of the consolidation it was drafted from sits in D1, beside the title."""
    ws = wb.create_sheet(NARRATIVE_SHEET, 1)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 120
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].width = 40
    for r, row in enumerate(rows, 1):
        if len(str(row[1] if len(row) > 1 else "")) > 110:
            ws.row_dimensions[r].height = row_height([str(row[1])], [120])
        values = list(row[:3])
        if r == 1:  # what the export checks it agrees with, in D1
            values = values + [None] * (3 - len(values)) + [SOURCE_LABEL + digest]
        cells = [
            styled(ws, value, SOURCE_STYLE if col == 4 else BOLD_WRAP_STYLE if r == 1 or col == 1 else WRAP_STYLE)
            for col, value in enumerate(values, 1)
        ]
        ws.append(cells)


def write_narrative(master: Path, rows: list[list]) -> Path:
    """The master's "Nội dung báo cáo" sheet rewritten with `rows` (the fingerprint kept), as
    the consolidator's typing would leave it; the other sheets untouched."""
    from openpyxl import load_workbook

    wb = add_styles(load_workbook(master))
    old = wb[NARRATIVE_SHEET]
    digest = str(old["D1"].value or "").removeprefix(SOURCE_LABEL)
    wb.remove(old)
    _narrative_sheet(wb, rows, digest)
    save_atomic(wb, master)
    return master


def _overview_sheet(wb: Workbook, c: Consolidation) -> None:
    ws = wb.create_sheet("Tổng quan")
    camp = c.campaign
    lines = [
        (f"TỔNG HỢP BÁO CÁO PHONG TRÀO THI ĐUA NĂM {camp.year} — {camp.issuer}", True),
        (f"Chủ đề: “{camp.theme}”", False),
        (f"Số liệu tính đến ngày {c.as_of:%d/%m/%Y}; hạn nộp: trước ngày {camp.results_due_before:%d/%m/%Y}.", False),
        ("", False),
    ]
    done = completeness_summary(c)
    lines += [(f"{k}: {v} đơn vị", False) for k, v in done.items()]
    if c.unplaced:  # no unit's count holds them: said, so the counts and the issues agree
        lines.append((f"Tệp không dùng được, không rõ của đơn vị nào: {c.unplaced} (xem Cần xem lại)", False))
    reviewed = review_summary(c)
    if reviewed:
        lines += [("", False), ("Duyệt: " + ", ".join(f"{k} {v}" for k, v in reviewed.items()), False)]
    lines += [("", False)] + [(f"Chỉ tiêu {k}: {v}", False) for k, v in status_summary(c).items()]
    if c.issues:
        lines += [("", False), ("Cần xem lại:", True)] + [(f"- {i}", False) for i in c.issues]
    ws.column_dimensions["A"].width = 120
    for text, bold in lines:
        ws.append([styled(ws, text, BOLD_STYLE if bold else TEXT_STYLE)])


def write_master(c: Consolidation, dest: Path) -> Path:
    """The consolidator's workbook: an overview and one sortable sheet per table. Every sheet is
    written once, top to bottom, so the whole workbook is streamed (openpyxl's write-only mode):
    no sheet is held in memory as cells, whatever the number of units."""
    # the report's words: drafted from the figures the first time, kept as the consolidator
    # edited them when Tổng hợp runs again into the same file
    kept = _kept_sheets(dest, c.campaign)
    wb = add_styles(Workbook(write_only=True))
    _overview_sheet(wb, c)
    drafted = to_rows(draft_sections(c))
    words = refresh_figures(kept[NARRATIVE_SHEET], drafted) if kept.get(NARRATIVE_SHEET) else drafted
    _narrative_sheet(wb, words, consolidation_digest(c))
    for name, table in all_tables(c, typed_reasons(kept.get(UNITS_SHEET))).items():
        sheet = wb.create_sheet(name)
        end = stream_table(sheet, table, freeze="A3")
        sheet.auto_filter.ref = f"A2:{column_letter(len(table.headers))}{max(end - 1, 2)}"
        _a4(sheet, landscape=True)
        sheet.print_title_rows = "2:2"
    # imported here: pandas is the consolidator's, never loaded by a unit's click
    from workbooks.data_sheet import write_data_sheet

    write_data_sheet(wb, c)
    save_atomic(wb, dest)
    return dest


def _header(ws: Worksheet, c: Consolidation, when: dt.date | None, width: int, draft: bool = False) -> int:
    camp = c.campaign
    mid = width // 2 - 1
    left_end, right_start = column_letter(mid), column_letter(mid + 1)
    last = column_letter(width)
    # Decree 30/2020/NĐ-CP, Appendix I: the issuing body on the left, the national motto on the right
    rows = [
        ("ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", False, True),
        (camp.issuer.replace("ỦY BAN NHÂN DÂN ", ""), "Độc lập - Tự do - Hạnh phúc", True, True),
    ]
    for r, (left, right, lbold, rbold) in enumerate(rows, 1):
        ws.merge_cells(f"A{r}:{left_end}{r}")
        ws.merge_cells(f"{right_start}{r}:{last}{r}")
        lc, rc = ws[f"A{r}"], ws[f"{right_start}{r}"]
        lc.value, rc.value = left, right
        lc.font = _font(bold=lbold, size=13)
        rc.font = _font(bold=rbold, size=13, underline="single" if r == 2 else None)
        lc.alignment = rc.alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A4:{left_end}4")
    ws.merge_cells(f"{right_start}4:{last}4")
    ws["A4"] = "Số:        /BC-UBND"
    ws["A4"].font = _font(size=13)
    ws["A4"].alignment = Alignment(horizontal="center")
    date_text = (
        f"{camp.place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
        if when
        else f"{camp.place}, ngày      tháng      năm {camp.year}"
    )
    ws[f"{right_start}4"] = date_text
    ws[f"{right_start}4"].font = _font(italic=True, size=13)
    ws[f"{right_start}4"].alignment = Alignment(horizontal="center")
    titles = [
        (f"BÁO CÁO ({DRAFT})" if draft else "BÁO CÁO", 14),
        (f"Kết quả thực hiện Kế hoạch phát động phong trào thi đua năm {camp.year}", 13),
        (f"“{camp.theme}”", 13),
    ]
    for i, (text, size) in enumerate(titles, 6):
        ws.merge_cells(f"A{i}:{last}{i}")
        ws[f"A{i}"] = text
        ws[f"A{i}"].font = _font(bold=True, size=size)
        ws[f"A{i}"].alignment = Alignment(horizontal="center", wrap_text=True)
    return 10


def _paragraph(ws: Worksheet, row: int, text: str, width: int, bold: bool = False, height: float | None = None) -> int:
    ws.merge_cells(f"A{row}:{column_letter(width)}{row}")
    c = ws[f"A{row}"]
    c.value = text
    c.font = _font(bold=bold, size=13)
    c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row].height = height or max(18, 18 * (len(text) // 95 + 1))
    return row + 1


# the figures workbook's sheet widths per annex (characters), in the order of city_report's annexes
ANNEX_WIDTHS = (
    [5, 8, 46, 12, 12, 12, 10, 12],
    [5, 44, 40, 16, 12],
    [5, 30, 16, 36, 16, 50, 36],
    [5, 30, 34, 10, 28, 28, 45, 40],
    [36, 14, 38, 10, 10, 10, 10, 40],
)


def write_export(c: Consolidation, dest: Path, when: dt.date | None = None, draft: bool = False) -> Path:
    """The macro-free figures workbook sent with the report: the same body counts and the same
    annexes, numbered as the document numbers them (city_report's)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    report = city_report(c)
    targets = report.annexes[0]
    summary = Table(targets.title, targets.headers, targets.rows, ANNEX_WIDTHS[0])
    width = len(summary.headers)
    row = _header(ws, c, when, width, draft)
    row, table_top = _body(ws, c, report, summary, row, width)
    _closing(ws, c.campaign, row + 1, width)
    ws.print_title_rows = f"{table_top}:{table_top}"
    _annexes(wb, report.annexes)
    _charts(wb, ws, table_top, len(summary.rows), status_summary(c))
    wb.active = 0
    save_atomic(wb, dest)
    return dest


def _body(ws: Worksheet, c: Consolidation, report, summary: Table, row: int, width: int):
    """Sections I-III of the report, counted from the annexes; returns (next row, row of the
    summary table's header)."""
    camp = c.campaign
    st = status_summary(c)
    sent = report.sent
    row = _paragraph(
        ws,
        row,
        f"Thực hiện Kế hoạch phát động phong trào thi đua năm {camp.year}, Ủy ban nhân dân xã {camp.place} "
        f"báo cáo kết quả như sau. Tính đến ngày {c.as_of:%d/%m/%Y}, {sent[SENT_ON_TIME] + sent[SENT_LATE]}/{len(c.units)} "
        f"cơ quan, đơn vị, thôn và doanh nghiệp đã gửi báo cáo ({sent[SENT_ON_TIME]} đúng hạn, {sent[SENT_LATE]} muộn), "
        f"{sent[NOT_SENT]} đơn vị chưa gửi.",
        width,
        height=54,
    )
    row = _paragraph(ws, row + 1, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU", width, bold=True)
    row = _paragraph(
        ws,
        row,
        f"Trong {len(c.targets)} chỉ tiêu (kể cả chỉ tiêu thành phần): {st.get(STATUS_VUOT, 0)} vượt, "
        f"{st.get(STATUS_DAT, 0)} đạt, {st.get(STATUS_KHONG_DAT, 0)} không đạt, {st.get(STATUS_CHUA_CO, 0)} chưa có số liệu "
        "(Phụ lục I).",
        width,
        height=40,
    )
    table_top = row
    row = write_table(ws, summary, row, title=False)
    for col, w in enumerate(summary.widths, 1):
        ws.column_dimensions[column_letter(col)].width = w
    row = _paragraph(ws, row + 1, "II. TÌNH HÌNH GỬI BÁO CÁO VÀ XẾP HẠNG THI ĐUA", width, bold=True)
    row = _paragraph(
        ws,
        row,
        "Tình hình gửi báo cáo của từng đơn vị tại Phụ lục II; kết quả chấm điểm, xếp hạng thi đua tại Phụ lục V.",
        width,
    )
    row = _paragraph(ws, row + 1, "III. MÔ HÌNH, ĐIỂN HÌNH VÀ ĐỀ NGHỊ KHEN THƯỞNG", width, bold=True)
    row = _paragraph(
        ws,
        row,
        f"Các đơn vị giới thiệu {report.models} mô hình, điển hình (Phụ lục III) và đề nghị "
        f"{len(report.proposals)} trường hợp khen thưởng, trong đó {report.beyond_commune} trường hợp thuộc thẩm "
        "quyền cấp trên, đề nghị xem xét (Phụ lục IV).",
        width,
        height=40,
    )
    return row, table_top


def _closing(ws: Worksheet, camp, top: int, width: int) -> None:
    """Nơi nhận on the left, the signature block on the right, and the print area."""
    ws.cell(top, 1, "Nơi nhận:").font = _font(bold=True, italic=True, size=12)
    for i, rec in enumerate(camp.recipients, 1):
        end = "." if i == len(camp.recipients) else ";"
        ws.cell(top + i, 1, f"- {rec}{end}").font = _font(size=11)
        ws.cell(top + i, 1).alignment = Alignment(wrap_text=False)
    sign_col = column_letter(width // 2 + 2)
    last = column_letter(width)
    lines = [*camp.signer_lines, "", "", "", camp.signer_name]
    for i, text in enumerate(lines):
        r = top + i
        ws.merge_cells(f"{sign_col}{r}:{last}{r}")
        cell = ws[f"{sign_col}{r}"]
        cell.value = text or None
        cell.font = _font(bold=True, size=13)
        cell.alignment = Alignment(horizontal="center")
    _a4(ws, landscape=False)
    ws.print_area = f"A1:{last}{max(top + len(lines), top + len(camp.recipients)) + 1}"


def _annexes(wb: Workbook, annexes) -> None:
    for i, (table, widths) in enumerate(zip(annexes, ANNEX_WIDTHS, strict=True)):
        sheet = wb.create_sheet(f"Phụ lục {ROMAN[i]}")
        sheet.cell(1, 1, f"PHỤ LỤC {ROMAN[i]}").font = _font(bold=True, size=13)
        write_table(sheet, Table(table.title, table.headers, table.rows, widths), 3)
        sheet.print_title_rows = "4:4"
        _a4(sheet, landscape=True)


def _charts(wb: Workbook, ws: Worksheet, table_top: int, n: int, statuses: dict[str, int]) -> None:
    sheet = wb.create_sheet("Biểu đồ")
    sheet.cell(1, 1, "BIỂU ĐỒ TIẾN ĐỘ THỰC HIỆN CÁC CHỈ TIÊU").font = _font(bold=True, size=13)
    bar = BarChart()
    bar.type = "bar"
    bar.title = "% so với mục tiêu, theo chỉ tiêu"
    bar.y_axis.title = "%"
    bar.height, bar.width = 14, 24
    header = table_top
    data = Reference(ws, min_col=7, min_row=header, max_row=header + n)  # "% so với mục tiêu"
    cats = Reference(ws, min_col=2, min_row=header + 1, max_row=header + n)  # target codes
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(cats)
    bar.legend = None
    sheet.add_chart(bar, "A3")
    sheet.cell(3, 16, "Đánh giá").font = _font(bold=True)
    sheet.cell(3, 17, "Số chỉ tiêu").font = _font(bold=True)
    for i, status in enumerate(STATUSES, 4):
        sheet.cell(i, 16, status).font = _font()
        sheet.cell(i, 17, statuses.get(status, 0)).font = _font()
    pie = PieChart()
    pie.title = "Đánh giá các chỉ tiêu toàn xã"
    pie.add_data(Reference(sheet, min_col=17, min_row=3, max_row=7), titles_from_data=True)
    pie.set_categories(Reference(sheet, min_col=16, min_row=4, max_row=7))
    pie.dataLabels = DataLabelList()
    pie.dataLabels.showVal = True
    pie.height, pie.width = 9, 12
    sheet.add_chart(pie, "P9")
    _a4(sheet, landscape=True)
