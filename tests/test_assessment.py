"""Kiểm tra: each check ends in a finding at the right cell, with a Vietnamese message."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.assessment import assess
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries


def run(campaign, path):
    report = read_report(path)
    return report, assess(campaign, report)


def codes_at(a):
    return {(f.code, f.cell) for f in a.findings}


def cell_of(report, row_key, col):
    return report.sheets["report"].cell(row_key, col).ref


def test_clean_sample_has_no_errors(campaign, workbook):
    for code in ("KT", "T01", "CA", "VP", "VHXH", "PVHCC", "DNMAY", "HPN"):
        _, a = run(campaign, workbook(code, filled=True))
        assert a.errors == 0, (code, [f.line() for f in a.findings])


def test_missing_required_input_is_an_error_and_no_data(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_b": None}}})
    report, a = run(campaign, path)
    assert ("chi_tieu.thieu_so_lieu", cell_of(report, "CT07", "input_b")) in codes_at(a)
    assert a.result("CT07").outcome.status == "Chưa có số liệu"


# (unit, entries of the report sheet, the (code, target, input) each must give)
CELL_FAULTS = {
    "numerator above denominator and zero denominator": (
        "T01",
        {"CT07": {"input_a": 500, "input_b": 400}, "CT09": {"input_a": 0, "input_b": 0}},
        [("chi_tieu.tu_so_lon_hon_mau_so", "CT07", "input_a"), ("chi_tieu.mau_so_bang_0", "CT09", "input_b")],
    ),
    "counts must be whole and not negative": (
        "T01",
        {"CT06": {"input_a": -1}, "CT07": {"input_a": "12,5"}},
        [("so.am", "CT06", "input_a"), ("so.khong_nguyen", "CT07", "input_a")],
    ),
    "rank outside the city and unknown level": (
        "VP",
        {"CT04a": {"input_a": 115}, "CT15": {"input_a": "Gần xong"}},
        [("chi_tieu.thu_hang", "CT04a", "input_a"), ("chi_tieu.muc_do", "CT15", "input_a")],
    ),
}


@pytest.mark.parametrize("case", list(CELL_FAULTS), ids=list(CELL_FAULTS))
def test_a_faulty_figure_is_found_at_its_cell(campaign, workbook, case):
    unit, entries, expected = CELL_FAULTS[case]
    path = workbook(unit, filled=True)
    fill_entries(path, {"report": entries})
    report, a = run(campaign, path)
    found = codes_at(a)
    for code, target, key in expected:
        assert (code, cell_of(report, target, key)) in found


def test_growth_far_outside_the_band_is_a_warning(campaign, workbook):
    path = workbook("KT", filled=True)
    fill_entries(path, {"report": {"CT03": {"input_a": 100, "input_b": 190}}})
    report, a = run(campaign, path)
    f = next(f for f in a.findings if f.code == "chi_tieu.tang_bat_thuong")
    assert (
        f.severity == "cảnh báo"
        and f.cell == cell_of(report, "CT03", "input_b")
        and "tăng 90 % so với năm trước" in f.message
    )


def test_self_assessment_contradicting_the_computed_status(campaign, workbook):
    path = workbook("CA", filled=True)
    fill_entries(path, {"report": {"CT16": {"input_a": 30, "input_b": 40, "self_status": "Đạt"}}})
    report, a = run(campaign, path)
    assert a.result("CT16").outcome.status == "Không đạt"  # 30/40 = 75 %, and the target is "trên 75 %"
    assert ("chi_tieu.tu_danh_gia", cell_of(report, "CT16", "self_status")) in codes_at(a)


def test_unit_and_period_must_match_the_metadata(campaign, workbook):
    path = workbook("T01", filled=True)
    wb = load_workbook(path)
    wb[L.INFO.name].protection.sheet = False
    wb.save(path)
    fill_entries(path, {"info": {"period": {"value": "Quý 5"}}})
    wb = load_workbook(path)
    ws = wb[L.INFO.name]
    ws["C5"] = "T02"  # unit code cell rewritten by hand
    wb.save(path)
    _, a = run(campaign, path)
    found = {f.code for f in a.findings}
    assert {"thong_tin.don_vi", "thong_tin.ky"} <= found


def test_report_date_outside_the_campaign_year(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"info": {"report_date": {"value": "15/01/2025"}}})
    _, a = run(campaign, path)
    assert "thong_tin.ngay" in {f.code for f in a.findings}


def test_locked_target_text_changed_is_detected(campaign, workbook):
    path = workbook("T01", filled=True)
    wb = load_workbook(path)
    ws = wb[L.REPORT.name]
    ws.protection.sheet = False
    report = read_report(path)
    goal = report.sheets["report"].cell("CT07", "goal")
    ws[goal.ref] = "≥ 90 %"  # someone lowered their own target
    wb.save(path)
    _, a = run(campaign, path)
    f = next(f for f in a.findings if f.code == "chi_tieu.bi_sua")
    assert f.cell == goal.ref and "≥ 97,5 %" in f.fix


def test_duplicate_and_missing_target_rows(campaign, workbook):
    path = workbook("T01", filled=True)
    wb = load_workbook(path)
    ws = wb[L.REPORT.name]
    report = read_report(path)
    row07 = report.sheets["report"].cell("CT07", "code").row
    row09 = report.sheets["report"].cell("CT09", "code").row
    ws.cell(row09, 1).value = "CT07"  # the CT09 row now claims to be CT07
    wb.save(path)
    _, a = run(campaign, path)
    found = {f.code: f for f in a.findings}
    assert "chi_tieu.trung_dong" in found and str(row07) in found["chi_tieu.trung_dong"].message
    assert found["chi_tieu.thieu_dong"].target == "CT09"


def test_own_targets_are_checked_and_evaluated(campaign, workbook):
    path = workbook("HPN", filled=True)
    own = {
        "RIENG1": {
            "code": "R1",
            "name": "Hội viên tham gia sinh hoạt",
            "unit": "%",
            "rule": "Tỷ lệ, tối thiểu",
            "goal": "≥ 90",
            "input_a_label": "Số hội viên sinh hoạt",
            "input_b_label": "Tổng số hội viên",
            "input_a": 950,
            "input_b": 1000,
        },
        "RIENG2": {
            "code": "R2",
            "name": "Phát triển hội viên mới",
            "rule": "Tăng trưởng so với năm trước, trong khoảng",
            "goal": "quá nhiều",
            "input_a_label": "Năm trước",
            "input_b_label": "Năm nay",
            "input_a": 10,
            "input_b": 12,
        },
        "RIENG3": {
            "code": "CT07",
            "name": "Trùng mã",
            "rule": "Số lượng, không vượt quá",
            "goal": "0",
            "input_a_label": "Số vụ",
            "input_a": 0,
        },
        "RIENG4": {"name": "Thiếu mã"},
    }
    fill_entries(path, {"report": own})
    _, a = run(campaign, path)
    r1 = a.result("R1")
    assert r1.own and r1.outcome.status == "Vượt" and r1.outcome.value == 95
    found = {f.code for f in a.findings}
    assert {"rieng.muc_tieu", "rieng.trung_ma", "rieng.thieu"} <= found


def test_task_progress_and_commendation_rows_complete(campaign, workbook):
    path = workbook("HPN", filled=True)
    fill_entries(
        path,
        {
            "tasks": {
                "NV1": {"level": None},
                "NV2": {"level": "Hoàn thành", "percent": 80},
                "NV3": {"level": "Xong rồi"},
                "NV4": {"level": "Đang thực hiện", "percent": 0.6},
            },
            "proposals": {
                "DN5": {"award": "Giấy khen của Chủ tịch UBND xã", "subject": "Cá nhân"},
                "DN6": {
                    "award": "Cờ thi đua của UBND thành phố",
                    "subject": "Cá nhân",
                    "name": "Nguyễn Văn A",
                    "achievement": "Tốt",
                },
            },
            "models": {"MH7": {"name": "Mô hình không có loại"}},
        },
    )
    _, a = run(campaign, path)
    found = {f.code for f in a.findings}
    assert {
        "nhiem_vu.thieu_muc",
        "nhiem_vu.mau_thuan",
        "nhiem_vu.muc_la",
        "so.phan_so_thay_phan_tram",
        "khen_thuong.thieu",
        "khen_thuong.doi_tuong",
        "khen_thuong.vuot_tham_quyen",
        "mo_hinh.thieu",
    } <= found


def test_every_finding_names_sheet_cell_and_says_what_to_do(campaign, workbook):
    from campaign.sample_data import faulty_entries

    path = workbook("T02")
    fill_entries(path, faulty_entries(campaign, campaign.unit("T02")))
    _, a = run(campaign, path)
    assert a.errors >= 3
    for f in a.findings:
        assert f.sheet and f.message and f.fix
        assert f.cell or f.code in (
            "chi_tieu.thieu_dong",
            "thong_tin.chien_dich",
            "thong_tin.dinh_nghia_doi",
            "thong_tin.don_vi_la",
        )


def test_score_counts_statuses_with_weights(campaign, workbook):
    _, a = run(campaign, workbook("T01", filled=True))
    counts = a.status_counts()
    assert sum(counts.values()) == len(a.results) == 5
    assert a.score.total == a.score.targets + a.score.tasks - a.score.error_penalty


@pytest.mark.parametrize(
    "rule, goal, shows",
    [
        ("Số lượng, không vượt quá", "1.000", "1000 (nghĩa là không quá 1000"),
        ("Thứ hạng, không thấp hơn", "ba mươi", "từ 1 đến 30"),
    ],
)
def test_an_own_goal_that_does_not_read_is_shown_how_to_type_it(campaign, workbook, rule, goal, shows):
    """The fix shows a goal of the kind chosen as the unit would type it, with what it means
    (it said 'Ghi mục tiêu dạng 0' for a count)."""
    from campaign.definition import RULE_KINDS

    assert rule in {k.label for k in RULE_KINDS.values()}
    path = workbook("HPN", filled=True)
    own = {"code": "R1", "name": "Số vụ", "rule": rule, "goal": goal, "input_a_label": "Số vụ", "input_a": 3}
    fill_entries(path, {"report": {"RIENG1": own}})
    _, a = run(campaign, path)
    (found,) = [f for f in a.findings if f.code == "rieng.muc_tieu"]
    assert shows in found.fix


def test_a_workbook_with_nothing_typed_is_an_error_and_one_figure_is_enough(campaign, workbook):
    """A blank template sent by mistake is no report: a unit with no target of its own (a school)
    had no error, so Tổng hợp counted it received and ranked it (a new user's trial). One entry
    typed makes it a report, however incomplete."""
    path = workbook("MNTL")
    _, a = run(campaign, path)
    assert [f.code for f in a.findings if f.severity == "lỗi"] == ["tep.chua_dien"]
    fill_entries(path, {"tasks": {"NV1": {"level": "Hoàn thành"}}})
    _, a = run(campaign, path)
    assert "tep.chua_dien" not in {f.code for f in a.findings}
