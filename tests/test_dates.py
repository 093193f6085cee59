"""Dates as people in a Vietnamese office type them, and times shown in Vietnam's time."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from campaign.dates import DateRefused, parse_date, read_date, show_date, show_time, vietnam_now, vietnam_time
from workbooks.writer import fill_entries
from xl_addin.check import check_file
from xl_addin.cli import main

TYPED = {
    "10/12/2026": dt.date(2026, 12, 10),
    "1/2/2026": dt.date(2026, 2, 1),
    "01/02/2026": dt.date(2026, 2, 1),
    " 7.12.2026 ": dt.date(2026, 12, 7),
    "7-12-2026": dt.date(2026, 12, 7),
    "2026-12-10": dt.date(2026, 12, 10),
    "2026-2-1": dt.date(2026, 2, 1),
    "29/02/2028": dt.date(2028, 2, 29),
}
IMPOSSIBLE = {"31/02/2026": "ngay.khong_co", "29/02/2026": "ngay.khong_co", "10/13/2026": "ngay.khong_co"}
NOT_DATES = ["hôm nay", "10/12", "12/10/26", "2026/12/10", "", "10//2026"]


@pytest.mark.parametrize("text", list(TYPED))
def test_day_first_and_iso_are_read(text):
    assert parse_date(text) == TYPED[text]
    assert read_date(text) == TYPED[text]


@pytest.mark.parametrize("text", list(IMPOSSIBLE))
def test_an_impossible_date_is_refused_saying_why(text):
    with pytest.raises(DateRefused) as err:
        parse_date(text)
    assert err.value.code == IMPOSSIBLE[text] and "ví dụ 10/12/" in err.value.message
    assert read_date(text) is None


@pytest.mark.parametrize("text", NOT_DATES)
def test_what_is_not_a_date_is_refused_with_how_to_type_one(text):
    with pytest.raises(DateRefused) as err:
        parse_date(text)
    assert err.value.code == "ngay.khong_doc_duoc"


def test_cells_give_dates_as_excel_and_google_hold_them():
    assert read_date(dt.datetime(2026, 12, 10, 8, 30)) == dt.date(2026, 12, 10)
    assert read_date(46366) == dt.date(2026, 12, 10)  # Excel's day number
    assert read_date(True) is None and read_date(12) is None


def test_shown_day_first_and_on_the_24_hour_clock_in_vietnam_time():
    assert show_date(dt.date(2026, 2, 1)) == "01/02/2026"
    assert show_time("2026-12-02 13:05:39") == "02/12/2026 13:05"
    utc = dt.datetime(2026, 12, 1, 18, 0, 39, tzinfo=dt.UTC)
    assert show_time(utc) == "02/12/2026 01:00"
    assert show_time("không rõ") == "không rõ" and show_time(None) == ""


def test_a_file_time_is_read_in_vietnam_time():
    assert vietnam_time(0) == dt.datetime(1970, 1, 1, 7, 0)  # when a file arrived on the share


def test_now_is_vietnam_time_whatever_the_pc_zone():
    code = "from campaign.dates import vietnam_now; print(vietnam_now().isoformat())"
    seen = []
    for zone in ("UTC", "America/New_York", "Asia/Ho_Chi_Minh"):
        env = {**os.environ, "TZ": zone}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        seen.append(dt.datetime.fromisoformat(out.stdout.strip()))
    assert max(seen) - min(seen) < dt.timedelta(minutes=1)
    assert abs(seen[0] - vietnam_now()) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("typed", ["10/12/2026", "10/12/2026 ", "2026-12-10", "1/12/2026"])
def test_report_date_cell_typed_the_vietnamese_way_is_clean(campaign, workbook, typed):
    path = workbook("T01", filled=True)
    fill_entries(path, {"info": {"report_date": {"value": typed}}})
    codes = {f.code for f in check_file(campaign, path).assessment.findings}
    assert "thong_tin.ngay" not in codes


@pytest.mark.parametrize("typed", ["31/02/2026", "ngày mai"])
def test_report_date_cell_impossible_is_a_finding_not_a_crash(campaign, workbook, typed):
    path = workbook("T01", filled=True)
    fill_entries(path, {"info": {"report_date": {"value": typed}}})
    found = [f for f in check_file(campaign, path).assessment.findings if f.code == "thong_tin.ngay"]
    assert len(found) == 1 and found[0].cell
    assert "năm 2026." in found[0].message and "2.026" not in found[0].line()  # a year, not a figure


@pytest.mark.parametrize("typed", ["7/12/2026", "07/12/2026", "2026-12-07"])
def test_the_campaign_excel_form_takes_a_typed_date(campaign, tmp_path, typed):
    from campaign.definition_files import toml_text
    from workbooks.campaign_workbook import load_campaign, write_campaign_workbook

    dest = tmp_path / "chien-dich.xlsx"
    write_campaign_workbook(toml_text(None)[0], dest)
    wb = load_workbook(dest)
    ws = wb.worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=2) if isinstance(r[1].value, dt.datetime) and r[1].value.month == 12)
    row[1].value = typed
    wb.save(dest)
    assert load_campaign(dest).results_due_before == dt.date(2026, 12, 7)


def test_the_campaign_excel_form_with_an_impossible_date_names_it(tmp_path):
    from campaign.definition_files import toml_text
    from campaign.refusals import DefinitionError
    from workbooks.campaign_workbook import load_campaign, write_campaign_workbook

    dest = tmp_path / "chien-dich.xlsx"
    write_campaign_workbook(toml_text(None)[0], dest)
    wb = load_workbook(dest)
    row = next(r for r in wb.worksheets[0].iter_rows(min_row=2) if isinstance(r[1].value, dt.datetime))
    row[1].value = "31/02/2026"
    wb.save(dest)
    with pytest.raises(DefinitionError) as err:
        load_campaign(dest)
    assert "31/02/2026" in str(err.value)


@pytest.mark.parametrize("typed", ["10/12/2026", "1/12/2026", "2026-12-10"])
def test_consolidate_and_export_take_dates_in_three_forms(tmp_path, monkeypatch, capsys, typed):
    monkeypatch.chdir(tmp_path)
    share = str(tmp_path / "share")
    assert main(["sheet", "setup", "--share", share]) == 0
    assert main(["consolidate", "--share", share, "--as-of", typed]) == 0
    assert main(["export", "--share", share, "--date", typed, "--du-thao", "--out", str(tmp_path / "bc")]) == 0
    assert "Lỗi không mong đợi" not in capsys.readouterr().err
