"""Every rule kind at each boundary of the 2026 thresholds."""

from __future__ import annotations

from fractions import Fraction

import pytest

from campaign.rules import BEHIND, ON_TRACK, evaluate

VUOT, DAT, KD, CHUA = "Vượt", "Đạt", "Không đạt", "Chưa có số liệu"
F = Fraction


def rate(num, den):
    return (F(num), F(den))


BOUNDARIES = [
    # target, inputs, status  (the arithmetic is in the inputs: num/den)
    ("CT07", rate(975, 1000), DAT),  # exactly 97,5 %
    ("CT07", rate(9749, 10000), KD),  # 97,49 %
    ("CT07", rate(9751, 10000), VUOT),  # 97,51 %
    ("CT09", rate(96, 100), DAT),
    ("CT09", rate(959, 1000), KD),
    ("CT09", rate(961, 1000), VUOT),
    ("CT11", rate(568, 1000), DAT),  # 56,8 %
    ("CT11", rate(567, 1000), KD),
    ("CT10", rate(39, 100), DAT),
    ("CT10", rate(389, 1000), KD),
    ("CT16", rate(75, 100), KD),  # strict: exactly 75 % is not "trên 75 %"
    ("CT16", rate(751, 1000), DAT),
    ("CT16", rate(100, 100), DAT),  # a strict target has no Vượt
    ("CT08", rate(12, 12), DAT),  # 100 %: met, and nothing above it
    ("CT08", rate(11, 12), KD),
    ("CT12", rate(3199, 3200), KD),
    ("CT02", (F(100), F(114)), DAT),  # +14 %
    ("CT02", (F(100), F(115)), DAT),  # +15 %
    ("CT02", (F(100), F("113.99")), KD),
    ("CT02", (F(100), F("115.01")), VUOT),
    ("CT02a", (F(1000), F(1010)), DAT),  # +1 %
    ("CT02a", (F(1000), F(1015)), DAT),  # +1,5 %
    ("CT02a", (F(1000), F(1009)), KD),
    ("CT02a", (F(1000), F(1016)), VUOT),
    ("CT02c", (F(100), F(115)), DAT),
    ("CT02c", (F(100), F(116)), DAT),
    ("CT02c", (F(100), F("116.01")), VUOT),
    ("CT02c", (F(100), F("114.99")), KD),
    ("CT03", (F(100), F(116)), DAT),
    ("CT03", (F(100), F(117)), DAT),
    ("CT03", (F(100), F(115)), KD),
    ("CT03", (F(100), F(118)), VUOT),
    ("CT06", (F(0),), DAT),  # no poor households
    ("CT06", (F(1),), KD),
    ("CT04a", (F(30),), DAT),
    ("CT04a", (F(31),), KD),
    ("CT04b", (F(1),), DAT),
    ("CT05", (F(95),), DAT),
    ("CT05", (F(100),), DAT),
    ("CT05", (F("94.9"),), KD),
    ("CT05", (F("100.1"),), VUOT),
    ("CT01", (F(1000), F(1050)), DAT),  # 105 % of the estimate
    ("CT01", (F(1000), F(1049)), KD),
    ("CT01", (F(1000), F(1051)), VUOT),
    ("CT15", ("Hoàn thành",), DAT),
    ("CT15", ("Hoàn thành xuất sắc",), VUOT),
    ("CT15", ("Đang triển khai",), KD),
    ("CT07", (F(975), None), CHUA),
    ("CT07", (F(0), F(0)), CHUA),
    ("CT15", ("không rõ",), CHUA),
]


@pytest.mark.parametrize(
    "code,inputs,status", BOUNDARIES, ids=[f"{c}-{s}-{i}" for i, (c, _, s) in enumerate(BOUNDARIES)]
)
def test_status_at_the_boundary(campaign, code, inputs, status):
    assert evaluate(campaign.target(code), inputs).status == status


def test_rate_is_exact_ratio(campaign):
    o = evaluate(campaign.target("CT07"), rate(975, 1000))
    assert o.value == 97.5 and o.pct_plan == 100


def test_growth_reports_percent_of_last_year_and_of_plan(campaign):
    o = evaluate(campaign.target("CT02"), (F(1000), F(1150)))
    assert o.value == 15
    assert o.pct_prev == 115
    assert o.pct_plan == F(1150, 1140) * 100  # planned level is last year + 14 %


def test_mid_year_budget_is_on_track_pro_rata(campaign):
    t = campaign.target("CT01")
    # by June, 52,5 % of the estimate is exactly half of the 105 % goal
    assert evaluate(t, (F(1000), F(525)), months=6).on_track == ON_TRACK
    assert evaluate(t, (F(1000), F(524)), months=6).on_track == BEHIND
    assert evaluate(t, (F(1000), F(1100)), months=12).on_track is None


def test_mid_year_rate_on_track_follows_the_threshold(campaign):
    t = campaign.target("CT09")
    assert evaluate(t, rate(96, 100), months=9).on_track == ON_TRACK
    assert evaluate(t, rate(95, 100), months=9).on_track == BEHIND
