"""Gathering submissions for Tổng hợp: from a backend, or from a folder of e-mailed workbooks.

When a report counts as received is never something the unit typed or can edit: in a folder of
e-mailed files it is when the file arrived there (its modification time in the inbox); on the
shared folder, when the unit's file was last written there, unless Tổng hợp's own receipts show
that to be false (sync/receipts.py); on Google Sheets, the push time the push itself recorded.
Each submission says which of these its time came from.

On the shared folder a report counts only if its unit wrote it: its signature checks with the
unit's key, it is not an older revision put back, or it is an unsigned push from a workbook made
before signing that arrived by the campaign's `unsigned_until`. Anything else is kept on the
share as it is, named in the units table and in Kết quả kiểm tra, and not counted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from campaign.assessment import assess
from campaign.consolidation import Submission, compact
from campaign.dates import vietnam_time
from campaign.definition import Campaign
from campaign.evidence import claims
from campaign.findings import FC, Finding
from campaign.refusals import RC, SyncError, WorkbookRefused
from campaign.review import Review, effective_state, last_action
from campaign.signing import SEAL_BAD, SEAL_OK
from sync.backend import Backend
from sync.receipts import Receipts
from sync.seals import SEAL
from sync.secret_store import secret_path
from sync.tab import Tab
from sync.unit_sync import pull_all
from workbooks.read_guard import GuardedReader
from workbooks.unit_files import read_report

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TIME_OF_INBOX = "thời điểm tệp đến thư mục nhận"
TIME_OF_SHARE = "thời điểm tệp được ghi vào thư mục chung"
TIME_OF_PUSH = "giờ gửi ghi trên bảng tính chung"
TIME_OF_RECEIPT = "lúc Tổng hợp thấy lần đầu (giờ ghi trên tệp sớm hơn một lần Tổng hợp trước chưa thấy)"


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
                        FC.MINH_CHUNG_KHONG_CO_TEP,
                        report.sheets["report"].name,
                        "",
                        detail=f"{item} ({what})",
                        folder=str(folder(report.unit_code)),
                    )
                )
    return found


class Screen:
    """Who wrote each report on a signed store (the shared folder), decided once per Tổng hợp
    against this PC's receipts: a refusal for pull_all, and for what is counted, its arrival."""

    def __init__(self, campaign: Campaign, receipts: Receipts, now: dt.datetime):
        self.campaign, self.receipts, self.now = campaign, receipts, now
        self.arrivals: dict[str, tuple[dt.datetime, bool]] = {}
        self.warnings: dict[str, Finding] = {}

    def __call__(self, tab: Tab) -> Finding | None:
        unit, seal, where = tab.unit_code, tab.extra.get(SEAL), f"don-vi/{tab.unit_code}.json"
        if seal == SEAL_BAD:
            return Finding.make(FC.CHU_KY_SAI, unit=unit, detail=where)
        if seal == SEAL_OK:
            newer = self.receipts.replayed(unit, tab.revision, tab.data_hash())
            if newer is not None:
                return Finding.make(FC.CHU_KY_BAN_CU, unit=unit, value=tab.revision, expected=newer)
        first = self.receipts.note(unit, tab.revision, tab.data_hash(), seal == SEAL_OK, self.now)
        self.arrivals[unit] = self.receipts.arrival(tab.extra.get("arrived_at"), first)
        if seal == SEAL_OK:
            return None
        deadline = f"{self.campaign.unsigned_deadline:%d/%m/%Y}"
        if self.arrivals[unit][0].date() > self.campaign.unsigned_deadline:
            return Finding.make(FC.CHU_KY_CHUA_KY, unit=unit, detail=deadline)
        self.warnings[unit] = Finding.make(FC.CHU_KY_CHUA_KY_CON_HAN, detail=deadline)
        return None

    def review(self, code: str, review: Review | None, set_aside: str | None) -> tuple[Review | None, list[Finding]]:
        """The review record that counts: none where it was planted or put back from before."""
        if set_aside:
            return None, [Finding.make(FC.CHU_KY_DUYET_BI_SUA, unit=code, detail=set_aside)]
        if review is not None and review.seq:
            newer = self.receipts.review_replayed(code, review.seq)
            if newer is not None:
                detail = f"bản cũ lần {review.seq}, đã thấy lần {newer}"
                return None, [Finding.make(FC.CHU_KY_DUYET_BI_SUA, unit=code, detail=detail)]
        return review, []


def _screen(campaign: Campaign, backend: Backend, now: dt.datetime | None) -> Screen | None:
    if not backend.signed:
        return None
    if not backend.keyring or not backend.keyring.is_office:
        # without the secret nothing here can be told from a forgery: say so, count nothing
        raise SyncError(RC.KHOA_CHUA_CO, campaign=campaign.id, path=secret_path(campaign.id))
    # this PC's local clock, the one the share's file times are read in (FolderBackend.read_tab)
    now = now or backend.store_clock() or dt.datetime.now()
    return Screen(campaign, Receipts.load(backend.keyring, backend.store_id()), now.replace(microsecond=0))


def from_backend(campaign: Campaign, backend: Backend, now: dt.datetime | None = None) -> list[Submission]:
    """Every unit's report on the store as Tổng hợp counts it; `now`: when this Tổng hợp runs
    (its receipts' time; the store's clock or this PC's when not given)."""
    screen = _screen(campaign, backend, now)
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
            p.assessment.findings.extend(_missing_files(p.report, evidence, backend))
            p.assessment.findings.extend(review_findings)
            if screen is not None and p.unit_code in screen.warnings:
                p.assessment.findings.append(screen.warnings[p.unit_code])
        when, source = _received(p.tab, screen)
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
                    refusal_code=p.refusal_code or FC.TEP_KHONG_DOC_DUOC,
                    refusal_fix=p.refusal_fix,
                )
            )
        )
    if screen is not None:
        screen.receipts.end_run(screen.now)
    return out


def _received(tab: Tab, screen: Screen | None) -> tuple[dt.datetime | None, str]:
    """When the report counts as received, and where that time came from."""
    if screen is not None and tab.unit_code in screen.arrivals:
        when, from_receipt = screen.arrivals[tab.unit_code]
        return when, TIME_OF_RECEIPT if from_receipt else TIME_OF_SHARE
    arrived = tab.extra.get("arrived_at")
    return (arrived, TIME_OF_SHARE) if arrived else (_parse(tab.pushed_at), TIME_OF_PUSH)


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
    """When a file reached the inbox, in Vietnam time (the file's own time; see the README on
    what the folder can prove)."""
    return vietnam_time(path.stat().st_mtime)
