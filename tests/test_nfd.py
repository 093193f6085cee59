"""Vietnamese typed in decomposed Unicode (Unikey's "Unicode tổ hợp", some phone keyboards) reads
exactly as the same words typed precomposed, in every kind of text cell the engine compares, and
in the campaign definition too."""

from __future__ import annotations

import unicodedata
from importlib import resources

import pytest

from campaign.assessment import assess
from campaign.definition_files import campaign_from_toml
from campaign.sample_data import clean_entries
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries


def nfd(text: str) -> str:
    out = unicodedata.normalize("NFD", text)
    assert out != text  # the case is a real one: the word has combining marks
    return out


def _findings(campaign, path):
    return {(f.code, f.cell) for f in assess(campaign, read_report(path)).findings}


# (unit, layout key, row key, column key, value): one row per kind of compared text cell
CELLS = [
    ("T01", "report", "CT07", "self_status", "Vượt"),  # a self-assessed Vượt needs its evidence
    ("VP", "report", "CT15", "input_a", "Hoàn thành"),  # an ordered level
    ("T01", "info", "period", "value", "6 tháng đầu năm"),
    ("T01", "tasks", "NV1", "level", "Đang thực hiện"),
    ("T01", "models", "MH2", "type", "Điển hình tiên tiến"),
    ("T01", "proposals", "DN5", "award", "Danh hiệu Chiến sĩ thi đua cơ sở"),  # needs an initiative
    ("T01", "proposals", "DN6", "subject", "Cá nhân"),
    ("T01", "report", "RIENG1", "rule", None),  # an own target's rule, from the drop-down's labels
]


@pytest.mark.parametrize("unit, sheet, row, col, value", CELLS)
def test_a_decomposed_entry_reads_as_the_precomposed_one(campaign, workbook, unit, sheet, row, col, value):
    from campaign.definition import RULE_KINDS

    value = value or RULE_KINDS["rate_min"].label
    extra: dict = {}
    if sheet == "proposals":
        extra = {"award": "Giấy khen của Chủ tịch UBND xã", "subject": "Cá nhân", "name": "Nguyễn Văn X"}
        extra |= {"achievement": "Hoàn thành xuất sắc nhiệm vụ năm, bien-ban.pdf"}
    if sheet == "models":
        extra = {"name": "Mô hình A", "description": "Cách làm"}
    if row == "RIENG1":
        extra = {"code": "R-A", "name": "Tỷ lệ A", "goal": 90, "input_a_label": "Số A", "input_b_label": "Tổng"}
        extra |= {"input_a": 9, "input_b": 10}
    results = []
    for text in (value, nfd(value)):
        path = workbook(unit, filled=True)
        cells = {**extra, col: text}
        fill_entries(path, {sheet: {row: cells}})
        results.append(_findings(campaign, path))
    assert results[0] == results[1]
    # and the word was understood, not refused alike in both forms
    refused = {"chi_tieu.muc_do", "thong_tin.ky", "nhiem_vu.muc_la", "mo_hinh.loai", "khen_thuong.hinh_thuc"}
    refused |= {"khen_thuong.doi_tuong", "rieng.cach_danh_gia"}
    assert not [c for c, _ in results[1] if c in refused]
    if col == "self_status":  # the case evidence.py used to miss
        assert any(code == "minh_chung.thieu" for code, _ in results[1])
    if col == "award":
        assert any(code == "minh_chung.sang_kien" for code, _ in results[1])


def test_status_level_and_period_typed_decomposed_give_the_same_outcome(campaign, workbook):
    outcomes = []
    for form in ("NFC", "NFD"):
        path = workbook("VP", filled=True)
        n = lambda s, form=form: unicodedata.normalize(form, s)
        fill_entries(
            path,
            {"info": {"period": {"value": n("9 tháng đầu năm")}}, "report": {"CT15": {"input_a": n("Hoàn thành")}}},
        )
        a = assess(campaign, read_report(path))
        outcomes.append((a.period, a.result("CT15").outcome))
    assert outcomes[0] == outcomes[1] and outcomes[0][0] is not None


def test_a_campaign_definition_written_decomposed_is_read_precomposed(campaign):
    text = resources.files("campaign").joinpath("data/vinh-bao-2026.toml").read_text(encoding="utf-8")
    decomposed = campaign_from_toml(unicodedata.normalize("NFD", text), "nfd.toml")
    ct15 = decomposed.target("CT15")
    assert ct15.levels == campaign.target("CT15").levels
    assert ct15.target_level == campaign.target("CT15").target_level
    assert [a.name for a in decomposed.awards] == [a.name for a in campaign.awards]
    assert [u.name for u in decomposed.units] == [u.name for u in campaign.units]
    assert decomposed.award(campaign.awards[0].name) is not None


def test_sample_entries_for_the_proposal_rows_used_here_are_free(campaign):
    entries = clean_entries(campaign, campaign.unit("T01"))
    assert not {"DN5", "DN6"} & set(entries["proposals"]) and "MH2" not in entries["models"]
