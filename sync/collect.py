"""Gathering submissions for Tổng hợp: from a backend, or from a folder of e-mailed workbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sync.backend import Backend
from sync.unit_sync import pull_all
from xl_addin.assessment import assess
from xl_addin.campaign import Campaign
from xl_addin.consolidation import Submission, received_time
from xl_addin.refusals import WorkbookRefused

WORKBOOK_PATTERNS = ("*.xlsx", "*.xlsm", "*.xls")


def from_backend(campaign: Campaign, backend: Backend) -> list[Submission]:
    out = []
    for p in pull_all(campaign, backend):
        when = None
        try:
            when = dt.datetime.fromisoformat(p.tab.pushed_at) if p.tab.pushed_at else None
        except ValueError:
            pass
        out.append(
            Submission(
                p.unit_code,
                f"{backend.name}: {p.unit_code}",
                when,
                p.report,
                p.assessment,
                p.refusal,
                p.tab.campaign_id,
            )
        )
    return out


def from_folder(campaign: Campaign, folder: Path) -> tuple[list[Submission], list[str]]:
    """Every workbook in a folder (e-mailed reports); unreadable files are listed, not skipped silently."""
    from workbooks.unit_files import read_report

    subs, unreadable = [], []
    files = sorted(
        {p for pattern in WORKBOOK_PATTERNS for p in Path(folder).glob(pattern) if not p.name.startswith(("~$", "."))}
    )
    for path in files:
        try:
            report = read_report(path)
        except WorkbookRefused as exc:
            unreadable.append(f"{path.name}: {exc}")
            continue
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime)
        subs.append(
            Submission(
                report.unit_code,
                path.name,
                received_time(report, mtime),
                report,
                assess(campaign, report),
                None,
                str(report.meta.get("campaign_id") or ""),
            )
        )
    return subs, unreadable
