"""Awards by law: who decides each proposal, on which article, by the proposer's kind; the
criteria as checks; the count by form and by level (hand-computed)."""

from __future__ import annotations

import pytest

from campaign.assessment import assess
from campaign.awards import LEVEL_COMMUNE, LEVEL_ENTERPRISE, LEVEL_SYSTEM, LEVEL_UP, route, summary
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries


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


def test_a_share_cap_set_by_the_office_counts_a_units_proposals_rounding_down(campaign, workbook):
    import dataclasses
    from decimal import Decimal

    capped = dataclasses.replace(
        campaign,
        awards=tuple(
            dataclasses.replace(a, cap_percent=Decimal(15), cap_of="LDTT", cap_basis="Hướng dẫn số 1/HD-SNV")
            if a.code == "CSTD-CS"
            else a
            for a in campaign.awards
        ),
    )
    assert "khen_thuong.ty_le" not in _codes(campaign, workbook("T04", filled=True))  # unset: no cap
    path = workbook("T04", filled=True)

    def propose(ldtt: int, cstd: int) -> list:
        rows = {}
        for i in range(ldtt):
            rows[f"DN{i + 1}"] = {"award": "Danh hiệu Lao động tiên tiến", "name": f"Người {i}", "achievement": "a.pdf"}
        for j in range(cstd):
            rows[f"DN{ldtt + j + 1}"] = {
                "award": "Danh hiệu Chiến sĩ thi đua cơ sở",
                "name": f"Người {j}",  # also a Lao động tiên tiến: the same person, a higher title
                "achievement": "Lao động tiên tiến 2026; sáng kiến Y được công nhận (sk.pdf).",
            }
        for key in rows:
            rows[key] |= {"subject": "Cá nhân", "position": "Cán bộ"}
        fill_entries(path, {"proposals": rows})
        return [f for f in assess(capped, read_report(path)).findings if f.code == "khen_thuong.ty_le"]

    # 15 % of 7 is 1,05: one allowed; 15 % of 6 is 0,9: none ("không quá" rounds down)
    assert propose(7, 1) == []
    over = propose(6, 1)
    assert len(over) == 1 and over[0].cell == "C11" and "15%" in over[0].message and "tối đa 0" in over[0].message
    assert "Hướng dẫn số 1/HD-SNV" in over[0].message
    # the finding sits on the first proposal over the cap
    over = propose(7, 2)
    assert len(over) == 1 and over[0].cell == "C13"


def test_a_cap_needs_a_share_and_another_award(campaign):
    from campaign.definition_files import campaign_from_toml, toml_text
    from campaign.refusals import DefinitionError

    text, label = toml_text(None)
    bad = text.replace('code = "CSTD-CS"\n', 'code = "CSTD-CS"\ncap_percent = 150\ncap_of = "XYZ"\n', 1)
    with pytest.raises(DefinitionError) as err:
        campaign_from_toml(bad, label)
    assert "cap_percent" in str(err.value) and "cap_of" in str(err.value)
