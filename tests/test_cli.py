"""The `thidua` command: validate and progress on real files, exit codes, results written back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.unit_report import entries_of
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.cli import main


def test_validate_clean_file_exits_0_and_writes_the_summary(workbook, capsys):
    path = workbook("KT", filled=True)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 lỗi" in out
    report = read_report(path)
    rep = report.sheets["report"]
    wb = load_workbook(path)
    summary = wb[rep.name].cell(rep.key_row + 1, rep.columns["check"]).value
    assert summary.startswith("Kiểm tra lúc") and "0 lỗi" in summary


def test_progress_writes_computed_columns_and_keeps_entries_and_a_backup(campaign, workbook, capsys):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": 975, "input_b": 1000}, "CT09": {"input_a": "97,5%"}}})
    before = entries_of(read_report(path))
    assert main(["progress", str(path)]) == 1  # CT09 has an error
    after_report = read_report(path)
    assert entries_of(after_report) == before  # nothing typed was touched
    # campaign rows compute themselves: their formulas stay, and Kiểm tra's own line follows the
    # row's check formula (the figures, from LibreOffice: tests/test_formulas_recalc.py)
    rep = after_report.sheets["report"]
    ws = load_workbook(path)[rep.name]
    formula = {c: ws.cell(rep.cell("CT07", c).row, rep.columns[c]).value for c in ("value", "pct_plan", "status")}
    assert all(str(v).startswith("=") for v in formula.values()), formula
    ct09_check = ws.cell(rep.cell("CT09", "check").row, rep.columns["check"]).value
    assert ct09_check.startswith("=") and "Lỗi:" in ct09_check and "97,5%" in ct09_check
    backups = list((path.parent / ".thidua-sao-luu").iterdir())
    assert len(backups) == 1 and entries_of(read_report(backups[0])) == before


def test_fixing_the_error_clears_the_check_cell(workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT09": {"input_a": "abc"}}})
    assert main(["validate", str(path)]) == 1
    fill_entries(path, {"report": {"CT09": {"input_a": 2000}}})
    assert main(["validate", str(path)]) == 0
    assert read_report(path).sheets["report"].cell("CT09", "check").value is None


def test_json_output_and_exit_2_for_an_unusable_file(workbook, tmp_path, capsys):
    good = workbook("CA", filled=True)
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook")
    code = main(["progress", "--json", str(good), str(bad)])
    assert code == 2
    data = json.loads(capsys.readouterr().out)
    assert data[0]["unit"] == "CA" and data[0]["targets"][0]["code"] == "CT16"
    assert "Không mở được tệp" in data[1]["refused"]


def test_workbook_new_for_one_and_all_units(tmp_path, campaign, capsys):
    assert main(["workbook", "new", "--unit", "CA", "--out", str(tmp_path / "a")]) == 0
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["vinh-bao-2026_CA.xlsx"]
    assert main(["workbook", "new", "--all", "--out", str(tmp_path / "b")]) == 0
    assert len(list((tmp_path / "b").glob("*.xlsx"))) == len(campaign.units)
    capsys.readouterr()
    assert main(["workbook", "new", "--unit", "XYZ", "--out", str(tmp_path / "c")]) == 2
    said = capsys.readouterr().err
    assert "Không có đơn vị mã XYZ" in said and "Các mã có: VP, KT," in said and "QTDND." in said  # which to type


def test_bad_campaign_file_is_a_clear_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[campaign]\nid = "x"\n[[targets]]\ncode = "A"\nrule = "nope"\n', "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", "--campaign", str(bad), "campaign", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "loại quy tắc 'nope' không có" in proc.stderr


def test_a_string_starting_with_equals_stays_text(workbook):
    path = workbook("HPN", filled=True)
    fill_entries(path, {"models": {"MH3": {"type": "Mô hình mới", "name": "=cmd|'/c calc'!A1", "description": "x"}}})
    wb = load_workbook(path)
    cell = next(c for row in wb[L.MODELS.name].iter_rows() for c in row if c.value == "=cmd|'/c calc'!A1")
    assert cell.data_type == "s"


def test_a_share_that_is_not_there_is_said_not_reported_as_forty_missing_units(tmp_path, monkeypatch, capsys):
    """A mistyped --share or an unmapped network drive must not produce a report saying that
    no unit reported; and an export told to use a master that is not there says so."""
    monkeypatch.chdir(tmp_path)
    assert main(["consolidate", "--share", str(tmp_path / "Z:" / "thi-dua")]) == 1
    err = capsys.readouterr().err
    assert "Không thấy dữ liệu đợt thi đua vinh-bao-2026" in err and "--share" in err
    assert not (tmp_path / "tong-hop.xlsx").exists()
    assert main(["export", "--share", str(tmp_path / "nowhere")]) == 1
    assert not list(tmp_path.glob("*.docx"))

    main(["sheet", "setup", "--share", str(tmp_path / "share")])
    capsys.readouterr()
    assert main(["export", "--share", str(tmp_path / "share"), "--master", "tong-hop-cu.xlsx"]) == 2
    assert "Không tìm thấy tệp 'tong-hop-cu.xlsx'" in capsys.readouterr().err
    # none named and none here: words drafted from the figures, and the consolidator is told; the
    # final is refused while the drafted gaps are unwritten, the draft (--du-thao) is written
    assert main(["export", "--share", str(tmp_path / "share"), "--out", str(tmp_path / "bc")]) == 2
    assert "--du-thao" in capsys.readouterr().err and not (tmp_path / "bc.docx").exists()
    assert main(["export", "--share", str(tmp_path / "share"), "--out", str(tmp_path / "bc"), "--du-thao"]) == 0
    assert "dùng bản nháp" in capsys.readouterr().err and (tmp_path / "bc.docx").exists()


def test_progress_names_an_error_deduction_only_when_there_is_one(workbook, capsys):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT09": {"input_a": "abc"}}})
    assert main(["progress", "--no-write", str(path)]) == 1
    out = capsys.readouterr().out
    assert "1 lỗi" in out and "Điểm:" in out
    assert "trừ lỗi" not in out and "vì 1 lỗi" not in out  # the 2026 campaign deducts nothing for errors


def test_upgrade_says_so_when_there_is_nothing_to_upgrade(workbook, capsys):
    path = workbook("T01", filled=True)
    before = path.read_bytes()
    assert main(["workbook", "upgrade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "không cần nâng cấp" in out and "Đã nâng cấp" not in out
    assert path.read_bytes() == before and not (path.parent / ".thidua-sao-luu").exists()


def test_the_bug_log_says_when_what_which_version_and_campaign_and_stays_bounded(tmp_path, monkeypatch, campaign):
    from campaign.refusals import LOG_LIMIT, explain, log_path
    from xl_addin.cli import log_context

    monkeypatch.setenv("HOME", str(tmp_path))
    try:
        {}["khong_co"]
    except KeyError as exc:
        message, code = explain(exc, log_context("thidua validate a.xlsx", campaign))
    assert code == 2 and str(log_path()) in message
    head = log_path().read_text("utf-8").splitlines()[0]
    assert head.startswith("=== lúc: 20") and "lệnh: thidua validate a.xlsx" in head
    assert f"chiến dịch: {campaign.id}" in head and "phiên bản thidua: 0." in head
    log_path().write_text("x" * (LOG_LIMIT + 1), "utf-8")
    explain(RuntimeError("lần hai"))
    assert log_path().stat().st_size < 10_000 and log_path().with_name("loi.log.1").stat().st_size > LOG_LIMIT
    log_path().write_text("y" * (LOG_LIMIT + 1), "utf-8")
    explain(RuntimeError("lần ba"))  # the oldest is dropped: never more than two files
    assert sorted(p.name for p in log_path().parent.iterdir()) == ["loi.log", "loi.log.1"]
    assert log_path().with_name("loi.log.1").read_text("utf-8").startswith("y")


def test_addin_install_without_excel_says_so(tmp_path, monkeypatch, capsys):
    from macros.addin_build import excel_found

    if excel_found():
        pytest.skip("this PC has Excel")
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert main(["addin", "install", "--out", str(tmp_path / "thidua.xlam")]) == 2
    said = capsys.readouterr()
    assert "không có Microsoft Excel" in said.err and "Đã chép" not in said.out
    assert (tmp_path / "thidua.xlam").exists() and not (tmp_path / "AppData").exists()
