"""Who decides a proposal for an award, on which legal basis: by the award and the proposer.

Law 06/2022/QH15 on emulation and commendation, Điều 80: khoản 3, the commune chairman
("Lao động tiên tiến", Giấy khen, "Gia đình văn hóa"); khoản 4, directors of enterprises and
cooperatives, for their own staff; khoản 5, the police and the military in their own systems.
The titles of the abolished district level (khoản 2) need their present authority under
Decree 152/2025/NĐ-CP, whose article could not be retrieved: the campaign data says so
(`basis_confirmed = false`) and the route shows it, for staff to confirm.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from campaign.definition import Award, Campaign, Unit

SYSTEMS = {"công an": "Công an", "quân sự": "Quân đội"}
ENTERPRISES = ("doanh nghiệp", "hợp tác xã")
LEVEL_COMMUNE, LEVEL_ENTERPRISE, LEVEL_SYSTEM, LEVEL_UP = "Xã", "Doanh nghiệp, HTX", "Công an, Quân đội", "Cấp trên"


@dataclass(frozen=True)
class Route:
    level: str
    who: str
    basis: str
    confirmed: bool

    def said(self) -> str:
        check = "" if self.confirmed else " — căn cứ chưa đối chiếu được, đề nghị xác nhận"
        return f"{self.who} ({self.basis}){check}" if self.basis else self.who + check


def route(campaign: Campaign, unit: Unit | None, award: Award | None) -> Route:
    if award is None:
        return Route(LEVEL_UP, "Hình thức không có trong danh mục", "", False)
    if unit is not None and unit.system in SYSTEMS:
        return Route(
            LEVEL_SYSTEM,
            f"Theo hệ thống khen thưởng của {SYSTEMS[unit.system]}",
            "Luật Thi đua, khen thưởng 2022, Điều 80 khoản 5",
            True,
        )
    if unit is not None and unit.kind in ENTERPRISES and award.enterprise_may_confer:
        return Route(
            LEVEL_ENTERPRISE,
            "Giám đốc doanh nghiệp, hợp tác xã quyết định (cho người lao động của đơn vị)",
            "Luật Thi đua, khen thưởng 2022, Điều 80 khoản 4",
            True,
        )
    if award.within_commune:
        return Route(LEVEL_COMMUNE, "Chủ tịch UBND xã quyết định", award.basis, award.basis_confirmed)
    return Route(LEVEL_UP, f"Trình {award.authority} xem xét", award.basis, award.basis_confirmed)


def summary(campaign: Campaign, proposals: list[tuple[str, str]]) -> list[list]:
    """(unit code, award name) pairs counted by award and by the level that decides."""
    levels = (LEVEL_COMMUNE, LEVEL_ENTERPRISE, LEVEL_SYSTEM, LEVEL_UP)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(levels, 0))
    for code, name in proposals:
        r = route(campaign, campaign.unit(code), campaign.award(name))
        counts[name][r.level] += 1
    rows = [[name, *(c[lv] for lv in levels), sum(c.values())] for name, c in sorted(counts.items())]
    if rows:
        rows.append(["Cộng", *(sum(r[i] for r in rows) for i in range(1, len(levels) + 2))])
    return rows


SUMMARY_HEADERS = ["Hình thức", LEVEL_COMMUNE, LEVEL_ENTERPRISE, LEVEL_SYSTEM, LEVEL_UP, "Tổng"]
