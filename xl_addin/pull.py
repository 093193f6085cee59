"""Lấy về, the one use case the button, the CLI (pull) and the demo call: the unit's last
pushed report brought back into its workbook, with the review state and a return's reasons.

A pull never overwrites local entries that were not pushed unless forced. `write` is handed the
entries and the meta the workbook must now hold (the button writes them through xlwings;
`pull_file` rebuilds the file on the current template, after a backup).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaign.definition import Campaign
from campaign.grids import blank_grids
from campaign.refusals import RC, Conflict, SyncError
from campaign.review import Review, effective_state, review_meta
from campaign.signing import SEAL_BAD
from campaign.unit_report import UnitReport, entries_of, parse_report
from sync.backend import Backend
from sync.seals import SEAL
from sync.tab import Tab, content_hash, diff, entries_to_rows, rows_to_entries

FORCE_OPTION = "lấy về với tùy chọn --force (bản hiện tại được sao lưu)"


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


@dataclass(frozen=True)
class PulledBack:
    tab: Tab  # the revision now in the workbook
    review: Review | None  # its review record, if a consolidator acted on it


def pull_report(
    campaign: Campaign,
    report: UnitReport,
    backend: Backend,
    write: Callable[[dict, dict[str, object]], None],
    force: bool = False,
    how_to_force: str = FORCE_OPTION,
) -> PulledBack:
    """The pushed report, if pulling it loses nothing (or `force`), handed to `write` as
    entries and meta; refused with SyncError or Conflict (the differences) before any write."""
    remote = remote_for_pull(campaign, report, backend, force, how_to_force)
    review = backend.read_review(report.unit_code)
    write(rows_to_entries(remote.rows), pulled_meta(remote, review))
    return PulledBack(remote, review)


def pull_file(campaign: Campaign, path: Path, backend: Backend, force: bool = False) -> Tab:
    """Lấy về into a workbook file: rebuilt on the current template, its own key kept."""
    from workbooks.unit_files import read_report, write_entries_workbook
    from workbooks.writer import backup

    report = read_report(path)

    def write(entries: dict, meta: dict[str, object]) -> None:
        unit = campaign.unit(report.unit_code)
        if unit is None:
            raise SyncError(RC.LAY_VE_DON_VI_LA, unit=report.unit_code)
        backup(Path(path))
        kept = {**meta, "unit_key": report.meta.get("unit_key")}  # the key stays
        write_entries_workbook(campaign, unit, Path(path), entries, kept)

    return pull_report(campaign, report, backend, write, force).tab
