"""Gửi báo cáo / Lấy về / Lấy tất cả: a unit workbook against a backend.

Push is refused while the workbook has errors, and touches the local file only after the
remote write succeeded (to record the revision). Pull never overwrites local entries that
were not pushed unless forced, and then keeps a backup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from campaign import layout as L
from campaign.assessment import Assessment, assess
from campaign.dates import vietnam_now
from campaign.definition import Campaign, Unit
from campaign.findings import LOI, Finding, sort_findings
from campaign.grids import blank_grids, fixed_info
from campaign.refusals import RC, Conflict, SyncError, WorkbookRefused
from campaign.review import CLEARED, Review, effective_state, review_meta
from campaign.signing import SEAL_BAD
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
from sync.backend import Backend, PushResult
from sync.seals import SEAL
from sync.tab import Tab, content_hash, diff, entries_to_rows, rows_to_entries


def tab_of(report: UnitReport) -> Tab:
    return Tab(
        unit_code=report.unit_code,
        rows=entries_to_rows(entries_of(report)),
        template_version=str(report.meta.get("template_version") or L.TEMPLATE_VERSION),
        campaign_id=str(report.meta.get("campaign_id") or ""),
    )


def push_report(
    campaign: Campaign, report: UnitReport, backend: Backend, when: dt.datetime | None = None
) -> PushResult:
    """Check, then push (signed with the workbook's own key); raises SyncError (refusal) or
    Conflict (with the differences). A workbook made before signing pushes unsigned, with a
    warning, until the campaign's `unsigned_until`."""
    a = assess(campaign, report)
    if a.errors:
        first = [f"{f.where}: {f.message}" for f in sort_findings(a.findings) if f.severity == LOI][:5]
        raise SyncError(RC.GUI_CON_LOI, errors=a.errors, first="\n  ".join(first))
    base = int(report.meta.get("sync_revision") or 0)
    warning = ""
    if backend.signed:
        backend.hold_unit_key(report.unit_code, report.meta.get("unit_key"))
        if backend.keyring.key_for(report.unit_code) is None:
            day = (when or vietnam_now()).date()  # the push's own clock, as Backend.push
            deadline = campaign.unsigned_deadline
            if day > deadline:
                raise SyncError(
                    RC.GUI_CHUA_CO_KHOA, unit=report.unit_code, store=backend.store, deadline=f"{deadline:%d/%m/%Y}"
                )
            warning = UNSIGNED_WARNING.format(store=backend.store, deadline=f"{deadline:%d/%m/%Y}")
    result = backend.push(tab_of(report), base, when)
    return replace(result, warning=warning) if warning else result


UNSIGNED_WARNING = (
    "Lưu ý: sổ này chưa có khóa ký nên bản gửi chưa được ký; {store} chỉ nhận bản chưa ký đến hết ngày "
    "{deadline}. Đề nghị phòng Văn hóa - Xã hội nâng cấp sổ ('thidua workbook upgrade')."
)


def push_file(campaign: Campaign, path: Path, backend: Backend, when: dt.datetime | None = None) -> PushResult:
    from workbooks.unit_files import read_report
    from workbooks.writer import set_meta

    report = read_report(path)
    result = push_report(campaign, report, backend, when)
    set_meta(
        Path(path),
        {
            "sync_revision": result.revision,
            "sync_hash": result.content_hash,
            "pushed_at": result.pushed_at,
            "pushed_by": backend.account,
            **CLEARED,  # a return's reasons stay until the next push
        },
    )
    return result


def unpushed_changes(campaign: Campaign, report: UnitReport) -> bool:
    """Entries differ from what was last pushed; a never-pushed workbook counts only if
    something beyond the template's own defaults (the pre-selected period) was typed."""
    rows = entries_to_rows(entries_of(report))
    pushed = str(report.meta.get("sync_hash") or "")
    if pushed:
        return content_hash(rows) != pushed
    unit = campaign.unit(report.unit_code)
    if unit is None:
        return bool(rows)
    blank = entries_to_rows(entries_of(parse_report(blank_grids(campaign, unit), any_version=True)))
    return set(rows) - set(blank) != set()


def remote_for_pull(campaign: Campaign, report: UnitReport, backend: Backend, force: bool, how_to_force: str) -> Tab:
    """The unit's pushed tab, if pulling it loses nothing typed locally (or `force`)."""
    if backend.signed:
        backend.hold_unit_key(report.unit_code, report.meta.get("unit_key"))
    remote = backend.read_tab(report.unit_code)
    if remote is None:
        raise SyncError(RC.LAY_VE_CHUA_CO_BAN, unit=report.unit_code, where=backend.name)
    if remote.extra.get(SEAL) == SEAL_BAD:
        raise SyncError(RC.LAY_VE_BI_SUA, unit=report.unit_code, store=backend.store, seal=SEAL_BAD)
    local_rows = entries_to_rows(entries_of(report))
    if not force and unpushed_changes(campaign, report) and content_hash(local_rows) != remote.data_hash():
        raise Conflict(RC.LAY_VE_CHUA_GUI, diff(local_rows, remote.rows), how=how_to_force)
    return remote


def pulled_meta(remote: Tab, review: Review | None = None) -> dict[str, object]:
    """The meta a pulled workbook holds: the revision, and the report's review state and a
    return's reasons (shown in the Kiểm tra column until the next push)."""
    return {
        "sync_revision": remote.revision,
        "sync_hash": remote.data_hash(),
        "pushed_at": remote.pushed_at,
        "pushed_by": remote.pushed_by,
        **review_meta(review, effective_state(review, remote.data_hash())),
    }


def pull_file(campaign: Campaign, path: Path, backend: Backend, force: bool = False) -> Tab:
    from workbooks.unit_files import read_report, write_entries_workbook
    from workbooks.writer import backup

    report = read_report(path)
    remote = remote_for_pull(
        campaign, report, backend, force, "lấy về với tùy chọn --force (bản hiện tại được sao lưu)"
    )
    unit = campaign.unit(report.unit_code)
    if unit is None:
        raise SyncError(RC.LAY_VE_DON_VI_LA, unit=report.unit_code)
    backup(Path(path))
    review = backend.read_review(report.unit_code)
    meta = {**pulled_meta(remote, review), "unit_key": report.meta.get("unit_key")}  # the key stays
    write_entries_workbook(campaign, unit, Path(path), rows_to_entries(remote.rows), meta)
    return remote


@dataclass
class Pulled:
    unit_code: str
    tab: Tab
    report: UnitReport | None
    assessment: Assessment | None
    refusal: str | None = None
    refusal_code: str = ""
    refusal_fix: str = ""


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
            yield Pulled(code, tab, None, None, str(tab.extra["refused"]))
            continue
        refused = screen(tab) if screen else None
        if refused is not None:
            yield Pulled(code, tab, None, None, refused.message, refused.code, refused.fix)
            continue
        try:
            report = reader.report(tab)
        except WorkbookRefused as exc:
            yield Pulled(code, tab, None, None, str(exc))
            continue
        yield Pulled(code, tab, report, assess(campaign, report))
