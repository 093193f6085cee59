"""What the city reads: the annexes of the report and the counts its text cites, from one
consolidation, so that the body, every annex and the figures workbook cannot disagree.

The consolidator's tables (`campaign.consolidation`) keep the office's matters: review states,
how a report arrived, the check results, the evidence files, an unconfirmed legal basis. The
city's tables leave them out and name units by their registry names; a code appears only in a
column headed "Mã" (the targets' codes, which the city's plan uses too).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from campaign.awards import LEVEL_UP, route
from campaign.consolidation import (
    LATE,
    ON_TIME,
    WITH_ERRORS,
    Consolidation,
    Table,
    UnitRow,
    entries_digest,
    is_late,
)
from campaign.consolidation_tables import listed_rows
from campaign.definition import STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT, Campaign
from campaign.figures import displayed
from campaign.numbers import vn_number

SENT_ON_TIME, SENT_LATE, NOT_SENT = "Đúng hạn", "Muộn", "Chưa gửi"
RECEIVED = (ON_TIME, LATE, WITH_ERRORS)  # the statuses of a report Tổng hợp counts as received
NOT_RANKED_LABEL = "Không xếp hạng"
DRAFT = "DỰ THẢO"
ANNEX_TITLES = (
    "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA CHỦ YẾU",
    "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
    "MÔ HÌNH MỚI, CÁCH LÀM HAY, ĐIỂN HÌNH TIÊN TIẾN",
    "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
    "KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG THI ĐUA THEO CỤM, KHỐI",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# "(minh chứng: tep.pdf)" a unit adds to an achievement: the office's check, not the city's text
_EVIDENCE_NOTE = re.compile(r"\s*\(\s*minh chứng\s*:[^)]*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    unit_code: str
    award: str
    subject: str
    name: str
    position: str
    achievement: str
    beyond_commune: bool  # decided above the commune chairman
    authority: str  # who decides, on the basis the campaign gives


@dataclass(frozen=True)
class CityReport:
    """The annexes in order (Phụ lục I…V) and what the text counts from them."""

    annexes: tuple[Table, ...]
    proposals: tuple[Proposal, ...]
    models: int
    sent: dict[str, int]  # SENT_ON_TIME / SENT_LATE / NOT_SENT -> units
    late_units: tuple[str, ...]
    absent_units: tuple[str, ...]
    ranking_is_draft: bool

    @property
    def beyond_commune(self) -> int:
        return sum(1 for p in self.proposals if p.beyond_commune)


def city_status(c: Consolidation, u: UnitRow) -> str:
    """A unit's report as the city needs it: sent on time, sent late, or not sent. A report
    sent with errors still arrived, on time or late by when it arrived; its errors are the
    office's matter (its status in Tổng hợp, "Còn lỗi", says nothing of its time). A report
    Tổng hợp does not count (unusable, not written by its unit, unsigned past the day) was not
    sent."""
    if u.status not in RECEIVED or u.received_at is None:
        return NOT_SENT
    return SENT_LATE if is_late(c.campaign, u.received_at) else SENT_ON_TIME


def _name(campaign: Campaign, code: str) -> str:
    unit = campaign.unit(code)
    return unit.name if unit else code


def names_in_prose(campaign: Campaign, codes: list[str], shown: int = 3, at_most: int | None = None) -> str:
    """Units by name, grouped the way a report says them: "các thôn Đông Thái, Tân Hòa và 3
    thôn khác; Công an xã, Trạm Y tế xã". `at_most`: beyond that many units, the first ones by
    name and how many others ("Phòng Kinh tế, Công an xã và 12 đơn vị khác")."""
    if at_most is not None and len(codes) > at_most:
        return _listed([_name(campaign, c) for c in codes], at_most, "đơn vị")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        unit = campaign.unit(code)
        by_kind[unit.kind if unit else ""].append(_name(campaign, code))
    groups = []
    for kind, names in by_kind.items():
        if kind == "thôn":
            short = [n.removeprefix("Thôn ").removeprefix("thôn ") for n in names]
            lead = "thôn " if len(short) == 1 else "các thôn "
            groups.append(lead + _listed(short, shown, "thôn"))
        else:
            groups.append(_listed(names, shown, "đơn vị"))
    return "; ".join(groups)


def _listed(names: list[str], shown: int, noun: str) -> str:
    if len(names) <= shown:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]
    return ", ".join(names[:shown]) + f" và {len(names) - shown} {noun} khác"


def _proposals(c: Consolidation) -> list[Proposal]:
    """Proposals that passed their checks (the flagged ones stay in the master with their
    findings): the same list the annex prints and the text counts."""
    out = []
    for code, r in listed_rows(c, "proposals", ("award", "subject", "name")):
        award = c.campaign.award(str(r.value("award") or ""))
        way = route(c.campaign, c.campaign.unit(code), award)
        out.append(
            Proposal(
                code,
                award.name if award else str(r.value("award") or ""),
                _text(r.value("subject")),
                _text(r.value("name")),
                _text(r.value("position")),
                _EVIDENCE_NOTE.sub("", _text(r.value("achievement"))).strip(),
                way.level == LEVEL_UP,
                f"{way.who} ({way.basis})" if way.basis else way.who,
            )
        )
    return out


def _text(v: Any) -> str:
    return str(v).strip() if v is not None else ""


def _targets(c: Consolidation) -> Table:
    rows = []
    for i, ct in enumerate(c.targets, 1):
        value, pct_plan = displayed(ct.target, ct.outcome)  # beside its status, rounded toward its side
        t = ct.target
        rows.append([i, t.code, t.name, t.goal_text(), value, t.unit, pct_plan, ct.outcome.status])
    headers = ["STT", "Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đơn vị tính", "% so với mục tiêu", "Đánh giá"]
    return Table(ANNEX_TITLES[0], headers, rows)


def _units(c: Consolidation) -> Table:
    clusters = {k.code: k.name for k in c.campaign.clusters}
    rows = []
    for i, u in enumerate(c.units, 1):
        sent = city_status(c, u)
        day = f"{u.received_at:%d/%m/%Y}" if u.received_at and sent != NOT_SENT else ""
        rows.append([i, u.name, clusters.get(u.cluster, u.cluster), sent, day])
    return Table(ANNEX_TITLES[1], ["STT", "Đơn vị", "Cụm, khối thi đua", "Tình hình gửi báo cáo", "Ngày gửi"], rows)


def _models(c: Consolidation) -> Table:
    rows = []
    for code, r in listed_rows(c, "models", ("type", "name", "description")):
        rows.append(
            [
                len(rows) + 1,
                _name(c.campaign, code),
                _text(r.value("type")),
                _text(r.value("name")),
                _text(r.value("field")),
                _EVIDENCE_NOTE.sub("", _text(r.value("description"))).strip(),
                _text(r.value("effect")),
            ]
        )
    headers = ["STT", "Đơn vị", "Loại", "Tên mô hình, điển hình", "Lĩnh vực", "Nội dung, cách làm", "Hiệu quả"]
    return Table(ANNEX_TITLES[2], headers, rows)


def _proposal_table(c: Consolidation, proposals: list[Proposal]) -> Table:
    rows = [
        [i, _name(c.campaign, p.unit_code), p.award, p.subject, p.name, p.position, p.achievement, p.authority]
        for i, p in enumerate(proposals, 1)
    ]
    headers = [
        "STT",
        "Đơn vị đề nghị",
        "Hình thức",
        "Đối tượng",
        "Tên tập thể, cá nhân",
        "Chức vụ, đơn vị",
        "Thành tích",
        "Thẩm quyền quyết định",
    ]
    return Table(ANNEX_TITLES[3], headers, rows)


def _ranking(c: Consolidation) -> Table:
    sc = c.campaign.scoring
    rows = []
    for k in c.campaign.clusters:
        mine = [u for u in c.units if u.cluster == k.code and u.score is not None]
        ranked = sorted((u for u in mine if u.rank), key=lambda u: u.rank)
        left = [u for u in mine if not u.rank]
        for u in ranked + left:
            s = u.score
            rank = u.rank or NOT_RANKED_LABEL
            note = u.unranked or ("báo cáo còn lỗi, chưa xếp hạng" if u.status == WITH_ERRORS else "")
            total = s.total if u.rank else None
            rows.append(
                [k.name, rank, u.name, s.targets, s.tasks, s.bonus - s.late_penalty - s.error_penalty, total, note]
            )
    basis = f"theo {sc.decision}" if sc.decision else f"{DRAFT}: thang điểm chưa có quyết định ban hành"
    title = (
        f"{ANNEX_TITLES[4]} ({basis}; chỉ tiêu {vn_number(sc.targets_share)} điểm, "
        f"nhiệm vụ {vn_number(sc.tasks_share)} điểm trên 100)"
    )
    headers = ["Cụm, khối", "Hạng", "Đơn vị", "Điểm chỉ tiêu", "Điểm nhiệm vụ", "Cộng, trừ", "Tổng điểm", "Ghi chú"]
    return Table(title, headers, rows)


def city_report(c: Consolidation) -> CityReport:
    proposals = _proposals(c)
    models = _models(c)
    sent = {SENT_ON_TIME: 0, SENT_LATE: 0, NOT_SENT: 0}
    late, absent = [], []
    for u in c.units:
        status = city_status(c, u)
        sent[status] += 1
        (late if status == SENT_LATE else absent if status == NOT_SENT else []).append(u.unit_code)
    return CityReport(
        (_targets(c), _units(c), models, _proposal_table(c, proposals), _ranking(c)),
        tuple(proposals),
        len(models.rows),
        sent,
        tuple(late),
        tuple(absent),
        not c.campaign.scoring.decision,
    )


def target_counts(c: Consolidation) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for ct in c.targets:
        out[ct.outcome.status] += 1
    return dict(out)


MET = (STATUS_VUOT, STATUS_DAT)
MISSED = STATUS_KHONG_DAT


def consolidation_digest(c: Consolidation) -> str:
    """A fingerprint of what a consolidation says: each unit's status and figures, each commune
    figure. The master keeps the one its narrative was drafted from; the export compares."""
    units = [(u.unit_code, u.status, _submission_digest(c, u.unit_code)) for u in c.units]
    targets = [(ct.target.code, [str(v) for v in ct.inputs]) for ct in c.targets]
    blob = json.dumps([units, targets], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _submission_digest(c: Consolidation, code: str) -> str:
    s = c.submissions.get(code)
    if s is None or s.report is None:
        return ""
    return s.digest or entries_digest(s.report)


def status_differences(c: Consolidation, units_grid: list[list] | None) -> list[str]:
    """Units whose status in a master's units sheet is not this consolidation's, said by name."""
    from campaign.consolidation_tables import units_header_row

    grid = units_grid or []
    head = units_header_row(grid)
    if head is None or "Tình trạng" not in grid[head]:
        return []
    col_code, col_status = grid[head].index("Mã"), grid[head].index("Tình trạng")
    theirs = {
        str(row[col_code]).strip(): str(row[col_status] or "").strip()
        for row in grid[head + 1 :]
        if col_code < len(row) and col_status < len(row) and row[col_code]
    }
    return [
        f"{u.name}: sổ tổng hợp ghi '{theirs[u.unit_code]}', số liệu đang xuất là '{u.status}'"
        for u in c.units
        if u.unit_code in theirs and theirs[u.unit_code] != u.status
    ]
