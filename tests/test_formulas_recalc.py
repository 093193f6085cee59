"""The key proof of the workbook's own formulas: filled with entries at every boundary, opened and
recalculated by LibreOffice (in English and in Vietnamese), the workbook shows exactly the
statuses and figures the engine computes, or shows nothing and says why: on campaign rows and on
the rows of the unit's own targets, for every rule kind, with goals typed as a unit types them.
"""

from __future__ import annotations

import random
import unicodedata
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from campaign.assessment import assess
from campaign.definition import STATUS_CHUA_CO, Target
from campaign.figures import shown
from campaign.findings import MESSAGES
from campaign.formulas import FORMULA_CODES
from campaign.own_formulas import HELPER, OWN_KINDS, computed_by_formula, helper_key
from campaign.sample_data import clean_entries
from workbooks.builder import write_unit_workbook
from workbooks.recalc import recalculate, soffice
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries

pytestmark = pytest.mark.slow

UNITS = ("KT", "VP", "T01", "VHXH", "CA", "PVHCC")
PER_UNIT = 3
# the formula's own lines: what a formula cannot read, said instead of a status
OWN_LINES = tuple(MESSAGES[c][1].split("{")[0] for c in ("cong_thuc.o_chu", "cong_thuc.khong_tinh"))
TEXT_TYPED = ("'1.234", "'97,5", "'1.200", "'36,5", "97,5%", "mười")


def _rate_cases(t: Target, rng: random.Random) -> list[tuple]:
    thr = Fraction(str(t.threshold))
    step = (thr / 100).denominator
    den = step * rng.randint(1, 40)
    exact = den * thr / 100
    num = int(exact)  # den is a multiple of the threshold's denominator: exactly on it
    cases = [(num, den), (num - 1, den), (min(num + 1, den), den), (den, den), (den + 1, den), (0, den)]
    cases += [(num, 0), (None, den), (-3, den), (rng.choice(TEXT_TYPED), den), (num, rng.choice(TEXT_TYPED))]
    if t.integer_inputs:
        cases.append((num + 0.5, den))
    else:
        cases += [(float(exact) + 0.01, den), (round(float(exact) - 0.001, 3), den)]
    return cases


def _cases(t: Target, rng: random.Random) -> list[tuple]:
    if t.rule in ("rate_min", "rate_strict"):
        return _rate_cases(t, rng)
    if t.rule == "ratio_min":
        ref = rng.choice([1000, 20_000, 43_210, 10_000])
        thr = Fraction(str(t.threshold))
        at = ref * thr / 100
        return [
            (ref, float(at)),
            (ref, float(at) - 0.01),
            (ref, float(at) + 0.01),
            (10_000, 10_499.98),  # 104,9998 %: Không đạt, shown 104,99
            (ref, float(at) * 2),
            (0, 100),
            (ref, None),
            ("'1.234", float(at)),
            (ref, "'97,5"),
        ]
    if t.rule == "growth_range":
        prev = rng.choice([100, 1000, 2_000, 156]) if t.integer_inputs else rng.choice([1000, 2000, 12_345.5, 250])
        low, high = Fraction(str(t.low)), Fraction(str(t.high))
        exact = Fraction(str(prev))
        cur_low, cur_high = exact * (1 + low / 100), exact * (1 + high / 100)
        out = [(prev, cur_low), (prev, cur_high), (prev, (cur_low + cur_high) / 2), (prev, prev), (0, 10)]
        out += [(prev, cur_high + (1 if t.integer_inputs else Fraction(1, 100)))]
        out += [(prev, cur_low - (1 if t.integer_inputs else Fraction(1, 100))), (prev, "'1.234"), (None, prev)]
        conv = [(a, b if b is None or isinstance(b, str) else _number(b, t.integer_inputs)) for a, b in out]
        return [c for c in conv if not (t.integer_inputs and any(isinstance(v, float) for v in c))]
    if t.rule == "rank_max":
        return [(v,) for v in (30, 31, 29, 1, 114, 115, 0, 29.5, -1, "'30", None)]
    if t.rule == "count_max":
        return [(v,) for v in (0, 1, 2, None, -1, 0.5, "'0")]
    if t.rule == "value_range":
        return [(v,) for v in (95, 100, 94.99, 100.01, 97.5, 94.9999, None, "'97,5", -2)]
    if t.rule == "level":
        nfd = unicodedata.normalize("NFD", t.target_level)
        return [(v,) for v in (*t.levels, nfd, "xong", None, 3)]
    raise AssertionError(t.rule)


# units' own targets: (rule as picked, goal as typed, [(input_a, input_b), ...] at its boundaries)
OWN_CASES = (
    ("Tỷ lệ, tối thiểu", "97,5", [(195, 200), (194, 200), (196, 200), (201, 200), (0, 0), ("'97,5", 200), (None, 200)]),
    ("Tỷ lệ, tối thiểu", 97.5, [(390, 400), (389, 400), (97.5, 100), (97.4, 100)]),
    ("Tỷ lệ, tối thiểu", "≥ 95 %", [(95, 100), (94, 100), (100, 100), (-3, 100), (9.99, 10)]),
    ("Tỷ lệ, tối thiểu", "100", [(100, 100), (99, 100)]),
    ("Tỷ lệ, phải trên", "75", [(75, 100), (76, 100), (3, 4), (301, 400), (0, 0)]),
    ("Tỷ lệ so với dự toán, tối thiểu", "105", [(10_000, 10_500), (10_000, 10_499.9), (10_000, 10_500.1), (0, 5)]),
    ("Tỷ lệ so với dự toán, tối thiểu", ">=105", [(10_000, 10_499.98), (1000, 2100), (1000, "'1.200")]),
    ("Tăng trưởng so với năm trước, trong khoảng", "14 - 15", [(1000, 1140), (1000, 1150), (1000, 1151), (1000, 1139)]),
    ("Tăng trưởng so với năm trước, trong khoảng", "14 đến 15", [(100, 114), (100, 115), (100, 115.1), (0, 10)]),
    ("Tăng trưởng so với năm trước, trong khoảng", "14–15%", [(2000, 2280), (2000, 2299.9), (156, 178)]),
    ("Giá trị trong khoảng", "95 - 100", [(95,), (100,), (94.99,), (100.01,), (94.9999,), ("'97,5",), (-2,)]),
    ("Giá trị trong khoảng", "2,5 - 3", [(2.5,), (2.4999,), (3,), (3.0001,)]),
    ("Số lượng, không vượt quá", "0", [(0,), (1,), (0.5,), (None,)]),
    ("Số lượng, không vượt quá", 3, [(3,), (3.0001,), (2,)]),
    ("Thứ hạng, không thấp hơn", "30", [(30,), (31,), (1,), (115,), (116,), (0,), (29.5,), ("'30",)]),
    ("rate_min", "90", [(90, 100), (89, 100)]),
    # goals and rules the formulas leave to Kiểm tra (or that the engine refuses): no status
    ("Tỷ lệ, tối thiểu", "97,25", [(9725, 10_000)]),
    ("Tỷ lệ, tối thiểu", "1.300", [(1, 2)]),
    ("Tỷ lệ, tối thiểu", "120", [(1, 2)]),
    ("Tăng trưởng so với năm trước, trong khoảng", "15 - 14", [(100, 114)]),
    ("Tăng trưởng so với năm trước, trong khoảng", 14, [(100, 114)]),
    ("Giá trị trong khoảng", "quá nhiều", [(5,)]),
    ("Thứ hạng, không thấp hơn", "0,5", [(1,)]),
    ("Tỷ lệ", "95", [(1, 2)]),
    ("Tỷ lệ, tối thiểu ", "95", [(1, 2)]),
    ("Số lượng, không vượt quá", "≤ 12000", [(5,)]),
)


# every goal with every one of its entries: the 18 workbooks' 90 own rows hold each at least once
OWN_ROWS = [(rule, goal, two, a_b) for rule, goal, cases in OWN_CASES for a_b in cases for two in [len(cases[0]) > 1]]


def _own_rows(seed: int) -> dict[str, dict]:
    rows = {}
    for i in range(1, 6):
        rule, goal, two, a_b = OWN_ROWS[(seed * 5 + i - 1) % len(OWN_ROWS)]
        row = {
            "code": f"R{i}",
            "name": f"Chỉ tiêu riêng {i}",
            "unit": "%" if two else "hộ",
            "rule": rule,
            "goal": goal,
            "input_a_label": "Số đạt" if two else "Số liệu",
            "input_a": a_b[0],
        }
        if two:
            row |= {"input_b_label": "Tổng số", "input_b": a_b[1]}
        rows[f"RIENG{i}"] = {k: v for k, v in row.items() if v is not None}
    return rows


def _number(v, whole: bool):
    v = Fraction(str(v))
    if whole:
        return int(v) if v.denominator == 1 else float(v)
    return int(v) if v.denominator == 1 else round(float(v), 4)


def _fill(campaign, unit_code: str, seed: int, folder: Path) -> Path:
    unit = campaign.unit(unit_code)
    rng = random.Random(f"{seed}-{unit_code}")
    path = folder / f"{unit_code}-{seed}.xlsx"
    write_unit_workbook(campaign, unit, path)
    entries = clean_entries(campaign, unit, seed=seed)
    period = rng.choice([p.name for p in campaign.periods] + [campaign.periods[0].code])
    entries["info"]["period"] = {"value": period}
    for t in campaign.targets_for(unit):
        case = rng.choice(_cases(t, rng))
        row = {"input_a": case[0]}
        if len(case) > 1:
            row["input_b"] = case[1]
        entries["report"][t.code] = {**entries["report"].get(t.code, {}), **row}
        for k in ("input_a", "input_b"):
            if k in row and row[k] is None:
                del entries["report"][t.code][k]
    entries["report"].update(_own_rows(seed + UNITS.index(unit_code) * PER_UNIT))
    # text-typed numbers as a unit types them: the apostrophe is Excel's, the cell holds text
    for row in entries["report"].values():
        for k, v in list(row.items()):
            if isinstance(v, str) and v.startswith("'"):
                row[k] = v[1:]
    fill_entries(path, entries)
    return path


def _probe(folder: Path) -> Path:
    """A workbook whose results differ by LibreOffice's locale: proof that the locale is set."""
    wb = Workbook()
    wb.active["A1"] = '="x"&1.5'
    path = folder / "probe.xlsx"
    wb.save(path)
    return path


def _close(got, want) -> bool:
    if want is None:
        return got in (None, "")
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and Fraction(str(got)) == want


def _compare(campaign, source: Path, computed: Path, own_kinds: set[str] | None = None) -> int:
    report = read_report(source)
    a = assess(campaign, report)
    ws = load_workbook(computed, data_only=True)[report.sheets["report"].name]
    cols = report.sheets["report"].columns
    lines_at: dict[int, list[str]] = {}
    for f in a.findings:
        digits = "".join(ch for ch in f.cell if ch.isdigit())
        if f.sheet == report.sheets["report"].name and digits:
            lines_at.setdefault(int(digits), []).append(f)
    checked = _compare_unread_own(a, report, ws, lines_at)
    for r in a.results:
        n = r.row.number
        got = {k: ws.cell(n, cols[k]).value for k in ("value", "pct_plan", "pct_prev", "status", "on_track", "check")}
        where = f"{source.name} {r.target.code} {r.inputs} {[r.row.value('input_a'), r.row.value('input_b')]}"
        formula_lines = [x for x in str(got["check"] or "").split("\n") if x]
        engine = lines_at.get(n, [])
        engine_lines = {f.line() for f in engine}
        for line in formula_lines:
            assert line in engine_lines or line.split(": ", 1)[1].startswith(OWN_LINES), (where, line, engine_lines)
        if got["status"] in (None, ""):
            # nothing shown: only where the formula cannot read what was typed, and it says why
            assert formula_lines and any(
                line.split(": ", 1)[1].startswith(OWN_LINES) or "Mức" in line for line in formula_lines
            ), where
            checked += 1
            continue
        for f in engine:
            if f.code in FORMULA_CODES:
                assert f.line() in formula_lines, (where, f.line(), formula_lines)
        value, pct_plan, pct_prev = shown(r.target, r.outcome)
        assert got["status"] == r.outcome.status, (where, got, r.outcome)
        assert _close(got["value"], value), (where, got["value"], value)
        assert _close(got["pct_plan"], pct_plan), (where, got["pct_plan"], pct_plan)
        assert _close(got["pct_prev"], pct_prev), (where, got["pct_prev"], pct_prev)
        assert _close(got["on_track"], r.outcome.on_track), (where, got["on_track"], r.outcome.on_track)
        if r.own and own_kinds is not None and r.outcome.status != STATUS_CHUA_CO:
            own_kinds.add(r.target.rule)
        checked += 1
    return checked


def _compare_unread_own(a, report, ws, lines_at) -> int:
    """Own rows the engine could not read as a target: the formulas show nothing there either,
    and a line says why."""
    rep = report.sheets["report"]
    cols = rep.columns
    built = {r.row.number for r in a.results if r.own}
    helpers = {row.key: row.number for row in rep.rows}
    checked = 0
    for row in rep.rows:
        if row.key.startswith("RIENG"):
            # what Kiểm tra believes the row's formulas decide is what the helper row decided
            ok = ws.cell(helpers[helper_key(row.key)], cols[HELPER["ok"]]).value
            assert ok == (1 if computed_by_formula({k: row.value(k) for k in row.cells}) else 0), (row.key, ok)
        if not row.key.startswith("RIENG") or row.number in built or row.is_blank():
            continue
        got = {k: ws.cell(row.number, cols[k]).value for k in ("value", "pct_plan", "status", "on_track", "check")}
        where = (row.key, row.value("rule"), row.value("goal"), got)
        assert all(got[k] in (None, "") for k in ("value", "pct_plan", "status", "on_track")), where
        lines = [x for x in str(got["check"] or "").split("\n") if x]
        assert lines and all(x.split(": ", 1)[1].startswith(OWN_LINES) for x in lines), where
        assert lines_at.get(row.number), where  # and Kiểm tra says what is wrong, or computes it
        checked += 1
    return checked


@pytest.fixture(scope="module")
def filled(campaign, tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("filled")
    return [_fill(campaign, code, seed, folder) for code in UNITS for seed in range(PER_UNIT)]


@pytest.mark.parametrize("locale, shows", [("en-US", "x1.5"), ("vi-VN", "x1,5")])
def test_libreoffice_computes_every_status_and_figure_the_engine_does_at_the_boundaries(
    campaign, filled, tmp_path, locale, shows
):
    if soffice() is None:
        pytest.fail("LibreOffice (soffice) is needed: apt-get install libreoffice-calc")
    probe = _probe(tmp_path)
    out = recalculate([probe, *filled], tmp_path / "out", locale, tmp_path)
    assert load_workbook(out[0], data_only=True).active["A1"].value == shows  # the locale took
    own_kinds: set[str] = set()
    rows = sum(_compare(campaign, src, done, own_kinds) for src, done in zip(filled, out[1:]))
    assert rows >= len(filled) * 3
    assert own_kinds == set(OWN_KINDS)  # a unit's own target of every kind it may choose, decided
