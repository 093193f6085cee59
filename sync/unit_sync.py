"""Gửi báo cáo / Lấy về / Lấy tất cả: a unit workbook against a backend.

Push is refused while the workbook has errors, and touches the local file only after the
remote write succeeded (to record the revision). Pull never overwrites local entries that
were not pushed unless forced, and then keeps a backup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from campaign import layout as L
from campaign.assessment import Assessment, assess
from campaign.definition import Campaign
from campaign.findings import LOI, sort_findings
from campaign.grids import blank_grids, place_entries
from campaign.refusals import Conflict, SyncError, WorkbookRefused
from campaign.review import CLEARED, Review, effective_state, review_meta
from campaign.unit_report import UnitReport, entries_of, last_index, parse_report
from sync.backend import Backend, PushResult
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
    """Check, then push; raises SyncError (refusal) or Conflict (with the differences)."""
    a = assess(campaign, report)
    if a.errors:
        first = [f"{f.where}: {f.message}" for f in sort_findings(a.findings) if f.severity == LOI][:5]
        raise SyncError("gui.con_loi", errors=a.errors, first="\n  ".join(first))
    base = int(report.meta.get("sync_revision") or 0)
    return backend.push(tab_of(report), base, when)


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
    remote = backend.read_tab(report.unit_code)
    if remote is None:
        raise SyncError("lay_ve.chua_co_ban", unit=report.unit_code, where=backend.name)
    local_rows = entries_to_rows(entries_of(report))
    if not force and unpushed_changes(campaign, report) and content_hash(local_rows) != remote.data_hash():
        raise Conflict("lay_ve.chua_gui", diff(local_rows, remote.rows), how=how_to_force)
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
        raise SyncError("lay_ve.don_vi_la", unit=report.unit_code)
    backup(Path(path))
    review = backend.read_review(report.unit_code)
    write_entries_workbook(campaign, unit, Path(path), rows_to_entries(remote.rows), pulled_meta(remote, review))
    return remote


@dataclass
class Pulled:
    unit_code: str
    tab: Tab
    report: UnitReport | None
    assessment: Assessment | None
    refusal: str | None = None


def report_from_tab(campaign: Campaign, tab: Tab) -> UnitReport:
    """A tab read into the same plain data as a workbook: its entries placed in the unit's grids."""
    unit = campaign.unit(tab.unit_code)
    if unit is None:
        raise WorkbookRefused("tab.don_vi_la", unit=tab.unit_code)
    entries = rows_to_entries(tab.rows)
    grids = blank_grids(
        campaign,
        unit,
        model_rows=last_index(entries.get("models", {}), L.LIST_PREFIX["models"]),
        proposal_rows=last_index(entries.get("proposals", {}), L.LIST_PREFIX["proposals"]),
    )
    meta = dict(grids[L.META_NAME])
    meta.update({"sync_revision": tab.revision, "pushed_at": tab.pushed_at})
    meta.update({k: v for k, v in (("campaign_id", tab.campaign_id), ("template_version", tab.template_version)) if v})
    grids[L.META_NAME] = [[k, v] for k, v in meta.items()]
    homeless = place_entries(grids, entries)
    if homeless:
        raise WorkbookRefused("tab.o_la", unit=tab.unit_code, cells=homeless[:5])
    return parse_report(grids, f"tab {tab.unit_code}", any_version=True)


def pull_all(campaign: Campaign, backend: Backend) -> Iterator[Pulled]:
    """Every unit's tab, read in one batch and then turned into a checked report one at a time
    (a generator: the caller keeps what it needs of each before the next is built)."""
    tabs = backend.read_all([u.code for u in campaign.units])
    for code, tab in tabs.items():
        if tab.extra.get("refused"):  # the store could not give it whole (a tab far too large)
            yield Pulled(code, tab, None, None, str(tab.extra["refused"]))
            continue
        try:
            report = report_from_tab(campaign, tab)
        except WorkbookRefused as exc:
            yield Pulled(code, tab, None, None, str(exc))
            continue
        yield Pulled(code, tab, report, assess(campaign, report))
