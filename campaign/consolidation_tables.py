"""The tables of Tổng hợp: what the master workbook, its data sheet and the export show.

Each is built from a `Consolidation` (campaign/consolidation.py) as plain data; the writers
(workbooks/consolidated.py, workbooks/data_sheet.py, workbooks/report_document.py) render them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from campaign import awards
from campaign.assessment import TargetResult
from campaign.awards import route
from campaign.consolidation import (
    FINDINGS_SHEET,
    LATE,
    MISSING,
    ON_TIME,
    UNUSABLE,
    WITH_ERRORS,
    Consolidation,
    Submission,
    Table,
)
from campaign.evidence import named
from campaign.figures import shown
from campaign.findings import FC, LOI, Finding, sort_findings
from campaign.numbers import display, vn_number
from campaign.refusals import Refusal, explain
from campaign.unit_report import Row


def _num(v: Fraction | str | None, places: int = 2) -> Any:
    return display(v, places)


def _dt(v: dt.datetime | None) -> str:
    return v.strftime("%d/%m/%Y %H:%M") if v else ""


def targets_table(c: Consolidation) -> Table:
    rows = []
    for i, ct in enumerate(c.targets, 1):
        t = ct.target
        reporters = len(c.campaign.reporters_of(t))
        value, pct_plan, _ = shown(t, ct.outcome)  # beside its status, rounded toward its side
        rows.append(
            [
                i,
                t.code,
                t.name,
                t.goal_text(),
                _num(value),
                t.unit,
                _num(pct_plan, 1),
                ct.outcome.status,
                f"{len(ct.contributors)}/{reporters}",
                ", ".join(ct.missing[:12]) + (" …" if len(ct.missing) > 12 else ""),
            ]
        )
    return Table(
        "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHỦ YẾU TOÀN XÃ",
        [
            "STT",
            "Mã",
            "Chỉ tiêu",
            "Mục tiêu",
            "Kết quả",
            "Đơn vị tính",
            "% so với mục tiêu",
            "Đánh giá",
            "Số đơn vị đã có số liệu",
            "Đơn vị chưa có số liệu",
        ],
        rows,
        [5, 7, 45, 12, 11, 12, 10, 12, 11, 30],
    )


UNITS_SHEET = "Đơn vị nộp báo cáo"
# where the consolidator types a return's reason, one per unit row; column L (the ribbon's VBA
# writes an InputBox answer there, by number, its source being ASCII)
REASON_HEADER = "Ý kiến khi trả lại (gõ vào đây)"
LAST_ACTION_HEADER = "Lần duyệt cuối, lý do trả lại"
REASON_COLUMN = 12


def units_header_row(grid: list[list[Any]]) -> int | None:
    """Where the units sheet's header row is in a grid of it (0-based), wherever the
    consolidator moved it; None when the grid is not that sheet."""
    return next((i for i, row in enumerate(grid) if "Mã" in row and REASON_HEADER in row), None)


def typed_reasons(grid: list[list[Any]] | None) -> dict[str, str]:
    """Unit code -> the reason typed in the units sheet and not yet sent, from the sheet as it
    is, so that running Tổng hợp again before Trả lại does not wipe what the consolidator typed
    (the Trả lại button clears a reason once sent; the sent one shows in "Lần duyệt cuối")."""
    grid = grid or []
    head = units_header_row(grid)
    if head is None:
        return {}
    col_code, col_reason = grid[head].index("Mã"), grid[head].index(REASON_HEADER)
    out = {}
    for row in grid[head + 1 :]:
        code = str(row[col_code] or "").strip() if col_code < len(row) else ""
        text = row[col_reason] if col_reason < len(row) else None
        if code and text is not None and str(text).strip():
            out[code] = str(text).strip()
    return out


def units_table(c: Consolidation, typed: dict[str, str] | None = None) -> Table:
    typed = typed or {}
    clusters = {k.code: k.name for k in c.campaign.clusters}
    rows = [
        [
            i,
            u.unit_code,
            u.name,
            clusters.get(u.cluster, u.cluster),
            u.status,
            _dt(u.received_at),
            u.time_source,
            u.errors,
            u.warnings,
            u.review_state,
            u.review_note,
            typed.get(u.unit_code, ""),
        ]
        for i, u in enumerate(c.units, 1)
    ]
    return Table(
        "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
        [
            "STT",
            "Mã",
            "Đơn vị",
            "Cụm, khối",
            "Tình trạng",
            "Thời điểm nộp",
            "Căn cứ thời điểm",
            "Số lỗi",
            "Số cảnh báo",
            "Duyệt",
            LAST_ACTION_HEADER,
            REASON_HEADER,
        ],
        rows,
        [5, 10, 40, 36, 14, 17, 26, 8, 10, 18, 40, 36],
    )


def clusters_table(c: Consolidation) -> Table:
    rows = []
    for k in c.campaign.clusters:
        mine = [u for u in c.units if u.cluster == k.code]

        def count(s: str, mine: list = mine) -> int:
            return sum(1 for u in mine if u.status == s)

        rows.append(
            [
                k.code,
                k.name,
                len(mine),
                count(ON_TIME),
                count(LATE),
                count(WITH_ERRORS),
                count(MISSING) + count(UNUSABLE),
            ]
        )
    return Table(
        "TỔNG HỢP THEO CỤM, KHỐI THI ĐUA",
        ["Mã", "Cụm, khối thi đua", "Số đơn vị", "Đúng hạn", "Muộn", "Còn lỗi", "Chưa nộp"],
        rows,
        [8, 45, 10, 10, 8, 8, 10],
    )


def ranking_table(c: Consolidation) -> Table:
    clusters = {k.code: k.name for k in c.campaign.clusters}
    rows = []
    for k in c.campaign.clusters:
        ranked = sorted((u for u in c.units if u.cluster == k.code and u.score), key=lambda u: u.rank or 0)
        for u in ranked:
            s = u.score
            rows.append(
                [
                    clusters[k.code],
                    u.rank,
                    u.unit_code,
                    u.name,
                    float(s.targets),
                    float(s.tasks),
                    float(s.bonus),
                    -float(s.late_penalty),
                    -float(s.error_penalty),
                    float(s.total),
                ]
            )
    sc = c.campaign.scoring
    basis = f"theo {sc.decision}" if sc.decision else "DỰ THẢO: thang điểm chưa có quyết định ban hành"
    title = (
        f"XẾP HẠNG THI ĐUA THEO CỤM, KHỐI ({basis}; chỉ tiêu {vn_number(sc.targets_share)} %, "
        f"nhiệm vụ {vn_number(sc.tasks_share)} %; bằng điểm thì xét: {', '.join(sc.tie_break)})"
    )
    return Table(
        title,
        [
            "Cụm, khối",
            "Hạng",
            "Mã",
            "Đơn vị",
            "Điểm chỉ tiêu",
            "Điểm nhiệm vụ",
            "Cộng điểm",
            "Trừ nộp muộn",
            "Trừ lỗi",
            "Tổng điểm",
        ],
        rows,
        [34, 6, 10, 38, 10, 10, 9, 10, 8, 10],
    )


def leaders_table(c: Consolidation) -> Table:
    """The unit leading each cụm or khối, proposed for the Cờ thi đua; the members confirm it at
    the year-end cluster meeting (recorded in the campaign's cluster data)."""
    rows = []
    for k in c.campaign.clusters:
        first = next((u for u in c.units if u.cluster == k.code and u.rank == 1), None)
        if k.confirmed_leader:
            state = f"Các thành viên đã xác nhận {k.confirmed_leader}" + (
                f" tại hội nghị cụm ngày {k.confirmed_at}" if k.confirmed_at else ""
            )
        else:
            state = "Chờ hội nghị cụm xác nhận"
        leader = c.campaign.unit(k.confirmed_leader) if k.confirmed_leader else None
        code = leader.code if leader else first.unit_code if first else ""
        name = leader.name if leader else first.name if first else "(chưa có đơn vị đủ điều kiện)"
        score = float(first.score.total) if first and first.score and code == first.unit_code else None
        rows.append([k.name, code, name, score, "Cờ thi đua của UBND thành phố", state])
    return Table(
        "ĐƠN VỊ DẪN ĐẦU CỤM, KHỐI THI ĐUA — DỰ KIẾN ĐỀ NGHỊ CỜ THI ĐUA",
        ["Cụm, khối", "Mã", "Đơn vị dẫn đầu", "Tổng điểm", "Đề nghị", "Xác nhận của cụm"],
        rows,
        [40, 10, 38, 10, 30, 40],
    )


def _refused(why: Refusal | Finding | None) -> list[str]:
    """What the consolidator reads of a report not used, what to do, and its code: a screen's
    finding as the findings catalogue says it, a refusal as `explain` does."""
    if isinstance(why, Finding):
        return [why.message, why.fix, why.code]
    return [explain(why)[0], "", why.code] if why is not None else ["", "", ""]


def findings_table(c: Consolidation) -> Table:
    """What to fix, unit by unit, in words; the finding's code last, for support only (a
    consolidator reads the message and the fix, and never needs `so.luu_dang_chu`)."""
    rows = []
    for code, s in sorted(c.submissions.items()):
        if s.assessment is None:
            rows.append([code, LOI, "", "", "", *_refused(s.refusal)])
            continue
        for f in sort_findings(s.assessment.findings):
            rows.append([code, f.severity, f.sheet, f.cell, f.target, f.message, f.fix, f.code])
    for f in (Finding.make(FC.TONG_HOP_BAN_NOP, detail=issue) for issue in c.issues):
        rows.append(["", f.severity, f.sheet, f.cell, f.target, f.message, f.fix, f.code])
    return Table(
        "KẾT QUẢ KIỂM TRA BÁO CÁO CỦA CÁC ĐƠN VỊ",
        ["Đơn vị", "Mức độ", "Trang", "Ô", "Chỉ tiêu", "Nội dung", "Cách sửa", "Mã (cho bộ phận hỗ trợ)"],
        rows,
        [10, 10, 16, 6, 8, 60, 50, 24],
    )


def flagged_rows(s: Submission, layout_key: str) -> set[int]:
    """Rows of one list sheet that Kiểm tra marked with an error or a text Excel would cut: they
    stay out of the annexes (listed with their findings in the master workbook instead)."""
    if s.assessment is None or s.report is None:
        return set()
    name = s.report.sheets[layout_key].name
    return {
        int("".join(ch for ch in f.cell if ch.isdigit()))
        for f in s.assessment.findings
        if f.sheet == name
        and any(ch.isdigit() for ch in f.cell)
        and (f.severity == LOI or f.code == FC.VAN_BAN_QUA_DAI)
    }


def listed_rows(c: Consolidation, key: str, required: tuple[str, ...]) -> Iterator[tuple[str, Row]]:
    """(unit code, row) of every unit's list sheet `key`, unit by unit: the rows with `required`
    filled that Kiểm tra did not flag (those stay in the master with their findings)."""
    for code, s in sorted(c.submissions.items()):
        if s.report is None or key not in s.report.sheets:
            continue
        flagged = flagged_rows(s, key)
        for r in s.report.rows(key):
            if not r.is_blank(required) and r.number not in flagged:
                yield code, r


def models_table(c: Consolidation) -> Table:
    rows = [
        [code, r.value("type"), r.value("name"), r.value("field"), r.value("description"), r.value("effect")]
        for code, r in listed_rows(c, "models", ("type", "name", "description"))
    ]
    return Table(
        "MÔ HÌNH MỚI, CÁCH LÀM HAY, ĐIỂN HÌNH TIÊN TIẾN",
        ["Đơn vị", "Loại", "Tên mô hình / Họ và tên", "Lĩnh vực", "Nội dung, cách làm", "Hiệu quả"],
        rows,
        [10, 18, 36, 16, 50, 36],
    )


def proposals_table(c: Consolidation) -> Table:
    rows = []
    for code, r in listed_rows(c, "proposals", ("award", "subject", "name")):
        award = c.campaign.award(str(r.value("award") or ""))
        authority = route(c.campaign, c.campaign.unit(code), award).said()
        rows.append(
            [
                code,
                r.value("award"),
                r.value("subject"),
                r.value("name"),
                r.value("position"),
                r.value("achievement"),
                authority,
                ", ".join(named(" ".join(str(r.value(k) or "") for k in ("name", "position", "achievement")))),
            ]
        )
    return Table(
        "TỔNG HỢP ĐỀ NGHỊ KHEN THƯỞNG",
        [
            "Đơn vị",
            "Hình thức",
            "Đối tượng",
            "Tên tập thể / Họ và tên",
            "Chức vụ, đơn vị",
            "Thành tích",
            "Thẩm quyền",
            "Minh chứng",
        ],
        rows,
        [10, 34, 10, 30, 30, 45, 30, 30],
    )


def awards_summary_table(c: Consolidation) -> Table:
    """Proposals counted by form and by the level that decides them."""
    pairs = [
        (code, str(r.value("award") or "")) for code, r in listed_rows(c, "proposals", ("award", "subject", "name"))
    ]
    return Table(
        "ĐỀ NGHỊ KHEN THƯỞNG THEO HÌNH THỨC VÀ CẤP QUYẾT ĐỊNH",
        list(awards.SUMMARY_HEADERS),
        awards.summary(c.campaign, pairs),
        [40, 8, 16, 16, 10, 8],
    )


def evidence_table(c: Consolidation) -> Table:
    """Each claim that needs evidence, what the unit named, and whether the share has it."""
    rows = [
        [code, what, ", ".join(items) or "(chưa ghi)", state]
        for code, s in sorted(c.submissions.items())
        for what, items, state in s.evidence
    ]
    return Table(
        "MINH CHỨNG CỦA CÁC NỘI DUNG CẦN MINH CHỨNG",
        ["Đơn vị", "Nội dung", "Minh chứng", "Tình trạng"],
        rows,
        [10, 40, 50, 30],
    )


def _data_figures(r: TargetResult) -> list[Any]:
    """A target's part of its data row: the inputs, the computed value, the percentages, the status."""
    labels = list(r.target.inputs) + [""] * (2 - len(r.target.inputs))
    inputs = list(r.inputs) + [None] * (2 - len(r.inputs))
    o = r.outcome
    return [
        r.target.code,
        r.target.name,
        "Có" if r.own else "",
        labels[0],
        _raw(inputs[0]),
        labels[1],
        _raw(inputs[1]),
        None if isinstance(o.value, str) else _raw(o.value),
        o.value if isinstance(o.value, str) else "",
        r.target.unit,
        _raw(o.pct_plan),
        _raw(o.pct_prev),
        o.status,
    ]


def data_table(c: Consolidation) -> Table:
    """Long form for PivotTables: one row per unit x target (its own targets too) x period, with
    the inputs, the computed value, the percentages and the status as numbers and words."""
    clusters = {k.code: k.name for k in c.campaign.clusters}
    status = {u.unit_code: u.status for u in c.units}
    rows = []
    for code, s in sorted(c.submissions.items()):
        a = s.assessment
        if a is None:
            continue
        unit = c.campaign.unit(code)
        who = [
            code,
            unit.name if unit else "",
            clusters.get(unit.cluster, "") if unit else "",
            unit.kind if unit else "",
        ]
        who += [a.period.name if a.period else "", status.get(code, "")]
        rows.extend(who + _data_figures(r) for r in a.results)
    return Table(
        "DỮ LIỆU CHI TIẾT THEO ĐƠN VỊ, CHỈ TIÊU VÀ KỲ BÁO CÁO",
        [
            "Mã đơn vị",
            "Đơn vị",
            "Cụm, khối",
            "Loại đơn vị",
            "Kỳ báo cáo",
            "Tình trạng nộp",
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            "Chỉ tiêu riêng",
            "Số liệu 1",
            "Giá trị số liệu 1",
            "Số liệu 2",
            "Giá trị số liệu 2",
            "Kết quả",
            "Mức đạt được",
            "Đơn vị tính",
            "% so với mục tiêu",
            "% so với năm trước",
            "Đánh giá",
        ],
        rows,
        [10, 30, 26, 12, 12, 14, 9, 40, 8, 28, 14, 28, 14, 12, 18, 14, 12, 12, 14],
    )


def _raw(v: Fraction | str | None) -> float | int | str | None:
    """A figure as a number a spreadsheet can sum: whole numbers stay whole."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, Fraction) and v.denominator == 1:
        return v.numerator
    return float(v)


TABLE_SHEETS = (
    "Chỉ tiêu toàn xã",
    UNITS_SHEET,
    "Cụm, khối",
    "Xếp hạng",
    "Mô hình, điển hình",
    "Đề nghị khen thưởng",
    "Khen thưởng theo cấp",
    "Dẫn đầu cụm, khối",
    "Minh chứng",
    FINDINGS_SHEET,
)


def all_tables(c: Consolidation, typed: dict[str, str] | None = None) -> dict[str, Table]:
    """Sheet name -> table, in the order a reader expects; `typed`: the units sheet's reasons
    not yet sent (`typed_reasons`), kept at their units' rows."""
    tables = (
        targets_table(c),
        units_table(c, typed),
        clusters_table(c),
        ranking_table(c),
        models_table(c),
        proposals_table(c),
        awards_summary_table(c),
        leaders_table(c),
        evidence_table(c),
        findings_table(c),
    )
    return dict(zip(TABLE_SHEETS, tables, strict=True))
