"""Tổng hợp: every unit's submission in, the commune's figures and tables out.

Commune figures follow each target's aggregation: the lead unit's value, or the inputs summed
across reporting units and the rule applied to the sums, so a consolidated rate is always
the ratio of summed numerators and denominators, never an average of percentages. Plain data
in and out; the master workbook and the export render the same `Table`s, built in
`consolidation_tables.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from campaign import layout as L
from campaign.assessment import Assessment
from campaign.definition import Campaign, Target, Unit
from campaign.findings import CANH_BAO, FC, LOI, Finding
from campaign.parts import commune_issues
from campaign.refusals import Refusal
from campaign.review import DA_DUYET
from campaign.rules import Outcome, evaluate
from campaign.scoring import NO_TARGETS_REASON, NOT_RANKED, ScoreParts, unit_score
from campaign.unit_report import UnitReport, entries_of

ON_TIME, LATE, MISSING, UNUSABLE = "Đúng hạn", "Muộn", "Chưa nộp", "Không dùng được"
# a report on the shared folder its unit did not write (campaign.signing): kept, never counted
NOT_FROM_UNIT, UNSIGNED = "Bị người khác sửa", "Chưa ký (không tính)"
REFUSED_STATUS = {FC.CHU_KY_SAI: NOT_FROM_UNIT, FC.CHU_KY_BAN_CU: NOT_FROM_UNIT, FC.CHU_KY_CHUA_KY: UNSIGNED}
# the master's sheet of every unit's findings: where the consolidator reads them (running
# `validate` on a received file would write into it and change when it counts as received)
FINDINGS_SHEET = "Kết quả kiểm tra"
WITH_ERRORS = "Còn lỗi"  # received, but with errors a push would refuse: listed, never ranked


@dataclass
class Submission:
    """One unit's report as received: from a tab, a shared-folder file, or an e-mailed workbook."""

    unit_code: str
    source: str
    received_at: dt.datetime | None
    report: UnitReport | None
    assessment: Assessment | None
    refusal: Refusal | Finding | None = None  # why it is not used, coded; the text is the catalogue's
    campaign_id: str = ""
    time_source: str = ""  # where received_at came from: never a field the unit can type
    digest: str = ""  # entries_digest of the full report, kept when the report is compacted
    review_state: str = ""  # Duyệt: the report's state on the share ("" where there is none: e-mailed files)
    review_note: str = ""  # the last review action and a return's pending reasons
    evidence: tuple = ()  # (claim, evidence named, what the share says of it) per claim needing evidence


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
    unplaced: int = 0  # inbox files that could not be used and name no unit: no unit's count holds them

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


def is_late(campaign: Campaign, received_at: dt.datetime | None) -> bool:
    """Received on or after the day the results are due before (a report not received is not late)."""
    return received_at is not None and received_at.date() >= campaign.results_due_before


def _unit_row(campaign: Campaign, u: Unit, s: Submission | None, issues: list[str]) -> UnitRow:
    """A unit's line of Tổng hợp: its status against the deadline, its findings and score."""
    if s is None:
        status, errors, warnings, score = MISSING, 0, 0, None
    elif s.assessment is None:
        status, errors, warnings, score = REFUSED_STATUS.get(getattr(s.refusal, "code", ""), UNUSABLE), 0, 0, None
    else:
        a = s.assessment
        late = is_late(campaign, s.received_at)
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
                f"từng lỗi có ở trang '{FINDINGS_SHEET}' của bảng tổng hợp; đề nghị đơn vị sửa và gửi lại."
            )
    return UnitRow(
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


def _rank(campaign: Campaign, units: list[UnitRow], out_of_ranking: set[str]) -> None:
    """A rank per cluster for the scored units whose reports have no errors."""
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
    units = [_unit_row(campaign, u, chosen.get(u.code), issues) for u in campaign.units]
    _rank(campaign, units, _out_of_ranking(campaign, units, chosen, issues))
    return Consolidation(campaign, as_of, months, targets, units, chosen, issues)


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


def completeness_line(c: Consolidation) -> str:
    """The units' counts in one line, and the files no count holds (said among the issues):
    "Không dùng được 0" beside two broken files of no unit would read as a contradiction."""
    text = ", ".join(f"{k} {v}" for k, v in completeness_summary(c).items())
    return text + (f" (và {c.unplaced} tệp không rõ của đơn vị nào)" if c.unplaced else "")


def completeness_summary(c: Consolidation) -> dict[str, int]:
    out = {ON_TIME: 0, LATE: 0, WITH_ERRORS: 0, MISSING: 0, UNUSABLE: 0}
    for u in c.units:
        out[u.status] += 1
    return out
