"""The report to the city as a Decree 30/2020/NĐ-CP document (python-docx).

Phụ lục I of the decree, as docs/decree-30.md sums it up, rule by rule: A4; margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, black; the issuing body bold in
capitals over a short rule (UBND xã has no supervising body: "ỦY BAN NHÂN DÂN / XÃ …" is one
name on two lines); Quốc hiệu 12 pt bold, Tiêu ngữ 13 pt bold over a rule as long as it; "Số:
…/BC-UBND"; the place and date in italics with the leading-zero rule; "BÁO CÁO" and the trích
yếu bold and centred, a rule below; "Kính gửi:"; body text 14 pt, justified, first-line
indent 1.27 cm, 6 pt after each paragraph; the page number centred in the top margin, none on
page 1; "Nơi nhận:" 12 pt bold italic with 11 pt items opening with "- Như trên;"; the
signature block bold in capitals. Tables go to annexes, landscape, each numbered from its own
page 1 ("Phụ lục I, II…" centred and bold, then the italic "Kèm theo" line), at 12 pt.

The annexes are `campaign.report_tables.city_report`'s, the tables the text counts from. Their
columns are as wide as their contents measured in the document's font, never narrower than their
longest word, so words wrap at spaces and are never split; rows never break across a page and the
last two rows stay together. A draft carries "DỰ THẢO" boxed at the top of page 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from campaign.consolidation import Consolidation, Table
from campaign.report_tables import DRAFT, ROMAN, city_report
from campaign.report_text import Section, vn_date
from workbooks.atomic import write_bytes_atomic
from workbooks.font_metrics import text_width_mm

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 12
TEXT_WIDTH_MM = 210 - 30 - 15  # portrait A4 between Decree 30's margins
ANNEX_TEXT_MM = 297 - 20 - 15  # landscape A4 between the annex margins
CELL_PAD_MM = 2 * 1.9 + 1.2  # a cell's left and right margins (0,19 cm each), and a little air
LONGEST_WORD_SHARE = 0.4  # a column never takes more than this of the width for one long word


def _issuer_lines(issuer: str) -> list[str]:
    """'ỦY BAN NHÂN DÂN XÃ VĨNH BẢO' -> ['ỦY BAN NHÂN DÂN', 'XÃ VĨNH BẢO']."""
    for level in (" XÃ ", " PHƯỜNG ", " ĐẶC KHU "):
        if level in issuer:
            head, _, tail = issuer.partition(level)
            return [head.strip(), (level + tail).strip()]
    return [issuer]


def _rule(paragraph: Any, width_mm: float, text_width_mm: float) -> None:
    """A solid rule under a paragraph, `width_mm` long and centred: a bottom border of an empty
    paragraph indented from both sides."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    side = max(0.0, (text_width_mm - width_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    pbdr.append(bottom)
    paragraph._p.get_or_add_pPr().append(pbdr)
    run = paragraph.add_run()
    run.font.size = Pt(2)


def _page_number(section: Any, start_at_one: bool) -> None:
    """The page number centred in the top margin, none on the section's first page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(BODY_PT * 2))
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    for r in p.runs:
        r.font.size = Pt(BODY_PT)
    section.first_page_header.is_linked_to_previous = False
    if start_at_one:
        num = OxmlElement("w:pgNumType")
        num.set(qn("w:start"), "1")
        section._sectPr.append(num)


def _para(container: Any, text: str = "", size: int = BODY_PT, bold=False, italic=False, align=None, indent=False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(6 if indent else 0)
    fmt.line_spacing = 1.15 if indent else 1.0
    if indent:
        fmt.first_line_indent = Mm(12.7)
    p.alignment = {"c": WD_ALIGN_PARAGRAPH.CENTER, "j": WD_ALIGN_PARAGRAPH.JUSTIFY, None: None}[align]
    if text:
        run = p.add_run(text)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    return p


def _no_borders(table: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def _widths(table: Any, mm: tuple[float, ...]) -> None:
    """Fixed column widths (Word and LibreOffice read the grid, not only the cells)."""
    from docx.shared import Mm

    table.autofit = False
    for col, w in zip(table.columns, mm):
        col.width = Mm(w)
        for cell in col.cells:
            cell.width = Mm(w)


def _cell_text(v: Any) -> str:
    from decimal import Decimal

    from campaign.numbers import vn_number

    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return f"{v:%d/%m/%Y %H:%M}"
    if isinstance(v, dt.date):
        return f"{v:%d/%m/%Y}"
    if isinstance(v, Decimal):
        return vn_number(v.normalize() if v == v.to_integral() else v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return vn_number(Decimal(repr(v))) if isinstance(v, float) else vn_number(v)
    return _xml_safe(str(v))


def _xml_safe(text: str) -> str:
    """Text a unit typed, without the control characters XML cannot hold (lxml refuses them)."""
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


def column_widths(table: Table, total_mm: float = ANNEX_TEXT_MM) -> list[float]:
    """Millimetres per column, from their contents measured in the document's font: a column
    whose typical text fits its fair share gets all of it (short columns on one line), the rest
    share what is left, each never narrower than its longest word (bold in the header)."""
    columns = list(zip(*([table.headers] + [[_cell_text(v) for v in row] for row in table.rows]), strict=False))
    least, wants = [], []
    for col in columns:
        words = [(w, i == 0) for i, text in enumerate(col) for w in str(text).split()]
        word = max((text_width_mm(w, TABLE_PT, bold) for w, bold in words), default=0) + CELL_PAD_MM
        least.append(min(word, total_mm * LONGEST_WORD_SHARE))
        # what most of its cells need on one line: a rare long cell wraps rather than widen the column
        lengths = sorted(text_width_mm(str(text), TABLE_PT) for text in col[1:]) or [0.0]
        typical = lengths[int(len(lengths) * 0.8)] if len(lengths) > 1 else lengths[0]
        header_two_lines = text_width_mm(str(col[0]), TABLE_PT, True) / 2
        wants.append(max(typical, header_two_lines) + CELL_PAD_MM)
        wants[-1] = max(wants[-1], least[-1])
    widths: dict[int, float] = {}
    pending, remaining = set(range(len(columns))), float(total_mm)
    while pending:  # water-filling: settle every column that fits its share, then share again
        fair = remaining / len(pending)
        fits = {i for i in pending if wants[i] <= fair}
        if not fits:
            break
        for i in fits:
            widths[i] = wants[i]
            remaining -= wants[i]
        pending -= fits
    if pending:
        floor = sum(least[i] for i in pending)
        extra = sum(wants[i] - least[i] for i in pending)
        for i in pending:
            if remaining <= floor:
                widths[i] = least[i] * remaining / floor
            else:
                widths[i] = least[i] + (remaining - floor) * (wants[i] - least[i]) / extra
    elif remaining > 0:
        for i in widths:
            widths[i] += remaining / len(widths)
    return [widths[i] for i in range(len(columns))]


def _row_props(row: Any, header: bool = False, keep_with_next: bool = False) -> None:
    """A row that never breaks across a page; the header repeats on every page."""
    from docx.oxml import OxmlElement

    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:cantSplit"))
    if header:
        props.append(OxmlElement("w:tblHeader"))
    if keep_with_next:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _annex_table(doc: Any, table: Table) -> None:
    from docx.shared import Pt

    t = doc.add_table(rows=1, cols=len(table.headers))
    t.style = "Table Grid"
    _widths(t, tuple(column_widths(table)))
    head = t.rows[0]
    _row_props(head, header=True, keep_with_next=True)
    for cell, text in zip(head.cells, table.headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.font.size, run.font.bold = Pt(TABLE_PT), True
    rows = table.rows or [["(không có)"] + [""] * (len(table.headers) - 1)]
    for n, row in enumerate(rows):
        added = t.add_row()
        for cell, v in zip(added.cells, row):
            run = cell.paragraphs[0].add_run(_cell_text(v))
            run.font.size = Pt(TABLE_PT)
        # the last two rows together: a page never holds a table's last row alone
        _row_props(added, keep_with_next=n == len(rows) - 2)


def _draft_mark(doc: Any) -> None:
    """ "DỰ THẢO" boxed, bold, at the top left of page 1, as a draft document is marked."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    p = _para(doc, DRAFT, 14, bold=True)
    p.paragraph_format.right_indent = Mm(TEXT_WIDTH_MM - 32)
    p.paragraph_format.space_after = Pt(6)
    p.alignment = 1
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        e = OxmlElement(f"w:{edge}")
        for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "2"), ("w:color", "000000")):
            e.set(qn(k), v)
        borders.append(e)
    p._p.get_or_add_pPr().append(borders)


def _metadata(doc: Any, c: Consolidation, summary: str, draft: bool) -> None:
    """Author and title as the city's document management reads them: the issuing body and the
    trích yếu (python-docx would otherwise sign every document "python-docx")."""
    camp = c.campaign
    props = doc.core_properties
    issuer = camp.issuer[:1] + camp.issuer[1:].lower()
    props.author = props.last_modified_by = issuer.replace("xã " + camp.place.lower(), "xã " + camp.place)
    props.title = ("Dự thảo - " if draft else "") + f"Báo cáo {summary[:1].lower()}{summary[1:]}"
    props.subject = f"Phong trào thi đua năm {camp.year}"
    props.keywords = "báo cáo; thi đua; khen thưởng"
    props.comments = ""


def _letterhead(doc: Any, camp: Any, when: dt.date) -> None:
    """Issuing body | Quốc hiệu and Tiêu ngữ; then Số | place and date, on one line."""
    from docx.shared import Pt

    head = doc.add_table(rows=2, cols=2)
    _no_borders(head)
    _widths(head, (65, TEXT_WIDTH_MM - 65))
    left, right = head.rows[0].cells
    for i, line in enumerate(_issuer_lines(camp.issuer)):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        p.alignment = 1
        r = p.add_run(line)
        r.font.size, r.font.bold = Pt(13), True
    _rule(left.add_paragraph(), 22, 65)
    first = right.paragraphs[0]
    first.alignment = 1
    r = first.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    r.font.size, r.font.bold = Pt(12), True
    _para(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True, align="c")
    _rule(right.add_paragraph(), 60, TEXT_WIDTH_MM - 65)
    left, right = head.rows[1].cells
    left.paragraphs[0].alignment = 1
    left.paragraphs[0].add_run(f"Số: {_number(camp)}/BC-UBND").font.size = Pt(13)
    right.paragraphs[0].alignment = 1
    date = right.paragraphs[0].add_run(vn_date(camp.place, when))
    date.font.size, date.font.italic = Pt(14), True


def _number(camp: Any) -> str:
    return camp.document_number or "      "


def _summary(camp: Any) -> str:
    """The trích yếu."""
    return (
        f"Tổng kết phong trào thi đua, công tác khen thưởng năm {camp.year}; phương hướng, nhiệm vụ năm {camp.year + 1}"
    )


def _body(doc: Any, camp: Any, sections: list[Section]) -> None:
    _para(doc, "")
    _para(doc, "BÁO CÁO", 14, bold=True, align="c")
    _para(doc, _summary(camp), 14, bold=True, align="c")
    _rule(doc.add_paragraph(), 50, TEXT_WIDTH_MM)
    _para(doc, f"Kính gửi: {camp.report_to}.", 14, align="c")
    _para(doc, "")
    for s in sections:
        if s.heading:
            top = s.heading.startswith("PHẦN")
            _para(doc, s.heading, 14, bold=True, align="c" if top else "j", indent=not top)
        for text in s.paragraphs:
            _para(doc, _xml_safe(text), 14, align="j", indent=True)
    _para(
        doc,
        f"Trên đây là báo cáo tổng kết phong trào thi đua, công tác khen thưởng năm {camp.year}; phương hướng, "
        f"nhiệm vụ năm {camp.year + 1} của Ủy ban nhân dân xã {camp.place}./.",
        14,
        align="j",
        indent=True,
    )


def _signature(doc: Any, camp: Any) -> None:
    """Nơi nhận on the left, the signer on the right."""
    from docx.shared import Pt

    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    _widths(sign, (80, TEXT_WIDTH_MM - 80))
    to, who = sign.rows[0].cells
    r = to.paragraphs[0].add_run("Nơi nhận:")
    r.font.size, r.font.bold, r.font.italic = Pt(12), True, True
    items = ["Như trên", *camp.recipients]
    for i, item in enumerate(items):
        _para(to, f"- {item}{'.' if i == len(items) - 1 else ';'}", 11)
    who.paragraphs[0].text = ""
    for i, line in enumerate(camp.signer_lines):
        p = who.paragraphs[0] if i == 0 else who.add_paragraph()
        p.alignment = 1
        r = p.add_run(line.upper())
        r.font.size, r.font.bold = Pt(14), True
    for _ in range(4):
        _para(who, "")
    _para(who, camp.signer_name, 14, bold=True, align="c")


def _annexes(doc: Any, c: Consolidation, when: dt.date) -> None:
    """Each annex on landscape pages of its own, numbered from 1."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    camp = c.campaign
    reference = (
        f"(Kèm theo Báo cáo số {_number(camp)}/BC-UBND ngày {when.day:02d}/{when.month:02d}/{when.year} "
        f"của Ủy ban nhân dân xã {camp.place})"
    )
    for i, table in enumerate(city_report(c).annexes):
        annex = doc.add_section(WD_SECTION.NEW_PAGE)
        annex.orientation = WD_ORIENT.LANDSCAPE
        annex.page_width, annex.page_height = Mm(297), Mm(210)
        annex.top_margin, annex.bottom_margin, annex.left_margin, annex.right_margin = Mm(20), Mm(20), Mm(20), Mm(15)
        _page_number(annex, start_at_one=True)
        _para(doc, f"Phụ lục {ROMAN[i]}", 14, bold=True, align="c")
        title, _, note = table.title.partition(" (")
        _para(doc, title, 14, bold=True, align="c")
        if note:
            _para(doc, "(" + note, 13, italic=True, align="c")
        _para(doc, reference, 14, italic=True, align="c")
        _para(doc, "")
        _annex_table(doc, table)


def write_document(
    c: Consolidation, sections: list[Section], dest: Path, when: dt.date | None = None, draft: bool = False
) -> Path:
    """The report, Decree 30's way; written atomically. `draft`: marked DỰ THẢO at the top."""
    import io

    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    camp = c.campaign
    when = when or dt.date.today()
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    sec.header_distance = Mm(10)
    _page_number(sec, start_at_one=False)
    if draft:
        _draft_mark(doc)
    _letterhead(doc, camp, when)
    _body(doc, camp, sections)
    _signature(doc, camp)
    _annexes(doc, c, when)
    _metadata(doc, c, _summary(camp), draft)
    out = io.BytesIO()
    doc.save(out)
    write_bytes_atomic(Path(dest), out.getvalue())
    return Path(dest)
