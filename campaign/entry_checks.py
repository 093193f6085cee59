"""Kiểm tra of what a unit writes beyond the figures of its assigned targets: the targets it adds
on its own rows, its models and its proposals. Called by `assessment.assess`, in its order."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from campaign import layout as L
from campaign.definition import RULE_BY_LABEL, RULE_KINDS, Award, Campaign, Target, check_rule, nfc
from campaign.findings import FC, Finding
from campaign.numbers import parse_number
from campaign.unit_report import Row, UnitReport


def cell_text(value: Any) -> str:
    """A cell's value as text to compare, in one Unicode form; "" for an empty cell."""
    return nfc(str(value)) if value is not None else ""


_text = cell_text
INPUT_COLS = ("input_a", "input_b")


GOAL_EXAMPLES = {
    "ratio_min": "105 (nghĩa là ≥ 105 %)",
    "growth_range": "14 - 15",
    "rank_max": "30 (nghĩa là xếp hạng từ 1 đến 30)",
    "value_range": "95 - 100",
    "count_max": "1000 (nghĩa là không quá 1000; không gõ dấu chấm ngăn cách)",
    "rate_min": "97,5",
    "rate_strict": "75 (nghĩa là trên 75 %)",
}


def own_target(row: Row, findings: list[Finding]) -> Target | None:
    """A target the unit added on its own row, read like the campaign's; None, with the
    findings that say why, when it does not read."""
    cols = L.OWN_ENTRY_COLUMNS + INPUT_COLS
    if row.is_blank(cols):
        return None
    sheet = row.cells["code"].sheet
    required = {
        "code": "mã",
        "name": "tên chỉ tiêu",
        "rule": "cách đánh giá",
        "goal": "mục tiêu",
        "input_a_label": "tên số liệu thứ nhất",
    }
    missing = [label for col, label in required.items() if row.cells[col].empty]
    if missing:
        findings.append(Finding.make(FC.RIENG_THIEU, sheet, row.cells["code"].ref, detail=", ".join(missing)))
        return None
    rule_text = _text(row.value("rule"))
    rule = RULE_BY_LABEL.get(rule_text, rule_text if rule_text in RULE_KINDS else "")
    if not rule or rule == "level":
        findings.append(Finding.make(FC.RIENG_CACH_DANH_GIA, sheet, row.cells["rule"].ref, detail=rule_text[:60]))
        return None
    kind = RULE_KINDS[rule]
    goal_cell = row.cells["goal"]
    numbers = _goal_numbers(goal_cell.value)
    need = 2 if "low" in kind.params else 1
    labels = tuple(_text(row.value(c)) for c in ("input_a_label", "input_b_label")[: kind.n_inputs])
    t = None
    if numbers is not None and len(numbers) == need:
        params = {"low": numbers[0], "high": numbers[1]} if need == 2 else {"threshold": numbers[0]}
        t = Target(
            code=_text(row.value("code"))[:20],
            name=_text(row.value("name"))[:200],
            unit=_text(row.value("unit"))[:40],
            rule=rule,
            inputs=labels,
            **params,
        )
    if t is None or check_rule(t):  # a goal that does not read, or reads into a faulty rule
        detail = _text(goal_cell.value)[:40]
        findings.append(
            Finding.make(
                FC.RIENG_MUC_TIEU, sheet, goal_cell.ref, detail=detail, rule=kind.label, example=GOAL_EXAMPLES[rule]
            )
        )
        return None
    if any(not lb for lb in labels):
        findings.append(
            Finding.make(FC.RIENG_THIEU, sheet, row.cells["input_b_label"].ref, detail="tên số liệu thứ hai")
        )
        return None
    return t


def _goal_numbers(raw: Any) -> list[Decimal] | None:
    if raw is None:
        return None
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        p = parse_number(raw, percent_ok=True)
        return [p.value] if p.value is not None else None
    text = re.sub(r"^[≥>≤<=\s]+|[%\s]+$", "", nfc(str(raw)))
    parts = (
        re.split(r"\s*(?:-|–|…|\.\.\.|đến)\s*", text) if re.search(r"\d\s*(-|–|…|\.\.\.|đến)\s*\d", text) else [text]
    )
    values = []
    for part in parts:
        p = parse_number(part, percent_ok=True)
        if p.value is None:
            return None
        values.append(p.value)
    return values


def item_findings(campaign: Campaign, report: UnitReport) -> list[Finding]:
    """The models' and the proposals' findings, in row order, then the capped awards'."""
    return _model_findings(report) + _proposal_findings(campaign, report)


def _model_findings(report: UnitReport) -> list[Finding]:
    found: list[Finding] = []
    model_required = {"type": "loại", "name": "tên", "description": "nội dung"}
    for row in report.rows("models"):
        entries = tuple(c.key for c in L.MODELS.columns if c.entry)
        if row.is_blank(entries):
            continue
        first = row.cells["type"]
        missing = [label for col, label in model_required.items() if row.cells[col].empty]
        if missing:
            found.append(Finding.make(FC.MO_HINH_THIEU, first.sheet, first.ref, detail=", ".join(missing)))
        kind = _text(first.value)
        if kind and kind not in L.MODEL_TYPES:
            found.append(
                Finding.make(
                    FC.MO_HINH_LOAI, first.sheet, first.ref, detail=kind[:40], expected=", ".join(L.MODEL_TYPES)
                )
            )
    return found


def _proposal_findings(campaign: Campaign, report: UnitReport) -> list[Finding]:
    found: list[Finding] = []
    prop_required = {"award": "hình thức", "subject": "đối tượng", "name": "tên", "achievement": "tóm tắt thành tích"}
    seen: dict[tuple[str, str], str] = {}
    proposed: dict[str, list] = {}  # award code → its proposal cells, in row order
    for row in report.rows("proposals"):
        entries = tuple(c.key for c in L.PROPOSALS.columns if c.entry)
        if row.is_blank(entries):
            continue
        award_cell = row.cells["award"]
        missing = [label for col, label in prop_required.items() if row.cells[col].empty]
        if missing:
            found.append(
                Finding.make(FC.KHEN_THUONG_THIEU, award_cell.sheet, award_cell.ref, detail=", ".join(missing))
            )
        if award_cell.empty:
            continue
        award = campaign.award(_text(award_cell.value))
        if award is None:
            found.append(
                Finding.make(
                    FC.KHEN_THUONG_HINH_THUC, award_cell.sheet, award_cell.ref, detail=_text(award_cell.value)[:60]
                )
            )
            continue
        found.extend(_award_fits(row, award))
        # one achievement earns one award: the same person or collective proposed twice
        who = (_text(row.cells["subject"].value), _text(row.cells["name"].value).lower())
        if who[1]:
            if who in seen:
                name = row.cells["name"]
                found.append(
                    Finding.make(
                        FC.KHEN_THUONG_TRUNG, name.sheet, name.ref, detail=_text(name.value)[:40], other=seen[who]
                    )
                )
            else:
                seen[who] = award.name
        proposed.setdefault(award.code, []).append(award_cell)
    found.extend(_cap_findings(campaign, proposed))
    return found


def _award_fits(row: Row, award: Award) -> list[Finding]:
    """Whether a proposal's subject, the award's authority and its criteria fit the award named."""
    found: list[Finding] = []
    award_cell = row.cells["award"]
    subject = row.cells["subject"]
    if not subject.empty and _text(subject.value) not in award.subjects:
        found.append(
            Finding.make(
                FC.KHEN_THUONG_DOI_TUONG,
                subject.sheet,
                subject.ref,
                detail=_text(subject.value)[:30],
                award=award.name,
                expected=", ".join(award.subjects),
            )
        )
    if not award.within_commune:
        found.append(Finding.make(FC.KHEN_THUONG_VUOT_THAM_QUYEN, award_cell.sheet, award_cell.ref, award=award.name))
    # "Chiến sĩ thi đua cơ sở" is for a "Lao động tiên tiến" with an initiative (the initiative:
    # campaign/evidence.py); the achievement must say so
    achievement = _text(row.cells["achievement"].value).lower()
    if award.code == "CSTD-CS" and "lao động tiên tiến" not in achievement:
        cell = row.cells["achievement"]
        found.append(Finding.make(FC.KHEN_THUONG_CAN_LDTT, cell.sheet, cell.ref, award=award.name))
    return found


def _cap_findings(campaign: Campaign, proposed: dict[str, list]) -> list[Finding]:
    """A unit's proposals of a capped award against the award it is counted on, as the campaign
    sets the share (unset in the shipped data: no legal text found that states one)."""
    found = []
    for award in campaign.awards:
        cells = proposed.get(award.code, [])
        if award.cap_percent is None or not cells:
            continue
        base = len(proposed.get(award.cap_of, []))
        allowed = int(Fraction(base) * Fraction(award.cap_percent) / 100)  # "không quá": rounded down
        if len(cells) > allowed:
            first = cells[allowed]
            other = campaign.award(award.cap_of)
            found.append(
                Finding.make(
                    FC.KHEN_THUONG_TY_LE,
                    first.sheet,
                    first.ref,
                    award=award.name,
                    detail=len(cells),
                    other=other.name if other else award.cap_of,
                    value=base,
                    expected=allowed,
                    limit=award.cap_percent,
                    basis=award.cap_basis or "quy định của xã",
                )
            )
    return found
