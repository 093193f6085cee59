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


def _not_workbooks(folder: Path) -> list[str]:
    """Files in the inbox that no unit report can be (a photo, a letter): named, not read."""
    return sorted(
        p.name
        for p in Path(folder).iterdir()
        if p.is_file() and p.suffix.lower() not in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))
    )


def _guess_unit(campaign: Campaign, name: str) -> str:
    """The unit a file is named for (vinh-bao-2026_T01.xlsx, as `workbook new` names it), or ""."""
    stem = Path(name).stem
    prefix = f"{campaign.id}_"
    code = stem[len(prefix) :] if stem.startswith(prefix) else ""
    return code if campaign.unit(code) is not None else ""


def _unusable_line(campaign: Campaign, name: str, exc: WorkbookRefused) -> str:
    """For the consolidator: the file, why it cannot be used, and whom to ask (the refusal's own
    text speaks to the unit that sent it, and already names the file)."""
    why = exc.message.split(" Hãy ")[0].rstrip(".")
    code = _guess_unit(campaign, name)
    ask = f"đề nghị đơn vị {code} gửi lại sổ báo cáo" if code else "không rõ của đơn vị nào, hỏi người gửi"
    return f"Không dùng được: {why}; {ask}."


def from_folder(campaign: Campaign, folder: Path) -> tuple[list[Submission], list[str]]:
    """Every workbook in a folder (e-mailed reports), and what the consolidator is told of the
    folder: how many files were used, how many could not be (each named once, with why) and
    which were not workbooks at all. Each file is read in a guarded child process, so no file
    can stop the others. A file named for a unit that cannot be used counts as that unit's
    unusable report."""
    subs: list[Submission] = []
    unusable: list[str] = []
    with GuardedReader() as reader:
        for path in inbox_files(folder):
            try:
                report = read_report(path, reader=reader)
            except WorkbookRefused as exc:
                unusable.append(_unusable_line(campaign, path.name, exc))
                code = _guess_unit(campaign, path.name)
                if code:
                    subs.append(Submission(code, path.name, _arrived(path), None, None, exc.message, campaign.id))
                continue
            subs.append(
                compact(
                    Submission(
                        report.unit_code,
                        path.name,
                        _arrived(path),
                        report,
                        assess(campaign, report),
                        None,
                        str(report.meta.get("campaign_id") or ""),
                        time_source=TIME_OF_INBOX,
                        evidence=evidence_of(campaign, report, None),
                    )
                )
            )
    skipped = _not_workbooks(folder)
    used = sum(1 for s in subs if s.report is not None)
    head = f"Thư mục nhận {Path(folder).name}: {used} sổ báo cáo đọc được, {len(unusable)} tệp không dùng được"
    head += f", {len(skipped)} tệp không phải sổ Excel bỏ qua" + (f" ({', '.join(skipped)})." if skipped else ".")
    # nothing to tell when every file was a usable report: the completeness summary says the rest
    return subs, [head, *unusable] if unusable or skipped else []


def _arrived(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
