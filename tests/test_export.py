"""Xuất báo cáo and the demo: the export opens in LibreOffice with everything where a reader looks."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
from conftest import soffice
from openpyxl import load_workbook

from campaign.consolidation import consolidate
from workbooks.consolidated import write_export, write_master
from xl_addin.consolidate import from_folder


@pytest.fixture
def consolidation(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    for code in ("KT", "VP", "CA", "T01", "T02", "HPN", "DNMAY"):
        workbook(code, filled=True).rename(folder / f"{code}.xlsx")
    return consolidate(campaign, from_folder(campaign, folder)[0], as_of=dt.date(2026, 12, 10))


def _cells(ws):
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_export_has_decree_30_header_table_and_signature(consolidation, tmp_path, campaign):
    dest = write_export(consolidation, tmp_path / "bao-cao.xlsx", when=dt.date(2026, 12, 10))
    wb = load_workbook(dest)
    assert wb.sheetnames[:2] == ["Báo cáo", "Phụ lục I"] and "Biểu đồ" in wb.sheetnames
    ws = wb["Báo cáo"]
    cells = _cells(ws)
    assert cells["A1"] == "ỦY BAN NHÂN DÂN" and cells["A2"] == "XÃ VĨNH BẢO"
    right = [v for k, v in cells.items() if k[0] >= "D" and k[1:] in ("1", "2", "4")]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "Vĩnh Bảo, ngày 10 tháng 12 năm 2026" in right
    assert cells["A4"].startswith("Số:") and "/BC-UBND" in cells["A4"]
    assert "BÁO CÁO" in cells.values()
    header_row = next(c.row for row in ws.iter_rows() for c in row if c.value == "Chỉ tiêu")
    codes = [ws.cell(r, 2).value for r in range(header_row + 1, header_row + 1 + len(campaign.targets))]
    assert codes == [t.code for t in campaign.targets]
    nn = next(c for row in ws.iter_rows() for c in row if c.value == "Nơi nhận:")
    signer = next(c for row in ws.iter_rows() for c in row if c.value == campaign.signer_name)
    assert nn.row > header_row + len(campaign.targets) and signer.column > nn.column
    assert any(v == "TM. ỦY BAN NHÂN DÂN" for v in cells.values())
    assert ws.page_setup.paperSize in (9, "9") and {c.font.name for c in ws["A"] if c.value} == {"Times New Roman"}
    assert wb["Biểu đồ"]._charts  # charts of progress
    assert not dest.with_suffix(".xlsm").exists() and dest.suffix == ".xlsx"


def test_master_workbook_has_every_table(consolidation, tmp_path):
    dest = write_master(consolidation, tmp_path / "tong-hop.xlsx")
    wb = load_workbook(dest)
    assert wb.sheetnames == [
        "Tổng quan",
        "Nội dung báo cáo",
        "Chỉ tiêu toàn xã",
        "Đơn vị nộp báo cáo",
        "Cụm, khối",
        "Xếp hạng",
        "Mô hình, điển hình",
        "Đề nghị khen thưởng",
        "Khen thưởng theo cấp",
        "Dẫn đầu cụm, khối",
        "Minh chứng",
        "Kết quả kiểm tra",
        "Dữ liệu",
    ]
    assert wb["Kết quả kiểm tra"].auto_filter.ref.startswith("A2:")
    units = [r[1] for r in wb["Đơn vị nộp báo cáo"].iter_rows(min_row=3, values_only=True)]
    assert len(units) == 40


@pytest.mark.slow
def test_export_renders_to_pdf_in_reading_order(consolidation, tmp_path, campaign):
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    from workbooks.render_pdf import to_pdf

    dest = write_export(consolidation, tmp_path / "bao-cao.xlsx", when=dt.date(2026, 12, 10))
    pdf = to_pdf(dest, tmp_path)
    assert pdf is not None and pdf.stat().st_size > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        order = [
            text.find(s)
            for s in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "CT01", "CT16", "Nơi nhận", campaign.signer_name)
        ]
        assert all(i >= 0 for i in order) and order == sorted(order), order


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", "demo", "--out", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Tổng hợp" in proc.stdout and "CT16" in proc.stdout
    out = tmp_path / "demo"
    assert (out / "tong-hop.xlsx").exists() and (out / "bao-cao-gui-thanh-pho.xlsx").exists()
    assert len(list((out / "don-vi").glob("*.xlsx"))) == 40
    assert len(list((out / "thu-muc-chung" / "vinh-bao-2026" / "don-vi").glob("*.json"))) >= 30


@pytest.mark.slow
def test_the_data_sheet_is_an_excel_table_that_libreoffice_opens_and_sums_to_the_commune_figure(
    consolidation, tmp_path
):
    from conftest import libreoffice_convert
    from openpyxl import load_workbook

    from workbooks.consolidated import write_master
    from workbooks.data_sheet import SHEET, TABLE_NAME, write_csv
    from workbooks.grid_reader import read_grids

    master = write_master(consolidation, tmp_path / "tong-hop.xlsx")
    ws = load_workbook(master)[SHEET]
    assert TABLE_NAME in ws.tables and ws.tables[TABLE_NAME].ref.startswith("A1:")
    ods = libreoffice_convert(master, "ods", tmp_path / "lo")
    grid = read_grids(ods, {SHEET})[SHEET]  # as LibreOffice saved it
    header, rows = grid[0], grid[1:]
    col = {h: i for i, h in enumerate(header)}
    ct07 = [r for r in rows if r[col["Mã chỉ tiêu"]] == "CT07"]
    households = sum(r[col["Giá trị số liệu 2"]] for r in ct07)
    assert households == consolidation.target("CT07").inputs[1]  # what a PivotTable would sum
    csv = write_csv(consolidation, tmp_path / "du-lieu.csv").read_text("utf-8-sig").splitlines()
    assert len(csv) == len(rows) + 1 and csv[0].split(";") == header


def test_writing_the_master_does_not_load_pandas_which_only_the_csv_needs(tmp_path):
    # 35 MB of a 5 000-unit Tổng hợp's peak memory (bench/bench.py consolidate)
    script = (
        "import datetime as dt, sys\n"
        "from pathlib import Path\n"
        "from campaign.consolidation import consolidate\n"
        "from workbooks.campaign_workbook import load_default\n"
        "from workbooks.consolidated import write_master\n"
        "from workbooks.data_sheet import write_csv\n"
        "c = consolidate(load_default(), [], as_of=dt.date(2026, 12, 10))\n"
        "write_master(c, Path(sys.argv[1]) / 'tong-hop.xlsx')\n"
        "print('pandas' in sys.modules)\n"
        "write_csv(c, Path(sys.argv[1]) / 'du-lieu.csv')\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    assert (tmp_path / "tong-hop.xlsx").exists() and (tmp_path / "du-lieu.csv").exists()
