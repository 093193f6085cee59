"""Tổng hợp: commune figures against arithmetic done by hand here, completeness, ranking."""

from __future__ import annotations

import datetime as dt
import os
from fractions import Fraction

from campaign.consolidation import LATE, MISSING, ON_TIME, consolidate
from campaign.dates import VIETNAM
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_folder


def _arrive(path, *when):
    """The file reaches the inbox at `when` (its modification time there)."""
    stamp = dt.datetime(*when, tzinfo=VIETNAM).timestamp()  # a time in Vietnam, whatever the PC zone
    os.utime(path, (stamp, stamp))
    return path


def _village(
    workbook, campaign, code, households, cultural, population, insured, poor=0, date=(2026, 12, 3), arrived=None
):
    """A village's report typed as dated `date`, arriving at `arrived` (default: that day, 08:00)."""
    path = workbook(code, filled=True)
    fill_entries(
        path,
        {
            "report": {
                "CT06": {"input_a": poor},
                "CT07": {"input_a": cultural, "input_b": households},
                "CT09": {"input_a": insured, "input_b": population},
            },
            "info": {"report_date": {"value": dt.date(*date)}},
        },
    )
    return _arrive(path, *(arrived or (*date, 8)))


def test_commune_rate_is_the_ratio_of_sums_not_the_average_of_percentages(campaign, workbook, tmp_path):
    # T01: 99 of 100 households (99 %); T02: 950 of 1 000 (95 %).
    # Average of percentages: (99 + 95) / 2 = 97 %  -> would be "Không đạt" against 97,5 %.
    # Ratio of sums: (99 + 950) / (100 + 1 000) = 1 049 / 1 100 = 95,36 %  -> "Không đạt" too, but a different figure;
    # the definition says ratio of sums, so the commune figure must be 1 049 / 1 100.
    folder = tmp_path / "nhan"
    folder.mkdir()
    for code, hh, cf in (("T01", 100, 99), ("T02", 1000, 950)):
        p = _village(workbook, campaign, code, hh, cf, 2000, 1900)
        p.rename(folder / p.name)
    subs, unreadable = from_folder(campaign, folder)
    assert not unreadable and len(subs) == 2
    c = consolidate(campaign, subs, as_of=dt.date(2026, 12, 10))
    ct07 = c.target("CT07")
    assert ct07.inputs == (Fraction(1049), Fraction(1100))
    assert ct07.outcome.value == Fraction(1049, 1100) * 100
    assert round(float(ct07.outcome.value), 2) == 95.36  # the average of the two villages' rates would be 97,0
    assert sorted(ct07.contributors) == ["T01", "T02"]
    assert len(ct07.missing) == 14  # the other villages have not reported
    # CT06 is a sum: 0 + 0 poor households
    assert c.target("CT06").inputs == (Fraction(0),) and c.target("CT06").outcome.status == "Đạt"


def test_ratio_of_sums_can_reach_a_target_the_average_misses(campaign, workbook, tmp_path):
    # T01: 10 of 20 households (50 %), T02: 1 990 of 2 000 (99,5 %).
    # Average of percentages 74,75 % -> Không đạt; ratio of sums 2 000 / 2 020 = 99,0099 % -> Vượt.
    folder = tmp_path / "nhan"
    folder.mkdir()
    for code, hh, cf in (("T01", 20, 10), ("T02", 2000, 1990)):
        _village(workbook, campaign, code, hh, cf, 100, 99).rename(folder / f"{code}.xlsx")
    c = consolidate(campaign, from_folder(campaign, folder)[0])
    assert c.target("CT07").outcome.value == Fraction(2000, 2020) * 100
    assert c.target("CT07").outcome.status == "Vượt"


def test_lead_unit_value_is_the_commune_figure(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    p = workbook("CA", filled=True)
    fill_entries(p, {"report": {"CT16": {"input_a": 31, "input_b": 40}}})  # 77,5 %
    p.rename(folder / "CA.xlsx")
    c = consolidate(campaign, from_folder(campaign, folder)[0])
    ct16 = c.target("CT16")
    assert ct16.contributors == ["CA"] and ct16.outcome.value == Fraction(775, 10) and ct16.outcome.status == "Đạt"
    assert c.target("CT01").outcome.status == "Chưa có số liệu"


def test_completeness_on_time_late_missing_against_the_deadline(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    _village(workbook, campaign, "T01", 100, 98, 100, 97, date=(2026, 12, 6)).rename(
        folder / "a.xlsx"
    )  # the last day in time
    _village(workbook, campaign, "T02", 100, 98, 100, 97, date=(2026, 12, 7)).rename(
        folder / "b.xlsx"
    )  # 07/12 is late: "trước ngày 07/12"
    c = consolidate(campaign, from_folder(campaign, folder)[0], as_of=dt.date(2026, 12, 8))
    assert c.unit_row("T01").status == ON_TIME
    assert c.unit_row("T02").status == LATE
    assert c.unit_row("T03").status == MISSING
    late, on_time = c.unit_row("T02").score, c.unit_row("T01").score
    assert late.late_penalty == campaign.scoring.late_penalty and on_time.late_penalty == 0


def test_duplicates_strangers_and_other_campaigns_are_reported_not_merged(campaign, workbook, tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "nhan"
    folder.mkdir()
    _village(workbook, campaign, "T01", 100, 98, 100, 97, date=(2026, 12, 1)).rename(folder / "T01-lan1.xlsx")
    _village(workbook, campaign, "T01", 100, 99, 100, 97, date=(2026, 12, 2)).rename(folder / "T01-lan2.xlsx")
    other = _village(workbook, campaign, "T03", 100, 98, 100, 97)
    wb = load_workbook(other)
    wb["_thidua"]["B2"] = "hai-duong-2026"
    wb.save(other)
    other.rename(folder / "khac.xlsx")
    (folder / "hong.xlsx").write_bytes(b"garbage")
    subs, unreadable = from_folder(campaign, folder)
    c = consolidate(campaign, subs)
    assert c.target("CT07").inputs == (Fraction(99), Fraction(100))  # the newer T01, once
    assert any("T01 có 2 bản nộp" in i and "T01-lan1.xlsx" in i for i in c.issues)
    assert any("hai-duong-2026" in i for i in c.issues)
    assert sum("hong.xlsx" in line for line in unreadable) == 1


def test_ranking_within_each_cluster_by_score(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    _village(workbook, campaign, "T01", 100, 100, 100, 100).rename(folder / "a.xlsx")
    _village(workbook, campaign, "T02", 100, 50, 100, 50, poor=3).rename(folder / "b.xlsx")
    other = next(u.code for u in campaign.units if u.kind == "thôn" and u.cluster != campaign.unit("T01").cluster)
    _village(workbook, campaign, other, 100, 100, 100, 100).rename(folder / "c.xlsx")  # another cluster
    c = consolidate(campaign, from_folder(campaign, folder)[0])
    t1, t2 = c.unit_row("T01"), c.unit_row("T02")
    assert t1.cluster == t2.cluster and t1.score.total > t2.score.total
    assert (t1.rank, t2.rank) == (1, 2)
    assert c.unit_row(other).rank == 1  # first in its own cluster, not third in T01's
    assert not any("giống hệt" in i for i in c.issues)  # different figures are not flagged as copies


def test_a_table_is_written_as_one_rectangle_that_blanks_a_longer_previous_run():
    from campaign.consolidation import Table
    from campaign.result_cells import table_rectangle

    table = Table("TIÊU ĐỀ", ["Mã", "Tên"], [["T01", "Thôn Đông"], ["T02", None]])
    previous = [["x"] * 6 for _ in range(9)]  # last run's table was wider and longer
    full = table_rectangle(table, previous)
    assert len(full) == 9 and {len(r) for r in full} == {6}
    assert full[0][:2] == ["TIÊU ĐỀ", ""] and full[1][:2] == ["Mã", "Tên"]
    assert full[2][:2] == ["T01", "Thôn Đông"] and full[3][:2] == ["T02", ""]
    assert all(v == "" for r in full for v in r[2:]) and all(v == "" for r in full[4:] for v in r)


def test_a_mid_year_consolidation_forecasts_each_commune_target(campaign, workbook, tmp_path):
    folder = tmp_path / "nhan"
    folder.mkdir()
    _village(workbook, campaign, "T01", 100, 98, 100, 97).rename(folder / "a.xlsx")
    c = consolidate(campaign, from_folder(campaign, folder)[0], as_of=dt.date(2026, 7, 1), months=6)
    assert c.target("CT07").outcome.on_track is not None  # the months reach the rule
    assert consolidate(campaign, from_folder(campaign, folder)[0]).target("CT07").outcome.on_track is None
