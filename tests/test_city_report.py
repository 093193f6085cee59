"""The report a city officer reads, read back from the PDF LibreOffice renders: one source, names
not codes, real words, tables that read, draft versus final, the late date said.

The demo's run is the fixture: 40 units, some late, some never, some refused, one report
returned and sent again, two accepted; its master's narrative written as a consolidator would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import soffice

from campaign.report_tables import SENT_LATE, SENT_ON_TIME

pytestmark = pytest.mark.slow
ANNEX = re.compile(r"^\s*Phụ lục (I|II|III|IV|V)\s*$", re.MULTILINE)
REVIEW_WORDS = ("duyệt", "trả lại", "thư mục chung", "chờ", "Kiểm tra", "thidua", "tab ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from workbooks.campaign_workbook import load_default
    from xl_addin.demo import run_demo

    if soffice() is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path_factory.mktemp("demo") / "demo"
    files = run_demo(load_default(), out, pdf=True, echo=lambda *_: None)
    return files


def _pages(pdf: Path) -> list[dict]:
    import pdfplumber

    with pdfplumber.open(pdf) as opened:
        pages = [{"text": p.extract_text() or "", "tables": p.extract_tables()} for p in opened.pages]
        meta = dict(opened.metadata)
    pages[0]["meta"] = meta
    return pages


@pytest.fixture(scope="module")
def final(demo):
    return _pages(demo["pdf"])


def _annexes(pages: list[dict]) -> dict[str, list[list[str]]]:
    """Annex numeral -> its table's rows across its pages (each page's repeated header dropped)."""
    out: dict[str, list[list[str]]] = {}
    current = None
    for p in pages:
        m = ANNEX.search(p["text"])
        if m:
            current = m[1]
            out[current] = []
        if current is None:
            continue
        for t in p["tables"]:
            rows = [[c or "" for c in r] for r in t]
            if not out[current]:
                out[current].append(rows[0])
            out[current] += rows[1:]
    return out


def _body(pages: list[dict]) -> str:
    text = []
    for p in pages:
        if ANNEX.search(p["text"]):
            break
        text.append(p["text"])
    return " ".join(" ".join(text).split())


def test_no_word_is_split_inside_any_cell(demo, final):
    """Every cell's lines joined with spaces are exactly the words the table holds: a line
    broke only where a space was."""
    from workbooks.report_document import _cell_text

    sources = {
        " ".join(_cell_text(v).split()) for t in _city(demo).annexes for row in [t.headers, *t.rows] for v in row
    }
    cells = [c for p in final for t in p["tables"] for r in t for c in r if c]
    assert len(cells) > 500
    broken = [c for c in cells if " ".join(c.split()) not in sources]
    assert broken == [], broken[:10]


def _city(demo):
    """The demo's city report recomputed from its share: the tables the PDF should show."""
    import datetime as dt

    from campaign.consolidation import consolidate
    from campaign.report_tables import city_report
    from sync.folder import FolderBackend
    from sync.seals import office_keyring
    from workbooks.campaign_workbook import load_default
    from xl_addin.consolidate import from_backend

    campaign = load_default()
    # on the demo's office PC: its campaign secret checks the units' signatures
    admin = FolderBackend(demo["share"], campaign.id, keyring=office_keyring(campaign.id, demo["office"]))
    subs = from_backend(campaign, admin, now=dt.datetime(2026, 12, 10, 8))
    return city_report(consolidate(campaign, subs, as_of=dt.date(2026, 12, 10)))


def test_no_unit_code_outside_a_ma_column(final):
    from workbooks.campaign_workbook import load_default

    codes = {u.code for u in load_default().units}
    word = re.compile(r"[\w]+", re.UNICODE)
    # up to the closing line: "KT. CHỦ TỊCH", "Lưu: VT, VHXH." are Decree 30's abbreviations, not our codes
    text = _body(final).split("Trên đây là báo cáo")[0]
    body_codes = {w for w in word.findall(text) if w in codes}
    assert body_codes == set()
    for numeral, rows in _annexes(final).items():
        header = rows[0]
        for row in rows[1:]:
            for head, cell in zip(header, row):
                if head != "Mã":
                    assert not {w for w in word.findall(cell) if w in codes}, (numeral, head, cell)


def test_a_final_export_has_no_placeholder_no_ellipsis_and_no_review_state(final):
    text = " ".join(p["text"] for p in final)
    assert "[Phòng Văn hóa" not in text and "…" not in text and "DỰ THẢO" not in _body(final)
    lowered = text.lower()
    assert [w for w in REVIEW_WORDS if w.lower() in lowered] == []
    assert "căn cứ chưa đối chiếu" not in lowered
    assert "Duyệt" not in _annexes(final)["II"][0]


def test_body_counts_equal_the_annexes_rows_and_the_figures_workbook(demo, final):
    from openpyxl import load_workbook

    body = _body(final)
    annex = _annexes(final)
    sent = [r for r in annex["II"][1:] if r[3] in (SENT_ON_TIME, SENT_LATE)]
    m = re.search(
        r"(\d+)/(\d+) cơ quan, đơn vị, thôn và doanh nghiệp đã gửi báo cáo \((\d+) đúng hạn, (\d+) muộn\)", body
    )
    assert m and int(m[1]) == len(sent) and int(m[2]) == len(annex["II"]) - 1
    assert int(m[4]) == sum(1 for r in sent if r[3] == SENT_LATE)
    proposals = int(re.search(r"đề nghị (\d+) trường hợp khen thưởng", body)[1])
    models = int(re.search(r"giới thiệu (\d+) mô hình", body)[1])
    assert proposals == len(annex["IV"]) - 1 and models == len(annex["III"]) - 1
    assert "Huân chương" not in " ".join(" ".join(r) for r in annex["IV"])  # rejected by the checks: in neither
    beyond = sum(1 for r in annex["IV"][1:] if "Trình" in r[-1])
    assert f"Trong đó {beyond} trường hợp thuộc thẩm quyền cấp trên" in body and beyond > 0
    wb = load_workbook(demo["export"])
    assert [n for n in wb.sheetnames if n.startswith("Phụ lục")] == [
        f"Phụ lục {n}" for n in ("I", "II", "III", "IV", "V")
    ]
    data_rows = [r for r in wb["Phụ lục IV"].iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert len(data_rows) == proposals
    words = " ".join(str(c.value) for row in wb["Báo cáo"].iter_rows() for c in row if c.value)
    assert f"đề nghị {proposals} trường hợp khen thưởng, trong đó {beyond} trường hợp" in words
    assert f"{m[1]}/{m[2]} cơ quan" in words


def test_no_row_splits_across_pages_and_no_page_holds_a_lone_row(final):
    """Every row on every page starts with its first cell (a row broken by a page would go on
    with an empty one), the numbers run on without a gap or a repeat, and a page of a table
    that goes on from the page before holds at least two rows."""
    for numeral, rows in _annexes(final).items():
        assert all(r[0].strip() for r in rows), numeral
        if rows[0][0] == "STT":
            assert [int(r[0]) for r in rows[1:]] == list(range(1, len(rows)))
    pages = [p for p in final if p["tables"] and not ANNEX.search(p["text"])]
    assert pages and all(len(p["tables"][0]) >= 3 for p in pages)  # the header, then two rows or more


def test_the_ranking_says_draft_and_ranks_no_unit_without_targets_beside_the_rest(final):
    ranking = _annexes(final)["V"]
    text = " ".join(p["text"] for p in final if "XẾP HẠNG" in p["text"])
    assert "DỰ THẢO: thang điểm chưa có quyết định ban hành" in " ".join(text.split())
    apart = [r for r in ranking[1:] if "chỉ chấm điểm nhiệm vụ" in " ".join(r[-1].split())]
    assert len(apart) >= 5  # the mass organisations and the schools: no target is scored
    for row in apart:  # listed with the reason, no rank and no total beside the others'
        assert " ".join(row[1].split()) == "Không xếp hạng" and row[-2] == ""
    ranked = [r for r in ranking[1:] if r[1].isdigit()]
    assert ranked and all(r[-2] for r in ranked)


def test_the_late_date_is_said_in_the_body_and_the_metadata_name_the_issuer(final):
    body = _body(final)
    assert "ngày 10 tháng 12 năm 2026" in body
    assert "được gửi chậm so với thời hạn (trước ngày 07/12/2026)" in body
    meta = final[0]["meta"]
    assert meta["Author"] == "Ủy ban nhân dân xã Vĩnh Bảo"
    assert meta["Title"].startswith("Báo cáo tổng kết phong trào thi đua")


def test_the_draft_is_marked_and_shows_what_is_left_to_write(demo):
    from docx import Document

    doc = Document(demo["draft"])
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "DỰ THẢO"
    assert sum("[Phòng Văn hóa - Xã hội viết:" in p for p in paragraphs) == 5
    assert Document(demo["document"]).paragraphs[0].text != "DỰ THẢO"


def _cli(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    """The CLI; `home`: the consolidator settings it runs with (the demo's office PC)."""
    env = {**os.environ, **({"THIDUA_HOME": str(home)} if home else {})}
    return subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", *args],
        capture_output=True, text=True, timeout=600, cwd=cwd, check=False, env=env,
    )  # fmt: skip


def test_consolidating_from_a_folder_then_exporting_from_the_share_is_refused_by_name(demo, tmp_path):
    """The officer's contradiction, tried as a consolidator would: Tổng hợp from e-mailed files,
    then the export from the share. The export refuses and names the units that differ; from
    the same folder it agrees, and its body counts its own annexes."""
    from docx import Document

    inbox = tmp_path / "nhan"
    inbox.mkdir()
    for path in sorted(demo["units"].glob("*.xlsx"))[:8]:
        shutil.copy(path, inbox / path.name)
    master = tmp_path / "tong-hop.xlsx"
    done = _cli("consolidate", "--from-folder", str(inbox), "--out", str(master), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    refused = _cli(
        "export", "--master", str(master), "--share", str(demo["share"]), "--out", "bc.docx", cwd=tmp_path,
        home=demo["office"],
    )  # fmt: skip
    assert refused.returncode == 2 and "soạn từ một lần tổng hợp khác" in refused.stderr, refused.stderr
    assert "sổ tổng hợp ghi" in refused.stderr and not (tmp_path / "bc.docx").exists()
    assert "xuất cũng với --from-folder" in refused.stderr  # the likely cause, said
    agreed = _cli(
        "export", "--master", str(master), "--from-folder", str(inbox), "--du-thao", "--date", "05/12/2026",
        "--out", "bc.docx", cwd=tmp_path,
    )  # fmt: skip
    assert agreed.returncode == 0, agreed.stderr
    doc = Document(tmp_path / "bc.docx")
    body = " ".join(p.text for p in doc.paragraphs)
    units = doc.tables[-4]  # Phụ lục II: the tables are the header, the signature, then I…V
    sent = sum(1 for r in units.rows[1:] if r.cells[3].text in (SENT_ON_TIME, SENT_LATE))
    assert f"{sent}/40 cơ quan" in body and "gửi chậm" not in body
    final = _cli("export", "--master", str(master), "--from-folder", str(inbox), "--out", "bc2.docx", cwd=tmp_path)
    assert final.returncode == 2 and "dòng" in final.stderr and "--du-thao" in final.stderr
