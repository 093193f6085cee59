"""Xuất báo cáo, the one use case both front ends and the demo call: the report to the city
(.docx, and .pdf where LibreOffice is installed) and its figures workbook (.xlsx), all from one
consolidation.

The words come from the master's "Nội dung báo cáo" sheet when there is one. That sheet keeps
the fingerprint of the consolidation it was drafted from: when the export's own consolidation
says something else (another source, reports arrived since), the export refuses and says which
units differ, rather than send a body that contradicts its annexes. A final export refuses
while a gap marked for the consolidator is left; a draft (`draft=True`) prints them, marked
DỰ THẢO. Past the deadline the body says the report is late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from campaign.consolidation import Consolidation
from campaign.refusals import RC, ExportRefused
from campaign.report_tables import consolidation_digest, status_differences
from campaign.report_text import (
    NARRATIVE_SHEET,
    Narrative,
    draft_sections,
    from_rows,
    gaps,
    late_sentence,
    refresh_figures,
    to_rows,
    with_late_sentence,
)
from workbooks.consolidated import write_export
from workbooks.render_pdf import to_pdf
from workbooks.report_document import write_document


@dataclass
class Exported:
    document: Path
    data: Path
    pdf: Path | None
    draft: bool
    late: bool
    gaps: list[tuple[int, str]]  # (row, heading) of the gaps a draft still shows


def _check_same_source(c: Consolidation, narrative: Narrative, source: str) -> None:
    if not narrative.digest or narrative.digest == consolidation_digest(c):
        return
    differences = status_differences(c, narrative.units_grid) or [
        "số liệu của các đơn vị đã thay đổi kể từ lần Tổng hợp soạn nội dung này"
    ]
    raise ExportRefused(RC.XUAT_KHAC_NGUON, master=narrative.master, source=source, where="\n  ".join(differences[:12]))


def _words(c: Consolidation, narrative: Narrative | None, draft: bool) -> tuple[list[list], list[tuple[int, str]]]:
    """The narrative rows with this consolidation's figures, and the gaps left in them."""
    drafted = to_rows(draft_sections(c))
    rows = refresh_figures(narrative.rows, drafted) if narrative and narrative.rows else drafted
    left = gaps(rows)
    if left and not draft:
        where = [f"dòng {row} ({heading})" for row, heading in left]
        master = narrative.master if narrative else "sổ tổng hợp (chạy Tổng hợp để tạo)"
        raise ExportRefused(
            RC.XUAT_CON_CHO_TRONG, count=len(left), sheet=NARRATIVE_SHEET, master=master, where="\n  ".join(where)
        )
    return rows, left


def export_report(
    c: Consolidation,
    stem: Path,
    when: dt.date,
    narrative: Narrative | None = None,
    draft: bool = False,
    pdf: bool = True,
    source: str = "",
) -> Exported:
    """Refuses (ExportRefused) before writing anything; then writes stem.docx, stem.xlsx and,
    with `pdf` and LibreOffice, stem.pdf."""
    if narrative is not None:
        _check_same_source(c, narrative, source)
    rows, left = _words(c, narrative, draft)
    late = late_sentence(c, when)
    sections = with_late_sentence(from_rows(rows), late)
    stem = Path(stem)
    document = write_document(c, sections, stem.with_suffix(".docx"), when=when, draft=draft)
    data = write_export(c, stem.with_suffix(".xlsx"), when=when, draft=draft)
    made = to_pdf(document, stem.parent) if pdf else None
    return Exported(document, data, made, draft, late is not None, left)
