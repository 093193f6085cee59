"""The campaign definition as plain data: targets, task groups, units, clusters, awards.

A campaign is built from *records* (one dict per row, each with where it came from), so the
text file under version control and the campaign workbook staff edit in Excel go through one
builder and one set of checks (`campaign_files.py` reads both). Rules are data: a target names
a rule kind from `RULE_KINDS` and its thresholds; no target has code of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from campaign.dates import date_example, read_date
from campaign.numbers import parse_number, vn_number
from campaign.refusals import DefinitionError


@dataclass(frozen=True)
class RuleKind:
    code: str
    label: str  # what a reporter reads in the workbook's "Cách đánh giá" column
    params: tuple[str, ...]
    n_inputs: int
    percent: bool  # the computed value is a percentage


RULE_KINDS: dict[str, RuleKind] = {
    k.code: k
    for k in (
        RuleKind("ratio_min", "Tỷ lệ so với dự toán, tối thiểu", ("threshold",), 2, True),
        RuleKind("growth_range", "Tăng trưởng so với năm trước, trong khoảng", ("low", "high"), 2, True),
        RuleKind("rank_max", "Thứ hạng, không thấp hơn", ("threshold",), 1, False),
        RuleKind("value_range", "Giá trị trong khoảng", ("low", "high"), 1, False),
        RuleKind("count_max", "Số lượng, không vượt quá", ("threshold",), 1, False),
        RuleKind("rate_min", "Tỷ lệ, tối thiểu", ("threshold",), 2, True),
        RuleKind("rate_strict", "Tỷ lệ, phải trên", ("threshold",), 2, True),
        RuleKind("level", "Mức độ hoàn thành", ("levels", "target_level"), 1, False),
    )
}
RULE_BY_LABEL = {k.label: k.code for k in RULE_KINDS.values()}

AGGREGATES = ("lead", "sum", "ratio_of_sums")
UNIT_KINDS = ("cơ quan", "đơn vị", "doanh nghiệp", "thôn")
STATUS_VUOT, STATUS_DAT, STATUS_KHONG_DAT, STATUS_CHUA_CO = (
    "Vượt",
    "Đạt",
    "Không đạt",
    "Chưa có số liệu",
)
STATUSES = (STATUS_VUOT, STATUS_DAT, STATUS_KHONG_DAT, STATUS_CHUA_CO)


def nfc(text: str) -> str:
    """Vietnamese typed on different keyboards differs in composition; compare in NFC."""
    return unicodedata.normalize("NFC", text).strip()


def identity_key(text: str) -> str:
    """Who or what a typed code or address names: NFC, trimmed, case folded (unit codes and
    e-mail addresses are not case-sensitive to the people who type them)."""
    return nfc(text).casefold()


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    unit: str
    rule: str
    inputs: tuple[str, ...]
    reporters: tuple[str, ...] = ()
    aggregate: str = "lead"
    weight: Decimal = Decimal(1)
    threshold: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    levels: tuple[str, ...] = ()
    target_level: str = ""
    parent: str = ""
    parts: tuple[str, ...] = ()  # the targets whose inputs add up to at most this one's (campaign/parts.py)
    integer_inputs: bool = False
    # per input: above this a figure is implausible for one unit (households in a village, a
    # commune's population): a warning, never a refusal, since the band is a guess
    plausible_max: tuple[Decimal | None, ...] = ()

    @property
    def kind(self) -> RuleKind:
        return RULE_KINDS[self.rule]

    def goal_text(self) -> str:
        """The target as a Vietnamese report writes it: "≥ 97,5 %", "14 - 15 %", "≤ 30"."""
        pct = " %" if self.kind.percent else ""
        if self.rule == "rate_min" and self.threshold == 100:
            return "100 %"
        if self.rule in ("ratio_min", "rate_min"):
            return f"≥ {vn_number(self.threshold)}{pct}"
        if self.rule == "rate_strict":
            return f"> {vn_number(self.threshold)}{pct}"
        if self.rule in ("growth_range", "value_range"):
            return f"{vn_number(self.low)} - {vn_number(self.high)}{pct}"
        if self.rule in ("rank_max", "count_max"):
            return f"≤ {vn_number(self.threshold)}"
        return self.target_level


@dataclass(frozen=True)
class TaskGroup:
    number: int
    text: str


@dataclass(frozen=True)
class Award:
    code: str
    name: str
    subjects: tuple[str, ...]
    authority: str  # "xã": the commune chairman may award it; anything else goes up
    basis: str = ""  # the legal article that gives that authority
    basis_confirmed: bool = False  # False: the article could not be confirmed; staff must
    enterprise_may_confer: bool = False  # a director confers it on their own staff (Law 06/2022, Điều 80 khoản 4)
    # a share cap in practice ("Chiến sĩ thi đua cơ sở" at most N% of a unit's "Lao động tiên
    # tiến"): no text of the 2022 law or its decrees was found to state one, so it is unset in
    # the shipped data and the office sets it, with the document that says so, in `cap_basis`
    cap_percent: Decimal | None = None
    cap_of: str = ""  # the award code the cap counts against
    cap_basis: str = ""

    @property
    def within_commune(self) -> bool:
        return self.authority == "xã"


@dataclass(frozen=True)
class Cluster:
    code: str
    name: str
    # the leading unit as the members confirmed it at the year-end cluster meeting, and when;
    # blank until then (the ranking proposes, the members decide)
    confirmed_leader: str = ""
    confirmed_at: str = ""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    cluster: str
    editors: tuple[str, ...] = ()
    # "công an" / "quân sự": its staff are commended in their own system (Law 06/2022, Điều 80 khoản 5)
    system: str = ""
    bonuses: tuple[str, ...] = ()  # bonus titles it holds this year (names from scoring.bonuses)
    disqualified: str = ""  # why it may not be ranked this year (scoring.disqualifiers), if so


@dataclass(frozen=True)
class Period:
    code: str
    name: str
    months: int


@dataclass(frozen=True)
class Scoring:
    points_vuot: Decimal = Decimal(110)
    points_dat: Decimal = Decimal(100)
    points_khong_dat: Decimal = Decimal(0)
    points_chua_co: Decimal = Decimal(0)
    targets_share: Decimal = Decimal(70)
    tasks_share: Decimal = Decimal(30)
    late_penalty: Decimal = Decimal(10)
    # data-entry errors cost points only where the decision says so
    error_penalty: Decimal = Decimal(0)
    decision: str = ""  # the decision that issues this scoring ("" : none yet, and the ranking says so)
    bonuses: tuple[tuple[str, Decimal], ...] = ()  # (title, points), e.g. a city Cờ thi đua
    disqualifiers: tuple[str, ...] = ()  # conditions that keep a unit out of the ranking
    tie_break: tuple[str, ...] = ("tổng điểm", "điểm chỉ tiêu", "nộp sớm")
    # a unit with no commune targets (a mass organisation): "không xếp hạng" keeps it out of the
    # ranking, with the reason; "cùng thang" scores its tasks at their share, as everyone's
    without_targets: str = "không xếp hạng"

    def bonus(self, held: tuple[str, ...]) -> Decimal:
        points = dict(self.bonuses)
        return sum((points.get(b, Decimal(0)) for b in held), Decimal(0))

    def points(self, status: str) -> Decimal:
        return {
            STATUS_VUOT: self.points_vuot,
            STATUS_DAT: self.points_dat,
            STATUS_KHONG_DAT: self.points_khong_dat,
        }.get(status, self.points_chua_co)


@dataclass(frozen=True)
class Campaign:
    id: str
    version: int
    name: str
    theme: str
    year: int
    issuer: str
    parent_issuer: str
    place: str
    office: str
    plan_due: dt.date
    results_due_before: dt.date
    localities: int
    consolidators: tuple[str, ...]
    growth_warning_band: Decimal
    periods: tuple[Period, ...]
    scoring: Scoring
    targets: tuple[Target, ...]
    task_groups: tuple[TaskGroup, ...]
    awards: tuple[Award, ...]
    clusters: tuple[Cluster, ...]
    units: tuple[Unit, ...]
    signer_name: str = ""
    signer_lines: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    # Tổng hợp's figures: "tất cả" (every report, the ones not yet accepted marked) or
    # "đã duyệt" (accepted reports only)
    review_figures: str = "tất cả"
    # the report to the city: whom it is sent to (Kính gửi) and its number, when the office has one
    report_to: str = "Sở Nội vụ thành phố Hải Phòng (Ban Thi đua - Khen thưởng)"
    document_number: str = ""
    # minh chứng: the targets whose figures need evidence, whether a self-assessed "Vượt" does,
    # whether every award proposal does, and the awards whose proposal must name an initiative
    evidence_targets: tuple[str, ...] = ()
    evidence_above: bool = False
    evidence_proposals: bool = False
    initiative_awards: tuple[str, ...] = ()
    # the shared folder: the last day a push from a workbook made before signing (no unit key)
    # is still accepted, with a warning; None: until the day before the results are due
    unsigned_until: dt.date | None = None
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False, hash=False)

    @property
    def unsigned_deadline(self) -> dt.date:
        """The last day an unsigned push counts (campaign.signing)."""
        return self.unsigned_until or self.results_due_before - dt.timedelta(days=1)

    def unit(self, code: str) -> Unit | None:
        """The unit with this code, typed in any case or Unicode composition ('t01' is T01)."""
        if "units" not in self._index:
            self._index["units"] = {identity_key(u.code): u for u in self.units}
        return self._index["units"].get(identity_key(str(code)))

    def account(self, email: str) -> str:
        """An e-mail address as the registry spells it (VHXH@… is vhxh@…); one not in the
        registry, lower-cased. Who may do what is decided on this spelling."""
        if "accounts" not in self._index:
            known = [*self.consolidators, *(e for u in self.units for e in u.editors)]
            self._index["accounts"] = {identity_key(e): e for e in known}
        key = identity_key(email or "")
        return self._index["accounts"].get(key, key)

    def target(self, code: str) -> Target | None:
        if "targets" not in self._index:
            self._index["targets"] = {t.code: t for t in self.targets}
        return self._index["targets"].get(code)

    def cluster(self, code: str) -> Cluster | None:
        return next((c for c in self.clusters if c.code == code), None)

    def period(self, code_or_name: str) -> Period | None:
        key = nfc(str(code_or_name))
        return next((p for p in self.periods if key in (p.code, p.name)), None)

    def award(self, code_or_name: str) -> Award | None:
        key = nfc(str(code_or_name))
        return next((a for a in self.awards if key in (a.code, a.name)), None)

    def targets_for(self, unit: Unit) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if reports(unit, t))

    def reporters_of(self, target: Target) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if reports(u, target))

    def definition_hash(self) -> str:
        """Changes whenever anything a workbook depends on changes; stored in each workbook.
        Cached: every workbook read compares against it, and a campaign never changes."""
        if "hash" not in self._index:
            data = asdict(self)
            data.pop("_index", None)
            blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
            self._index["hash"] = hashlib.sha256(blob.encode()).hexdigest()[:16]
        return self._index["hash"]


def reports(unit: Unit, target: Target) -> bool:
    return unit.code in target.reporters or f"kind:{unit.kind}" in target.reporters


# ---------------------------------------------------------------------------------------
# Building a campaign from records, with every fault named by its row.

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


def check_rule(t: Target) -> list[str]:
    """Faults of a target's rule and thresholds, shared by the definition and units' own targets."""
    kind = RULE_KINDS[t.rule]
    out = []
    for param in kind.params:
        if param in ("levels", "target_level"):
            continue
        if getattr(t, param) is None:
            out.append(f"thiếu ngưỡng '{param}' cho loại '{t.rule}'.")
    if t.low is not None and t.high is not None and t.low > t.high:
        out.append(f"ngưỡng bị đảo: cận dưới {vn_number(t.low)} lớn hơn cận trên {vn_number(t.high)}.")
    if t.rule in ("rate_min", "rate_strict") and t.threshold is not None and not 0 <= t.threshold <= 100:
        out.append(f"tỷ lệ mục tiêu {vn_number(t.threshold)} % phải nằm trong 0 - 100.")
    if t.rule == "rank_max" and t.threshold is not None and t.threshold < 1:
        out.append("thứ hạng mục tiêu phải từ 1 trở lên.")
    if t.rule == "level":
        if len(t.levels) < 2:
            out.append("cần ít nhất hai mức độ (levels).")
        elif t.target_level not in t.levels:
            out.append(f"mức mục tiêu '{t.target_level}' không nằm trong các mức {', '.join(t.levels)}.")
    if len(t.inputs) != kind.n_inputs:
        out.append(f"loại '{t.rule}' cần {kind.n_inputs} số liệu nhập (inputs), định nghĩa có {len(t.inputs)}.")
    if t.weight < 0:
        out.append("trọng số không được âm.")
    return out


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
    made: dict[str, list] = {
        "targets": [t for rec in sections.get("targets", []) if (t := _target(rec, probs))],
        "task_groups": [
            TaskGroup(_int(r, "number", probs), _text(r, "text", probs)) for r in sections.get("task_groups", [])
        ],
        "awards": [
            Award(
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
            for r in sections.get("awards", [])
        ],
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
    _check_caps(made["awards"], probs)
    _check_unique_codes(sections, made, probs)
    _check_reporters(sections.get("targets", []), made["targets"], made["units"], probs)
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
    numbers = ("points_vuot", "points_dat", "points_khong_dat", "points_chua_co", "targets_share", "tasks_share")
    numbers += ("late_penalty", "error_penalty")
    scoring = Scoring(
        **{f: d for f in numbers if (d := _decimal(sc, f, probs)) is not None},
        decision=_text(sc, "decision", probs, required=False),
        bonuses=_bonuses(sc, probs),
        disqualifiers=_list(sc, "disqualifiers"),
        without_targets=_choice(sc, "without_targets", WITHOUT_TARGETS, probs),
        **({"tie_break": t} if (t := _tie_break(sc, probs)) else {}),
    )
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
