"""Kiểm tra and Tính tiến độ in one pass: a unit report in, findings and outcomes out.

`assess(campaign, report)` parses every entry once, runs every check, and evaluates every
target; the CLI, the Excel buttons, sync and consolidation all call it. It never raises on
cell content: anything odd becomes a finding with the sheet and cell it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from campaign import layout as L
from campaign.dates import read_date, show_date
from campaign.definition import (
    STATUS_CHUA_CO,
    STATUS_DAT,
    STATUS_KHONG_DAT,
    STATUS_VUOT,
    STATUSES,
    Campaign,
    Period,
    Target,
    Unit,
    nfc,
)
from campaign.entry_checks import INPUT_COLS, item_findings, own_target
from campaign.entry_checks import cell_text as _text
from campaign.evidence import check_evidence
from campaign.findings import FC, LOI, MESSAGES, Finding, count
from campaign.formulas import Formula, has_formulas, intact
from campaign.grids import target_row_values, targets_sheet_values
from campaign.numbers import parse_number
from campaign.parts import part_findings
from campaign.review import reason_findings
from campaign.rules import NO_DATA, Outcome, evaluate
from campaign.scoring import TASK_DONE, ScoreParts, unit_score
from campaign.sheet_formulas import report_formulas
from campaign.unit_report import Row, UnitReport, cell_ref, typed_beyond_info

EXCEL_CELL_TEXT = 32767
EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[A-Za-z]{2,}")


@dataclass
class TargetResult:
    target: Target
    row: Row | None  # None once Tổng hợp has compacted the submission
    own: bool
    inputs: tuple[Fraction | str | None, ...]
    outcome: Outcome = NO_DATA


@dataclass
class Assessment:
    source: str
    unit_code: str
    unit: Unit | None
    period: Period | None
    findings: list[Finding] = field(default_factory=list)
    results: list[TargetResult] = field(default_factory=list)
    task_levels: list[str | None] = field(default_factory=list)
    missing_targets: list[Target] = field(default_factory=list)  # required, but their row is gone
    score: ScoreParts | None = None
    # the report sheet's own formulas where they belong: {(row, col): (target, column key, formula)}
    formulas: dict[tuple[int, int], tuple[str, str, Formula]] = field(default_factory=dict)

    def scored_statuses(self) -> list[tuple[str, Decimal]]:
        """(status, weight) of every target the unit is scored on: a required target whose row
        was deleted counts as no data, so deleting rows cannot shift the score onto tasks."""
        return [(r.outcome.status, r.target.weight) for r in self.results] + [
            (STATUS_CHUA_CO, t.weight) for t in self.missing_targets
        ]

    @property
    def errors(self) -> int:
        return count(self.findings, LOI)

    def status_counts(self) -> dict[str, int]:
        c = Counter(r.outcome.status for r in self.results)
        return {s: c.get(s, 0) for s in STATUSES}

    def result(self, code: str) -> TargetResult | None:
        return next((r for r in self.results if r.target.code == code), None)


def assess(campaign: Campaign, report: UnitReport) -> Assessment:
    """Kiểm tra and Tính tiến độ in one pass: every finding on the report (never stopping at the
    first), each target's inputs and outcome under the campaign's rules, and the unit's score.
    Plain data in and out; the same for a workbook file, an Excel book and a shared tab."""
    unit_code = str(report.meta.get("unit_code") or "")
    unit = campaign.unit(unit_code)
    out = Assessment(report.source, unit_code, unit, None)
    _check_outside(report, out)
    _check_blank(report, out)
    _check_long_text(report, out)
    _check_info(campaign, report, out)
    _check_formulas(campaign, report, out)
    _check_targets(campaign, report, out)
    _check_tasks(report, out)
    out.findings.extend(item_findings(campaign, report))
    out.findings.extend(check_evidence(campaign, report))
    # a return's reasons, kept in the workbook by Lấy về until the next push
    out.findings.extend(reason_findings(report))
    months = out.period.months if out.period else 12
    for r in out.results:
        r.outcome = evaluate(r.target, r.inputs, months)
        _check_self_status(r, out)
        _check_growth_band(campaign, r, out)
    out.findings.extend(part_findings(campaign, out.results, report.sheets["report"].name))
    out.score = unit_score(
        campaign.scoring,
        out.scored_statuses(),
        out.task_levels,
        errors=out.errors,
    )
    return out


def _check_long_text(report: UnitReport, out: Assessment) -> None:
    """Excel holds at most 32 767 characters in a cell: a longer text (from a Google tab) would
    be cut in the workbook and in the export."""
    for sheet in report.sheets.values():
        for row in sheet.rows:
            for cell in row.cells.values():
                if isinstance(cell.value, str) and len(cell.value) > EXCEL_CELL_TEXT:
                    out.findings.append(Finding.make(FC.VAN_BAN_QUA_DAI, cell.sheet, cell.ref, count=len(cell.value)))


def _check_blank(report: UnitReport, out: Assessment) -> None:
    """A workbook with nothing typed past its information sheet is no report (a blank template
    sent by mistake): an error, so Tổng hợp neither counts it as received in order nor ranks it."""
    if not typed_beyond_info(report):
        out.findings.append(Finding.make(FC.TEP_CHUA_DIEN, report.sheets["report"].name))


def _check_outside(report: UnitReport, out: Assessment) -> None:
    for sheet, cells in report.outside.items():
        out.findings.extend(Finding.make(FC.TEP_O_NGOAI_VUNG, sheet, cell) for cell in cells)


def _check_formulas(campaign: Campaign, report: UnitReport, out: Assessment) -> None:
    """A computed cell whose formula was typed over, deleted or edited is said at that cell (the
    figures never come from it: the engine computes them). Only for a workbook of the formula
    template and of this very definition: an older definition's formulas differ by design."""
    same_definition = report.meta.get("definition_hash") == campaign.definition_hash()
    if not has_formulas(report.meta) or out.unit is None or not same_definition:
        return
    out.formulas = report_formulas(campaign, report)
    if report.formulas is None:
        return
    sheet = report.sheets["report"]
    found = report.formulas.get(sheet.name, {})
    values = None  # what the cells show, looked up only for a formula gone
    for (r, c), (code, key, formula) in out.formulas.items():
        if not intact(formula, found.get((r, c)), key):
            if values is None:
                values = {(c.row, c.col): c.value for row in sheet.rows for c in row.cells.values()}
            shown = found.get((r, c)) or values.get((r, c))
            detail = _text(shown)[:40] if shown not in (None, "") else "trống"
            out.findings.append(Finding.make(FC.CONG_THUC_BI_SUA, sheet.name, cell_ref(r, c), code, detail=detail))


def _check_targets_sheet(campaign: Campaign, report: UnitReport, out: Assessment) -> None:
    """The 'Chỉ tiêu' sheet is the plan as the unit reads it; an edit there changes no figure
    (the definition decides) but misleads whoever reads the workbook: said, as a warning."""
    sheet = report.sheets["targets"]
    for row in sheet.rows:
        t = campaign.target(row.key)
        if t is None:
            continue
        for col, want, text in _targets_sheet_texts(campaign, t):
            cell = row.cells.get(col)
            if cell is not None and _text(cell.value) != text:
                out.findings.append(
                    Finding.make(
                        FC.CHI_TIEU_TRANG_BI_SUA,
                        sheet.name,
                        cell.ref,
                        t.code,
                        detail=_text(cell.value)[:60] or "trống",
                        expected=want,
                    )
                )


def _targets_sheet_texts(campaign: Campaign, t: Target) -> list[tuple[str, Any, str]]:
    """(column, value, its text as a cell reads) of a target's 'Chỉ tiêu' row, kept with the
    campaign: every workbook of the campaign is compared with the same."""
    return campaign.cached(
        ("targets sheet texts", t.code),
        lambda: [(col, want, nfc(str(want))) for col, want in targets_sheet_values(t).items()],
    )


def _check_info(campaign: Campaign, report: UnitReport, out: Assessment) -> None:
    sheet = report.sheets["info"]
    meta = report.meta
    if str(meta.get("campaign_id") or "") != campaign.id:
        out.findings.append(
            Finding.make(
                FC.THONG_TIN_CHIEN_DICH, sheet.name, detail=meta.get("campaign_id") or "không rõ", expected=campaign.id
            )
        )
    elif meta.get("definition_hash") != campaign.definition_hash():
        out.findings.append(Finding.make(FC.THONG_TIN_DINH_NGHIA_DOI, sheet.name))
    else:
        _check_targets_sheet(campaign, report, out)
    if out.unit is None:
        out.findings.append(Finding.make(FC.THONG_TIN_DON_VI_LA, sheet.name, detail=out.unit_code or "trống"))
    code_cell = report.info("unit_code")
    if code_cell is not None and _text(code_cell.value) != out.unit_code:
        out.findings.append(
            Finding.make(
                FC.THONG_TIN_DON_VI,
                sheet.name,
                code_cell.ref,
                detail=_text(code_cell.value) or "trống",
                expected=out.unit_code,
            )
        )
    period_cell = report.info("period")
    names = ", ".join(p.name for p in campaign.periods)
    if period_cell is None or period_cell.empty:
        out.findings.append(
            Finding.make(
                FC.THONG_TIN_KY, sheet.name, period_cell.ref if period_cell else "", detail="trống", expected=names
            )
        )
    else:
        out.period = campaign.period(_text(period_cell.value))
        if out.period is None:
            out.findings.append(
                Finding.make(FC.THONG_TIN_KY, sheet.name, period_cell.ref, detail=period_cell.value, expected=names)
            )
    for key, label, entry in L.INFO_ROWS:
        if entry and key in ("reporter", "report_date"):
            cell = report.info(key)
            if cell is None or cell.empty:
                out.findings.append(Finding.make(FC.THONG_TIN_THIEU, sheet.name, cell.ref if cell else "", label=label))
    _check_contact(campaign, report, out)


def _check_contact(campaign: Campaign, report: UnitReport, out: Assessment) -> None:
    """The reporter's e-mail and the report's date, where typed."""
    sheet = report.sheets["info"]
    email = report.info("email")
    if email is not None and not email.empty and not EMAIL.fullmatch(_text(email.value).strip()):
        out.findings.append(Finding.make(FC.THONG_TIN_EMAIL, sheet.name, email.ref, detail=_text(email.value)[:60]))
    date_cell = report.info("report_date")
    if date_cell is not None and not date_cell.empty:
        when = read_date(date_cell.value)
        if when is None or when.year != campaign.year:
            detail, year = _date_text(date_cell.value), str(campaign.year)  # a year as text: never "2.026"
            found = Finding.make(FC.THONG_TIN_NGAY, sheet.name, date_cell.ref, detail=detail, year=year)
            out.findings.append(found)


def _date_text(value: Any) -> str:
    """What a date cell holds, as the reporter sees it in Excel."""
    return show_date(value) if isinstance(value, dt.date) else _text(value)[:30]


def _check_targets(campaign: Campaign, report: UnitReport, out: Assessment) -> None:
    sheet = report.sheets["report"]
    assigned = {t.code: t for t in (campaign.targets_for(out.unit) if out.unit else ())}
    seen: dict[str, list[int]] = {}
    own_codes: list[tuple[str, Row]] = []
    for row in sheet.rows:
        key = row.key
        seen.setdefault(key, []).append(row.number)
        if key in assigned:
            if len(seen[key]) > 1:
                continue
            t = assigned[key]
            _check_locked(t, row, out)
            out.results.append(TargetResult(t, row, False, _inputs(campaign, t, row, out)))
        elif key.startswith(L.OWN_PREFIX):
            t = own_target(row, out.findings)
            if t is not None:
                own_codes.append((t.code, row))
                out.results.append(TargetResult(t, row, True, _inputs(campaign, t, row, out)))
        elif not row.is_blank(("input_a", "input_b")):
            cell = row.cells["input_a"]
            if campaign.target(key):
                out.findings.append(Finding.make(FC.CHI_TIEU_KHONG_GIAO, sheet.name, cell.ref, key))
            else:
                out.findings.append(
                    Finding.make(
                        FC.CHI_TIEU_LA, sheet.name, cell.ref, detail=key or _text(row.value("code")) or "trống"
                    )
                )
    for key, rows in seen.items():
        if key in assigned and len(rows) > 1:
            out.findings.append(
                Finding.make(FC.CHI_TIEU_TRUNG_DONG, sheet.name, f"A{rows[1]}", key, rows=", ".join(map(str, rows)))
            )
    for code, target in assigned.items():
        if code not in seen:
            out.missing_targets.append(target)
            out.findings.append(Finding.make(FC.CHI_TIEU_THIEU_DONG, sheet.name, "", code))
    campaign_codes = {t.code for t in campaign.targets}
    counts = Counter(c for c, _ in own_codes)
    for code, row in own_codes:
        if code in campaign_codes or counts[code] > 1:
            out.findings.append(Finding.make(FC.RIENG_TRUNG_MA, sheet.name, row.cells["code"].ref, detail=code))


def _check_locked(t: Target, row: Row, out: Assessment) -> None:
    for col, want in target_row_values(t).items():
        cell = row.cells[col]
        got = _text(cell.value)
        if got != nfc(want):
            out.findings.append(
                Finding.make(
                    FC.CHI_TIEU_BI_SUA, cell.sheet, cell.ref, t.code, detail=got[:60] or "trống", expected=want
                )
            )


def _inputs(campaign: Campaign, t: Target, row: Row, out: Assessment) -> tuple[Fraction | str | None, ...]:
    values: list[Fraction | str | None] = []
    for i, label in enumerate(t.inputs):
        cell = row.cells[INPUT_COLS[i]]
        if cell.empty:
            out.findings.append(Finding.make(FC.CHI_TIEU_THIEU_SO_LIEU, cell.sheet, cell.ref, t.code, label=label))
            values.append(None)
            continue
        if t.rule == "level":
            level = _text(cell.value)
            if level not in t.levels:
                out.findings.append(
                    Finding.make(
                        FC.CHI_TIEU_MUC_DO, cell.sheet, cell.ref, t.code, detail=level[:60], levels=", ".join(t.levels)
                    )
                )
                values.append(None)
            else:
                values.append(level)
            continue
        whole = t.integer_inputs or t.rule == "rank_max"
        money = "đồng" in f"{label} {t.unit}".lower()
        p = parse_number(cell.value, whole=whole, millions="triệu" in label.lower(), money=money)
        if p.code:
            out.findings.append(
                Finding.make(
                    p.code, cell.sheet, cell.ref, t.code, detail=p.detail, value=p.value, suggestion=p.suggestion
                )
            )
        if p.value is None or (p.code is not None and MESSAGES[p.code][0] == LOI):
            values.append(None)
            continue
        if p.value < 0:
            out.findings.append(Finding.make(FC.SO_AM, cell.sheet, cell.ref, t.code, value=p.value))
            values.append(None)
            continue
        limit = t.plausible_max[i] if i < len(t.plausible_max) else None
        if limit is not None and p.value > limit:
            out.findings.append(
                Finding.make(FC.SO_NGOAI_KHOANG, cell.sheet, cell.ref, t.code, label=label, value=p.value, limit=limit)
            )
        values.append(Fraction(p.value))
    _check_relations(campaign, t, row, values, out)
    return tuple(values)


def _check_relations(campaign: Campaign, t: Target, row: Row, values: list, out: Assessment) -> None:
    a = row.cells["input_a"]
    b = row.cells["input_b"]
    if t.rule in ("rate_min", "rate_strict", "ratio_min", "growth_range") and len(values) == 2:
        first, second = values
        denominator, den_cell, den_label = (
            (second, b, t.inputs[1]) if t.rule.startswith("rate") else (first, a, t.inputs[0])
        )
        if denominator is not None and denominator == 0:
            out.findings.append(
                Finding.make(FC.CHI_TIEU_MAU_SO_BANG_0, den_cell.sheet, den_cell.ref, t.code, label=den_label)
            )
            values[0 if den_cell is a else 1] = None
        elif t.rule.startswith("rate") and first is not None and second is not None and first > second:
            out.findings.append(
                Finding.make(FC.CHI_TIEU_TU_SO_LON_HON_MAU_SO, a.sheet, a.ref, t.code, num=first, den=second)
            )
            values[0] = None
    if t.rule == "rank_max" and values and values[0] is not None and not 1 <= values[0] <= campaign.localities:
        out.findings.append(
            Finding.make(FC.CHI_TIEU_THU_HANG, a.sheet, a.ref, t.code, value=values[0], localities=campaign.localities)
        )
        values[0] = None


def _check_self_status(r: TargetResult, out: Assessment) -> None:
    cell = r.row.cells["self_status"]
    said = _text(cell.value)
    if not said or r.outcome.status not in (STATUS_VUOT, STATUS_DAT, STATUS_KHONG_DAT):
        return
    # "Vượt" said where the rule has no Vượt is not a contradiction worth a warning: the target is met
    met = {STATUS_VUOT, STATUS_DAT}
    contradicts = said != r.outcome.status and not (said in met and r.outcome.status in met)
    if contradicts or said not in (STATUS_VUOT, STATUS_DAT, STATUS_KHONG_DAT):
        out.findings.append(
            Finding.make(
                FC.CHI_TIEU_TU_DANH_GIA, cell.sheet, cell.ref, r.target.code, detail=said[:30], status=r.outcome.status
            )
        )


def _check_growth_band(campaign: Campaign, r: TargetResult, out: Assessment) -> None:
    if r.target.rule != "growth_range" or not isinstance(r.outcome.value, Fraction):
        return
    band = Fraction(str(campaign.growth_warning_band))
    if abs(r.outcome.value) > band:
        cell = r.row.cells["input_b"]
        out.findings.append(
            Finding.make(
                FC.CHI_TIEU_TANG_BAT_THUONG, cell.sheet, cell.ref, r.target.code, value=r.outcome.value, band=band
            )
        )


def _check_tasks(report: UnitReport, out: Assessment) -> None:
    for row in report.rows("tasks"):
        if not row.key.startswith("NV"):
            continue
        level_cell, pct_cell = row.cells["level"], row.cells["percent"]
        number = row.key[2:]
        level = _text(level_cell.value)
        if not level:
            out.findings.append(Finding.make(FC.NHIEM_VU_THIEU_MUC, level_cell.sheet, level_cell.ref, detail=number))
            out.task_levels.append(None)
        elif level not in L.TASK_LEVELS:
            out.findings.append(
                Finding.make(
                    FC.NHIEM_VU_MUC_LA,
                    level_cell.sheet,
                    level_cell.ref,
                    detail=level[:40],
                    expected=", ".join(L.TASK_LEVELS),
                )
            )
            out.task_levels.append(None)
        else:
            out.task_levels.append(level)
        if pct_cell.empty:
            continue
        p = parse_number(pct_cell.value, percent_ok=True)
        if p.code and p.code != FC.SO_LUU_DANG_CHU:
            out.findings.append(
                Finding.make(
                    p.code, pct_cell.sheet, pct_cell.ref, detail=p.detail, value=p.value, suggestion=p.suggestion
                )
            )
        if p.value is not None and not 0 <= p.value <= 100:
            out.findings.append(
                Finding.make(FC.NHIEM_VU_PHAN_TRAM, pct_cell.sheet, pct_cell.ref, detail=p.detail or p.value)
            )
        elif p.value is not None and level == TASK_DONE and p.value < 100 and p.code != FC.SO_PHAN_SO_THAY_PHAN_TRAM:
            out.findings.append(
                Finding.make(FC.NHIEM_VU_MAU_THUAN, pct_cell.sheet, pct_cell.ref, detail=number, value=p.value)
            )
