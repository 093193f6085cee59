"""Tổng hợp, the one use case the button, the CLI (consolidate, export) and the demo call:
every unit's report gathered, checked and consolidated into the commune's figures and tables.

From a store (the shared folder or Google Sheets): each unit's report as Tổng hợp counts it:
on the shared folder only what its unit signed (`sync/collect.py` `Screen`), with its review
state, its evidence and when it counts as received. From a folder of e-mailed workbooks: each
file read in a guarded child process, and what the consolidator is told of the folder first
among the issues. A report that cannot be used keeps its refusal, code and all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from campaign.assessment import assess
from campaign.consolidation import Consolidation, Submission, compact, consolidate
from campaign.definition import Campaign
from campaign.refusals import WorkbookRefused
from campaign.review import effective_state, last_action
from sync.backend import Backend
from sync.collect import (
    TIME_OF_INBOX,
    arrived,
    evidence_of,
    guess_unit,
    inbox_files,
    missing_files,
    not_workbooks,
    received,
    screen_for,
    unusable_line,
)
from sync.unit_sync import pull_all
from workbooks.read_guard import GuardedReader
from workbooks.unit_files import read_report


class InboxNotes(list):
    """What the consolidator is told of an inbox, line by line; `unplaced`: how many files could
    not be used and name no unit (no unit's count holds them)."""

    unplaced = 0


def consolidate_reports(
    campaign: Campaign, source: Backend | Path, as_of: dt.date | None = None, now: dt.datetime | None = None
) -> Consolidation:
    """Tổng hợp of what `source` holds: a backend's reports, or (a Path) an inbox folder's
    workbooks. `as_of`: the day the completeness is judged on; `now`: when this Tổng hợp runs
    (its receipts' time on the shared folder)."""
    if isinstance(source, Path):
        subs, unreadable = from_folder(campaign, source)
    else:
        subs, unreadable = from_backend(campaign, source, now), InboxNotes()
    c = consolidate(campaign, subs, as_of=as_of)
    c.issues[:0] = unreadable  # what the inbox held, first (from_folder writes it whole)
    c.unplaced = unreadable.unplaced
    return c


def from_backend(campaign: Campaign, backend: Backend, now: dt.datetime | None = None) -> list[Submission]:
    """Every unit's report on the store as Tổng hợp counts it; `now`: when this Tổng hợp runs
    (its receipts' time; the store's clock or this PC's when not given)."""
    screen = screen_for(campaign, backend, now)
    reviews = backend.read_reviews([u.code for u in campaign.units])
    out = []
    for p in pull_all(campaign, backend, screen):
        review, review_findings = reviews.get(p.unit_code), []
        if screen is not None:
            review, review_findings = screen.review(
                p.unit_code, review, getattr(backend, "set_aside", {}).get(p.unit_code)
            )
        state = effective_state(review, p.tab.data_hash())
        evidence = evidence_of(campaign, p.report, backend)
        if p.assessment is not None:
            p.assessment.findings.extend(missing_files(p.report, evidence, backend))
            p.assessment.findings.extend(review_findings)
            if screen is not None and p.unit_code in screen.warnings:
                p.assessment.findings.append(screen.warnings[p.unit_code])
        when, source = received(p.tab, screen)
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
    if screen is not None:
        screen.receipts.end_run(screen.now)
    return out


def from_folder(campaign: Campaign, folder: Path) -> tuple[list[Submission], InboxNotes]:
    """Every workbook in a folder (e-mailed reports), and what the consolidator is told of the
    folder: how many files were used, how many could not be (each named once, with why) and
    which were not workbooks at all. Each file is read in a guarded child process, so no file
    can stop the others. A file named for a unit that cannot be used counts as that unit's
    unusable report."""
    subs: list[Submission] = []
    unusable: list[str] = []
    unplaced = 0
    with GuardedReader() as reader:
        for path in inbox_files(folder):
            try:
                report = read_report(path, reader=reader)
            except WorkbookRefused as exc:
                unusable.append(unusable_line(campaign, path.name, exc))
                code = guess_unit(campaign, path.name)
                if code:
                    subs.append(Submission(code, path.name, arrived(path), None, None, exc, campaign.id))
                else:
                    unplaced += 1
                continue
            subs.append(
                compact(
                    Submission(
                        report.unit_code,
                        path.name,
                        arrived(path),
                        report,
                        assess(campaign, report),
                        None,
                        str(report.meta.get("campaign_id") or ""),
                        time_source=TIME_OF_INBOX,
                        evidence=evidence_of(campaign, report, None),
                    )
                )
            )
    skipped = not_workbooks(folder)
    used = sum(1 for s in subs if s.report is not None)
    head = f"Thư mục nhận {Path(folder).name}: {used} sổ báo cáo đọc được, {len(unusable)} tệp không dùng được"
    head += f", {len(skipped)} tệp không phải sổ Excel bỏ qua" + (f" ({', '.join(skipped)})." if skipped else ".")
    # nothing to tell when every file was a usable report: the completeness summary says the rest
    notes = InboxNotes([head, *unusable] if unusable or skipped else [])
    notes.unplaced = unplaced
    return subs, notes
