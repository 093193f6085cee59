"""The workbook's own formulas: where they are, which functions they use, and what happens when a
unit types over them, Kiểm tra runs, or another program saves the file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.assessment import assess
from campaign.definition import STATUS_DAT
from campaign.formulas import FORMULA_COLS, Refs, normal, target_formulas
from campaign.sample_data import clean_entries
from workbooks.recalc import recalculate, soffice
from workbooks.unit_files import check_file, read_report
from workbooks.writer import fill_entries

# docs/cong-thuc.md explains why each of these is evaluated alike by Excel 2010+, LibreOffice,
# WPS and Google Sheets; a new function needs its line there first
SHARED_FUNCTIONS = {
    "ABS",
    "AND",
    "CHAR",
    "EXACT",
    "IF",
    "INT",
    "ISERROR",
    "ISLOGICAL",
    "ISNUMBER",
    "ISTEXT",
    "LEFT",
    "LEN",
    "MID",
    "MOD",
    "NOT",
    "OR",
    "ROUND",
    "TEXT",
    "TRIM",
}
FORBIDDEN = {"VALUE", "NUMBERVALUE", "INDIRECT", "OFFSET", "NOW", "TODAY", "RAND", "TEXTJOIN", "FILTER", "LET"}


def _formulas(path: Path) -> dict[str, dict[str, str]]:
    report = read_report(path)
    rep = report.sheets["report"]
    ws = load_workbook(path)[rep.name]
    return {
        row.key: {k: ws.cell(row.number, rep.columns[k]).value for k in FORMULA_COLS}
        for row in rep.rows
        if not row.key.startswith(L.OWN_PREFIX)
    }


def test_every_target_row_of_every_unit_computes_by_formula(campaign, blank_dir):
    for unit in campaign.units:
        rows = _formulas(blank_dir / f"{unit.code}.xlsx")
        assert set(rows) == {t.code for t in campaign.targets_for(unit)}, unit.code
        for code, cells in rows.items():
            for key, text in cells.items():
                assert isinstance(text, str) and text.startswith("="), (unit.code, code, key)
                assert len(text) < 8192, (code, key, len(text))  # Excel's limit on a formula


def test_formulas_use_only_the_functions_every_program_shares(campaign):
    refs = Refs("I5", "K5", "Q5", "'Thông tin'!$C$9")
    used: set[str] = set()
    for t in campaign.targets:
        for text in target_formulas(campaign, t, refs).values():
            code = re.sub(r'"(?:[^"]|"")*"', '""', text)  # function names outside text constants
            used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", code))
    assert used <= SHARED_FUNCTIONS, used - SHARED_FUNCTIONS
    assert not used & FORBIDDEN
    docs = (Path(__file__).resolve().parents[1] / "docs" / "cong-thuc.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in docs for name in used), [n for n in used if f"`{n}`" not in docs]


def test_a_status_typed_over_its_formula_is_a_finding_at_that_cell(campaign, workbook):
    path = workbook("T01", filled=True)
    report = read_report(path)
    rep = report.sheets["report"]
    row = next(r for r in rep.rows if r.key == "CT07")
    wb = load_workbook(path)
    ws = wb[rep.name]
    ws.cell(row.number, rep.columns["status"]).value = STATUS_DAT
    ws.cell(row.number, rep.columns["value"]).value = None
    edited = ws.cell(row.number, rep.columns["pct_plan"])
    edited.value = edited.value + "+1"
    wb.save(path)
    a = assess(campaign, read_report(path))
    found = {(f.code, f.cell) for f in a.findings if f.code == "cong_thuc.bi_sua"}
    cell = lambda key: f"{ws.cell(row.number, rep.columns[key]).column_letter}{row.number}"
    assert found == {("cong_thuc.bi_sua", cell(k)) for k in ("status", "value", "pct_plan")}


def test_an_untouched_workbook_has_every_formula_intact(campaign, workbook):
    a = assess(campaign, read_report(workbook("KT", filled=True)))
    assert a.formulas and not [f for f in a.findings if f.code == "cong_thuc.bi_sua"]


def test_tinh_tien_do_keeps_the_formulas_and_kiem_tra_adds_its_lines_after_the_check_formula(campaign, workbook):
    path = workbook("T01", filled=True)
    before = _formulas(path)
    report = read_report(path)
    fill_entries(path, {"report": {"CT07": {"input_a": 10_000}, "RIENG1": {"input_a": 5}}})
    done = check_file(campaign, path, write="progress")
    assert done.refusal is None
    after = _formulas(path)
    for code in before:
        for key in ("value", "pct_plan", "pct_prev", "status", "on_track"):
            assert after[code][key] == before[code][key], (code, key)
        assert normal(after[code]["check"]).startswith(normal(before[code]["check"]))
    a = assess(campaign, read_report(path))
    assert not [f for f in a.findings if f.code == "cong_thuc.bi_sua"]
    # plausible_max is Kiểm tra's alone: its line follows the row's own check formula
    rep = report.sheets["report"]
    row = next(r for r in rep.rows if r.key == "CT07")
    check = load_workbook(path)[rep.name].cell(row.number, rep.columns["check"]).value
    assert "so.ngoai_khoang" in {f.code for f in done.assessment.findings}
    assert check.startswith("=") and "CHAR(10)" in check


def test_a_meta_sheet_left_hidden_is_made_very_hidden_again_by_any_write(campaign, workbook):
    path = workbook("VP", filled=True)
    wb = load_workbook(path)
    wb[L.META_NAME].sheet_state = "hidden"  # as LibreOffice and WPS save it
    wb.save(path)
    check_file(campaign, path, write="check")
    assert load_workbook(path)[L.META_NAME].sheet_state == "veryHidden"


@pytest.mark.slow
def test_after_a_libreoffice_save_formulas_still_count_as_intact_tampering_is_still_found_and_the_meta_sheet_returns(
    campaign, workbook, tmp_path
):
    if soffice() is None:
        pytest.fail("LibreOffice (soffice) is needed")
    clean = workbook("KT", filled=True)
    typed_over = tmp_path / "typed.xlsx"
    shutil.copy(clean, typed_over)
    report = read_report(typed_over)
    rep = report.sheets["report"]
    row = next(r for r in rep.rows if r.key == "CT01")
    wb = load_workbook(typed_over)
    wb[rep.name].cell(row.number, rep.columns["status"]).value = STATUS_DAT
    wb.save(typed_over)
    saved = recalculate([clean, typed_over], tmp_path / "lo", "vi-VN", tmp_path)
    assert load_workbook(saved[0])[L.META_NAME].sheet_state == "hidden"  # what LibreOffice does
    assert not [f for f in assess(campaign, read_report(saved[0])).findings if f.code == "cong_thuc.bi_sua"]
    found = [f for f in assess(campaign, read_report(saved[1])).findings if f.code == "cong_thuc.bi_sua"]
    assert [(f.cell, f.target) for f in found] == [(f"{_letter(rep.columns['status'])}{row.number}", "CT01")]
    fill_entries(saved[0], {"report": {"CT01": {"note": "bien-ban.pdf"}}})
    assert load_workbook(saved[0])[L.META_NAME].sheet_state == "veryHidden"


def _letter(col: int) -> str:
    from campaign.unit_report import column_letter

    return column_letter(col)


def test_sample_entries_fill_every_formula_row(campaign):
    # the demo's entries reach every target a unit reports (the picture in the README shows them)
    for unit in campaign.units:
        entries = clean_entries(campaign, unit)
        assert {t.code for t in campaign.targets_for(unit)} <= set(entries["report"])


def test_a_figure_beside_its_status_never_contradicts_it_in_the_workbook_plan_and_the_master(campaign, workbook):
    from campaign.consolidation import Submission, consolidate
    from campaign.consolidation_tables import targets_table
    from campaign.result_cells import result_plan

    path = workbook("KT", filled=True)
    fill_entries(path, {"report": {"CT01": {"input_a": 10_000, "input_b": 10_499.98}}})  # 104,9998 %
    report = read_report(path)
    a = assess(campaign, report)
    assert a.result("CT01").outcome.status == "Không đạt"
    c = consolidate(campaign, [Submission("KT", path.name, None, report, a, None, campaign.id)])
    row = next(r for r in targets_table(c).rows if r[1] == "CT01")
    assert row[4] == 104.99 and row[7] == "Không đạt"
    # an old workbook (no formulas) gets the same figure from Tính tiến độ
    a.formulas = {}
    plan = result_plan(report, a, progress=True)[report.sheets["report"].name]
    ct01 = next(r for r in report.sheets["report"].rows if r.key == "CT01")
    assert plan[(ct01.number, report.sheets["report"].columns["value"])] == 104.99


def test_workbook_upgrade_moves_a_formula_free_2026_1_workbook_to_the_formula_template_keeping_every_value(
    campaign, workbook
):
    from campaign.unit_report import entries_of

    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": "'97,5"}, "RIENG1": {"code": "R1", "note": "giữ"}}})
    report = read_report(path)
    rep = report.sheets["report"]
    wb = load_workbook(path)
    ws = wb[rep.name]
    for row in rep.rows:  # as template 2026.1 was: computed cells empty until Tính tiến độ
        for key in FORMULA_COLS:
            ws.cell(row.number, rep.columns[key]).value = None
    meta = wb[L.META_NAME]
    meta["B1"] = "2026.1"
    wb.save(path)
    old = read_report(path)
    assert assess(campaign, old).formulas == {}  # nothing expected of an old workbook
    assert main_upgrade(path) == 0
    new = read_report(path)
    assert new.meta["template_version"] == L.TEMPLATE_VERSION
    assert entries_of(new) == entries_of(old)
    a = assess(campaign, new)
    assert a.formulas and not [f for f in a.findings if f.code == "cong_thuc.bi_sua"]


def main_upgrade(path: Path) -> int:
    from xl_addin.cli import main

    return main(["workbook", "upgrade", str(path)])
