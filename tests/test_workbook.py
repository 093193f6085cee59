"""The standard reporting workbook: generated for every unit, filled, read back by its keys."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.refusals import WorkbookRefused
from campaign.sample_data import clean_entries
from campaign.unit_report import entries_of
from workbooks.cells import set_value
from workbooks.unit_files import read_report, upgrade_file
from workbooks.writer import fill_entries


def _norm(entries):
    """Dates read back as datetimes; integral floats as ints; empty strings as nothing."""
    out = {}
    for sheet, rows in entries.items():
        out[sheet] = {}
        for key, cols in rows.items():
            kept = {c: v for c, v in cols.items() if v not in (None, "")}
            if kept:
                out[sheet][key] = kept
    return out


def test_every_unit_workbook_round_trips_what_was_typed(campaign, workbook):
    for unit in campaign.units:
        path = workbook(unit.code)
        typed = clean_entries(campaign, unit, seed=7)
        fill_entries(path, typed)
        report = read_report(path)
        assert report.unit_code == unit.code
        back = entries_of(report)
        assert _norm(back) == _norm(typed), unit.code
        codes = [r.key for r in report.rows("report") if not r.key.startswith((L.OWN_PREFIX, L.OWN_HELPER_PREFIX))]
        assert codes == [t.code for t in campaign.targets_for(unit)]


def test_only_entry_cells_are_unlocked_and_sheets_protected(workbook):
    wb = load_workbook(workbook("KT"))
    ws = wb[L.REPORT.name]
    assert ws.protection.sheet
    header = {c.value: c.column for c in ws[1] if c.value}
    for row in range(5, 12):
        for key, col in header.items():
            if not isinstance(key, str) or key.startswith("#"):
                continue
            # computed cells hold the sheet's own formulas, locked; Kiểm tra still writes the check cell
            entry = L.REPORT.column(key).entry or key == "check"
            if key == "input_b" and ws.cell(row, header["input_b_label"]).value == "—":
                entry = False  # a target with one input has its second input cell locked
            cell = ws.cell(row, col)
            assert cell.protection.locked is (not entry), (cell.coordinate, key)
    assert wb[L.TARGETS.name].protection.sheet
    assert wb[L.META_NAME].sheet_state == "veryHidden"
    assert wb[L.LISTS_NAME].sheet_state == "hidden"


def test_validation_dropdowns_and_status_colours_are_excels_own(workbook, campaign):
    wb = load_workbook(workbook("VP"))
    ws = wb[L.REPORT.name]
    dvs = ws.data_validations.dataValidation
    kinds = {dv.type for dv in dvs}
    assert {"list", "whole"} <= kinds
    assert all(dv.prompt and dv.error for dv in dvs)
    assert any("Thứ hạng" in dv.prompt and dv.formula2 == str(campaign.localities) for dv in dvs)
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    formulas = " ".join(f for r in rules for f in r.formula)
    for status in ("Vượt", "Đạt", "Không đạt", "Chưa có số liệu"):
        assert f'"{status}"' in formulas
    assert ws.freeze_panes == "D5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    fonts = {ws.cell(r, c).font.name for r in range(2, 10) for c in range(2, 8) if ws.cell(r, c).value is not None}
    assert fonts == {"Times New Roman"}


def test_metadata_sheet_names_template_campaign_unit_and_definition(workbook, campaign):
    report = read_report(workbook("CA"))
    assert report.meta["template_version"] == L.TEMPLATE_VERSION
    assert report.meta["campaign_id"] == campaign.id
    assert report.meta["unit_code"] == "CA"
    assert report.meta["definition_hash"] == campaign.definition_hash()


def test_only_the_units_targets_appear_plus_own_rows(campaign, workbook):
    report = read_report(workbook("CA"))
    keys = [r.key for r in report.rows("report")]
    own = [f"{L.OWN_PREFIX}{i}" for i in range(1, L.OWN_TARGET_ROWS + 1)]
    assert keys == ["CT16"] + own + [L.OWN_HELPER_PREFIX + k for k in own]  # then the own rows' hidden helpers
    mass_org = read_report(workbook("HPN"))
    assert all(r.key.startswith((L.OWN_PREFIX, L.OWN_HELPER_PREFIX)) for r in mass_org.rows("report"))


def test_inserted_rows_and_columns_and_renamed_headers_still_read(campaign, workbook):
    path = workbook("T01", filled=True)
    before = entries_of(read_report(path))
    wb = load_workbook(path)
    ws = wb[L.REPORT.name]
    ws.insert_rows(6, 2)  # a reporter inserts two rows in the middle of the targets
    ws.insert_cols(3)  # and a column after STT
    ws.cell(4, 5).value = "Tên chỉ tiêu (đã đổi)"  # and retitles a header
    wb[L.TASKS.name].title = "NV đổi tên"  # and renames a sheet
    wb.save(path)
    after = entries_of(read_report(path))
    assert after == before


def test_a_file_that_is_not_ours_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Báo cáo tự làm"
    path = tmp_path / "tu-lam.xlsx"
    wb.save(path)
    with pytest.raises(WorkbookRefused, match="không phải sổ báo cáo thi đua"):
        read_report(path)


def test_unknown_template_version_is_refused_with_the_upgrade_path(workbook):
    path = workbook("T03")
    wb = load_workbook(path)
    wb[L.META_NAME]["B1"] = "2025.3"
    wb.save(path)
    with pytest.raises(WorkbookRefused, match="thidua workbook upgrade"):
        read_report(path)


def test_upgrade_keeps_every_entered_value(campaign, workbook):
    path = workbook("T05", filled=True)
    wb = load_workbook(path)
    wb[L.META_NAME]["B1"] = "2025.3"
    ws = wb[L.MODELS.name]
    ws.insert_rows(7)  # an extra model typed in an inserted row
    ws.cell(7, 3).value = "Cách làm hay"
    ws.cell(7, 4).value = "Tổ tự quản đường làng"
    ws.cell(7, 6).value = "Mỗi hộ nhận một đoạn đường"
    wb.save(path)
    old = entries_of(read_report(path, any_version=True))
    upgrade_file(campaign, path)
    new = read_report(path)
    assert new.meta["template_version"] == L.TEMPLATE_VERSION
    kept = entries_of(new)
    assert sorted(v for r in kept["models"].values() for v in r.values()) == sorted(
        v for r in old["models"].values() for v in r.values()
    )
    assert kept["report"] == old["report"] and kept["tasks"] == old["tasks"]
    assert list((path.parent / ".thidua-sao-luu").iterdir())


def test_no_cell_content_crashes_the_reader(workbook):
    path = workbook("KT")
    wb = load_workbook(path)
    ws = wb[L.REPORT.name]
    nasty = ["=1/0", "x" * 40000, "\x00\x07ctrl", dt.datetime(2026, 13 - 1, 1), -1e308, "#REF!", "'0012", "   "]
    for i, v in enumerate(nasty):
        set_value(ws.cell(5 + i % 7, 9 + (i // 7) * 2), v)
    ws.merge_cells("I5:K6")
    wb.save(path)
    report = read_report(path)
    assert report.unit_code == "KT"


@pytest.mark.slow
def test_generated_workbook_opens_in_libreoffice(workbook, tmp_path):
    import subprocess

    from conftest import libreoffice_convert

    pdf = libreoffice_convert(workbook("T01", filled=True), "pdf", tmp_path / "pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA" in text


def test_built_workbook_holds_exactly_the_blank_grids(campaign, workbook):
    from campaign.grids import blank_grids
    from workbooks.grid_reader import read_grids

    for code in ("KT", "T01", "HPN"):
        grids = read_grids(workbook(code))
        expected = blank_grids(campaign, campaign.unit(code))
        for spec in L.DATA_SHEETS:
            got = [[v for v in row] for row in grids[spec.name]]
            want = expected[spec.name]
            trimmed = [row[: len(want[0])] for row in got[: len(want)]]
            assert trimmed == want, (code, spec.name)
