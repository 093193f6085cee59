"""One function per rule kind: computed value, % of plan, % of last year, status, on track.

Arithmetic is exact (`Fraction`), so 975 of 1 000 households is exactly 97,5 % and meets a
97,5 % target; floats would put it a hair under. Statuses follow the campaign definition's
header: above a minimum or above the top of a range is Vượt, on the minimum or inside the
range is Đạt; strict targets, counts, ranks and 100 % rates have no Vượt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from campaign.definition import STATUS_CHUA_CO, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Target

ON_TRACK, BEHIND = "Đúng tiến độ", "Chậm tiến độ"
Inputs = tuple  # (Fraction | str | None, ...): numbers as Fractions, a level as its text


@dataclass(frozen=True)
class Outcome:
    value: Fraction | str | None = None  # the computed figure (a % for percent kinds)
    pct_plan: Fraction | None = None
    pct_prev: Fraction | None = None
    status: str = STATUS_CHUA_CO
    on_track: str | None = None  # only for a period shorter than the year


NO_DATA = Outcome()


def F(x: Decimal | float | str | None) -> Fraction | None:
    return None if x is None else Fraction(str(x))


def _minimum(value: Fraction, threshold: Fraction, strict: bool, can_exceed: bool) -> str:
    if strict:
        return STATUS_DAT if value > threshold else STATUS_KHONG_DAT
    if value > threshold and can_exceed:
        return STATUS_VUOT
    return STATUS_DAT if value >= threshold else STATUS_KHONG_DAT


def _range(value: Fraction, low: Fraction, high: Fraction) -> str:
    if value > high:
        return STATUS_VUOT
    return STATUS_DAT if value >= low else STATUS_KHONG_DAT


def _share(months: int) -> Fraction:
    return Fraction(months, 12)


def _progress(months: int, on_course: bool) -> str | None:
    """Tính tiến độ's word for a part of the year; the whole year has a status, not a pace."""
    return None if months >= 12 else (ON_TRACK if on_course else BEHIND)


def _ratio_min(t: Target, x: Inputs, months: int) -> Outcome:
    reference, actual = x
    if not reference:
        return NO_DATA
    value = actual / reference * 100
    thr = F(t.threshold)
    status = _minimum(value, thr, strict=False, can_exceed=True)
    # budget collection is cumulative: by month m a unit should be at m/12 of the goal
    on_track = _progress(months, value >= thr * _share(months))
    return Outcome(value, value / thr * 100 if thr else None, value, status, on_track)


def _growth(t: Target, x: Inputs, months: int) -> Outcome:
    prev, cur = x
    if not prev:
        return NO_DATA
    value = (cur / prev - 1) * 100
    low, high = F(t.low), F(t.high)
    planned = prev * (1 + low / 100)
    status = _range(value, low, high)
    # mid-year figures are compared with the same period last year, so the band still applies
    on_track = _progress(months, value >= low)
    return Outcome(value, cur / planned * 100, cur / prev * 100, status, on_track)


def _at_most(t: Target, x: Inputs, months: int) -> Outcome:
    """A rank (1 is best) or a count (0 poor households is best): met at or below the threshold,
    and nothing above "met"."""
    (value,) = x
    status = STATUS_DAT if value <= F(t.threshold) else STATUS_KHONG_DAT
    return Outcome(value, None, None, status, _progress(months, status == STATUS_DAT))


def _value_range(t: Target, x: Inputs, months: int) -> Outcome:
    (value,) = x
    low, high = F(t.low), F(t.high)
    status = _range(value, low, high)
    on_track = _progress(months, value >= low)
    return Outcome(value, value / low * 100 if low else None, None, status, on_track)


def _rate(strict: bool) -> Callable[[Target, Inputs, int], Outcome]:
    def rate(t: Target, x: Inputs, months: int) -> Outcome:
        num, den = x
        if not den:
            return NO_DATA
        value = num / den * 100
        thr = F(t.threshold)
        status = _minimum(value, thr, strict=strict, can_exceed=thr < 100)
        on_track = _progress(months, status != STATUS_KHONG_DAT)
        return Outcome(value, value / thr * 100 if thr else None, None, status, on_track)

    return rate


def _level(t: Target, x: Inputs, months: int) -> Outcome:
    (level,) = x
    if level not in t.levels:
        return NO_DATA
    i, goal = t.levels.index(level), t.levels.index(t.target_level)
    status = STATUS_VUOT if i > goal else STATUS_DAT if i == goal else STATUS_KHONG_DAT
    # mid-year, being one step short of the goal and under way is on track
    on_track = _progress(months, i >= goal - 1 and i > 0)
    return Outcome(level, None, None, status, on_track)


EVALUATORS: dict[str, Callable[[Target, Inputs, int], Outcome]] = {
    "ratio_min": _ratio_min,
    "growth_range": _growth,
    "rank_max": _at_most,
    "value_range": _value_range,
    "count_max": _at_most,
    "rate_min": _rate(strict=False),
    "rate_strict": _rate(strict=True),
    "level": _level,
}


def evaluate(target: Target, inputs: Inputs, months: int = 12) -> Outcome:
    """The outcome of one target; Chưa có số liệu when any input is missing."""
    if any(v is None for v in inputs) or len(inputs) != target.kind.n_inputs:
        return NO_DATA
    return EVALUATORS[target.rule](target, inputs, months)
