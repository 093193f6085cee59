"""Gửi báo cáo, the one use case the button, the CLI (push) and the demo call: check, push,
then record the revision in the workbook.

The push is refused while the workbook has errors, and touches the local workbook only after
the remote write succeeded: `record` is handed what the workbook's meta must now say (the
button writes it through xlwings, `push_file` into the file). A workbook made before signing
pushes unsigned, with a warning, until the campaign's `unsigned_until`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from campaign.assessment import assess
from campaign.dates import vietnam_now
from campaign.definition import Campaign
from campaign.findings import LOI, sort_findings
from campaign.refusals import RC, SyncError
from campaign.review import CLEARED
from campaign.unit_report import UnitReport
from sync.backend import Backend, PushResult
from sync.unit_sync import tab_of

UNSIGNED_WARNING = (
    "Lưu ý: sổ này chưa có khóa ký nên bản gửi chưa được ký; {store} chỉ nhận bản chưa ký đến hết ngày "
    "{deadline}. Đề nghị phòng Văn hóa - Xã hội nâng cấp sổ ('thidua workbook upgrade')."
)


def pushed_meta(result: PushResult, backend: Backend) -> dict[str, object]:
    """What a pushed workbook's meta says: the revision it now is, and a return's reasons
    cleared (they stay until the next push)."""
    return {
        "sync_revision": result.revision,
        "sync_hash": result.content_hash,
        "pushed_at": result.pushed_at,
        "pushed_by": backend.account,
        **CLEARED,
    }


def push_report(
    campaign: Campaign,
    report: UnitReport,
    backend: Backend,
    record: Callable[[dict[str, object]], None] | None = None,
    when: dt.datetime | None = None,
) -> PushResult:
    """Check, then push (signed with the workbook's own key), then `record` the new meta;
    raises SyncError (refusal) or Conflict (with the differences)."""
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
    if record is not None:
        record(pushed_meta(result, backend))
    return replace(result, warning=warning) if warning else result


def push_file(campaign: Campaign, path: Path, backend: Backend, when: dt.datetime | None = None) -> PushResult:
    """The push of a workbook file, its meta set in the file afterwards."""
    from workbooks.unit_files import read_report
    from workbooks.writer import set_meta

    report = read_report(path)
    return push_report(campaign, report, backend, lambda meta: set_meta(Path(path), meta), when)
