"""Tổng hợp: every unit's submission in, the commune's figures and tables out.

Commune figures follow each target's aggregation: the lead unit's value, or the inputs summed
across reporting units and the rule applied to the sums, so a consolidated rate is always
the ratio of summed numerators and denominators, never an average of percentages. Plain data
in and out; the master workbook and the export render the same `Table`s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from campaign import awards
from campaign import layout as L
from campaign.assessment import Assessment
from campaign.awards import route
from campaign.definition import Campaign, Target
from campaign.evidence import named
from campaign.figures import shown
from campaign.findings import CANH_BAO, LOI, sort_findings
from campaign.numbers import display, vn_number
from campaign.parts import commune_issues
from campaign.review import DA_DUYET
from campaign.rules import Outcome, evaluate
from campaign.scoring import NO_TARGETS_REASON, NOT_RANKED, ScoreParts, unit_score
from campaign.unit_report import UnitReport, entries_of

ON_TIME, LATE, MISSING, UNUSABLE = "Đúng hạn", "Muộn", "Chưa nộp", "Không dùng được"
# a report on the shared folder its unit did not write (campaign.signing): kept, never counted
NOT_FROM_UNIT, UNSIGNED = "Bị người khác sửa", "Chưa ký (không tính)"
REFUSED_STATUS = {"chu_ky.sai": NOT_FROM_UNIT, "chu_ky.ban_cu": NOT_FROM_UNIT, "chu_ky.chua_ky": UNSIGNED}
WITH_ERRORS = "Còn lỗi"  # received, but with errors a push would refuse: listed, never ranked


@dataclass
class Submission:
    """One unit's report as received: from a tab, a shared-folder file, or an e-mailed workbook."""

    unit_code: str
    source: str
    received_at: dt.datetime | None
    report: UnitReport | None
    assessment: Assessment | None
    refusal: str | None = None
    campaign_id: str = ""
    time_source: str = ""  # where received_at came from: never a field the unit can type
    digest: str = ""  # entries_digest of the full report, kept when the report is compacted
    review_state: str = ""  # Duyệt: the report's state on the share ("" where there is none: e-mailed files)
    review_note: str = ""  # the last review action and a return's pending reasons
    evidence: tuple = ()  # (claim, evidence named, what the share says of it) per claim needing evidence
    refusal_code: str = "tep.khong_doc_duoc"  # why it is not used (a findings code), and what to do
    refusal_fix: str = ""


LIST_SHEETS = ("models", "proposals", "tasks")  # what the annexes and the report text read after consolidation


def compact(s: Submission) -> Submission:
    """The submission as Tổng hợp keeps it: figures, findings and the filled rows of the two list
    sheets. The rest of the report (blank template rows, the other sheets, each result's row of
    cells, the formulas a Kiểm tra would write back) is dropped as soon as it is assessed, so memory stays flat in the number of units:
    a full report is ~120 KB, a compact one ~8 KB."""
    if s.report is None:
        return s
    sheets = {}
    for key in LIST_SHEETS:
        sheet = s.report.sheets.get(key)
        if sheet is not None:
            entry = tuple(col.key for col in L.SHEET_BY_KEY[key].columns if col.entry)  # not the numbering
            sheets[key] = replace(sheet, rows=[r for r in sheet.rows if not r.is_blank(entry)])
    report = UnitReport(s.report.source, s.report.meta, sheets)
    if s.assessment is not None:
        for r in s.assessment.results:
            r.row = None  # the row's cells are only needed to write check columns, never here
        s.assessment.formulas = {}  # ~25 KB a unit, for result_plan alone
    return replace(s, report=report, digest=s.digest or entries_digest(s.report))


@dataclass
class CommuneTarget:
    target: Target
    inputs: tuple[Fraction | str | None, ...]
    outcome: Outcome
    contributors: list[str]
    missing: list[str]  # reporting units with no usable figure


@dataclass
class UnitRow:
    unit_code: str
    name: str
    cluster: str
    status: str
    received_at: dt.datetime | None
    source: str
    errors: int
    warnings: int
    score: ScoreParts | None
    rank: int | None = None
    time_source: str = ""
    review_state: str = ""
    review_note: str = ""
    unranked: str = ""  # why the unit is not ranked, where it is scored but left out


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int] = field(default_factory=list)


@dataclass
class Consolidation:
    campaign: Campaign
    as_of: dt.date
    months: int
    targets: list[CommuneTarget]
    units: list[UnitRow]
    submissions: dict[str, Submission]
    issues: list[str]  # duplicates, strangers, other campaigns: reported, never merged

    def unit_row(self, code: str) -> UnitRow | None:
        return next((u for u in self.units if u.unit_code == code), None)

    def target(self, code: str) -> CommuneTarget | None:
        return next((t for t in self.targets if t.target.code == code), None)


def _tie_key(order: tuple[str, ...], r: UnitRow) -> tuple:
    """The ranking's sort key in the order the scoring decision gives; the unit code breaks a
    tie only when every criterion is equal."""
    parts = {
        "tổng điểm": -r.score.total,
        "điểm chỉ tiêu": -r.score.targets,
        "điểm nhiệm vụ": -r.score.tasks,
        "nộp sớm": r.received_at or dt.datetime.max,
    }
    return tuple(parts[k] for k in order)


def _choose(campaign: Campaign, subs: list[Submission]) -> tuple[dict[str, Submission], list[str]]:
    issues: list[str] = []
    by_unit: dict[str, list[Submission]] = defaultdict(list)
    for s in subs:
        if s.campaign_id and s.campaign_id != campaign.id:
            issues.append(
                f"{s.source}: thuộc chiến dịch '{s.campaign_id}', không phải '{campaign.id}'; không tổng hợp."
            )
            continue
        if campaign.unit(s.unit_code) is None:
            issues.append(
                f"{s.source}: đơn vị '{s.unit_code or 'không rõ'}' không có trong danh sách đơn vị; không tổng hợp."
            )
            continue
        by_unit[s.unit_code].append(s)
    chosen = {}
    for code, items in by_unit.items():
        # a readable copy beats a newer unreadable one; then the one that arrived last
        items.sort(key=lambda s: (s.report is not None, s.received_at or dt.datetime.min, s.source))
        chosen[code] = used = items[-1]
        if len(items) > 1:
            others = ", ".join(f"{s.source} ({_arrival(s)})" for s in items[:-1])
            why = "đến sau cùng" if used.report is not None and all(s.report is not None for s in items) else "đọc được"
            issues.append(
                f"Đơn vị {code} có {len(items)} bản nộp; dùng {used.source} ({_arrival(used)}, bản {why}), "
                f"bỏ qua: {others}."
            )
    return chosen, issues


def _arrival(s: Submission) -> str:
    return f"đến {s.received_at:%d/%m/%Y %H:%M}" if s.received_at else "không rõ lúc đến"


def entries_digest(report: UnitReport) -> str:
    """A fingerprint of what a unit reported (targets, tasks, models, proposals), without who it
    is: two units with the same fingerprint sent the same figures."""
    entries = {k: v for k, v in entries_of(report).items() if k != L.INFO.key}
    if not any(entries.values()):
        return ""
    blob = json.dumps(entries, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _same_figures(chosen: dict[str, Submission]) -> list[str]:
    by_digest: dict[str, list[str]] = defaultdict(list)
    for code, s in sorted(chosen.items()):
        digest = s.digest or (entries_digest(s.report) if s.report is not None else "")
        if digest:
            by_digest[digest].append(code)
    return [
        f"Các đơn vị {', '.join(codes)} gửi số liệu giống hệt nhau: cần kiểm tra lại (có thể chép sổ của nhau)."
        for codes in by_digest.values()
        if len(codes) > 1
    ]


def _commune_target(campaign: Campaign, t: Target, subs: dict[str, Submission], months: int) -> CommuneTarget:
    reporters = campaign.reporters_of(t)
    values: dict[str, tuple] = {}
    for u in reporters:
        s = subs.get(u.code)
        r = s.assessment.result(t.code) if s and s.assessment else None
        if r is not None and all(v is not None for v in r.inputs):
            values[u.code] = r.inputs
    missing = [u.code for u in reporters if u.code not in values]
    if t.aggregate == "lead":
        lead = next((u.code for u in reporters if u.code in values), None)
        inputs = values[lead] if lead else (None,) * t.kind.n_inputs
        contributors = [lead] if lead else []
    else:
        contributors = list(values)
        if contributors:
            inputs = tuple(sum((values[c][i] for c in contributors), Fraction(0)) for i in range(t.kind.n_inputs))
        else:
            inputs = (None,) * t.kind.n_inputs
    return CommuneTarget(t, inputs, evaluate(t, inputs, months), contributors, missing)


def _out_of_ranking(
    campaign: Campaign, units: list[UnitRow], chosen: dict[str, Submission], issues: list[str]
) -> set[str]:
    """Units scored but not ranked, each with its reason: disqualified by the campaign data, or
    scored on no target at all (tasks only) where the scoring keeps those apart."""
    rows = {r.unit_code: r for r in units}
    for u in campaign.units:
        s = chosen.get(u.code)
        no_targets = s is not None and s.assessment is not None and not s.assessment.scored_statuses()
        reason = u.disqualified
        if not reason and campaign.scoring.without_targets == NOT_RANKED and no_targets:
            reason = NO_TARGETS_REASON
        if reason:
            issues.append(f"Đơn vị {u.code} không xét xếp hạng: {reason}.")
            rows[u.code].unranked = reason
    return {code for code, r in rows.items() if r.unranked}


def consolidate(
    campaign: Campaign, submissions: list[Submission], as_of: dt.date | None = None, months: int = 12
) -> Consolidation:
    """Tổng hợp: one submission chosen per unit (readable first, then the last to arrive), the
    commune figure of every target (lead value, sum, or ratio of sums), each unit's status
    against the deadline, its findings and score, and a ranking per cluster of the units whose
    reports have no errors. What cannot be merged (duplicates, strangers, other campaigns,
    identical figures) is listed in `issues`, never merged."""
    as_of = as_of or dt.date.today()
    chosen, issues = _choose(campaign, submissions)
    issues.extend(_same_figures(chosen))
    counted = chosen
    if campaign.review_figures == "đã duyệt":  # the campaign counts accepted reports only
        counted = {k: s for k, s in chosen.items() if s.review_state == DA_DUYET}
        left = sorted(k for k in chosen if k not in counted)
        if left:
            issues.append(f"Số liệu chỉ tính báo cáo đã duyệt; chưa tính {len(left)} đơn vị: {', '.join(left)}.")
    targets = [_commune_target(campaign, t, counted, months) for t in campaign.targets]
    issues.extend(commune_issues(campaign, {ct.target.code: ct.inputs for ct in targets}))
    due = campaign.results_due_before
    units = []
    for u in campaign.units:
        s = chosen.get(u.code)
        if s is None:
            status, errors, warnings, score = MISSING, 0, 0, None
        elif s.assessment is None:
            status, errors, warnings, score = REFUSED_STATUS.get(s.refusal_code, UNUSABLE), 0, 0, None
        else:
            a = s.assessment
            late = s.received_at is not None and s.received_at.date() >= due
            errors = sum(1 for f in a.findings if f.severity == LOI)
            warnings = sum(1 for f in a.findings if f.severity == CANH_BAO)
            status = WITH_ERRORS if errors else LATE if late else ON_TIME
            score = unit_score(
                campaign.scoring,
                a.scored_statuses(),
                a.task_levels,
                late=late,
                errors=errors,
                bonus=campaign.scoring.bonus(u.bonuses),
            )
            if errors:
                issues.append(
                    f"Báo cáo của đơn vị {u.code} ({s.source}) còn {errors} lỗi nên chưa xếp hạng; "
                    f"chạy 'thidua validate' trên báo cáo để xem từng lỗi, rồi đề nghị đơn vị sửa và gửi lại."
                )
        units.append(
            UnitRow(
                u.code,
                u.name,
                u.cluster,
                status,
                s.received_at if s else None,
                s.source if s else "",
                errors,
                warnings,
                score,
                time_source=s.time_source if s else "",
                review_state=s.review_state if s else "",
                review_note=s.review_note if s else "",
            )
        )
    out_of_ranking = _out_of_ranking(campaign, units, chosen, issues)
    for cluster in campaign.clusters:
        ranked = sorted(
            (
                r
                for r in units
                if r.cluster == cluster.code
                and r.score is not None
                and r.status != WITH_ERRORS
                and r.unit_code not in out_of_ranking
            ),
            key=lambda r: (*_tie_key(campaign.scoring.tie_break, r), r.unit_code),
        )
        for i, r in enumerate(ranked, 1):
            r.rank = i
    return Consolidation(campaign, as_of, months, targets, units, chosen, issues)


# ---------------------------------------------------------------------------------------
# Tables: what the master workbook and the export show.


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


def findings_table(c: Consolidation) -> Table:
    """What to fix, unit by unit, in words; the finding's code last, for support only (a
    consolidator reads the message and the fix, and never needs `so.luu_dang_chu`)."""
    rows = []
    for code, s in sorted(c.submissions.items()):
        if s.assessment is None:
            rows.append([code, LOI, "", "", "", s.refusal or "", s.refusal_fix, s.refusal_code])
            continue
        for f in sort_findings(s.assessment.findings):
            rows.append([code, f.severity, f.sheet, f.cell, f.target, f.message, f.fix, f.code])
    for issue in c.issues:
        rows.append(["", CANH_BAO, "", "", "", issue, "Xem lại các tệp đã nhận.", "tong_hop.ban_nop"])
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
        if f.sheet == name and any(ch.isdigit() for ch in f.cell) and (f.severity == LOI or f.code == "van_ban.qua_dai")
    }


def models_table(c: Consolidation) -> Table:
    rows = []
    for code, s in sorted(c.submissions.items()):
        if s.report is None:
            continue
        flagged = flagged_rows(s, "models")
        for r in s.report.rows("models"):
            if r.is_blank(("type", "name", "description")) or r.number in flagged:
                continue
            rows.append(
                [code, r.value("type"), r.value("name"), r.value("field"), r.value("description"), r.value("effect")]
            )
    return Table(
        "MÔ HÌNH MỚI, CÁCH LÀM HAY, ĐIỂN HÌNH TIÊN TIẾN",
        ["Đơn vị", "Loại", "Tên mô hình / Họ và tên", "Lĩnh vực", "Nội dung, cách làm", "Hiệu quả"],
        rows,
        [10, 18, 36, 16, 50, 36],
    )


def proposals_table(c: Consolidation) -> Table:
    rows = []
    for code, s in sorted(c.submissions.items()):
        if s.report is None:
            continue
        flagged = flagged_rows(s, "proposals")
        for r in s.report.rows("proposals"):
            if r.is_blank(("award", "subject", "name")) or r.number in flagged:
                continue
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
        (code, str(r.value("award") or ""))
        for code, s in sorted(c.submissions.items())
        if s.report is not None and "proposals" in s.report.sheets
        for r in s.report.rows("proposals")
        if not r.is_blank(("award", "subject", "name")) and r.number not in flagged_rows(s, "proposals")
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
        period = a.period.name if a.period else ""
        for r in a.results:
            labels = list(r.target.inputs) + [""] * (2 - len(r.target.inputs))
            inputs = list(r.inputs) + [None] * (2 - len(r.inputs))
            o = r.outcome
            rows.append(
                [
                    code,
                    unit.name if unit else "",
                    clusters.get(unit.cluster, "") if unit else "",
                    unit.kind if unit else "",
                    period,
                    status.get(code, ""),
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
            )
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
    "Kết quả kiểm tra",
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


def status_summary(c: Consolidation) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for ct in c.targets:
        out[ct.outcome.status] += 1
    return dict(out)


def review_summary(c: Consolidation) -> dict[str, int]:
    """Reports by review state (units with no state on record, e-mailed files, are left out)."""
    out: dict[str, int] = {}
    for u in c.units:
        if u.review_state:
            out[u.review_state] = out.get(u.review_state, 0) + 1
    return out


def completeness_summary(c: Consolidation) -> dict[str, int]:
    out = {ON_TIME: 0, LATE: 0, WITH_ERRORS: 0, MISSING: 0, UNUSABLE: 0}
    for u in c.units:
        out[u.status] += 1
    return out
