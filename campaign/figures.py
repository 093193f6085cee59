"""Figures as they are shown beside a status: rounded toward the side of the decision.

A unit at 104,9998 % of a "≥ 105 %" target is Không đạt; rounded to the nearest hundredth it
would read "105" beside "Không đạt", and the reader believes the figure. So a figure beside a
Không đạt is rounded away from the goal, beside a Vượt (or a strict target's Đạt) toward
beyond it, and only inside a band is it rounded to the nearest (half up). The workbook's
formulas (campaign/formulas.py) do the same in integer arithmetic, so both show the same digits.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from campaign.definition import STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Target
from campaign.numbers import display
from campaign.rules import Outcome

VALUE_PLACES, PCT_PLACES = 2, 1
AT_MOST = ("rank_max", "count_max")


def direction(rule: str, status: str) -> str:
    """ "floor", "ceil" or "nearest": how a figure beside this status is rounded."""
    if rule in AT_MOST:  # lower is better: Không đạt lies above the threshold
        return "ceil" if status == STATUS_KHONG_DAT else "floor"
    if status == STATUS_KHONG_DAT:
        return "floor"
    if status == STATUS_VUOT or (rule == "rate_strict" and status == STATUS_DAT):
        return "ceil"
    return "nearest"


def rounded(value: Fraction, places: int, how: str) -> Fraction:
    scaled = value * 10**places
    if how == "floor":
        whole = math.floor(scaled)
    elif how == "ceil":
        whole = math.ceil(scaled)
    else:
        whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(whole, 10**places)


def shown(target: Target, outcome: Outcome) -> tuple[Fraction | str | None, Fraction | None, Fraction | None]:
    """(value, % of the target, % of last year) as the workbook, the master and the report show
    them beside `outcome.status`."""
    how = direction(target.rule, outcome.status)

    def fig(v: Fraction | str | None, places: int) -> Fraction | str | None:
        return rounded(v, places, how) if isinstance(v, Fraction) else v

    pct_plan = fig(outcome.pct_plan, PCT_PLACES)
    pct_prev = fig(outcome.pct_prev, PCT_PLACES)
    return (
        fig(outcome.value, VALUE_PLACES),
        pct_plan if not isinstance(pct_plan, str) else None,
        pct_prev if not isinstance(pct_prev, str) else None,
    )


def displayed(target: Target, outcome: Outcome) -> tuple[Any, Any]:
    """The value and % of the target as a table prints them beside the status: `shown`, as
    numbers a cell or a page shows (never 105 beside a Không đạt at 104,9998)."""
    value, pct_plan, _ = shown(target, outcome)
    return display(value, VALUE_PLACES), display(pct_plan, PCT_PLACES)
