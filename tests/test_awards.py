"""Awards by law: who decides each proposal, on which article, by the proposer's kind; the
criteria as checks; the count by form and by level (hand-computed)."""

from __future__ import annotations

import pytest

from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.assessment import assess
from xl_addin.awards import LEVEL_COMMUNE, LEVEL_ENTERPRISE, LEVEL_SYSTEM, LEVEL_UP, route, summary


@pytest.mark.parametrize(
    "unit,award,level,basis,confirmed",
    [
        ("T01", "Danh hiệu Lao động tiên tiến", LEVEL_COMMUNE, "Điều 80 khoản 3", True),
        ("T01", "Danh hiệu Gia đình văn hóa", LEVEL_COMMUNE, "Nghị định 86/2023", True),
        # a director confers it on their own staff (khoản 4)
        ("DNMAY", "Danh hiệu Lao động tiên tiến", LEVEL_ENTERPRISE, "Điều 80 khoản 4", True),
        ("DNMAY", "Danh hiệu Chiến sĩ thi đua cơ sở", LEVEL_ENTERPRISE, "Điều 80 khoản 4", True),
        # but not the commune chairman's Giấy khen
        ("DNMAY", "Giấy khen của Chủ tịch UBND xã", LEVEL_COMMUNE, "Điều 80 khoản 3", True),
        # the police and the military: their own systems (khoản 5), whatever the award
        ("CA", "Danh hiệu Lao động tiên tiến", LEVEL_SYSTEM, "Điều 80 khoản 5", True),
        ("QS", "Giấy khen của Chủ tịch UBND xã", LEVEL_SYSTEM, "Điều 80 khoản 5", True),
        # an abolished district level's title: the commune, with the basis marked unconfirmed
        ("T02", "Danh hiệu Chiến sĩ thi đua cơ sở", LEVEL_COMMUNE, "Nghị định 152/2025", False),
        ("T02", "Bằng khen của Chủ tịch UBND thành phố", LEVEL_UP, "cấp tỉnh", False),
    ],
)
def test_a_proposal_goes_where_the_law_says(campaign, unit, award, level, basis, confirmed):
    r = route(campaign, campaign.unit(unit), campaign.award(award))
    assert (r.level, r.confirmed) == (level, confirmed) and basis in r.basis
    assert ("chưa đối chiếu" in r.said()) is (not confirmed)


def test_the_count_by_form_and_level_is_the_hand_count(campaign):
    pairs = [
        ("T01", "Danh hiệu Lao động tiên tiến"),
        ("DNMAY", "Danh hiệu Lao động tiên tiến"),
        ("CA", "Danh hiệu Lao động tiên tiến"),
        ("T02", "Bằng khen của Chủ tịch UBND thành phố"),
        ("T03", "Bằng khen của Chủ tịch UBND thành phố"),
    ]
    rows = {r[0]: r[1:] for r in summary(campaign, pairs)}
    # columns: xã, doanh nghiệp, công an/quân đội, cấp trên, tổng
    assert rows["Danh hiệu Lao động tiên tiến"] == [1, 1, 1, 0, 3]
    assert rows["Bằng khen của Chủ tịch UBND thành phố"] == [0, 0, 0, 2, 2]
    assert rows["Cộng"] == [1, 1, 1, 2, 5]


def _codes(campaign, path):
    return [f.code for f in assess(campaign, read_report(path)).findings]


def test_chien_si_thi_dua_co_so_needs_lao_dong_tien_tien_and_one_award_per_achievement(campaign, workbook):
    path = workbook("T04", filled=True)
    base = {"subject": "Cá nhân", "name": "Lê Văn D", "position": "Cán bộ"}
    fill_entries(
        path,
        {
            "proposals": {
                "DN1": {**base, "award": "Danh hiệu Chiến sĩ thi đua cơ sở", "achievement": "Sáng kiến X (sk.pdf)."},
                "DN2": {**base, "award": "Giấy khen của Chủ tịch UBND xã", "achievement": "Hoàn thành tốt (gk.pdf)."},
            }
        },
    )
    codes = _codes(campaign, path)
    assert "khen_thuong.can_ldtt" in codes and "khen_thuong.trung" in codes
    fill_entries(
        path,
        {
            "proposals": {
                "DN1": {
                    **base,
                    "award": "Danh hiệu Chiến sĩ thi đua cơ sở",
                    "achievement": "Lao động tiên tiến 2025, 2026; sáng kiến X được công nhận (sk.pdf).",
                },
                "DN2": {
                    **base,
                    "name": "Lê Thị E",
                    "award": "Giấy khen của Chủ tịch UBND xã",
                    "achievement": "Tốt (gk.pdf).",
                },
            }
        },
    )
    codes = _codes(campaign, path)
    assert "khen_thuong.can_ldtt" not in codes and "khen_thuong.trung" not in codes
