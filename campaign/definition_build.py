"""Building a campaign from records, with every fault named by its row.

A record is one row of a section (`definition_files.py` makes them from the TOML text or the
campaign workbook) with where it came from; each field is read by a small reader that notes a
fault and goes on, so one `DefinitionError` names every bad row at once. The dataclasses the
records become are in `definition.py`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from campaign.dates import date_example, read_date
from campaign.definition import (
    AGGREGATES,
    RULE_BY_LABEL,
    RULE_KINDS,
    UNIT_KINDS,
    Award,
    Campaign,
    Cluster,
    Period,
    Scoring,
    Target,
    TaskGroup,
    Unit,
    check_rule,
    nfc,
)
from campaign.numbers import parse_number
from campaign.refusals import DefinitionError

Record = tuple[str, dict[str, Any]]  # (where: "Chỉ tiêu, dòng 7" or "targets #7", fields)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{where}: {text}")


def _text(rec: Record, key: str, probs: _Problems, required: bool = True) -> str:
    where, data = rec
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            probs.add(where, f"thiếu giá trị '{key}'.")
        return ""
    return nfc(str(value))


def _decimal(rec: Record, key: str, probs: _Problems, required: bool = False) -> Decimal | None:
    where, data = rec
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            probs.add(where, f"thiếu giá trị '{key}'.")
        return None
    if isinstance(value, bool):
        probs.add(where, f"'{key}' phải là một số, không phải {value!r}.")
        return None
    try:
        text = str(value).strip().replace(",", ".") if isinstance(value, str) else repr(value)
        return Decimal(text).normalize() + 0
    except InvalidOperation:
        probs.add(where, f"'{key}' phải là một số, không phải '{value}'.")
        return None


def _int(rec: Record, key: str, probs: _Problems, default: int | None = None) -> int:
    d = _decimal(rec, key, probs, required=default is None)
    if d is None:
        return default if default is not None else 0
    if d != d.to_integral_value():
        probs.add(rec[0], f"'{key}' phải là số nguyên, không phải {d}.")
    return int(d)


def _date(rec: Record, key: str, probs: _Problems) -> dt.date:
    where, data = rec
    value = data.get(key)
    when = read_date(value)
    if when is not None:
        return when
    probs.add(where, f"'{key}' phải là ngày ({date_example()}), không phải '{value}'.")
    return dt.date(1900, 1, 1)


REVIEW_FIGURES = ("tất cả", "đã duyệt")
WITHOUT_TARGETS = ("không xếp hạng", "cùng thang")


def _choice(rec: Record, key: str, allowed: tuple[str, ...], probs: _Problems) -> str:
    where, data = rec
    value = nfc(str(data.get(key) or allowed[0])).strip().lower()
    if value not in allowed:
        probs.add(where, f"'{key}' phải là một trong: {', '.join(allowed)} (đang là '{value}').")
        return allowed[0]
    return value


TIE_BREAKS = ("tổng điểm", "điểm chỉ tiêu", "điểm nhiệm vụ", "nộp sớm")


def _tie_break(rec: Record, probs: _Problems) -> tuple[str, ...]:
    order = tuple(x.lower() for x in _list(rec, "tie_break"))
    wrong = [x for x in order if x not in TIE_BREAKS]
    if wrong:
        probs.add(rec[0], f"'tie_break' chỉ gồm: {', '.join(TIE_BREAKS)} (có '{', '.join(wrong)}').")
        return ()
    return order


def _bonuses(rec: Record, probs: _Problems) -> tuple[tuple[str, Decimal], ...]:
    """'Cờ thi đua của UBND thành phố: 10' -> (title, 10)."""
    out = []
    for item in _list(rec, "bonuses"):
        name, _, points = item.rpartition(":")
        try:
            out.append((name.strip(), Decimal(points.strip().replace(",", "."))))
        except ArithmeticError:
            probs.add(rec[0], f"điểm thưởng '{item}': ghi theo dạng 'Tên danh hiệu: số điểm'.")
    return tuple(out)


def _flag(rec: Record, key: str) -> bool:
    value = rec[1].get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "có", "co", "1", "x")
    return bool(value)


def _list(rec: Record, key: str) -> tuple[str, ...]:
    value = rec[1].get(key)
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else list(value)
    return tuple(nfc(str(x)) for x in items if str(x).strip())


def _decimals(rec: Record, key: str, probs: _Problems) -> tuple[Decimal | None, ...]:
    """A list of numbers: TOML numbers, or "2.000.000; 5000" typed in the campaign workbook."""
    value = rec[1].get(key)
    if value is None:
        return ()
    items = value.split(";") if isinstance(value, str) else list(value)
    out: list[Decimal | None] = []
    for item in items:
        if isinstance(item, str) and item.strip() in ("", "-"):
            out.append(None)
            continue
        parsed = parse_number(item, whole=True)
        if parsed.value is None:
            probs.add(rec[0], f"'{key}' phải là các số cách nhau bởi ;, không phải '{item}'.")
        out.append(parsed.value)
    return tuple(out)


def _bool(rec: Record, key: str) -> bool:
    value = rec[1].get(key)
    if isinstance(value, str):
        return nfc(value).lower() in ("có", "x", "true", "1", "yes")
    return bool(value)


def _target(rec: Record, probs: _Problems) -> Target | None:
    where = rec[0]
    code = _text(rec, "code", probs)
    rule = _text(rec, "rule", probs)
    rule = RULE_BY_LABEL.get(rule, rule)
    if rule and rule not in RULE_KINDS:
        known = ", ".join(RULE_KINDS)
        probs.add(where, f"chỉ tiêu {code}: loại quy tắc '{rule}' không có; dùng một trong: {known}.")
        return None
    aggregate = _text(rec, "aggregate", probs, required=False) or "lead"
    if aggregate not in AGGREGATES:
        probs.add(where, f"chỉ tiêu {code}: cách tổng hợp '{aggregate}' không có; dùng lead, sum hoặc ratio_of_sums.")
    t = Target(
        code=code,
        name=_text(rec, "name", probs),
        unit=_text(rec, "unit", probs, required=False),
        rule=rule,
        inputs=_list(rec, "inputs"),
        reporters=_list(rec, "reporters"),
        aggregate=aggregate,
        weight=_decimal(rec, "weight", probs) or Decimal(1),
        threshold=_decimal(rec, "threshold", probs),
        low=_decimal(rec, "low", probs),
        high=_decimal(rec, "high", probs),
        levels=_list(rec, "levels"),
        target_level=_text(rec, "target_level", probs, required=False),
        parent=_text(rec, "parent", probs, required=False),
        parts=_list(rec, "parts"),
        integer_inputs=_bool(rec, "integer_inputs"),
        plausible_max=_decimals(rec, "plausible_max", probs),
    )
    if not rule:
        return None
    for problem in check_rule(t):
        probs.add(where, f"chỉ tiêu {code}: {problem}")
    return t


def _units(recs: list[Record], clusters: list[Cluster], probs: _Problems) -> list[Unit]:
    units = []
    cluster_codes = {c.code for c in clusters}
    for r in recs:
        u = Unit(
            _text(r, "code", probs),
            _text(r, "name", probs),
            _text(r, "kind", probs),
            _text(r, "cluster", probs, required=False),
            _list(r, "editors"),
            _text(r, "system", probs, required=False),
            _list(r, "bonuses"),
            _text(r, "disqualified", probs, required=False),
        )
        if u.kind and u.kind not in UNIT_KINDS:
            probs.add(r[0], f"đơn vị {u.code}: loại '{u.kind}' không có; dùng: {', '.join(UNIT_KINDS)}.")
        if not u.cluster:
            probs.add(r[0], f"đơn vị {u.code} chưa thuộc cụm, khối thi đua nào.")
        elif u.cluster not in cluster_codes:
            probs.add(r[0], f"đơn vị {u.code}: cụm, khối '{u.cluster}' không có trong danh sách cụm, khối.")
        units.append(u)
    return units


def _check_caps(awards: list[Award], probs: _Problems) -> None:
    codes = {a.code for a in awards}
    for a in awards:
        where = f"Khen thưởng {a.code}"
        if a.cap_percent is None:
            if a.cap_of:
                probs.add(where, "có 'cap_of' nhưng thiếu 'cap_percent' (tỷ lệ tối đa, %).")
            continue
        if not 0 < a.cap_percent <= 100:
            probs.add(where, f"'cap_percent' phải lớn hơn 0 và không quá 100, không phải {a.cap_percent}.")
        if a.cap_of not in codes or a.cap_of == a.code:
            probs.add(where, f"'cap_of' phải là mã một hình thức khen thưởng khác, không phải '{a.cap_of}'.")


def _check_unique_codes(sections: dict[str, list[Record]], made: dict[str, list], probs: _Problems) -> None:
    for section, name in (
        ("targets", "chỉ tiêu"),
        ("units", "đơn vị"),
        ("clusters", "cụm, khối"),
        ("awards", "hình thức khen thưởng"),
        ("periods", "kỳ báo cáo"),
    ):
        seen: dict[str, str] = {}
        for rec, item in zip(sections.get(section, []), made[section]):
            code = getattr(item, "code", "")
            if code in seen:
                probs.add(rec[0], f"mã {name} '{code}' bị trùng (đã có ở {seen[code]}).")
            seen.setdefault(code, rec[0])


def _check_reporters(recs: list[Record], targets: list[Target], units: list[Unit], probs: _Problems) -> None:
    unit_codes = {u.code for u in units}
    for rec, t in zip(recs, targets):
        for rep in t.reporters:
            if rep.startswith("kind:"):
                if rep[5:] not in UNIT_KINDS:
                    probs.add(rec[0], f"chỉ tiêu {t.code}: loại đơn vị '{rep[5:]}' không có.")
            elif rep not in unit_codes:
                probs.add(rec[0], f"chỉ tiêu {t.code}: đơn vị báo cáo '{rep}' không có trong danh sách đơn vị.")
        codes = {x.code for x in targets}
        for part in t.parts:
            if part not in codes or part == t.code:
                probs.add(rec[0], f"chỉ tiêu {t.code}: chỉ tiêu thành phần '{part}' không có.")


def _head(head: Record, probs: _Problems) -> dict[str, Any]:
    """The campaign's own fields, from its one [campaign] record."""
    return {
        "id": _text(head, "id", probs),
        "version": _int(head, "version", probs, default=1),
        "name": _text(head, "name", probs),
        "theme": _text(head, "theme", probs, required=False),
        "year": _int(head, "year", probs),
        "issuer": _text(head, "issuer", probs),
        "parent_issuer": _text(head, "parent_issuer", probs, required=False),
        "place": _text(head, "place", probs),
        "office": _text(head, "office", probs, required=False),
        "plan_due": _date(head, "plan_due", probs),
        "results_due_before": _date(head, "results_due_before", probs),
        "localities": _int(head, "localities", probs),
        "consolidators": _list(head, "consolidators"),
        "growth_warning_band": _decimal(head, "growth_warning_band", probs) or Decimal(50),
        "signer_name": _text(head, "signer_name", probs, required=False),
        "signer_lines": _list(head, "signer_lines"),
        "recipients": _list(head, "recipients"),
        "review_figures": _choice(head, "review_figures", REVIEW_FIGURES, probs),
        "report_to": _text(head, "report_to", probs, required=False)
        or "Sở Nội vụ thành phố Hải Phòng (Ban Thi đua - Khen thưởng)",
        "document_number": _text(head, "document_number", probs, required=False),
        "evidence_targets": _list(head, "evidence_targets"),
        "evidence_above": _flag(head, "evidence_above"),
        "evidence_proposals": _flag(head, "evidence_proposals"),
        "initiative_awards": _list(head, "initiative_awards"),
        "unsigned_until": _date(head, "unsigned_until", probs) if head[1].get("unsigned_until") else None,
    }


def build_campaign(sections: dict[str, list[Record]]) -> Campaign:
    """One campaign from records of every section; raises DefinitionError naming each bad row."""
    probs = _Problems()
    head = (sections.get("campaign") or [("campaign", {})])[0]
    sc = (sections.get("scoring") or [("scoring", {})])[0]
    made = _sections(sections, probs)
    _check_caps(made["awards"], probs)
    _check_unique_codes(sections, made, probs)
    _check_reporters(sections.get("targets", []), made["targets"], made["units"], probs)
    _check_present(made, probs)
    scoring = _scoring(sc, probs)
    _check_disqualified(sections.get("units", []), made["units"], scoring, probs)
    campaign = Campaign(
        **_head(head, probs),
        periods=tuple(made["periods"]),
        scoring=scoring,
        targets=tuple(made["targets"]),
        task_groups=tuple(made["task_groups"]),
        awards=tuple(made["awards"]),
        clusters=tuple(made["clusters"]),
        units=tuple(made["units"]),
    )
    if probs.items:
        raise DefinitionError(probs.items)
    return campaign


def _sections(sections: dict[str, list[Record]], probs: _Problems) -> dict[str, list]:
    """Each list section's records as its dataclasses (a target whose rule is unknown is left out)."""
    made: dict[str, list] = {
        "targets": [t for rec in sections.get("targets", []) if (t := _target(rec, probs))],
        "task_groups": [
            TaskGroup(_int(r, "number", probs), _text(r, "text", probs)) for r in sections.get("task_groups", [])
        ],
        "awards": [_award(r, probs) for r in sections.get("awards", [])],
        "clusters": [
            Cluster(
                _text(r, "code", probs),
                _text(r, "name", probs),
                _text(r, "confirmed_leader", probs, required=False),
                _text(r, "confirmed_at", probs, required=False),
            )
            for r in sections.get("clusters", [])
        ],
        "periods": [
            Period(_text(r, "code", probs), _text(r, "name", probs), _int(r, "months", probs))
            for r in sections.get("periods", [])
        ],
    }
    made["units"] = _units(sections.get("units", []), made["clusters"], probs)
    return made


def _award(r: Record, probs: _Problems) -> Award:
    return Award(
        _text(r, "code", probs),
        _text(r, "name", probs),
        _list(r, "subjects"),
        _text(r, "authority", probs),
        _text(r, "basis", probs, required=False),
        _flag(r, "basis_confirmed"),
        _flag(r, "enterprise_may_confer"),
        _decimal(r, "cap_percent", probs),
        _text(r, "cap_of", probs, required=False),
        _text(r, "cap_basis", probs, required=False),
    )


def _scoring(sc: Record, probs: _Problems) -> Scoring:
    numbers = ("points_vuot", "points_dat", "points_khong_dat", "points_chua_co", "targets_share", "tasks_share")
    numbers += ("late_penalty", "error_penalty")
    return Scoring(
        **{f: d for f in numbers if (d := _decimal(sc, f, probs)) is not None},
        decision=_text(sc, "decision", probs, required=False),
        bonuses=_bonuses(sc, probs),
        disqualifiers=_list(sc, "disqualifiers"),
        without_targets=_choice(sc, "without_targets", WITHOUT_TARGETS, probs),
        **({"tie_break": t} if (t := _tie_break(sc, probs)) else {}),
    )


def _check_present(made: dict[str, list], probs: _Problems) -> None:
    numbers = [g.number for g in made["task_groups"]]
    if len(set(numbers)) != len(numbers):
        probs.add("Nhiệm vụ", "số thứ tự nhóm nhiệm vụ bị trùng.")
    for section, where, what in (
        ("targets", "Chỉ tiêu", "chỉ tiêu"),
        ("units", "Đơn vị", "đơn vị"),
        ("periods", "Kỳ báo cáo", "kỳ báo cáo"),
    ):
        if not made[section]:
            probs.add(where, f"định nghĩa không có {what} nào.")


def _check_disqualified(recs: list[Record], units: list[Unit], scoring: Scoring, probs: _Problems) -> None:
    """A unit kept out of the ranking names one of the conditions the scoring decision lists
    (`disqualifiers`), details after it if need be, so the ranking's note says which condition;
    with no condition listed, any reason stands."""
    conditions = [nfc(c).strip().casefold() for c in scoring.disqualifiers]
    if not conditions:
        return
    for rec, u in zip(recs, units):
        reason = nfc(u.disqualified).strip().casefold()
        if reason and not any(reason.startswith(c) for c in conditions):
            probs.add(
                rec[0],
                f"đơn vị {u.code}: lý do không xét xếp hạng '{u.disqualified}' không phải điều kiện nào của cách chấm"
                f" điểm; ghi đúng một điều kiện (có thể thêm chi tiết sau): {'; '.join(scoring.disqualifiers)}.",
            )
