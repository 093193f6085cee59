"""Messages written for whoever reads them: the sheets people read carry words, not codes."""

from __future__ import annotations

import re

from openpyxl import load_workbook

from campaign.findings import MESSAGES
from workbooks.writer import fill_entries
from xl_addin.cli import main

CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def test_the_check_results_sheet_keeps_codes_in_its_last_column_only(workbook, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT09": {"input_a": "abc"}, "CT07": {"input_a": "1.300"}}})
    path.rename(inbox / path.name)
    assert main(["consolidate", "--from-folder", str(inbox), "--out", str(tmp_path / "th.xlsx")]) == 0
    ws = load_workbook(tmp_path / "th.xlsx")["Kết quả kiểm tra"]
    rows = [[c.value for c in row] for row in ws.iter_rows() if any(c.value for c in row)]
    header = next(r for r in rows if r[0] == "Đơn vị")
    body = rows[rows.index(header) + 1 :]
    assert "hỗ trợ" in header[-1]
    assert {r[-1] for r in body} >= {"so.khong_phai_so"}
    for r in body:
        for value in r[:-1]:
            assert not (isinstance(value, str) and CODE.fullmatch(value.strip())), r
            assert not (isinstance(value, str) and any(code in value for code in MESSAGES)), r


def test_a_number_kept_as_text_is_told_to_be_retyped_by_kiem_tra_as_by_the_sheet():
    """The sheet's check column says such a cell cannot be computed and asks for the number
    again; Kiểm tra said 'Không cần sửa' of the same cell (a new user's trial): now both ask
    for it, Kiểm tra adding that the report itself reads it."""
    from campaign.findings import FC, MESSAGES

    engine, sheet = MESSAGES[FC.SO_LUU_DANG_CHU][2].lower(), MESSAGES[FC.CONG_THUC_O_CHU][2].lower()
    assert "gõ lại số vào ô" in engine and "gõ lại số vào ô" in sheet
    assert "không có dấu ' ở đầu" in engine and "không có dấu ' ở đầu" in sheet
