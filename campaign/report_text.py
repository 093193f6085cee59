"""The year-end report's words: its sections drafted from the figures, the date line by Decree
30's rule, and the round trip through the master workbook's "Nội dung báo cáo" sheet where the
consolidator edits them.

The shape follows practice for a year-end emulation report (docs/decree-30.md: xã Vạn Thắng's
report): Phần thứ nhất, the results (targets, tasks, models and good practices, commendation
work) and an overall assessment (strengths, shortcomings, causes, lessons); Phần thứ hai,
directions for next year; Phần thứ ba, recommendations. Drafts are sentences built from the
figures; what only people know is marked for the consolidator to write.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from campaign.consolidation import Consolidation, completeness_summary, review_summary, status_summary

NARRATIVE_SHEET = "Nội dung báo cáo"
NARRATIVE_HEADER = ["Phần, mục", "Nội dung (sửa trực tiếp; mỗi ô là một đoạn)"]
TO_WRITE = "[Phòng Văn hóa - Xã hội viết: "  # a draft's gap, which the export refuses to print as is


@dataclass
class Section:
    heading: str  # "" for the opening paragraphs
    paragraphs: list[str]


def vn_date(place: str, d: dt.date) -> str:
    """'Vĩnh Bảo, ngày 05 tháng 12 năm 2026': a leading zero only for days 1-9 and months 1-2
    (Decree 30/2020/NĐ-CP, Phụ lục I)."""
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def vn_short_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def draft_sections(c: Consolidation) -> list[Section]:
    camp = c.campaign
    done = completeness_summary(c)
    st = status_summary(c)
    total = len(c.units)
    missing = done["Chưa nộp"] + done["Không dùng được"]
    reviewed = review_summary(c)
    met = [ct for ct in c.targets if ct.outcome.status in ("Đạt", "Vượt")]
    missed = [ct for ct in c.targets if ct.outcome.status == "Không đạt"]
    late = [u.unit_code for u in c.units if u.status == "Muộn"]
    absent = [u.unit_code for u in c.units if u.status in ("Chưa nộp", "Không dùng được")]
    opening = (
        f"Thực hiện Kế hoạch phát động phong trào thi đua năm {camp.year} với chủ đề “{camp.theme}”, "
        f"Ủy ban nhân dân xã {camp.place} báo cáo tổng kết phong trào thi đua, công tác khen thưởng năm "
        f"{camp.year} và phương hướng, nhiệm vụ năm {camp.year + 1} như sau:"
    )
    reports = (
        f"Tính đến ngày {vn_short_date(c.as_of)}, {total - missing}/{total} cơ quan, đơn vị, thôn và doanh nghiệp "
        f"đã gửi báo cáo ({done['Đúng hạn']} đúng hạn, {done['Muộn']} muộn); {missing} đơn vị chưa gửi."
    )
    if reviewed:
        reports += (
            f" Đã duyệt {reviewed.get('Đã duyệt', 0)} báo cáo; "
            f"{reviewed.get('Đã gửi (chờ duyệt)', 0) + reviewed.get('Đã gửi lại', 0)} báo cáo đang chờ duyệt."
        )
    targets = (
        f"Trong {len(c.targets)} chỉ tiêu (kể cả chỉ tiêu thành phần), {st.get('Vượt', 0)} chỉ tiêu vượt, "
        f"{st.get('Đạt', 0)} chỉ tiêu đạt, {st.get('Không đạt', 0)} chỉ tiêu không đạt"
        + (f", {st['Chưa có số liệu']} chỉ tiêu chưa có số liệu" if st.get("Chưa có số liệu") else "")
        + " (chi tiết tại Phụ lục I)."
    )
    if missed:
        targets += " Các chỉ tiêu chưa đạt: " + "; ".join(f"{ct.target.code} – {ct.target.name}" for ct in missed) + "."
    models = _rows(c, "models")
    proposals = _rows(c, "proposals")
    by_award: dict[str, int] = defaultdict(int)
    for r in proposals:
        by_award[str(r.value("award") or "")] += 1
    commendation = (
        f"Các đơn vị giới thiệu {len(models)} mô hình mới, cách làm hay, điển hình tiên tiến (Phụ lục III) và đề nghị "
        f"{len(proposals)} trường hợp khen thưởng"
        + (": " + "; ".join(f"{k} {v}" for k, v in sorted(by_award.items())) if by_award else "")
        + " (Phụ lục IV)."
    )
    sections = [
        Section("", [opening]),
        Section(
            "PHẦN THỨ NHẤT. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA VÀ CÔNG TÁC KHEN THƯỞNG NĂM " + str(camp.year), []
        ),
        Section("I. Kết quả thực hiện các chỉ tiêu chủ yếu", [reports, targets]),
        Section("II. Kết quả thực hiện các nhiệm vụ, giải pháp", _task_paragraphs(c)),
        Section("III. Mô hình mới, cách làm hay và công tác khen thưởng", [commendation]),
        Section(
            "IV. Đánh giá chung",
            [
                "1. Ưu điểm: "
                + (f"{len(met)}/{len(c.targets)} chỉ tiêu đạt và vượt; " if c.targets else "")
                + TO_WRITE
                + "những kết quả nổi bật]",
                "2. Hạn chế, nguyên nhân: "
                + (f"{len(missed)} chỉ tiêu chưa đạt; " if missed else "")
                + (f"{len(late)} đơn vị gửi báo cáo muộn ({', '.join(late)}); " if late else "")
                + (f"{len(absent)} đơn vị chưa gửi báo cáo ({', '.join(absent)}); " if absent else "")
                + TO_WRITE
                + "nguyên nhân]",
                "3. Bài học kinh nghiệm: " + TO_WRITE + "bài học]",
            ],
        ),
        Section(
            f"PHẦN THỨ HAI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {camp.year + 1}",
            [TO_WRITE + "phương hướng, nhiệm vụ trọng tâm năm tới]"],
        ),
        Section("PHẦN THỨ BA. ĐỀ XUẤT, KIẾN NGHỊ", [TO_WRITE + "đề xuất, kiến nghị với cấp trên]"]),
    ]
    return sections


def _rows(c: Consolidation, sheet: str) -> list:
    out = []
    for s in c.submissions.values():
        if s.report is None or sheet not in s.report.sheets:
            continue
        for r in s.report.rows(sheet):
            if (
                sheet == "models"
                and not r.is_blank(("type", "name"))
                or sheet == "proposals"
                and not r.is_blank(("award", "subject", "name"))
            ):
                out.append(r)
    return out


def _task_paragraphs(c: Consolidation) -> list[str]:
    """Per task group: how many units finished it, and the units' own "Kết quả nổi bật" for the
    consolidator to draw on."""
    out = []
    for g in c.campaign.task_groups:
        done, results = 0, []
        for code, s in sorted(c.submissions.items()):
            if s.report is None or "tasks" not in s.report.sheets:
                continue
            row = next((r for r in s.report.rows("tasks") if r.key == f"NV{g.number}"), None)
            if row is None:
                continue
            if str(row.value("level") or "") == "Hoàn thành":
                done += 1
            text = str(row.value("result") or "").strip()
            if text:
                results.append(f"{code}: {text}")
        name = g.text.split(". ")[0].split("; ")[0].rstrip(".")
        line = f"{g.number}. {name}: {done} đơn vị báo cáo đã hoàn thành."
        if results:
            line += (
                " Kết quả nổi bật các đơn vị báo cáo: " + "; ".join(results[:6]) + ("…" if len(results) > 6 else ".")
            )
        out.append(line)
    return out


def to_rows(sections: list[Section]) -> list[list[str]]:
    """The narrative sheet: a row per heading, then a row per paragraph under it."""
    rows = [list(NARRATIVE_HEADER)]
    for s in sections:
        if s.heading:
            rows.append([s.heading, ""])
        rows += [["", p] for p in s.paragraphs]
    return rows


def from_rows(rows: list[list]) -> list[Section]:
    """The narrative sheet as the consolidator left it (rows added or removed freely)."""
    sections = [Section("", [])]
    for row in rows[1:]:
        cells = [str(v).strip() if v is not None else "" for v in (list(row) + ["", ""])[:2]]
        if cells[0]:
            sections.append(Section(cells[0], []))
        if cells[1]:
            sections[-1].paragraphs.append(cells[1])
    return [s for s in sections if s.heading or s.paragraphs]


def gaps(sections: list[Section]) -> list[str]:
    """Drafted gaps still in the text: the export says which, rather than print them."""
    return [f"{s.heading or 'Mở đầu'}: {p[:60]}…" for s in sections for p in s.paragraphs if TO_WRITE in p]
