"""Reporting without the add-in: a consolidator runs Tổng hợp on a folder of e-mailed workbooks and
is told how many files were used, how many could not be (each file named once, with why and whom
to ask) and which files were not workbooks at all."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import Workbook

from campaign.consolidation import UNUSABLE, completeness_summary, consolidate
from xl_addin.cli import main
from xl_addin.consolidate import from_folder


def _inbox(campaign, workbook, folder):
    folder.mkdir()
    for code in ("T01", "KT"):
        shutil.copy(workbook(code, filled=True), folder / f"{campaign.id}_{code}.xlsx")
    Workbook().save(folder / "Book1.xlsx")  # someone's own spreadsheet, not a report
    (folder / f"{campaign.id}_T02.xlsx").write_bytes(b"PK\x03\x04 not really a zip")  # cut off in the mail
    (folder / "trong.xlsx").write_bytes(b"")
    (folder / "anh-bien-ban.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "cong-van.docx").write_bytes(b"PK")
    return folder


def test_the_inbox_summary_counts_every_unusable_file_and_names_what_it_skipped(campaign, workbook, tmp_path):
    subs, lines = from_folder(campaign, _inbox(campaign, workbook, tmp_path / "inbox"))
    head = lines[0]
    assert "2 sổ báo cáo đọc được" in head and "3 tệp không dùng được" in head
    assert "2 tệp không phải sổ Excel bỏ qua (anh-bien-ban.jpg, cong-van.docx)" in head
    for name in ("Book1.xlsx", "trong.xlsx", f"{campaign.id}_T02.xlsx"):
        said = [line for line in lines[1:] if name in line]
        assert len(said) == 1 and said[0].count(name) == 1, (name, said)
    # the file named for T02 is T02's unusable report, not a unit that never sent one
    c = consolidate(campaign, subs)
    assert completeness_summary(c)[UNUSABLE] == 1
    assert next(u for u in c.units if u.unit_code == "T02").status == UNUSABLE
    assert any("T02" in line and "gửi lại" in line for line in lines)
    assert any("Book1.xlsx" in line and "hỏi người gửi" in line for line in lines)


def test_the_consolidator_is_not_told_of_a_refused_push_for_a_file_never_pushed(campaign, workbook, tmp_path, capsys):
    folder = _inbox(campaign, workbook, tmp_path / "inbox")
    bad = workbook("T03", filled=True)
    from workbooks.writer import fill_entries

    fill_entries(bad, {"report": {"CT07": {"input_a": 900, "input_b": 100}}})
    shutil.copy(bad, folder / f"{campaign.id}_T03.xlsx")
    assert main(["consolidate", "--from-folder", str(folder), "--out", str(tmp_path / "th.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "bị từ chối" not in out
    assert "T03" in out and "chưa xếp hạng" in out
    assert out.count("Book1.xlsx") == 1
    # pointed at the master's findings, not at `validate`, which would write into the received
    # file and move when it counts as received
    assert "trang 'Kết quả kiểm tra' của bảng tổng hợp" in out and "thidua validate" not in out
    from openpyxl import load_workbook

    said = [
        row
        for row in load_workbook(tmp_path / "th.xlsx", read_only=True)["Kết quả kiểm tra"].iter_rows(values_only=True)
    ]
    assert any("T03" in str(row) and "CT07" in str(row) for row in said)


def test_a_copy_named_by_zalo_counts_for_its_unit_and_the_files_of_no_unit_are_counted_beside(
    campaign, workbook, tmp_path, capsys
):
    """Zalo, browsers and Windows rename a second file of one name ("… (1)", "… - Bản sao"): a
    readable one is its unit's by what it holds, a broken one still by its name. Broken files
    that name no unit are in no unit's count: the line of counts says how many there are, so it
    does not read "Không dùng được 0" beside them."""
    from openpyxl import load_workbook

    folder = _inbox(campaign, workbook, tmp_path / "inbox")
    (folder / f"{campaign.id}_KT.xlsx").rename(folder / f"{campaign.id}_KT (1).xlsx")
    (folder / f"{campaign.id}_T01.xlsx").rename(folder / f"{campaign.id}_T01 - Bản sao.xlsx")
    (folder / f"{campaign.id}_T02.xlsx").rename(folder / f"{campaign.id}_T02 (2).xlsx")
    master = tmp_path / "th.xlsx"
    assert main(["consolidate", "--from-folder", str(folder), "--out", str(master)]) == 0
    out = capsys.readouterr().out
    assert "Đúng hạn 2," in out  # KT and T01, from their renamed copies
    assert "Không dùng được 1 (và 2 tệp không rõ của đơn vị nào)" in out  # T02's; Book1, trong
    assert "đề nghị đơn vị T02 gửi lại" in out
    words = [row[0] for row in load_workbook(master, read_only=True)["Tổng quan"].iter_rows(values_only=True)]
    assert "Tệp không dùng được, không rõ của đơn vị nào: 2 (xem Cần xem lại)" in words


@pytest.mark.parametrize(
    "name, unit",
    [
        ("vinh-bao-2026_T01.xlsx", "T01"),
        ("vinh-bao-2026_t01 (12).xlsx", "T01"),
        ("vinh-bao-2026_KT - Bản sao (2).xlsx", "KT"),
        ("vinh-bao-2026_KT (1) - Copy.xlsx", "KT"),
        ("Copy of vinh-bao-2026_KT.xlsx", "KT"),
        ("vinh-bao-2026_KT copy 2.xlsx", "KT"),
        ("vinh-bao-2026_T01 x.xlsx", ""),
        ("bao cao T02.xlsx", ""),
        ("vinh-bao-2026_ (1).xlsx", ""),
    ],
)
def test_a_file_is_named_for_its_unit_through_the_copies_programs_make(campaign, name, unit):
    from sync.collect import guess_unit

    assert guess_unit(campaign, name) == unit
