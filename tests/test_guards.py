"""Each test here kills a mutant that survived the first pass: a guard someone could weaken
without any other test noticing. The mutant is named in each test's docstring."""

from __future__ import annotations

import datetime as dt
import os
import stat
from decimal import Decimal
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.consolidation import Submission, consolidate
from campaign.numbers import parse_number, vn_number
from campaign.rules import BEHIND, ON_TRACK, evaluate
from sync.folder import FolderBackend
from workbooks.atomic import TMP_MARK, this_host, write_atomic, write_bytes_atomic
from xl_addin.handlers import as_excel_value
from xl_addin.push import push_file


def test_a_write_that_fails_half_way_leaves_the_old_file_whole(tmp_path):
    """Mutant: write_atomic writing straight to the destination."""
    dest = tmp_path / "so.xlsx"
    dest.write_bytes(b"old whole content")

    def half_then_fail(tmp):
        tmp.write_bytes(b"new but cut")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(dest, half_then_fail)
    assert dest.read_bytes() == b"old whole content"
    assert [p.name for p in tmp_path.iterdir()] == ["so.xlsx"]  # no temp file left behind


def test_a_rewritten_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    """Mutant: mkstemp's 0600 left on the file (colleagues on the shared folder lose access)."""
    shared = tmp_path / "chung.json"
    shared.write_bytes(b"{}")
    os.chmod(shared, 0o664)
    write_bytes_atomic(shared, b'{"a": 1}')
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    old = os.umask(0o027)
    try:
        write_bytes_atomic(tmp_path / "moi.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "moi.json").stat().st_mode) == 0o640


def test_a_temp_file_of_a_killed_run_is_removed_by_the_next_write(tmp_path):
    """A kill -9 between mkstemp and rename leaves a temp file; the next write clears it, but
    not the temp file of a writer that is still running."""
    host = this_host()
    dead = tmp_path / f".so.xlsx.{host}.999999999.abc{TMP_MARK}.xlsx"
    alive = tmp_path / f".so.xlsx.{host}.{os.getpid()}.def{TMP_MARK}.xlsx"
    other_pc = tmp_path / f".so.xlsx.maykhac.123.ghi{TMP_MARK}.xlsx"
    for p in (dead, alive, other_pc):
        p.write_bytes(b"x")
    write_bytes_atomic(tmp_path / "so.xlsx", b"new")
    assert not dead.exists() and alive.exists() and other_pc.exists()


def test_a_consolidator_reading_a_tab_during_a_push_reads_the_old_one_whole(campaign, workbook, tmp_path):
    """Mutant: the folder backend writing the tab with write_bytes (truncate, then write):
    a reader holding the file sees it cut or changed under it; a rename leaves its copy whole."""
    root = tmp_path / "share"
    FolderBackend(root, campaign.id).setup([u.code for u in campaign.units])
    path = workbook("T01", filled=True, seed=1)
    push_file(campaign, path, FolderBackend(root, campaign.id, "T01"))
    tab_file = FolderBackend(root, campaign.id).tab_path("T01")
    with open(tab_file, "rb") as held:
        before = tab_file.read_bytes()
        from workbooks.writer import fill_entries

        fill_entries(path, {"report": {"CT07": {"input_a": 1}}})
        push_file(campaign, path, FolderBackend(root, campaign.id, "T01"))
        assert held.read() == before
    assert tab_file.read_bytes() != before


@pytest.mark.parametrize("text", ["=1+1", "+84912345678", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x")'])
def test_text_excel_would_read_as_a_formula_gets_the_apostrophe(text):
    """Mutant: the formula guard dropping '-' and '@' (Excel evaluates '-2+3' and '@SUM(..)')."""
    assert as_excel_value(text) == "'" + text


@pytest.mark.parametrize("value", [-2, 3.5, "Thôn Đông", None])
def test_numbers_and_plain_text_reach_excel_unchanged(value):
    assert as_excel_value(value) == ("" if value is None else value)


def test_the_lists_sheet_is_protected_and_report_rows_cannot_be_deleted(workbook):
    """Mutants: the lists sheet left unprotected; deleteRows allowed on the data sheets."""
    wb = load_workbook(workbook("T01"))
    assert wb[L.LISTS_NAME].protection.sheet is True
    for spec in L.DATA_SHEETS:
        ws = wb[spec.name]
        assert ws.protection.sheet is True, spec.name
        assert ws.protection.deleteRows is True, spec.name  # True in openpyxl: the action is protected


@pytest.mark.parametrize(
    "level,months,expected",
    [
        ("Đang triển khai", 6, ON_TRACK),  # one step short of "Hoàn thành", under way: on track
        ("Hoàn thành", 6, ON_TRACK),
        ("Hoàn thành xuất sắc", 6, ON_TRACK),
        ("Chưa triển khai", 6, BEHIND),  # two steps short
        ("Đang triển khai", 12, None),  # the whole year: no forecast, a status
    ],
)
def test_level_target_on_track_mid_year(campaign, level, months, expected):
    """Mutant: the level target's on-track rule changed (`goal - 1` or `i > 0` moved)."""
    assert evaluate(campaign.target("CT15"), (level,), months=months).on_track == expected


@pytest.mark.parametrize(
    "text,value,code",
    [
        ("1.234.567.890", 1234567890, "so.luu_dang_chu"),  # read, and said to be text
        ("1234.567.890", None, "so.khong_phai_so"),  # the first group of thousands has at most 3 digits
        ("1.23.456", None, "so.khong_phai_so"),
        ("123.456.789", 123456789, "so.luu_dang_chu"),  # a head of three digits is still a group
        (".456.789", None, "so.khong_phai_so"),
        ("12,345,678", 12345678, "so.luu_dang_chu"),
    ],
)
def test_thousands_groups_are_three_digits_after_a_head_of_one_to_three(text, value, code):
    """Mutant: `_grouped` accepting 1234.567.890."""
    parsed = parse_number(text, whole=True)
    assert (parsed.value, parsed.code) == (value, code)


@pytest.mark.parametrize("text,slip", [("1", True), ("0,98", True), ("1,01", False), ("97,5", False)])
def test_a_fraction_up_to_one_in_a_percent_cell_is_taken_for_a_slip(text, slip):
    """Mutant: the fraction-slip bound moved from `<= 1` to `< 1` (1 means 100 %? ask)."""
    parsed = parse_number(text, percent_ok=True)
    assert (parsed.code == "so.phan_so_thay_phan_tram") is slip


def test_a_readable_copy_beats_a_newer_unreadable_one(campaign, workbook):
    """Mutant: "a readable copy beats a newer unreadable one" removed from _choose."""
    from xl_addin.check import check_file

    checked = check_file(campaign, workbook("T01", filled=True))
    readable = Submission("T01", "T01.xlsx", dt.datetime(2026, 12, 1, 8), checked.report, checked.assessment)
    newer_broken = Submission("T01", "T01 (1).xlsx", dt.datetime(2026, 12, 5, 8), None, None, "hỏng")
    c = consolidate(campaign, [newer_broken, readable], as_of=dt.date(2026, 12, 10))
    assert c.submissions["T01"].source == "T01.xlsx"
    assert c.unit_row("T01").status != "Không dùng được"
    assert c.target("CT07").inputs[1] == Fraction(checked.assessment.result("CT07").inputs[1])


@pytest.mark.parametrize(
    "value,places,shown",
    [
        (Decimal(1049) / Decimal(1100) * 100, 2, "95,36"),
        (Decimal("9" * 30 + ".006"), 2, "999.999.999.999.999.999.999.999.999.999,01"),  # no 28-digit rounding
        (Decimal("-1234.5"), 2, "-1.234,50"),
        (Decimal("1234.5"), None, "1.234,5"),
        (None, None, ""),
    ],
)
def test_numbers_are_shown_the_vietnamese_way_and_exactly(value, places, shown):
    """Mutants that survived mutmut: vn_number's precision and quantize."""
    assert vn_number(value, places) == shown


def test_a_write_into_a_folder_that_does_not_exist_yet_makes_it(tmp_path):
    dest = tmp_path / "thu-muc" / "con" / "so.json"
    write_bytes_atomic(dest, b"{}")
    assert dest.read_bytes() == b"{}"
