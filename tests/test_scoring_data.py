"""Scoring as the decision issues it: bonuses, disqualifiers, the tie-break order, the leading
unit per cụm/khối and the members' confirmation; expectations computed by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from campaign.consolidation import UnitRow, _tie_key
from campaign.consolidation_tables import leaders_table, ranking_table
from campaign.definition import Scoring
from campaign.scoring import ScoreParts, unit_score

D = Decimal


def test_a_bonus_adds_its_points_and_errors_cost_nothing_by_default():
    sc = Scoring(bonuses=(("Cờ thi đua của UBND thành phố", D(10)), ("Bằng khen của Chủ tịch UBND thành phố", D(5))))
    # one target Đạt (100) at 70 %, one task Hoàn thành (100) at 30 %: 70 + 30 = 100; +10 + 5; 3 errors cost 0
    parts = unit_score(
        sc,
        [("Đạt", D(1))],
        ["Hoàn thành"],
        errors=3,
        bonus=sc.bonus(("Cờ thi đua của UBND thành phố", "Bằng khen của Chủ tịch UBND thành phố", "không có")),
    )
    assert (parts.targets, parts.tasks, parts.bonus, parts.error_penalty, parts.total) == (
        D("70.00"),
        D("30.00"),
        D("15.00"),
        D("0.00"),
        D("115.00"),
    )
    strict = dataclasses.replace(sc, error_penalty=D(2))  # where the decision says so
    assert unit_score(strict, [("Đạt", D(1))], ["Hoàn thành"], errors=3).total == D("94.00")


def _row(code, total, targets, at):
    return UnitRow(code, code, "K", "Đúng hạn", at, "", 0, 0, ScoreParts(D(targets), D(0), D(0), D(0), D(total)))


def test_ties_are_broken_in_the_decisions_order_and_by_code_only_last():
    early, late = dt.datetime(2026, 12, 1, 8), dt.datetime(2026, 12, 4, 8)
    a, b, c, d = _row("A", 90, 60, late), _row("B", 90, 65, late), _row("C", 90, 65, early), _row("D", 90, 65, early)
    order = ("tổng điểm", "điểm chỉ tiêu", "nộp sớm")
    ranked = sorted([a, b, c, d], key=lambda r: (*_tie_key(order, r), r.unit_code))
    # same total; B, C, D have more targets' points than A; of those C and D reported first; C < D by code
    assert [r.unit_code for r in ranked] == ["C", "D", "B", "A"]
    just_total = sorted([a, b, c, d], key=lambda r: (*_tie_key(("tổng điểm",), r), r.unit_code))
    assert [r.unit_code for r in just_total] == ["A", "B", "C", "D"]


def test_a_disqualified_unit_is_listed_not_ranked_and_the_leader_awaits_the_cluster(campaign, workbook, tmp_path):
    from campaign.consolidation import consolidate
    from xl_addin.consolidate import from_folder

    folder = tmp_path / "nhan"
    folder.mkdir()
    for code in ("T01", "T02", "T03"):
        workbook(code, filled=True, seed=int(code[1:])).rename(folder / f"{code}.xlsx")
    subs = from_folder(campaign, folder)[0]
    base = consolidate(campaign, subs, as_of=dt.date(2026, 12, 10))
    cluster = campaign.unit("T01").cluster
    ranked = sorted((u for u in base.units if u.cluster == cluster and u.rank), key=lambda u: u.rank)
    top = ranked[0].unit_code
    units = tuple(
        dataclasses.replace(u, disqualified="Có cán bộ bị kỷ luật") if u.code == top else u for u in campaign.units
    )
    c = consolidate(dataclasses.replace(campaign, units=units), subs, as_of=dt.date(2026, 12, 10))
    assert c.unit_row(top).rank is None and any(top in i and "không xét xếp hạng" in i for i in c.issues)
    new_top = next(u.unit_code for u in c.units if u.cluster == cluster and u.rank == 1)
    assert new_top == ranked[1].unit_code
    row = next(r for r in leaders_table(c).rows if r[1] == new_top)
    assert row[4] == "Cờ thi đua của UBND thành phố" and row[5] == "Chờ hội nghị cụm xác nhận"
    # the members confirm another unit at their meeting: that is what the report carries
    clusters = tuple(
        dataclasses.replace(k, confirmed_leader=ranked[2].unit_code, confirmed_at="15/12/2026")
        if k.code == cluster
        else k
        for k in campaign.clusters
    )
    confirmed = consolidate(
        dataclasses.replace(campaign, units=units, clusters=clusters), subs, as_of=dt.date(2026, 12, 10)
    )
    row = next(r for r in leaders_table(confirmed).rows if r[0] == next(k.name for k in clusters if k.code == cluster))
    assert row[1] == ranked[2].unit_code and "đã xác nhận" in row[5] and "15/12/2026" in row[5]
    assert "DỰ THẢO" in ranking_table(c).title  # no decision number yet
    decided = dataclasses.replace(
        campaign, scoring=dataclasses.replace(campaign.scoring, decision="Quyết định số 12/QĐ-UBND")
    )
    assert "theo Quyết định số 12/QĐ-UBND" in ranking_table(consolidate(decided, subs)).title
