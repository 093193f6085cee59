"""Tổng hợp at city scale: the fast paths read and write the same data as the plain ones."""

from __future__ import annotations

import pytest

from campaign import layout as L
from campaign.grids import blank_grids, place_entries
from campaign.refusals import WorkbookRefused
from campaign.sample_data import clean_entries
from campaign.unit_report import last_index, parse_report
from sync.tab import Tab, entries_to_rows, rows_to_entries
from sync.unit_sync import TabReader, report_from_tab


def _through_grids(campaign, tab: Tab):
    """The reference: the tab's entries placed into the unit's own blank grids, then parsed."""
    entries = rows_to_entries(tab.rows)
    grids = blank_grids(
        campaign,
        campaign.unit(tab.unit_code),
        model_rows=last_index(entries.get("models", {}), L.LIST_PREFIX["models"]),
        proposal_rows=last_index(entries.get("proposals", {}), L.LIST_PREFIX["proposals"]),
    )
    meta = dict(grids[L.META_NAME])
    meta.update({"sync_revision": tab.revision, "pushed_at": tab.pushed_at, "campaign_id": tab.campaign_id})
    grids[L.META_NAME] = [[k, v] for k, v in meta.items()]
    assert place_entries(grids, entries) == []
    return parse_report(grids, f"tab {tab.unit_code}", any_version=True)


def _same(a, b) -> None:
    a.meta.pop("generated_at")
    b.meta.pop("generated_at")
    assert a == b


def test_every_unit_reads_from_its_tab_as_from_its_grids(campaign):
    # one reader for all units: the blank of a shape is reused, the unit's own values are not
    reader = TabReader(campaign)
    for i, unit in enumerate(campaign.units):
        tab = Tab(
            unit.code,
            entries_to_rows(clean_entries(campaign, unit, seed=i)),
            4,
            "",
            "2026-11-30 08:00",
            "",
            "",
            campaign.id,
        )
        _same(reader.report(tab), _through_grids(campaign, tab))
        assert reader.report(tab).info("unit_name").value == unit.name


def test_extra_list_rows_and_typed_info_read_as_from_grids(campaign):
    unit = campaign.unit("T07")  # a village: it reports rates of two inputs
    entries = clean_entries(campaign, unit)
    entries.setdefault("models", {})["MH14"] = {"type": "Mô hình mới", "name": "Mô hình thứ 14", "description": "z"}
    entries.setdefault("proposals", {})["DN31"] = {"name": "Nguyễn Văn A"}
    entries.setdefault("info", {})["unit_name"] = {"value": "Tên gõ đè"}
    # as a tab edited on the web can hold them: a whole number as a float, a blank as spaces
    code = next(t.code for t in campaign.targets_for(unit) if len(t.inputs) == 2)
    typed = (("report", code, "input_a", 950.0, ""), ("report", code, "input_b", "  ", ""))
    tab = Tab("T07", entries_to_rows(entries) + typed, campaign_id=campaign.id)
    reader = TabReader(campaign)
    report_from_tab(campaign, Tab("T01", entries_to_rows(clean_entries(campaign, campaign.unit("T01")))), reader)
    got = reader.report(tab)
    _same(got, _through_grids(campaign, tab))
    assert got.sheets["models"].cell("MH14", "name").value == "Mô hình thứ 14"
    assert got.sheets["report"].cell(code, "input_a").value == 950
    assert got.sheets["report"].cell(code, "input_b").value is None


def test_an_entry_with_no_row_is_refused_with_its_key(campaign):
    entries = clean_entries(campaign, campaign.unit("HPN"))
    entries["report"]["CT99"] = {"input_a": 1}
    entries["nowhere"] = {"X1": {"a": 1}}
    with pytest.raises(WorkbookRefused) as exc:
        report_from_tab(campaign, Tab("HPN", entries_to_rows(entries)))
    assert exc.value.code == "tab.o_la"
    assert exc.value.context["cells"] == ["report:CT99", "nowhere:X1"]


def test_the_streamed_master_keeps_its_styles_panes_filters_and_table(campaign, tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from campaign.consolidation import Submission, consolidate
    from campaign.consolidation_tables import targets_table
    from workbooks.consolidated import write_master
    from workbooks.data_sheet import SHEET, TABLE_NAME

    reader = TabReader(campaign)
    subs = []
    for i, unit in enumerate(campaign.units[:12]):
        entries = clean_entries(campaign, unit, seed=i)
        # a model named like a formula, with a control character pasted in
        entries.setdefault("models", {})["MH1"] = {"type": "Mô hình mới", "name": "=1+2\x07", "description": "z"}
        report = reader.report(Tab(unit.code, entries_to_rows(entries)))
        from campaign.assessment import assess

        subs.append(Submission(unit.code, unit.code, dt.datetime(2026, 11, 30), report, assess(campaign, report)))
    c = consolidate(campaign, subs, as_of=dt.date(2026, 12, 10))
    c.issues.append('=HYPERLINK("http://x")\x07')  # a formula-looking text with a control character
    wb = load_workbook(write_master(c, tmp_path / "tong-hop.xlsx"))
    ws = wb["Chỉ tiêu toàn xã"]
    title, head, body = ws["A1"], ws["A2"], ws["A3"]
    assert title.font.bold and title.font.name == "Times New Roman"
    assert head.font.bold and head.fill.fgColor.rgb.endswith("DDEBF7") and head.border.left.style == "thin"
    assert head.alignment.wrap_text and ws.row_dimensions[2].height == 42
    assert body.border.bottom.style == "thin" and body.alignment.vertical == "top" and not body.font.bold
    floats = [c for row in ws.iter_rows(min_row=3) for c in row if isinstance(c.value, float)]
    assert floats and {c.number_format for c in floats} == {"#,##0.##"}
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["C"].width == targets_table(c).widths[2]
    typed = next(c for row in wb["Mô hình, điển hình"].iter_rows() for c in row if c.value and "1+2" in str(c.value))
    assert typed.value == "=1+2" and typed.data_type == "s"  # text, never a formula; the control character gone
    data = wb[SHEET]
    table = data.tables[TABLE_NAME]
    headers = [cell.value for cell in data[1]]
    assert [col.name for col in table.tableColumns] == headers
    assert table.ref == table.autoFilter.ref == f"A1:{data.cell(1, len(headers)).column_letter}{data.max_row}"
    assert data.freeze_panes == "A2" and data["A1"].font.bold


def _type_reason(master, sheet: str, row: int, col: int, text: str) -> None:
    """As the consolidator types a reason into an empty cell of a sheet and saves: that cell's
    XML changed in the file, every other part left as thidua wrote it."""
    import html
    import re
    import zipfile

    from campaign.unit_report import cell_ref

    with zipfile.ZipFile(master) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    book = parts["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet [^>]*name="' + re.escape(html.escape(sheet, quote=True)) + r'"[^>]*r:id="(\w+)"', book)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(
        r'Target="/?(?:xl/)?([^"]+)"[^>]*Id="'
        + rid.group(1)
        + '"|Id="'
        + rid.group(1)
        + r'"[^>]*Target="/?(?:xl/)?([^"]+)"',
        rels,
    )
    name = "xl/" + (target.group(1) or target.group(2))
    ref = cell_ref(row, col).encode()
    parts[name], n = re.subn(
        rb'(<c r="' + ref + rb'"[^>]*)></c>', rb"\1><is><t>" + text.encode() + rb"</t></is></c>", parts[name]
    )
    assert n == 1
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in parts.items():
            zf.writestr(part, data)


@pytest.mark.slow
def test_a_5000_unit_share_consolidates_into_a_fresh_master_and_again_into_it(tmp_path):
    """Hải Phòng's scale: the master thidua writes is one thidua reads back, typed reasons kept
    far below the 2 000 rows a unit workbook may use."""

    _consolidate_twice(tmp_path, 5000)


def _consolidate_twice(tmp_path, n: int) -> None:
    from scale_share import make_share

    from campaign.consolidation_tables import REASON_HEADER, UNITS_SHEET, typed_reasons, units_header_row
    from workbooks.grid_reader import read_grids
    from workbooks.xlsx_limits import MAX_ROWS, master_limits
    from xl_addin.cli import main

    toml, share = make_share(n, tmp_path)
    master = tmp_path / "tong-hop.xlsx"
    argv = ["--campaign", str(toml), "consolidate", "--share", str(share), "--out", str(master)]
    argv += ["--as-of", "2026-12-10"]
    assert main(argv) == 0
    limits = master_limits(n, 22)
    grid = read_grids(master, {UNITS_SHEET}, limits)[UNITS_SHEET]
    head = units_header_row(grid)
    row = next(i for i, r in enumerate(grid) if f"D{n - 1:04d}" in r) + 1
    assert row > MAX_ROWS
    _type_reason(master, UNITS_SHEET, row, grid[head].index(REASON_HEADER) + 1, "Thiếu minh chứng CT07")
    assert main(argv) == 0
    again = read_grids(master, {UNITS_SHEET}, limits)[UNITS_SHEET]
    assert typed_reasons(again)[f"D{n - 1:04d}"] == "Thiếu minh chứng CT07"
    assert len(again) == len(grid)
