"""A unit's report as a tab and back: the tab a push writes (`tab_of`), and every tab of a
campaign read into checked reports (`pull_all`, `TabReader`) for Tổng hợp and review. The push
and pull themselves are use cases: `xl_addin/push.py`, `xl_addin/pull.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from campaign import layout as L
from campaign.assessment import Assessment, assess
from campaign.definition import Campaign, Unit
from campaign.findings import Finding
from campaign.grids import blank_grids, fixed_info
from campaign.refusals import RC, Refusal, WorkbookRefused
from campaign.unit_report import (
    Cell,
    Row,
    SheetData,
    UnitReport,
    entries_of,
    last_index,
    normalised,
    parse_meta,
    parse_report,
)
from sync.backend import Backend
from sync.tab import Tab, entries_to_rows, rows_to_entries


def tab_of(report: UnitReport) -> Tab:
    return Tab(
        unit_code=report.unit_code,
        rows=entries_to_rows(entries_of(report)),
        template_version=str(report.meta.get("template_version") or L.TEMPLATE_VERSION),
        campaign_id=str(report.meta.get("campaign_id") or ""),
    )


@dataclass
class Pulled:
    unit_code: str
    tab: Tab
    report: UnitReport | None
    assessment: Assessment | None
    refusal: Refusal | Finding | None = None  # why it is not read: kept coded, said by the front end


class TabReader:
    """Turns the tabs of one campaign into unit reports with one parse per shape, not per tab.

    Units that report the same targets (with the same number of list rows) have the same blank
    report but for the "Thông tin" values the template fills and the unit code in the meta. So
    the blank is parsed once per shape and each tab's entries go straight into a copy of it, by
    row and column keys, exactly where `place_entries` would put them in the unit's own grids:
    a tab reads into the same report as the grids path, without building or scanning a grid.
    """

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self._blanks: dict[tuple, tuple[UnitReport, dict[str, dict[str, int]]]] = {}

    def _blank(self, unit: Unit, entries: dict) -> tuple[UnitReport, dict[str, dict[str, int]]]:
        models = max(last_index(entries.get("models", {}), L.LIST_PREFIX["models"]), L.MODEL_ROWS)
        proposals = max(last_index(entries.get("proposals", {}), L.LIST_PREFIX["proposals"]), L.PROPOSAL_ROWS)
        shape = (tuple(t.code for t in self.campaign.targets_for(unit)), models, proposals)
        if shape not in self._blanks:
            grids = blank_grids(self.campaign, unit, model_rows=models, proposal_rows=proposals)
            report = parse_report(grids, any_version=True)
            where = {k: _first_rows(sheet.rows) for k, sheet in report.sheets.items()}
            self._blanks[shape] = (report, where)
        return self._blanks[shape]

    def report(self, tab: Tab) -> UnitReport:
        """The tab read into the same plain data as the unit's workbook holding its entries."""
        unit = self.campaign.unit(tab.unit_code)
        if unit is None:
            raise WorkbookRefused(RC.TAB_DON_VI_LA, unit=tab.unit_code)
        entries = rows_to_entries(tab.rows)
        blank, where = self._blank(unit, entries)
        sheets = {
            k: replace(sheet, rows=[Row(r.key, r.number, dict(r.cells)) for r in sheet.rows])
            for k, sheet in blank.sheets.items()
        }
        fixed = {"info": {k: {"value": v} for k, v in fixed_info(self.campaign, unit).items() if k in where["info"]}}
        _place(sheets, where, fixed)
        homeless = _place(sheets, where, entries)
        if homeless:
            raise WorkbookRefused(RC.TAB_O_LA, unit=tab.unit_code, cells=homeless[:5])
        meta = dict(blank.meta, unit_code=unit.code, sync_revision=tab.revision, pushed_at=tab.pushed_at)
        meta.update(
            {k: v for k, v in (("campaign_id", tab.campaign_id), ("template_version", tab.template_version)) if v}
        )
        return UnitReport(f"tab {tab.unit_code}", parse_meta([[k, v] for k, v in meta.items()]), sheets)


def _first_rows(rows: list[Row]) -> dict[str, int]:
    """{row key: index of its first row}: the row `place_entries` writes a key's entries into."""
    out: dict[str, int] = {}
    for i, r in enumerate(rows):
        out.setdefault(r.key, i)
    return out


def _place(sheets: dict[str, SheetData], where: dict[str, dict[str, int]], entries: dict) -> list[str]:
    """Entries into the rows of copied sheets, as cells the parser would have made of them;
    returns the row keys with no place (a column with no place is ignored, as in the grids)."""
    homeless = []
    for layout_key, rows in entries.items():
        sheet = sheets.get(layout_key)
        if sheet is None:
            homeless.extend(f"{layout_key}:{k}" for k in rows)
            continue
        for row_key, cols in rows.items():
            i = where[layout_key].get(row_key)
            if i is None:
                homeless.append(f"{layout_key}:{row_key}")
                continue
            cells = sheet.rows[i].cells
            for col_key, value in cols.items():
                cell = cells.get(col_key)
                if cell is not None:
                    cells[col_key] = Cell(normalised(value), cell.sheet, cell.row, cell.col)
    return homeless


def report_from_tab(campaign: Campaign, tab: Tab, reader: TabReader | None = None) -> UnitReport:
    """A tab read into the same plain data as a workbook (pass one `TabReader` for many tabs)."""
    return (reader or TabReader(campaign)).report(tab)


def pull_all(
    campaign: Campaign, backend: Backend, screen: Callable[[Tab], Finding | None] | None = None
) -> Iterator[Pulled]:
    """Every unit's tab, read as the store hands them out (`Backend.iter_tabs`: the shared folder
    one at a time) and turned into a checked report one at a time (a generator: the caller keeps
    what it needs of each before the next tab is read). `screen` may refuse a tab before it is
    read (Tổng hợp: one its unit did not write), with a finding."""
    reader = TabReader(campaign)
    for code, tab in backend.iter_tabs([u.code for u in campaign.units]):
        if tab.extra.get("refused"):  # the store could not give it whole (a tab far too large)
            yield Pulled(code, tab, None, None, tab.extra["refused"])
            continue
        refused = screen(tab) if screen else None
        if refused is not None:
            yield Pulled(code, tab, None, None, refused)
            continue
        try:
            report = reader.report(tab)
        except WorkbookRefused as exc:
            yield Pulled(code, tab, None, None, exc)
            continue
        yield Pulled(code, tab, report, assess(campaign, report))
