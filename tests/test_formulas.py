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
from campaign.own_formulas import HELPER, helper_key
from campaign.sample_data import clean_entries
from campaign.sheet_formulas import report_formulas
from workbooks.recalc import recalculate, soffice
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.check import check_file

# docs/cong-thuc.md explains why each of these is evaluated alike by Excel 2010+, LibreOffice,
# WPS and Google Sheets; a new function needs its line there first
SHARED_FUNCTIONS = {
    "ABS",
    "AND",
    "CHAR",
    "EXACT",
    "FIND",
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
        if not row.key.startswith((L.OWN_PREFIX, L.OWN_HELPER_PREFIX))
    }


def test_every_target_row_of_every_unit_computes_by_formula(campaign, blank_dir):
    for unit in campaign.units:
        rows = _formulas(blank_dir / f"{unit.code}.xlsx")
        assert set(rows) == {t.code for t in campaign.targets_for(unit)}, unit.code
        for code, cells in rows.items():
            for key, text in cells.items():
                assert isinstance(text, str) and text.startswith("="), (unit.code, code, key)
                assert len(text) < 8192, (code, key, len(text))  # Excel's limit on a formula


def test_formulas_use_only_the_functions_every_program_shares(campaign, blank_dir):
    refs = Refs("I5", "K5", "Q5", "'Thông tin'!$C$9")
    used: set[str] = set()
    texts = [text for t in campaign.targets for text in target_formulas(campaign, t, refs).values()]
    report = read_report(blank_dir / "T01.xlsx")
    texts += [f for code, _, f in report_formulas(campaign, report).values() if code.startswith(L.OWN_PREFIX)]
    assert len(texts) > len(campaign.targets) * 6 + L.OWN_TARGET_ROWS * 6
    for text in texts:
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
    own = next(r for r in rep.rows if r.key == "RIENG1")
    wb = load_workbook(typed_over)
    wb[rep.name].cell(row.number, rep.columns["status"]).value = STATUS_DAT
    wb[rep.name].cell(own.number, rep.columns["status"]).value = STATUS_DAT  # an own row's too
    wb.save(typed_over)
    saved = recalculate([clean, typed_over], tmp_path / "lo", "vi-VN", tmp_path)
    assert load_workbook(saved[0])[L.META_NAME].sheet_state == "hidden"  # what LibreOffice does
    assert not [f for f in assess(campaign, read_report(saved[0])).findings if f.code == "cong_thuc.bi_sua"]
    found = [f for f in assess(campaign, read_report(saved[1])).findings if f.code == "cong_thuc.bi_sua"]
    status = _letter(rep.columns["status"])
    assert [(f.cell, f.target) for f in found] == [
        (f"{status}{row.number}", "CT01"),
        (f"{status}{own.number}", "RIENG1"),
    ]
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
    # the terminal's progress table too (it rounded to the nearest: "105" beside "Không đạt")
    from xl_addin.render import assessment_text

    line = next(t for t in assessment_text(a, progress=True).splitlines() if t.startswith("CT01"))
    figures = line.split("≥ 105 %")[1]
    assert figures.split()[:3] == ["104,99", "99,9", "Không"]
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


OWN_ROW = {
    "code": "R1",
    "name": "Tỷ lệ lao động được đóng BHXH",
    "unit": "%",
    "rule": "Tỷ lệ, tối thiểu",
    "goal": "≥ 95",
    "input_a_label": "Số lao động được đóng BHXH",
    "input_b_label": "Tổng số lao động",
    "input_a": 190,
    "input_b": 200,
}


def _cells(path: Path, key: str, cols) -> dict[str, object]:
    rep = read_report(path).sheets["report"]
    row = next(r for r in rep.rows if r.key == key)
    ws = load_workbook(path)[rep.name]
    return {k: ws.cell(row.number, rep.columns[k]).value for k in cols}


def test_every_own_row_computes_by_formula_from_a_hidden_helper_row_that_reads_its_goal(campaign, blank_dir):
    path = blank_dir / "T01.xlsx"
    rep = read_report(path).sheets["report"]
    ws = load_workbook(path)[rep.name]
    for i in range(1, L.OWN_TARGET_ROWS + 1):
        own = _cells(path, f"RIENG{i}", FORMULA_COLS)
        helper = _cells(path, helper_key(f"RIENG{i}"), set(HELPER.values()))
        for text in [*own.values(), *helper.values()]:
            assert isinstance(text, str) and text.startswith("=") and len(text) < 8192, (i, text)
        row = next(r for r in rep.rows if r.key == helper_key(f"RIENG{i}"))
        assert ws.row_dimensions[row.number].hidden
        # no helper sits where Lấy về (entries) or Kiểm tra (the check column) writes
        assert not set(HELPER.values()) & ({c.key for c in L.REPORT.columns if c.entry} | {"check"})


def test_an_own_status_typed_over_or_a_helper_cell_edited_is_a_finding_at_that_cell(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"RIENG1": OWN_ROW}})
    assert not [f for f in assess(campaign, read_report(path)).findings if f.code == "cong_thuc.bi_sua"]
    rep = read_report(path).sheets["report"]
    own = next(r for r in rep.rows if r.key == "RIENG1")
    helper = next(r for r in rep.rows if r.key == helper_key("RIENG1"))
    wb = load_workbook(path)
    ws = wb[rep.name]
    ws.cell(own.number, rep.columns["status"]).value = STATUS_DAT
    ws.cell(helper.number, rep.columns[HELPER["g1"]]).value = 950
    wb.save(path)
    found = {f.cell for f in assess(campaign, read_report(path)).findings if f.code == "cong_thuc.bi_sua"}
    letter = lambda key: ws.cell(1, rep.columns[key]).column_letter
    assert found == {f"{letter('status')}{own.number}", f"{letter(HELPER['g1'])}{helper.number}"}


def test_tinh_tien_do_writes_nothing_over_an_own_rows_formulas(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"RIENG1": OWN_ROW}})
    before = _cells(path, "RIENG1", FORMULA_COLS)
    done = check_file(campaign, path, write="progress")
    assert done.refusal is None and done.assessment.result("R1").outcome.status == STATUS_DAT
    after = _cells(path, "RIENG1", FORMULA_COLS)
    assert {k: after[k] for k in FORMULA_COLS if k != "check"} == {k: before[k] for k in FORMULA_COLS if k != "check"}
    assert normal(after["check"]).startswith(normal(before["check"]))
    assert not [f for f in assess(campaign, read_report(path)).findings if f.code == "cong_thuc.bi_sua"]


def _as_2026_2(path: Path) -> None:
    """The workbook as template 2026.2 made it: no helper rows, own rows' computed cells empty."""
    report = read_report(path)
    rep = report.sheets["report"]
    wb = load_workbook(path)
    ws = wb[rep.name]
    for row in rep.rows:
        if row.key.startswith(L.OWN_PREFIX):
            for key in FORMULA_COLS:
                ws.cell(row.number, rep.columns[key]).value = None
    for row in sorted((r for r in rep.rows if r.key.startswith(L.OWN_HELPER_PREFIX)), key=lambda r: -r.number):
        ws.delete_rows(row.number)
    wb[L.META_NAME]["B1"] = "2026.2"
    wb.save(path)


def test_a_2026_2_workbook_expects_no_own_formulas_and_upgrade_gives_them_keeping_every_value(campaign, workbook):
    from campaign.unit_report import entries_of

    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"RIENG1": OWN_ROW, "RIENG2": {"code": "R2", "goal": "14 - 15", "note": "giữ"}}})
    _as_2026_2(path)
    old = read_report(path)
    a = assess(campaign, old)
    assert a.formulas and not {k for _, k, _ in a.formulas.values()} & set(HELPER)
    assert not [f for f in a.findings if f.code == "cong_thuc.bi_sua"]
    assert main_upgrade(path) == 0
    new = read_report(path)
    assert new.meta["template_version"] == L.TEMPLATE_VERSION == "2026.3"
    assert entries_of(new) == entries_of(old)
    a = assess(campaign, new)
    assert {code for code, _, _ in a.formulas.values()} >= {"RIENG1", "RIENG2"}
    assert not [f for f in a.findings if f.code == "cong_thuc.bi_sua"]


def test_an_own_row_whose_helper_row_was_deleted_is_said_at_its_cells(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"RIENG1": OWN_ROW}})
    rep = read_report(path).sheets["report"]
    helper = next(r for r in rep.rows if r.key == helper_key("RIENG5"))
    own = next(r for r in rep.rows if r.key == "RIENG5")
    wb = load_workbook(path)
    wb[rep.name].delete_rows(helper.number)
    wb.save(path)
    found = {f.cell for f in assess(campaign, read_report(path)).findings if f.code == "cong_thuc.bi_sua"}
    letter = lambda key: wb[rep.name].cell(1, rep.columns[key]).column_letter
    assert {f"{letter(k)}{own.number}" for k in FORMULA_COLS} <= found


@pytest.mark.parametrize(
    "change, formula_says_it",
    [({}, True), ({"goal": "97,25"}, False), ({"rule": "Tỷ lệ, tối thiểu "}, False), ({"goal": 95}, True)],
)
def test_kiem_tra_adds_an_own_rows_input_lines_only_where_its_formulas_do_not_say_them(
    campaign, workbook, change, formula_says_it
):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"RIENG1": {**OWN_ROW, **change}}})
    rep = read_report(path).sheets["report"]
    row = next(r for r in rep.rows if r.key == "RIENG1")
    wb = load_workbook(path)
    wb[rep.name].cell(row.number, rep.columns["input_a"]).value = None
    wb.save(path)
    done = check_file(campaign, path, write="check")
    assert done.refusal is None and done.assessment.result("R1") is not None  # the engine reads it
    formula = done.assessment.formulas[(row.number, rep.columns["check"])][2]
    check = _cells(path, "RIENG1", ["check"])["check"]
    assert normal(check).startswith(normal(formula))  # the row's check formula, then Kiểm tra's lines
    added = check[len(formula) :]
    assert ("Chưa nhập 'Số lao động được đóng BHXH'" in added) is not formula_says_it
