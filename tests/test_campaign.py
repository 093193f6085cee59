"""The campaign definition: the shipped 2026 plan, its two forms, and refusal of bad ones."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest

from campaign.definition_files import DEFAULT_CAMPAIGN, campaign_from_toml
from campaign.refusals import DefinitionError
from workbooks.campaign_workbook import load_campaign, write_campaign_workbook

TOML = resources.files("campaign.data").joinpath(DEFAULT_CAMPAIGN).read_text("utf-8")


def test_shipped_plan_has_every_target_of_the_brief_with_exact_thresholds(campaign):
    t = {x.code: x for x in campaign.targets}
    main_codes = {re.match(r"CT\d+", c).group() for c in t}
    assert main_codes == {f"CT{i:02d}" for i in range(1, 17)}
    expected = {
        "CT01": ("ratio_min", "105", None, None),
        "CT02": ("growth_range", None, "14", "15"),
        "CT02a": ("growth_range", None, "1", "1.5"),
        "CT02b": ("growth_range", None, "14", "15"),
        "CT02c": ("growth_range", None, "15", "16"),
        "CT03": ("growth_range", None, "16", "17"),
        "CT04a": ("rank_max", "30", None, None),
        "CT04b": ("rank_max", "30", None, None),
        "CT05": ("value_range", None, "95", "100"),
        "CT06": ("count_max", "0", None, None),
        "CT07": ("rate_min", "97.5", None, None),
        "CT08": ("rate_min", "100", None, None),
        "CT09": ("rate_min", "96", None, None),
        "CT10": ("rate_min", "39", None, None),
        "CT11": ("rate_min", "56.8", None, None),
        "CT12": ("rate_min", "100", None, None),
        "CT13": ("rate_min", "90", None, None),
        "CT14a": ("rate_min", "100", None, None),
        "CT14b": ("rate_min", "95", None, None),
        "CT14c": ("rate_min", "100", None, None),
        "CT16": ("rate_strict", "75", None, None),
    }
    dec = lambda s: None if s is None else Decimal(s)
    for code, (rule, thr, low, high) in expected.items():
        assert (t[code].rule, t[code].threshold, t[code].low, t[code].high) == (rule, dec(thr), dec(low), dec(high)), (
            code
        )
    assert t["CT15"].rule == "level" and t["CT15"].target_level == "Hoàn thành"
    assert len(campaign.task_groups) == 10
    assert campaign.task_groups[0].text.startswith("Tập trung cao độ mạnh phát triển sản xuất nông nghiệp")
    assert str(campaign.plan_due) == "2026-02-28" and str(campaign.results_due_before) == "2026-12-07"


def test_sample_registry_is_realistic(campaign):
    kinds = {u.kind for u in campaign.units}
    assert 35 <= len(campaign.units) <= 45
    assert kinds == {"cơ quan", "đơn vị", "doanh nghiệp", "thôn"}
    assert 3 <= len(campaign.clusters) <= 5
    assert all(campaign.cluster(u.cluster) for u in campaign.units)
    assert {"CA", "QS", "TYT"} <= {u.code for u in campaign.units}
    # every target has at least one reporting unit
    assert all(campaign.reporters_of(t) for t in campaign.targets)


def test_workbook_form_gives_the_same_campaign(campaign, tmp_path):
    dest = tmp_path / "chien-dich.xlsx"
    write_campaign_workbook(TOML, dest)
    again = load_campaign(dest)
    assert again == campaign
    assert again.definition_hash() == campaign.definition_hash()


def test_staff_edit_in_the_workbook_changes_the_campaign(campaign, tmp_path):
    from openpyxl import load_workbook

    dest = tmp_path / "chien-dich.xlsx"
    write_campaign_workbook(TOML, dest)
    wb = load_workbook(dest)
    ws = wb["Chỉ tiêu"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "CT07")
    row[header.index("Ngưỡng")].value = 98
    wb.save(dest)
    edited = load_campaign(dest)
    assert edited.target("CT07").threshold == Decimal(98)
    assert edited.definition_hash() != campaign.definition_hash()


def _mutate(old: str, new: str) -> str:
    assert old in TOML, old
    return TOML.replace(old, new, 1)


BAD = {
    "unknown rule kind": (_mutate('rule = "ratio_min"', 'rule = "ratio_max"'), "loại quy tắc 'ratio_max' không có"),
    "missing threshold": (_mutate("threshold = 97.5\n", ""), "thiếu ngưỡng 'threshold'"),
    "inverted range": (_mutate("low = 14\nhigh = 15", "low = 15\nhigh = 14"), "ngưỡng bị đảo"),
    "duplicate target code": (_mutate('code = "CT02a"', 'code = "CT02"'), "mã chỉ tiêu 'CT02' bị trùng"),
    "duplicate unit code": (_mutate('code = "T02"', 'code = "T01"'), "mã đơn vị 'T01' bị trùng"),
    "unit in no cluster": (_mutate('cluster = "KDN"\neditors = ["info@', 'editors = ["info@'), "chưa thuộc cụm, khối"),
    "unknown cluster": (_mutate('cluster = "KLL"', 'cluster = "KXX"'), "cụm, khối 'KXX' không có"),
    "level not in levels": (_mutate('target_level = "Hoàn thành"', 'target_level = "Xong"'), "mức mục tiêu 'Xong'"),
    "rate above 100": (_mutate("threshold = 96\n", "threshold = 196\n"), "phải nằm trong 0 - 100"),
    "unknown reporter": (_mutate('reporters = ["CA"]', 'reporters = ["CAX"]'), "đơn vị báo cáo 'CAX'"),
    "wrong number of inputs": (_mutate('inputs = ["Thứ hạng"]', 'inputs = ["Thứ hạng", "Năm"]'), "cần 1 số liệu nhập"),
    "text threshold": (_mutate("threshold = 39\n", 'threshold = "ba chín"\n'), "phải là một số"),
    "bad toml": (TOML + "\n[[targets]\n", "sai cú pháp"),
    "out of the ranking for no listed condition": (
        _mutate('code = "KT"\n', 'code = "KT"\ndisqualified = "Không nộp báo cáo quý"\n'),
        "lý do không xét xếp hạng 'Không nộp báo cáo quý' không phải điều kiện nào",
    ),
}


def test_a_unit_out_of_the_ranking_names_a_condition_of_the_decision():
    condition = "Có cán bộ, đảng viên bị kỷ luật từ khiển trách trở lên trong năm"
    detail = f"{condition.lower()} (Quyết định 12/QĐ-UBND)"
    for reason in (condition, detail):
        text = _mutate('code = "KT"\n', f'code = "KT"\ndisqualified = "{reason}"\n')
        assert campaign_from_toml(text, "ke-hoach.toml").unit("KT").disqualified == reason


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_malformed_definition_is_refused_naming_the_row(case):
    text, expected = BAD[case]
    with pytest.raises(DefinitionError) as err:
        campaign_from_toml(text, "ke-hoach.toml")
    message = str(err.value)
    assert expected in message
    assert "ke-hoach.toml" in message  # the file and, for row faults, the row


def test_malformed_workbook_definition_names_sheet_and_row(tmp_path):
    from openpyxl import load_workbook

    dest = tmp_path / "chien-dich.xlsx"
    write_campaign_workbook(TOML, dest)
    wb = load_workbook(dest)
    ws = wb["Chỉ tiêu"]
    header = [c.value for c in ws[1]]
    ws.cell(5, header.index("Loại quy tắc") + 1).value = "tỷ lệ gì đó"
    wb.save(dest)
    with pytest.raises(DefinitionError) as err:
        load_campaign(dest)
    assert "trang 'Chỉ tiêu', dòng 5" in str(err.value)


def test_a_2027_campaign_needs_no_python_change(tmp_path):
    """Staff copy the definition, move every date and year on by one, and get 2027 workbooks
    that check clean and never say 2026."""
    from campaign import layout as L
    from campaign.definition_files import toml_text
    from campaign.sample_data import clean_entries
    from workbooks.builder import write_unit_workbook
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import check_file
    from workbooks.writer import fill_entries

    text, _ = toml_text(None)
    text = text.replace("2026", "2027").replace("2025", "2026")
    source = tmp_path / "vinh-bao-2027.toml"
    source.write_text(text, "utf-8")
    c = load_campaign(source)
    assert (c.id, c.year, str(c.results_due_before)) == ("vinh-bao-2027", 2027, "2027-12-07")
    for code in ("T01", "KT", "CA"):
        path = write_unit_workbook(c, c.unit(code), tmp_path / f"{code}.xlsx")
        fill_entries(path, clean_entries(c, c.unit(code), seed=1))
        checked = check_file(c, path)
        assert checked.refusal is None and checked.assessment.errors == 0, code
        shown = [
            str(v)
            for name, grid in read_grids(path).items()
            if name != L.META_NAME  # the template's own version stays "2026.1"
            for row in grid
            for v in row
            if v is not None
        ]
        # 2026 is now "last year": it may appear only where the definition itself says it
        assert [v for v in shown if "2026" in v and not v.isdigit() and v not in text] == []
        assert any("NĂM 2027" in v for v in shown)
