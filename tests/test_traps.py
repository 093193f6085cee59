"""The smaller traps a careless or dishonest unit can set for Tổng hợp, each with its test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from conftest import libreoffice_convert
from openpyxl import load_workbook

from campaign.assessment import assess
from campaign.consolidation import LATE, ON_TIME, WITH_ERRORS, consolidate
from campaign.consolidation_tables import models_table
from campaign.dates import VIETNAM
from campaign.refusals import SyncError
from campaign.unit_report import entries_of
from sync.collect import TIME_OF_INBOX, TIME_OF_SHARE
from sync.folder import FolderBackend
from sync.tab import Tab, entries_to_rows
from sync.unit_sync import report_from_tab, tab_of
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_backend, from_folder
from xl_addin.push import push_file


def _arrive(path, *when):
    stamp = dt.datetime(*when, tzinfo=VIETNAM).timestamp()  # a time in Vietnam, whatever the PC zone
    os.utime(path, (stamp, stamp))
    return path


def _codes_at(a):
    return {(f.code, f.cell) for f in a.findings}


def _cell(report, row, col="input_a"):
    return report.sheets["report"].cell(row, col)


# ---- arrival, not claims


def test_an_inbox_file_counts_from_its_arrival_not_its_typed_date(campaign, workbook, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    path = workbook("T01", filled=True)
    fill_entries(path, {"info": {"report_date": {"value": dt.date(2026, 11, 1)}}})  # typed: early
    _arrive(shutil.move(path, inbox / "T01.xlsx"), 2026, 12, 20, 9)  # arrived: late
    c = consolidate(campaign, from_folder(campaign, inbox)[0], as_of=dt.date(2026, 12, 21))
    row = c.unit_row("T01")
    assert row.status == LATE and row.received_at == dt.datetime(2026, 12, 20, 9)
    assert row.time_source == TIME_OF_INBOX


def test_a_pushed_at_edited_in_the_shared_file_does_not_make_a_report_on_time(campaign, workbook, tmp_path):
    share = tmp_path / "share"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    push_file(
        campaign, workbook("T01", filled=True), FolderBackend(share, campaign.id, "T01"), when=dt.datetime(2026, 1, 5)
    )
    _arrive(FolderBackend(share, campaign.id).tab_path("T01"), 2026, 12, 20, 9)
    subs = from_backend(campaign, FolderBackend(share, campaign.id), now=dt.datetime(2026, 12, 21, 8))
    row = consolidate(campaign, subs, as_of=dt.date(2026, 12, 21)).unit_row("T01")
    assert row.status == LATE and row.time_source == TIME_OF_SHARE


# ---- scores that cannot be gamed


def test_a_report_with_its_target_rows_deleted_scores_zero_for_them(campaign, workbook):
    full = read_report(workbook("KT", filled=True, seed=4))
    a_full = assess(campaign, full)
    gutted = workbook("KT", filled=True, seed=4)
    wb = load_workbook(gutted)
    ws = wb["Báo cáo"]
    rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("CT")]
    for r in reversed(rows):
        ws.delete_rows(r)
    wb.save(gutted)
    a = assess(campaign, read_report(gutted))
    assert len(a.missing_targets) == len(rows) and not a.results
    assert a.score.targets == 0 and a.score.total < a_full.score.total
    # never re-weighted to tasks: the tasks part is what it was
    assert a.score.tasks == a_full.score.tasks


def test_a_report_with_errors_is_listed_with_them_and_gets_no_rank(campaign, workbook, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    relabelled = workbook("T01", filled=True)
    wb = load_workbook(relabelled)
    wb["_thidua"]["B3"].value  # noqa: B018 - the meta sheet is there
    for row in wb["_thidua"].iter_rows():
        if row[0].value == "unit_code":
            row[1].value = "KT"  # T01's file passed off as KT's
    wb.save(relabelled)
    _arrive(shutil.move(relabelled, inbox / "KT.xlsx"), 2026, 12, 1, 8)
    _arrive(shutil.move(workbook("T02", filled=True), inbox / "T02.xlsx"), 2026, 12, 1, 8)
    c = consolidate(campaign, from_folder(campaign, inbox)[0], as_of=dt.date(2026, 12, 3))
    kt = c.unit_row("KT")
    assert kt.status == WITH_ERRORS and kt.rank is None
    assert kt.errors == c.submissions["KT"].assessment.errors > 0  # every error counted, once
    assert any("KT" in i and "chưa xếp hạng" in i for i in c.issues)
    assert c.unit_row("T02").status == ON_TIME and c.unit_row("T02").rank == 1


def test_two_units_with_the_same_figures_are_flagged(campaign, workbook, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    t01 = read_report(workbook("T01", filled=True, seed=9))
    copy = workbook("T02")
    fill_entries(copy, {k: v for k, v in entries_of(t01).items() if k != "info"})
    _arrive(shutil.move(copy, inbox / "T02.xlsx"), 2026, 12, 1, 8)
    _arrive(shutil.move(workbook("T01", filled=True, seed=9), inbox / "T01.xlsx"), 2026, 12, 1, 8)
    c = consolidate(campaign, from_folder(campaign, inbox)[0], as_of=dt.date(2026, 12, 3))
    assert any("T01, T02" in i and "giống hệt" in i for i in c.issues)


# ---- the inbox


def test_a_resend_uses_the_copy_that_arrived_last_and_says_why(campaign, workbook, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    first = workbook("T03", filled=True)
    fill_entries(first, {"report": {"CT07": {"input_a": 100, "input_b": 200}}})
    _arrive(shutil.move(first, inbox / "T03 (1).xlsx"), 2026, 12, 2, 8)  # the name sorts after, arrived first
    second = workbook("T03", filled=True)
    fill_entries(second, {"report": {"CT07": {"input_a": 150, "input_b": 200}}})
    _arrive(shutil.move(second, inbox / "T03.xlsx"), 2026, 12, 4, 8)
    c = consolidate(campaign, from_folder(campaign, inbox)[0], as_of=dt.date(2026, 12, 5))
    assert c.submissions["T03"].source == "T03.xlsx"
    issue = next(i for i in c.issues if "T03 có 2 bản nộp" in i)
    assert "dùng T03.xlsx (đến 04/12/2026 08:00, bản đến sau cùng)" in issue and "T03 (1).xlsx" in issue


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_report_saved_as_ods_or_xls_is_read_and_told_to_become_xlsx(campaign, workbook, tmp_path, fmt):
    converted = libreoffice_convert(workbook("T04", filled=True), fmt, tmp_path / "conv")
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    shutil.copy(converted, inbox / converted.name)
    subs, unreadable = from_folder(campaign, inbox)
    assert not unreadable and [s.unit_code for s in subs] == ["T04"]
    proc = subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", "validate", str(converted)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "T04" in proc.stdout and "Lưu thành" in proc.stderr and ".xlsx" in proc.stderr
    assert "đóng tệp" not in proc.stderr.lower() and ".." not in proc.stderr and "Error" not in proc.stderr


# ---- what a cell says


def test_an_excel_error_in_an_input_is_an_error_value_not_a_blank(campaign, workbook):
    path = workbook("T01", filled=True)
    report = read_report(path)
    cell = _cell(report, "CT07")
    wb = load_workbook(path)
    c = wb[cell.sheet].cell(cell.row, cell.col)
    c.value, c.data_type = "#DIV/0!", "e"
    wb.save(path)
    a = assess(campaign, read_report(path))
    found = [f for f in a.findings if f.cell == cell.ref]
    assert [f.code for f in found] == ["so.loi_excel"] and "lỗi Excel (#DIV/0!)" in found[0].message


@pytest.mark.parametrize(
    "typed,message",
    [
        (2.5, "'2,5' phải là số nguyên"),
        (True, "'TRUE' không phải là số"),
        ("12 triệu", "'12 triệu': chữ nghìn, triệu, tỷ chỉ dùng cho ô tiền"),
    ],
)
def test_messages_show_numbers_the_vietnamese_way_and_exactly(campaign, workbook, typed, message):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_b": typed}}})
    report = read_report(path)
    a = assess(campaign, report)
    assert any(message in f.message for f in a.findings if f.cell == _cell(report, "CT07", "input_b").ref)


def test_an_implausible_figure_is_a_warning_at_its_cell(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": 10**20, "input_b": 10**20}}})
    report = read_report(path)
    a = assess(campaign, report)
    assert ("so.ngoai_khoang", _cell(report, "CT07", "input_b").ref) in _codes_at(a)
    f = next(f for f in a.findings if f.code == "so.ngoai_khoang")
    assert "100.000.000.000.000.000.000" in f.message and "5.000" in f.message
    assert f.severity == "cảnh báo"


def test_an_edited_targets_sheet_and_a_malformed_email_are_flagged(campaign, workbook):
    path = workbook("T01", filled=True)
    report = read_report(path)
    goal = report.sheets["targets"].cell("CT07", "goal")
    email = report.info("email")
    wb = load_workbook(path)
    wb[goal.sheet].cell(goal.row, goal.col).value = "≥ 50 %"
    wb[email.sheet].cell(email.row, email.col).value = "not-an-email"
    wb.save(path)
    a = assess(campaign, read_report(path))
    assert ("chi_tieu.trang_bi_sua", goal.ref) in _codes_at(a)
    assert ("thong_tin.email", email.ref) in _codes_at(a)


def test_text_longer_than_excel_holds_is_warned_and_kept_out_of_the_annex(campaign, workbook):
    report = read_report(workbook("HPN", filled=True))
    entries = entries_of(report)
    entries.setdefault("models", {})["MH3"] = {
        "type": "Mô hình mới",
        "name": "Mô hình dài",
        "description": "x" * 40_000,
    }
    entries["models"]["MH4"] = {"type": "Loại lạ", "name": "Mô hình sai loại", "description": "y"}
    entries["models"]["MH5"] = {"type": "Mô hình mới", "name": "Mô hình đúng", "description": "z"}
    tab = Tab("HPN", entries_to_rows(entries))
    from_tab = report_from_tab(campaign, tab)
    a = assess(campaign, from_tab)
    assert "van_ban.qua_dai" in {f.code for f in a.findings}
    from campaign.consolidation import Submission

    c = consolidate(campaign, [Submission("HPN", "tab HPN", dt.datetime(2026, 12, 1), from_tab, a)])
    names = [row[2] for row in models_table(c).rows]
    assert "Mô hình dài" not in names and "Mô hình sai loại" not in names
    assert "Mô hình đúng" in names


# ---- sync


def test_a_push_whose_workbook_update_was_lost_is_recognised_as_sent(campaign, workbook, tmp_path):
    share = tmp_path / "share"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    path = workbook("T05", filled=True)
    # the share got it, the workbook was never told (a kill between the two writes)
    first = FolderBackend(share, campaign.id, "T05")
    first.hold_unit_key("T05", read_report(path).meta["unit_key"])  # as push_file does
    first.push(tab_of(read_report(path)), 0)
    result = push_file(campaign, path, FolderBackend(share, campaign.id, "T05"))
    assert result.unchanged and result.revision == 1
    assert int(read_report(path).meta["sync_revision"]) == 1
    assert FolderBackend(share, campaign.id).read_tab("T05").revision == 1


def test_a_push_to_a_share_not_there_says_how_to_name_the_share(campaign, workbook, tmp_path):
    """A unit cannot run the admin's setup: it is told how to name the share it was given."""
    path = workbook("T05", filled=True)
    with pytest.raises(SyncError) as err:
        push_file(campaign, path, FolderBackend(tmp_path / "khong-co", campaign.id, "T05"))
    assert err.value.code == "thu_muc.chua_chon" and "sheet setup" not in err.value.message
    assert "--share" in err.value.message and "THIDUA_SHARE" in err.value.message
    proc = subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", "push", str(path), "--share", str(tmp_path / "khong-co")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1 and "THIDUA_SHARE" in proc.stderr and "Errno" not in proc.stderr
