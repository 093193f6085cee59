"""The year-end report's words: its sections drafted from the figures and from what the units
wrote, the date line by Decree 30's rule, and the round trip through the master workbook's
"Nội dung báo cáo" sheet where the consolidator edits them.

The shape follows practice for a year-end emulation report (docs/decree-30.md: xã Vạn Thắng's
report): Phần thứ nhất, the results (targets, tasks, models and good practices, commendation
work) and an overall assessment (strengths, shortcomings, causes, lessons); Phần thứ hai,
directions for next year; Phần thứ ba, recommendations.

Every count the text gives comes from `campaign.report_tables.city_report`, the same tables the
annexes print. Paragraphs of figures are marked in the sheet's third column: Tổng hợp rewrites
them each time it runs, so they never drift from the tables; the consolidator's own paragraphs
are kept. What only people know is a gap marked for the consolidator to write, which the final
export refuses to print.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from campaign.consolidation import Consolidation
from campaign.definition import STATUS_CHUA_CO, STATUS_DAT, STATUS_KHONG_DAT, STATUS_VUOT
from campaign.report_tables import (
    MET,
    MISSED,
    SENT_LATE,
    SENT_ON_TIME,
    CityReport,
    city_report,
    names_in_prose,
    target_counts,
)
from campaign.scoring import TASK_DONE, TASK_ONGOING

NARRATIVE_SHEET = "Nội dung báo cáo"
NARRATIVE_HEADER = ["Phần, mục", "Nội dung (sửa trực tiếp; mỗi ô là một đoạn)", "Ghi chú"]
FIGURES_NOTE = "Số liệu: Tổng hợp tự ghi lại mỗi lần chạy (xóa ghi chú này nếu muốn tự viết)"
TO_WRITE = "[Phòng Văn hóa - Xã hội viết: "  # a draft's gap, which the final export refuses to print
RESULTS_SHOWN = 4  # units' results quoted per task group
SENTENCE_LIMIT = 160  # a unit's result is cut at a sentence boundary within this many characters


@dataclass
class Section:
    heading: str  # "" for the opening paragraphs
    paragraphs: list[str]
    figures: set[int] = field(default_factory=set)  # indices of the paragraphs drawn from the figures


@dataclass
class Narrative:
    """A master's narrative sheet as the export reads it: its rows, the fingerprint of the
    consolidation it was drafted from ("" in a master older than the fingerprint), and the
    master's units sheet (to say which units differ)."""

    rows: list[list]
    digest: str = ""
    units_grid: list[list] = field(default_factory=list)
    master: str = ""


SOURCE_LABEL = "Số liệu của lần Tổng hợp: "  # the narrative sheet's D1, then the fingerprint


def narrative_digest(rows: list[list]) -> str:
    """The fingerprint the narrative sheet keeps in D1 ("" where it has none)."""
    cell = str(rows[0][3]).strip() if rows and len(rows[0]) > 3 and rows[0][3] else ""
    return cell.removeprefix(SOURCE_LABEL).strip() if cell.startswith(SOURCE_LABEL) else ""


def vn_date(place: str, d: dt.date) -> str:
    """'Vĩnh Bảo, ngày 05 tháng 12 năm 2026': a leading zero only for days 1-9 and months 1-2
    (Decree 30/2020/NĐ-CP, Phụ lục I; docs/decree-30.md)."""
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{place}, ngày {day} tháng {month} năm {d.year}"


def vn_short_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _reports_paragraph(c: Consolidation, r: CityReport) -> str:
    total = len(c.units)
    sent = r.sent[SENT_ON_TIME] + r.sent[SENT_LATE]
    text = (
        f"Tính đến ngày {vn_short_date(c.as_of)}, {sent}/{total} cơ quan, đơn vị, thôn và doanh nghiệp đã gửi báo cáo "
        f"({r.sent[SENT_ON_TIME]} đúng hạn, {r.sent[SENT_LATE]} muộn)"
    )
    if r.absent_units:
        text += f"; {len(r.absent_units)} đơn vị chưa gửi: {names_in_prose(c.campaign, list(r.absent_units))}"
    return text + " (chi tiết tại Phụ lục II)."


def _targets_paragraph(c: Consolidation) -> str:
    st = target_counts(c)
    text = (
        f"Trong {len(c.targets)} chỉ tiêu (kể cả chỉ tiêu thành phần), {st.get(STATUS_VUOT, 0)} chỉ tiêu vượt, "
        f"{st.get(STATUS_DAT, 0)} chỉ tiêu đạt, {st.get(STATUS_KHONG_DAT, 0)} chỉ tiêu không đạt"
        + (f", {st[STATUS_CHUA_CO]} chỉ tiêu chưa có số liệu" if st.get(STATUS_CHUA_CO) else "")
        + " (chi tiết tại Phụ lục I)."
    )
    missed = [ct.target.name for ct in c.targets if ct.outcome.status == MISSED]
    if missed:
        text += " Các chỉ tiêu chưa đạt: " + "; ".join(n[:1].lower() + n[1:] for n in missed) + "."
    return text


def _commendation_paragraph(c: Consolidation, r: CityReport) -> str:
    by_award = Counter(p.award for p in r.proposals)
    text = (
        f"Các đơn vị giới thiệu {r.models} mô hình mới, cách làm hay, điển hình tiên tiến (Phụ lục III) và đề nghị "
        f"{len(r.proposals)} trường hợp khen thưởng"
        + (": " + "; ".join(f"{k} {v}" for k, v in sorted(by_award.items())) if by_award else "")
        + " (Phụ lục IV)."
    )
    if r.beyond_commune:
        text += (
            f" Trong đó {r.beyond_commune} trường hợp thuộc thẩm quyền cấp trên, "
            f"Ủy ban nhân dân xã {c.campaign.place} đề nghị xem xét."
        )
    return text


def _models_paragraph(r: CityReport) -> str | None:
    """Models and exemplars named with their units (Phụ lục III has them all)."""
    table = r.annexes[2]
    if not table.rows:
        return None
    named = [f"{row[3]} ({row[1]})" for row in table.rows[:3]]
    more = len(table.rows) - len(named)
    return "Tiêu biểu: " + "; ".join(named) + (f" và {more} mô hình, điển hình khác." if more > 0 else ".")


def first_sentences(text: str, limit: int = SENTENCE_LIMIT) -> str:
    """A unit's words shortened at a sentence boundary, never mid-word and never with "…"; a
    first sentence longer than the limit is kept whole."""
    text = " ".join(text.split()).rstrip()
    sentences = [s for s in re.split(r"(?<=[.;!?])\s+", text) if s]
    out = ""
    for s in sentences:
        if out and len(out) + 1 + len(s) > limit:
            break
        out = f"{out} {s}".strip()
    out = out.rstrip(";,: ")
    return out if out.endswith((".", "!", "?")) else out + "."


def _task_paragraphs(c: Consolidation) -> list[str]:
    """Per task group: what the units wrote, grouped, de-duplicated and shortened, with who
    wrote it; where nobody wrote, what the levels they chose show."""
    out = []
    for g in c.campaign.task_groups:
        done, ongoing, results = 0, 0, {}
        for code, s in sorted(c.submissions.items()):
            if s.report is None or "tasks" not in s.report.sheets:
                continue
            row = next((r for r in s.report.rows("tasks") if r.key == f"NV{g.number}"), None)
            if row is None:
                continue
            level = str(row.value("level") or "")
            done += level == TASK_DONE
            ongoing += level == TASK_ONGOING
            text = str(row.value("result") or "").strip()
            if text:
                results.setdefault(first_sentences(text), []).append(code)
        name = g.text.split(". ")[0].split("; ")[0].rstrip(".")
        line = f"{g.number}. {name}: {done} đơn vị hoàn thành" + (
            f", {ongoing} đơn vị đang thực hiện" if ongoing else ""
        )
        if results:
            quoted = sorted(results.items(), key=lambda kv: -len(kv[1]))[:RESULTS_SHOWN]
            line += ". Kết quả nổi bật: " + " ".join(
                f"{text.rstrip('.')} ({names_in_prose(c.campaign, codes, shown=2, at_most=2)})."
                for text, codes in quoted
            )
        else:
            line += "; các đơn vị chưa nêu kết quả cụ thể."
        out.append(line if line.endswith(".") else line + ".")
    return out


def _figures(heading: str, paragraphs: list[str], people: list[str] | None = None) -> Section:
    """A section whose first paragraphs come from the figures, then what people write."""
    people = people or []
    return Section(heading, paragraphs + people, set(range(len(paragraphs))))


def draft_sections(c: Consolidation) -> list[Section]:
    camp = c.campaign
    r = city_report(c)
    met = sum(1 for ct in c.targets if ct.outcome.status in MET)
    missed = sum(1 for ct in c.targets if ct.outcome.status == MISSED)
    opening = (
        f"Thực hiện Kế hoạch phát động phong trào thi đua năm {camp.year} với chủ đề “{camp.theme}”, "
        f"Ủy ban nhân dân xã {camp.place} báo cáo tổng kết phong trào thi đua, công tác khen thưởng năm "
        f"{camp.year} và phương hướng, nhiệm vụ năm {camp.year + 1} như sau:"
    )
    models = _models_paragraph(r)
    overall = "; ".join(
        [f"Kết quả chung: {met}/{len(c.targets)} chỉ tiêu đạt và vượt"]
        + ([f"{missed} chỉ tiêu chưa đạt"] if missed else [])
        + (
            [f"{len(r.late_units)} đơn vị gửi báo cáo muộn ({names_in_prose(camp, list(r.late_units))})"]
            if r.late_units
            else []
        )
        + ([f"{len(r.absent_units)} đơn vị chưa gửi báo cáo"] if r.absent_units else [])
    )
    return [
        Section("", [opening]),
        Section(f"PHẦN THỨ NHẤT. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA VÀ CÔNG TÁC KHEN THƯỞNG NĂM {camp.year}", []),
        _figures("I. Kết quả thực hiện các chỉ tiêu chủ yếu", [_reports_paragraph(c, r), _targets_paragraph(c)]),
        _figures("II. Kết quả thực hiện các nhiệm vụ, giải pháp", _task_paragraphs(c)),
        _figures(
            "III. Mô hình mới, cách làm hay và công tác khen thưởng",
            [_commendation_paragraph(c, r)] + ([models] if models else []),
        ),
        _figures(
            "IV. Đánh giá chung",
            [overall + "."],
            [
                "1. Ưu điểm: " + TO_WRITE + "những kết quả nổi bật]",
                "2. Hạn chế, nguyên nhân: " + TO_WRITE + "nguyên nhân]",
                "3. Bài học kinh nghiệm: " + TO_WRITE + "bài học]",
            ],
        ),
        Section(
            f"PHẦN THỨ HAI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {camp.year + 1}",
            [TO_WRITE + "phương hướng, nhiệm vụ trọng tâm năm tới]"],
        ),
        Section("PHẦN THỨ BA. ĐỀ XUẤT, KIẾN NGHỊ", [TO_WRITE + "đề xuất, kiến nghị với cấp trên]"]),
    ]


def to_rows(sections: list[Section]) -> list[list[str]]:
    """The narrative sheet: a row per heading, then a row per paragraph under it; paragraphs of
    figures carry FIGURES_NOTE in the third column."""
    rows = [list(NARRATIVE_HEADER)]
    for s in sections:
        if s.heading:
            rows.append([s.heading, "", ""])
        rows += [["", p, FIGURES_NOTE if i in s.figures else ""] for i, p in enumerate(s.paragraphs)]
    return rows


def _cells(row: list) -> list[str]:
    return [str(v).strip() if v is not None else "" for v in (list(row) + ["", "", ""])[:3]]


def from_rows(rows: list[list]) -> list[Section]:
    """The narrative sheet as the consolidator left it (rows added or removed freely)."""
    sections = [Section("", [])]
    for row in rows[1:]:
        heading, text, note = _cells(row)
        if heading:
            sections.append(Section(heading, []))
        if text:
            if note == FIGURES_NOTE:
                sections[-1].figures.add(len(sections[-1].paragraphs))
            sections[-1].paragraphs.append(text)
    return [s for s in sections if s.heading or s.paragraphs]


def refresh_figures(kept: list[list], drafted: list[list]) -> list[list]:
    """The narrative sheet again after Tổng hợp: the consolidator's rows as they left them, and
    under each heading the figures' paragraphs of this run in place of the last run's."""
    new: dict[str, list[list]] = {}
    heading = ""
    for row in drafted[1:]:
        cells = _cells(row)
        heading = cells[0] or heading
        if cells[2] == FIGURES_NOTE:
            new.setdefault(heading, []).append(cells)
    out, heading, placed = [list(NARRATIVE_HEADER)], "", set()
    for row in kept[1:]:
        cells = _cells(row)
        if cells[0]:
            heading = cells[0]
            out.append(cells)
            continue
        if cells[2] == FIGURES_NOTE and heading in new:  # under a heading renamed by hand: kept as it is
            if heading not in placed:
                out += new[heading]
                placed.add(heading)
            continue
        out.append(cells)
    return out


def gaps(rows: list[list]) -> list[tuple[int, str]]:
    """(sheet row, heading) of every gap still marked for the consolidator to write."""
    out, heading = [], "Mở đầu"
    for number, row in enumerate(rows[1:], 2):
        cells = _cells(row)
        heading = cells[0] or heading
        if TO_WRITE in cells[1]:
            out.append((number, heading))
    return out


def late_sentence(c: Consolidation, when: dt.date) -> str | None:
    """Said in the body when the report is dated on or after the deadline ("trước ngày …")."""
    due = c.campaign.results_due_before
    if when < due:
        return None
    return (
        f"Báo cáo này được gửi chậm so với thời hạn (trước ngày {vn_short_date(due)}); "
        f"Ủy ban nhân dân xã {c.campaign.place} báo cáo để Quý cơ quan tổng hợp."
    )


def with_late_sentence(sections: list[Section], sentence: str | None) -> list[Section]:
    """The sections with the late sentence after the opening paragraph."""
    if not sentence or not sections:
        return sections
    first = sections[0]
    opening = Section(first.heading, [*first.paragraphs[:1], sentence, *first.paragraphs[1:]], set())
    return [opening, *sections[1:]]
