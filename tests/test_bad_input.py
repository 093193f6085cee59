"""Bad input never ends in a traceback: 100+ generated malformed workbooks and the real-world
corpus each end in findings or a clear Vietnamese refusal; writing results never crashes."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from campaign import layout as L
from campaign.assessment import assess
from campaign.refusals import explain
from campaign.result_cells import result_plan
from campaign.unit_report import parse_report
from workbooks.cells import set_value
from xl_addin.check import check_file

VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


def _edit(fn):
    def mutate(path: Path) -> None:
        wb = load_workbook(path)
        fn(wb)
        wb.save(path)

    return mutate


def _clear(cell) -> None:
    cell.value = None


def _raw(fn):
    def mutate(path: Path) -> None:
        path.write_bytes(fn(path.read_bytes()))

    return mutate


def _mutations():
    out = {}
    sheets = [s.name for s in L.DATA_SHEETS] + [L.META_NAME, L.LISTS_NAME, L.GUIDE_NAME]
    for name in sheets:
        out[f"delete sheet {name}"] = _edit(lambda wb, n=name: wb.remove(wb[n]))
    for i, col in enumerate(L.REPORT.columns, 2):
        out[f"rename header {col.key}"] = _edit(lambda wb, c=i: wb[L.REPORT.name].cell(4, c, "Cột đã đổi tên"))
        # openpyxl's ws.cell(r, c, None) leaves the value alone: clear it through the cell
        out[f"delete key {col.key}"] = _edit(lambda wb, c=i: _clear(wb[L.REPORT.name].cell(1, c)))
    for spec in L.DATA_SHEETS:
        out[f"delete marker {spec.key}"] = _edit(lambda wb, n=spec.name: _clear(wb[n].cell(1, 1)))
        out[f"delete header marker {spec.key}"] = _edit(lambda wb, n=spec.name: _clear(wb[n].cell(4, 1)))
        out[f"delete end marker {spec.key}"] = _edit(
            lambda wb, n=spec.name: next(c for c in wb[n]["A"] if c.value == L.END_MARKER).__setattr__("value", None)
        )
    for r in (2, 5, 6, 8, 12):
        out[f"insert rows at {r}"] = _edit(lambda wb, r=r: wb[L.REPORT.name].insert_rows(r, 3))
        out[f"insert column at {r}"] = _edit(lambda wb, r=r: wb[L.REPORT.name].insert_cols(r))
    for rng in ("I5:K5", "B5:R6", "N5:S9", "A1:C3", "I6:I9"):
        out[f"merge {rng}"] = _edit(lambda wb, g=rng: wb[L.REPORT.name].merge_cells(g))
    values = {
        "formula div0": "=1/0",
        "formula na": "=NA()",
        "formula ref": "=#REF!+1",
        "huge string": "9" * 32000,
        "huge text": "Lorem ipsum " * 2500,
        "date as text": "31/02/2026",
        "iso date": "2026-12-01",
        "real date": dt.datetime(2026, 6, 1),
        "bool": True,
        "negative": -1000,
        "huge number": 1e300,
        "tiny number": 1e-300,
        "text number": "١٢٣",
        "percent": "97,5%",
        "excel error text": "#DIV/0!",
        "tab and newline": "12\t\n3",
        "unicode junk": "💥\u202e123",
        "formula injection": '=HYPERLINK("http://x","bấm")',
    }
    for label, v in values.items():
        out[f"inputs: {label}"] = _edit(
            lambda wb, v=v: [set_value(wb[L.REPORT.name].cell(r, c), v) for r in range(5, 10) for c in (9, 11)]
        )
        out[f"everywhere: {label}"] = _edit(
            lambda wb, v=v: [
                set_value(wb[s.name].cell(r, c), v) for s in L.DATA_SHEETS for r in range(5, 8) for c in range(2, 8)
            ]
        )
    meta = {
        "no version": ("B1", None),
        "old version": ("B1", "2024.1"),
        "other campaign": ("B2", "hai-duong-2026"),
        "unknown unit": ("B4", "ZZZ"),
        "empty unit": ("B4", None),
        "number unit": ("B4", 12),
    }
    for label, (ref, v) in meta.items():
        out[f"meta: {label}"] = _edit(lambda wb, ref=ref, v=v: wb[L.META_NAME].__setitem__(ref, v))
    out["info sheet emptied"] = _edit(
        lambda wb: [set_value(c, None) for row in wb[L.INFO.name].iter_rows() for c in row]
    )
    out["report sheet emptied"] = _edit(
        lambda wb: [set_value(c, None) for row in wb[L.REPORT.name].iter_rows() for c in row]
    )
    out["truncated zip"] = _raw(lambda b: b[: len(b) // 2])
    out["first bytes only"] = _raw(lambda b: b[:100])
    out["empty file"] = _raw(lambda b: b"")
    out["random bytes"] = _raw(lambda b: bytes(range(256)) * 40)
    out["csv renamed"] = _raw(lambda b: "Mã,Giá trị\nCT07,97,5\n".encode())
    out["old xls header"] = _raw(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    out["zip without workbook"] = _raw(lambda b: _zip_without(b, "xl/workbook.xml"))
    out["zip without the report sheet's part"] = _raw(lambda b: _zip_without(b, "xl/worksheets/sheet4.xml"))
    out["xml bomb in document properties"] = _raw(lambda b: _zip_replace(b, "docProps/core.xml", BOMB))
    out["xml bomb in the report sheet"] = _raw(lambda b: _zip_replace(b, "xl/worksheets/sheet4.xml", BOMB))
    return out


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><cp:coreProperties '
    b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">&lol3;</cp:coreProperties>'
)


def _zip_without(data: bytes, member: str) -> bytes:
    import io

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            if item.filename != member:
                dst.writestr(item, src.read(item.filename))
    return buf.getvalue()


def _zip_replace(data: bytes, member: str, content: bytes) -> bytes:
    import io

    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, content if item.filename == member else src.read(item.filename))
    return buf.getvalue()


MUTATIONS = _mutations()


def test_there_are_at_least_100_malformed_workbooks():
    assert len(MUTATIONS) >= 100


def _assert_handled(checked, path):
    if checked.assessment is None:
        said = explain(checked.refusal)[0]  # the refusal keeps its code; the front end says it
        assert checked.refusal and VIETNAMESE & set(said.lower()), said
        assert "Traceback" not in said
    else:
        for f in checked.assessment.findings:
            assert f.message and f.fix


@pytest.mark.parametrize("name", list(MUTATIONS), ids=list(MUTATIONS))
def test_malformed_workbook_ends_in_findings_or_a_clear_refusal(name, campaign, workbook):
    path = workbook("T01", filled=True)
    before = path.read_bytes()
    MUTATIONS[name](path)
    mutated = path.read_bytes()
    checked = check_file(campaign, path, write="progress")
    _assert_handled(checked, path)
    if checked.assessment is None:
        assert path.read_bytes() == mutated  # a refused file is left exactly as it was
    assert mutated != before  # the mutation really changed the workbook


CORPUS_FILES = sorted((CORPUS / "xlsx").glob("*.xls*")) or [CORPUS / "xlsx" / "missing.xlsx"]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_real_world_workbook_is_refused_clearly(path, campaign, tmp_path):
    path = corpus("xlsx", path.name)
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    checked = check_file(campaign, copy, write="progress")
    assert checked.assessment is None  # none of them is a thidua workbook
    _assert_handled(checked, copy)
    assert copy.read_bytes() == path.read_bytes()


CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(
        ["97,5", "1.234", "1.234.567,5", "#N/A", "=1/0", "0,975", "95 triệu", "Hoàn thành", "Vượt", "12%", "(5)"]
    ),
)


@pytest.fixture(scope="module")
def t01_grids(tmp_path_factory):
    from workbooks.builder import write_unit_workbook
    from workbooks.campaign_workbook import load_default
    from workbooks.grid_reader import read_grids

    c = load_default()
    path = tmp_path_factory.mktemp("h") / "T01.xlsx"
    write_unit_workbook(c, c.unit("T01"), path)
    return read_grids(path)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_cell_content_makes_validate_or_progress_raise(t01_grids, campaign, data):
    grids = {name: [list(r) for r in grid] for name, grid in t01_grids.items()}
    for _ in range(data.draw(st.integers(1, 25))):
        name = data.draw(st.sampled_from([s.name for s in L.DATA_SHEETS]))
        grid = grids[name]
        r = data.draw(st.integers(4, len(grid) - 1))
        c = data.draw(st.integers(1, len(grid[r]) - 1))
        grid[r][c] = data.draw(CELL)
    report = parse_report(grids, "T01.xlsx")
    a = assess(campaign, report)
    result_plan(report, a, progress=True)
    for f in a.findings:
        assert f.message and f.sheet
