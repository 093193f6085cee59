"""Gathering submissions for Tổng hợp: from a backend, or from a folder of e-mailed workbooks.

When a report counts as received is never something the unit typed or can edit: in a folder of
e-mailed files it is when the file arrived there (its modification time in the inbox); on the
shared folder, when the unit's file was last written there; on Google Sheets, the push time the
push itself recorded. Each submission says which of these its time came from.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from campaign.assessment import assess
from campaign.consolidation import Submission, compact
from campaign.dates import vietnam_time
from campaign.definition import Campaign
from campaign.evidence import claims
from campaign.findings import Finding
from campaign.refusals import WorkbookRefused
from campaign.review import effective_state, last_action
from sync.backend import Backend
from sync.unit_sync import pull_all
from workbooks.read_guard import GuardedReader
from workbooks.unit_files import read_report

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TIME_OF_INBOX = "thời điểm tệp đến thư mục nhận"
TIME_OF_SHARE = "thời điểm tệp được ghi vào thư mục chung"
TIME_OF_PUSH = "giờ gửi ghi trên bảng tính chung"


def evidence_of(campaign: Campaign, report, backend: Backend | None) -> tuple:
    """(claim, evidence named, what the store says) per claim needing evidence; a named file the
    share does not hold becomes a warning on the report."""
    out = []
    for claim in claims(campaign, report) if report is not None else ():
        states = [
            backend.evidence_state(report.unit_code, e) if backend else "chưa kiểm tra (báo cáo gửi qua thư)"
            for e in claim.evidence
        ]
        state = "; ".join(sorted(set(states))) if claim.evidence else "chưa ghi"
        out.append((claim.what, claim.evidence, state))
    return tuple(out)


def _missing_files(report, evidence: tuple, backend: Backend) -> list[Finding]:
    folder = getattr(backend, "evidence_dir", None)
    if folder is None:
        return []
    found = []
    for what, items, _ in evidence:
        for item in items:
            if backend.evidence_state(report.unit_code, item) == "không thấy tệp":
                found.append(
                    Finding.make(
                        "minh_chung.khong_co_tep",
                        report.sheets["report"].name,
                        "",
                        detail=f"{item} ({what})",
                        folder=str(folder(report.unit_code)),
                    )
                )
    return found


def from_backend(campaign: Campaign, backend: Backend) -> list[Submission]:
    reviews = backend.read_reviews([u.code for u in campaign.units])
    out = []
    for p in pull_all(campaign, backend):
        review = reviews.get(p.unit_code)
        state = effective_state(review, p.tab.data_hash())
        evidence = evidence_of(campaign, p.report, backend)
        if p.assessment is not None:
            p.assessment.findings.extend(_missing_files(p.report, evidence, backend))
        arrived = p.tab.extra.get("arrived_at")
        when, source = (arrived, TIME_OF_SHARE) if arrived else (_parse(p.tab.pushed_at), TIME_OF_PUSH)
        out.append(
            compact(
                Submission(
                    p.unit_code,
                    f"{backend.name}: {p.unit_code}",
                    when,
                    p.report,
                    p.assessment,
                    p.refusal,
                    p.tab.campaign_id,
                    time_source=source if when else "",
                    review_state=state,
                    review_note=last_action(review),
                    evidence=evidence,
                )
            )
        )
    return out


def _parse(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def inbox_files(folder: Path) -> list[Path]:
    """The workbooks in a folder, in every format a unit may have saved; Excel's lock files and
    hidden files are not reports."""
    return sorted(
        p
        for p in Path(folder).iterdir()
        if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))
    )


def from_folder(campaign: Campaign, folder: Path) -> tuple[list[Submission], list[str]]:
    """Every workbook in a folder (e-mailed reports); unreadable files are listed, not skipped
    silently. Each file is read in a guarded child process, so no file can stop the others."""
    subs, unreadable = [], []
    with GuardedReader() as reader:
        for path in inbox_files(folder):
            try:
                report = read_report(path, reader=reader)
            except WorkbookRefused as exc:
                unreadable.append(f"{path.name}: {exc}")
                continue
            arrived = vietnam_time(path.stat().st_mtime)
            subs.append(
                compact(
                    Submission(
                        report.unit_code,
                        path.name,
                        arrived,
                        report,
                        assess(campaign, report),
                        None,
                        str(report.meta.get("campaign_id") or ""),
                        time_source=TIME_OF_INBOX,
                        evidence=evidence_of(campaign, report, None),
                    )
                )
            )
    return subs, unreadable
