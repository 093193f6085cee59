"""The report's words and rules without LibreOffice: parts of a whole, names in prose, sentences
cut where they end, final versus draft, the late date, scoring on one scale, the date typed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from campaign.assessment import assess
from campaign.consolidation import consolidate
from campaign.refusals import ExportRefused
from campaign.report_tables import city_report, names_in_prose
from campaign.report_text import (
    FIGURES_NOTE,
    TO_WRITE,
    draft_sections,
    first_sentences,
    gaps,
    late_sentence,
    refresh_figures,
    to_rows,
)
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_folder


@pytest.fixture
def inbox(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    for code in ("KT", "VP", "T01", "T02", "T03", "HPN"):
        workbook(code, filled=True).rename(folder / f"{code}.xlsx")
    return folder


def _consolidation(campaign, folder, day=dt.date(2026, 12, 10)):
    return consolidate(campaign, from_folder(campaign, folder)[0], as_of=day)


def test_parts_above_their_whole_are_a_warning_at_the_whole_s_cell_and_at_consolidation(campaign, workbook, tmp_path):
    path = workbook("KT", filled=True)
    # the demo's slip: CT02a's 2025 value above the CT02 total it is part of
    fill_entries(path, {"report": {"CT02": {"input_a": 920_010}, "CT02a": {"input_a": 985_840}}})
    report = read_report(path)
    found = [f for f in assess(campaign, report).findings if f.code == "chi_tieu.thanh_phan_vuot_tong"]
    assert [(f.severity, f.cell, f.target) for f in found] == [
        ("cảnh báo", report.sheets["report"].cell("CT02", "input_a").ref, "CT02")
    ]
    folder = tmp_path / "nhan"
    folder.mkdir()
    path.rename(folder / "KT.xlsx")
    c = _consolidation(campaign, folder)
    assert [i for i in c.issues if i.startswith("Toàn xã:") and "CT02a + CT02b + CT02c" in i]


def test_the_sample_s_parts_stay_within_their_whole_both_years(campaign, workbook):
    report = read_report(workbook("KT", filled=True))
    assert not [f for f in assess(campaign, report).findings if f.code == "chi_tieu.thanh_phan_vuot_tong"]


def test_a_definition_naming_a_part_that_does_not_exist_is_refused_and_the_workbook_keeps_parts(tmp_path):
    from campaign.definition_files import campaign_from_toml, toml_text
    from campaign.refusals import DefinitionError
    from workbooks.campaign_workbook import campaign_from_workbook, write_campaign_workbook

    text, _ = toml_text(None)
    with pytest.raises(DefinitionError) as err:
        campaign_from_toml(text.replace('parts = ["CT02a", "CT02b", "CT02c"]', 'parts = ["CT02a", "CT99"]'), "x.toml")
    assert any("CT99" in p for p in err.value.problems)
    write_campaign_workbook(text, tmp_path / "dinh-nghia.xlsx")  # the staff's workbook round trip
    assert campaign_from_workbook(tmp_path / "dinh-nghia.xlsx").target("CT02").parts == ("CT02a", "CT02b", "CT02c")


def test_units_are_named_grouped_by_kind_and_never_by_code(campaign):
    text = names_in_prose(campaign, ["T01", "T03", "T02", "T04", "T05", "CA", "TYT"], shown=2)
    assert text == "các thôn Đông Thái, Tân Hòa và 3 thôn khác; Công an xã và Trạm Y tế xã"
    assert names_in_prose(campaign, ["T01"]) == "thôn Đông Thái"
    assert (
        names_in_prose(campaign, ["KT", "VP", "CA", "T01"], at_most=2)
        == "Phòng Kinh tế, Văn phòng HĐND và UBND xã và 2 đơn vị khác"
    )


@pytest.mark.parametrize(
    "text,limit,expected",
    [
        ("Một câu. Hai câu. Ba câu.", 20, "Một câu. Hai câu."),
        ("Không có dấu chấm ở cuối", 10, "Không có dấu chấm ở cuối."),  # a first sentence is kept whole
        ("  Cách   nhiều   chỗ.  ", 100, "Cách nhiều chỗ."),
        ("Vế một; vế hai; vế ba", 12, "Vế một."),
    ],
)
def test_a_unit_s_words_are_cut_at_a_sentence_never_mid_word_nor_with_an_ellipsis(text, limit, expected):
    assert first_sentences(text, limit) == expected
    assert "…" not in first_sentences(text, limit)


def test_the_draft_says_what_units_wrote_by_name_and_counts_from_the_city_tables(campaign, inbox):
    c = _consolidation(campaign, inbox)
    report = city_report(c)
    text = " ".join(p for s in draft_sections(c) for p in s.paragraphs)
    assert "Đã triển khai các nội dung" not in text and "…" not in text
    assert "Kết quả nổi bật:" in text and "Phòng Kinh tế" in text
    assert f"đề nghị {len(report.proposals)} trường hợp khen thưởng" in text
    assert "duyệt" not in text.lower()
    codes = {u.code for u in campaign.units}
    assert not {w.strip(".,;:()") for w in text.split()} & codes


def test_tong_hop_again_rewrites_the_figures_and_keeps_what_the_consolidator_wrote(campaign, inbox, workbook):
    first = to_rows(draft_sections(_consolidation(campaign, inbox)))
    typed = [r if TO_WRITE not in r[1] else [r[0], "Đoạn đã viết.", ""] for r in first]
    workbook("T04", filled=True).rename(inbox / "T04.xlsx")  # one more report since
    again = to_rows(draft_sections(_consolidation(campaign, inbox)))
    kept = refresh_figures(typed, again)
    assert sum(r[1] == "Đoạn đã viết." for r in kept) == 5 and not gaps(kept)
    assert [r for r in kept if r[2] == FIGURES_NOTE] == [r for r in again if r[2] == FIGURES_NOTE]
    assert any("7/40" in r[1] for r in kept)


def test_a_final_export_with_gaps_is_refused_row_by_row_and_writes_nothing(campaign, inbox, tmp_path):
    from xl_addin.export import export_report

    c = _consolidation(campaign, inbox)
    with pytest.raises(ExportRefused) as refused:
        export_report(c, tmp_path / "bc", dt.date(2026, 12, 5), pdf=False)
    assert refused.value.code == "xuat.con_cho_trong"
    assert [f"dòng {row}" in refused.value.message for row, _ in gaps(to_rows(draft_sections(c)))] == [True] * 5
    assert not list(tmp_path.glob("bc.*"))
    done = export_report(c, tmp_path / "bc", dt.date(2026, 12, 5), draft=True, pdf=False)
    assert done.draft and len(done.gaps) == 5 and not done.late


def test_the_draft_is_marked_and_the_document_names_its_issuer_and_summary(campaign, inbox, tmp_path):
    from docx import Document

    from xl_addin.export import export_report

    done = export_report(_consolidation(campaign, inbox), tmp_path / "bc", dt.date(2026, 12, 10), draft=True, pdf=False)
    doc = Document(done.document)
    assert doc.paragraphs[0].text == "DỰ THẢO"
    assert doc.core_properties.author == "Ủy ban nhân dân xã Vĩnh Bảo"
    assert doc.core_properties.title.startswith("Dự thảo - Báo cáo tổng kết phong trào thi đua")
    body = " ".join(p.text for p in doc.paragraphs)
    assert done.late and "được gửi chậm so với thời hạn (trước ngày 07/12/2026)" in body


def test_the_late_sentence_comes_on_the_deadline_and_after_not_before(campaign, inbox):
    c = _consolidation(campaign, inbox)
    assert late_sentence(c, dt.date(2026, 12, 6)) is None
    assert late_sentence(c, dt.date(2026, 12, 7)) and late_sentence(c, dt.date(2026, 12, 10))


def test_units_scored_on_no_target_are_listed_apart_or_on_the_same_scale_as_the_data_says(campaign, inbox):
    c = _consolidation(campaign, inbox)
    hpn = c.unit_row("HPN")
    assert hpn.rank is None and "chỉ chấm điểm nhiệm vụ" in hpn.unranked
    assert any(i.startswith("Đơn vị HPN không xét xếp hạng") for i in c.issues)
    same = dataclasses.replace(campaign, scoring=dataclasses.replace(campaign.scoring, without_targets="cùng thang"))
    c2 = _consolidation(same, inbox)
    hpn2 = c2.unit_row("HPN")
    assert hpn2.rank is not None and hpn2.score.tasks <= same.scoring.tasks_share  # at most 30 of 100, as everyone's
    assert float(hpn.score.tasks) == pytest.approx(float(hpn2.score.tasks * 100 / same.scoring.tasks_share), abs=0.05)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("05/12/2026", dt.date(2026, 12, 5)),
        ("5/1/2027", dt.date(2027, 1, 5)),
        ("05-12-2026", dt.date(2026, 12, 5)),
        ("2026-12-05", dt.date(2026, 12, 5)),
        ("31/02/2026", None),
        ("12/2026", None),
        ("", None),
    ],
)
def test_a_date_is_read_as_vietnamese_type_it(typed, expected):
    from campaign.dates import DateRefused, parse_date

    if expected is None:
        with pytest.raises(DateRefused):
            parse_date(typed)
    else:
        assert parse_date(typed) == expected


def test_every_column_is_at_least_as_wide_as_its_longest_word(campaign, inbox):
    from workbooks.font_metrics import text_width_mm
    from workbooks.report_document import CELL_PAD_MM, TABLE_PT, _cell_text, column_widths

    for table in city_report(_consolidation(campaign, inbox)).annexes:
        widths = column_widths(table)
        assert sum(widths) == pytest.approx(297 - 20 - 15)
        for i, w in enumerate(widths):
            body = [text_width_mm(x, TABLE_PT) for row in table.rows for x in _cell_text(row[i]).split()]
            head = [text_width_mm(x, TABLE_PT, bold=True) for x in table.headers[i].split()]
            assert w >= max(body + head) + CELL_PAD_MM - 0.01, (
                table.title,
                table.headers[i],
            )


def test_a_report_sent_late_with_errors_is_late_for_the_city_and_one_on_time_with_errors_on_time(campaign, inbox):
    """Tổng hợp lists a report with errors as 'Còn lỗi' whenever it came; the city is told when it
    came: late in the annex of units and in the body's count, as its score's lateness says."""
    import os

    from campaign.consolidation import WITH_ERRORS
    from campaign.report_tables import SENT_LATE, SENT_ON_TIME

    for code, day in (("T02", dt.datetime(2026, 12, 8, 15)), ("T03", dt.datetime(2026, 12, 1, 9))):
        path = inbox / f"{code}.xlsx"
        fill_entries(path, {"report": {"CT07": {"input_a": 900, "input_b": 100}}})  # more than all: an error
        os.utime(path, (day.timestamp(), day.timestamp()))
    c = _consolidation(campaign, inbox)
    assert {c.unit_row("T02").status, c.unit_row("T03").status} == {WITH_ERRORS}
    report = city_report(c)
    units = {row[1]: row[3] for row in report.annexes[1].rows}
    assert units[campaign.unit("T02").name] == SENT_LATE and units[campaign.unit("T03").name] == SENT_ON_TIME
    assert report.sent[SENT_LATE] == 1 + sum(1 for u in c.units if u.status == "Muộn")
    assert "T02" in report.late_units and "T03" not in report.late_units


def test_a_figure_beside_khong_dat_in_the_city_report_is_rounded_away_from_the_goal(campaign, inbox):
    """19 999 of 20 000 households, three villages alike: 99,995 % of a 100 % target is Không đạt;
    the annex shows 99,99 (and 99,9 % of the target) as the master does, never 100."""
    for code in ("T01", "T02", "T03"):
        fill_entries(inbox / f"{code}.xlsx", {"report": {"CT12": {"input_a": 19999, "input_b": 20000}}})
    c = _consolidation(campaign, inbox)
    assert c.target("CT12").outcome.status == "Không đạt"
    row = next(r for r in city_report(c).annexes[0].rows if r[1] == "CT12")
    assert (row[4], row[6], row[7]) == (99.99, 99.9, "Không đạt")


def test_a_report_tong_hop_does_not_count_was_not_sent_for_the_city(campaign, inbox):
    """Not written by its unit, unsigned past the day, unusable: Tổng hợp keeps it and counts it
    nowhere, and the city is told the unit did not send (it was told 'Đúng hạn')."""
    from campaign.consolidation import NOT_FROM_UNIT, UNSIGNED, UNUSABLE
    from campaign.report_tables import NOT_SENT, SENT_ON_TIME, city_status

    c = _consolidation(campaign, inbox)
    sent = c.unit_row("T01")
    assert sent.received_at is not None and city_status(c, sent) == SENT_ON_TIME
    for status in (NOT_FROM_UNIT, UNSIGNED, UNUSABLE):
        assert city_status(c, dataclasses.replace(sent, status=status)) == NOT_SENT, status
