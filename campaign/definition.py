"""The campaign definition as plain data: targets, task groups, units, clusters, awards.

A campaign is built from *records* (one dict per row, each with where it came from) by
`definition_build.build_campaign`, so the text file under version control and the campaign
workbook staff edit in Excel go through one builder and one set of checks
(`definition_files.py` reads both). Rules are data: a target names a rule kind from
`RULE_KINDS` and its thresholds; no target has code of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from campaign.numbers import vn_number


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

    def cached(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """What `make()` gives, made once per campaign (which never changes): its indexes, its
        hash, the formulas every workbook of one shape is compared with."""
        if key not in self._index:
            self._index[key] = make()
        return self._index[key]

    def unit(self, code: str) -> Unit | None:
        """The unit with this code, typed in any case or Unicode composition ('t01' is T01)."""
        units = self.cached("units", lambda: {identity_key(u.code): u for u in self.units})
        return units.get(identity_key(str(code)))

    def account(self, email: str) -> str:
        """An e-mail address as the registry spells it (VHXH@… is vhxh@…); one not in the
        registry, lower-cased. Who may do what is decided on this spelling."""
        known = self.cached(
            "accounts",
            lambda: {identity_key(e): e for e in (*self.consolidators, *(e for u in self.units for e in u.editors))},
        )
        key = identity_key(email or "")
        return known.get(key, key)

    def target(self, code: str) -> Target | None:
        return self.cached("targets", lambda: {t.code: t for t in self.targets}).get(code)

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
        return self.cached("hash", self._hash)

    def _hash(self) -> str:
        data = asdict(self)
        data.pop("_index", None)
        blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def reports(unit: Unit, target: Target) -> bool:
    return unit.code in target.reporters or f"kind:{unit.kind}" in target.reporters


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
