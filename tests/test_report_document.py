"""The report to the city read back as printed: LibreOffice renders the .docx to PDF and
pdfplumber measures it against Decree 30/2020/NĐ-CP, Phụ lục I (docs/decree-30-checklist.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import soffice

from campaign.consolidation import consolidate
from campaign.report_text import NARRATIVE_HEADER, draft_sections, from_rows, gaps, to_rows, vn_date
from workbooks.render_pdf import to_pdf
from workbooks.report_document import write_document
from xl_addin.consolidate import from_folder

MM = 72 / 25.4  # PDF points per millimetre
pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "day,expected",
    [
        (dt.date(2026, 12, 5), "Vĩnh Bảo, ngày 05 tháng 12 năm 2026"),  # a day under 10: a zero
        (dt.date(2026, 12, 10), "Vĩnh Bảo, ngày 10 tháng 12 năm 2026"),
        (dt.date(2027, 1, 9), "Vĩnh Bảo, ngày 09 tháng 01 năm 2027"),  # months 1 and 2: a zero
        (dt.date(2027, 2, 28), "Vĩnh Bảo, ngày 28 tháng 02 năm 2027"),
        (dt.date(2027, 3, 1), "Vĩnh Bảo, ngày 01 tháng 3 năm 2027"),  # from March: none
    ],
)
def test_the_date_line_follows_the_leading_zero_rule(day, expected):
    assert vn_date("Vĩnh Bảo", day) == expected


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, blank_dir):
    import pdfplumber

    from campaign.sample_data import clean_entries
    from workbooks.campaign_workbook import load_default
    from workbooks.writer import fill_entries

    if soffice() is None:
        pytest.skip("LibreOffice not installed")
    campaign = load_default()
    tmp = tmp_path_factory.mktemp("report")
    inbox = tmp / "nhan"
    inbox.mkdir()
    for code in ("KT", "VP", "CA", "T01", "T02", "HPN", "DNMAY"):
        path = inbox / f"{code}.xlsx"
        path.write_bytes((blank_dir / f"{code}.xlsx").read_bytes())
        fill_entries(path, clean_entries(campaign, campaign.unit(code), 1))
    c = consolidate(campaign, from_folder(campaign, inbox)[0], as_of=dt.date(2026, 12, 10))
    sections = from_rows(to_rows(draft_sections(c)))  # through the narrative sheet's round trip
    doc = write_document(c, sections, tmp / "bao-cao.docx", when=dt.date(2026, 12, 5))
    pdf = to_pdf(doc, tmp)
    with pdfplumber.open(pdf) as opened:
        pages = [
            {
                "width": p.width,
                "height": p.height,
                "chars": p.chars,
                "rects": p.rects,
                "text": p.extract_text() or "",
            }
            for p in opened.pages
        ]
    return pages


def _body_chars(page):
    return [c for c in page["chars"] if c["text"].strip()]


def test_page_one_margins_are_decree_30s(rendered):
    page = rendered[0]
    chars = [c for c in _body_chars(page) if c["top"] > 15 * MM]  # below the header margin
    assert page["width"] == pytest.approx(210 * MM, abs=2) and page["height"] == pytest.approx(297 * MM, abs=2)
    assert min(c["x0"] for c in chars) >= 30 * MM - 1  # left 30 mm
    assert max(c["x1"] for c in chars) <= (210 - 15) * MM + 1  # right 15 mm
    assert min(c["top"] for c in chars) >= 20 * MM - 1  # top 20 mm
    assert max(c["bottom"] for c in chars) <= (297 - 20) * MM + 1  # bottom 20 mm


def test_body_text_is_13_to_14_pt_and_nothing_printed_is_below_11_pt(rendered):
    page = rendered[0]
    opening = [c for c in _body_chars(page) if c["top"] > 95 * MM and c["top"] < 130 * MM]
    sizes = {round(c["size"]) for c in opening}
    assert sizes and sizes <= {13, 14}
    everywhere = [round(c["size"]) for p in rendered for c in _body_chars(p)]
    assert min(everywhere) >= 11  # the Nơi nhận items are 11 pt; tables 12 pt
    # Times New Roman where installed (every Windows PC); here LibreOffice substitutes Liberation
    # Serif, and DejaVu Serif for the Vietnamese letters this Liberation Serif lacks: serif faces only
    fonts = {c["fontname"].split("+")[-1].split(",")[0].split("-")[0] for p in rendered for c in _body_chars(p)}
    assert fonts <= {"TimesNewRoman", "TimesNewRomanPSMT", "LiberationSerif", "DejaVuSerif"}, fonts


def test_page_numbers_centred_in_the_top_margin_none_on_page_one_and_each_annex_from_one(rendered):
    def numbers(page):
        top = [c for c in _body_chars(page) if c["bottom"] < 20 * MM]
        return "".join(c["text"] for c in top), top

    assert numbers(rendered[0])[0] == ""
    text, chars = numbers(rendered[1])
    assert text == "2"
    centre = (chars[0]["x0"] + chars[-1]["x1"]) / 2
    assert centre == pytest.approx((30 + (210 - 30 - 15) / 2) * MM, abs=3 * MM)
    annexes = [i for i, p in enumerate(rendered) if p["text"].lstrip().startswith("Phụ lục")]
    assert len(annexes) >= 4
    for i in annexes:  # every annex opens on a landscape page with no number on it
        assert rendered[i]["width"] > rendered[i]["height"] and numbers(rendered[i])[0] == ""
    longer = next((i for i in annexes if i + 1 < len(rendered) and i + 1 not in annexes), None)
    if longer is not None:
        assert numbers(rendered[longer + 1])[0] == "2"  # numbered on its own


def test_black_text_only_and_no_coloured_fills(rendered):
    def black(colour):
        return colour in (None, 0, 0.0, (0,), [0], (0, 0, 0), [0, 0, 0], (0.0, 0.0, 0.0), [0.0, 0.0, 0.0])

    coloured = [c["text"] for p in rendered for c in _body_chars(p) if not black(c.get("non_stroking_color"))]
    assert coloured == []
    fills = [r for p in rendered for r in p["rects"] if r.get("fill") and not black(r.get("non_stroking_color"))]
    white = [r for r in fills if r.get("non_stroking_color") in ((1, 1, 1), [1, 1, 1], (1,), [1], 1)]
    assert len(fills) == len(white)


def test_header_and_closing_come_in_decree_30s_order(rendered):
    text = "\n".join(p["text"] for p in rendered)
    order = [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "XÃ VĨNH BẢO",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:",
        "Vĩnh Bảo, ngày 05 tháng 12 năm 2026",
        "BÁO CÁO",
        "Kính gửi: Sở Nội vụ thành phố Hải Phòng (Ban Thi đua - Khen thưởng).",
        "PHẦN THỨ NHẤT",
        "PHẦN THỨ HAI",
        "PHẦN THỨ BA",
        "Trên đây là báo cáo",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, VHXH.",
        "Phụ lục I KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",  # the annex, not "chi tiết tại Phụ lục I" in the text
        "(Kèm theo Báo cáo số",
        "Phụ lục II TÌNH HÌNH GỬI BÁO CÁO",
    ]
    flat = " ".join(text.split())
    positions = [flat.find(" ".join(s.split())) for s in order]
    assert all(p >= 0 for p in positions), [s for s, p in zip(order, positions) if p < 0]
    assert positions == sorted(positions)
    assert "TM. ỦY BAN NHÂN DÂN" in flat and "Nguyễn Văn Hà" in flat
    assert "Số đơn vị đã có số liệu" not in flat and "tổng tử số trên tổng mẫu số" not in flat  # no tool jargon


def test_the_narrative_sheet_round_trip_keeps_edits_and_names_the_gaps(consolidation_small):
    rows = to_rows(draft_sections(consolidation_small))
    assert rows[0] == NARRATIVE_HEADER
    assert gaps(rows)  # the drafted parts people must write are named
    edited = [r if "[Phòng Văn hóa - Xã hội viết" not in r[1] else [r[0], "Đã viết.", ""] for r in rows]
    edited.insert(3, ["", "Một đoạn thêm vào."])
    sections = from_rows(edited)
    assert not gaps(edited)
    assert any("Một đoạn thêm vào." in s.paragraphs for s in sections)
    assert [s.heading for s in sections if s.heading][:2] == [r[0] for r in rows[1:] if r[0]][:2]


@pytest.fixture
def consolidation_small(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    for code in ("KT", "T01"):
        workbook(code, filled=True).rename(folder / f"{code}.xlsx")
    return consolidate(campaign, from_folder(campaign, folder)[0], as_of=dt.date(2026, 12, 10))
