"""What Tổng hợp needs to gather submissions (the gathering itself is `xl_addin/consolidate.py`):
who wrote each report on the shared folder, when each counts as received, what its evidence is,
which files of an inbox are workbooks and what to say of the ones that cannot be used.

When a report counts as received is never something the unit typed or can edit: in a folder of
e-mailed files it is when the file arrived there (its modification time in the inbox); on the
shared folder, when the unit's file was last written there, unless Tổng hợp's own receipts show
that to be false (sync/receipts.py); on Google Sheets, the push time the push itself recorded.
Each submission says which of these its time came from.

On the shared folder and on Google a report counts only if its unit wrote it: its signature
checks with the unit's key and it is not an older revision put back, or it is
an unsigned push from a workbook made before signing that arrived by the campaign's
`unsigned_until`. Anything else is kept on the store as it is, named in the units table and in
Kết quả kiểm tra, and not counted.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from campaign.dates import vietnam_time
from campaign.definition import Campaign, nfc
from campaign.evidence import claims
from campaign.findings import FC, Finding
from campaign.refusals import RC, SyncError, WorkbookRefused
from campaign.review import Review
from campaign.signing import SEAL_BAD, SEAL_OK
from sync.backend import Backend
from sync.receipts import Receipts
from sync.seals import SEAL
from sync.secret_store import secret_path
from sync.tab import Tab

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


def missing_files(report, evidence: tuple, backend: Backend) -> list[Finding]:
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
    """Who wrote each report on a signed store, decided once per Tổng hợp against this PC's
    receipts: a refusal for pull_all, and for what is counted, its arrival. On both stores an
    older genuine revision put back over a newer one is a replay; on the shared folder the
    receipts also bound a backdated file's time, while on Google (`backend.guarded`) the push's
    own time stands: Google's clock, under the signature."""

    def __init__(self, campaign: Campaign, backend: Backend, receipts: Receipts, now: dt.datetime):
        self.campaign, self.backend, self.receipts, self.now = campaign, backend, receipts, now
        self.arrivals: dict[str, tuple[dt.datetime, bool]] = {}
        self.warnings: dict[str, Finding] = {}

    def __call__(self, tab: Tab) -> Finding | None:
        unit, seal, store = tab.unit_code, tab.extra.get(SEAL), self.backend.store
        if seal == SEAL_BAD:
            return Finding.make(FC.CHU_KY_SAI, unit=unit, store=store, detail=self.backend.tab_place(unit))
        if seal == SEAL_OK:
            newer = self.receipts.replayed(unit, tab.revision, tab.data_hash())
            if newer is not None:
                return Finding.make(FC.CHU_KY_BAN_CU, unit=unit, store=store, value=tab.revision, expected=newer)
        arrived = self._arrival(tab, seal == SEAL_OK)
        if seal == SEAL_OK:
            return None
        deadline = f"{self.campaign.unsigned_deadline:%d/%m/%Y}"
        if arrived is None or arrived.date() > self.campaign.unsigned_deadline:
            return Finding.make(FC.CHU_KY_CHUA_KY, unit=unit, store=store, detail=deadline)
        self.warnings[unit] = Finding.make(FC.CHU_KY_CHUA_KY_CON_HAN, store=store, detail=deadline)
        return None

    def _arrival(self, tab: Tab, signed: bool) -> dt.datetime | None:
        """When the report counts as arrived: on Google the push's own time (Google's clock), on
        the folder the file's time bounded by the receipts."""
        first = self.receipts.note(tab.unit_code, tab.revision, tab.data_hash(), signed, self.now)
        if self.backend.guarded:
            return _parse(tab.pushed_at)
        self.arrivals[tab.unit_code] = self.receipts.arrival(tab.extra.get("arrived_at"), first)
        return self.arrivals[tab.unit_code][0]

    def review(self, code: str, review: Review | None, set_aside: str | None) -> tuple[Review | None, list[Finding]]:
        """The review record that counts: none where it was planted or put back from before."""
        if set_aside:
            return None, [Finding.make(FC.CHU_KY_DUYET_BI_SUA, unit=code, detail=set_aside)]
        # on Google the records sit in a tab only consolidators may edit: nothing to screen
        if review is not None and review.seq and not self.backend.guarded:
            newer = self.receipts.review_replayed(code, review.seq)
            if newer is not None:
                detail = f"bản cũ lần {review.seq}, đã thấy lần {newer}"
                return None, [Finding.make(FC.CHU_KY_DUYET_BI_SUA, unit=code, detail=detail)]
        return review, []


def screen_for(campaign: Campaign, backend: Backend, now: dt.datetime | None) -> Screen | None:
    if not backend.signed:
        return None
    if not backend.keyring or not backend.keyring.is_office:
        # without the secret nothing here can be told from a forgery: say so, count nothing
        raise SyncError(RC.KHOA_CHUA_CO, campaign=campaign.id, store=backend.store, path=secret_path(campaign.id))
    # this PC's local clock, the one the share's file times are read in (FolderBackend.read_tab)
    now = now or backend.store_clock() or dt.datetime.now()
    return Screen(campaign, backend, Receipts.load(backend.keyring, backend.store_id()), now.replace(microsecond=0))


def received(tab: Tab, screen: Screen | None) -> tuple[dt.datetime | None, str]:
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


def not_workbooks(folder: Path) -> list[str]:
    """Files in the inbox that no unit report can be (a photo, a letter): named, not read."""
    return sorted(
        p.name
        for p in Path(folder).iterdir()
        if p.is_file() and p.suffix.lower() not in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))
    )


# what a copy's name gains on the way, once or more: Zalo, browsers and mail programs add " (1)"
# to a second file of one name, Windows " - Copy" or " - Bản sao" (older ones "Copy of "
# before), macOS " copy" or " copy 2"
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|\s*-\s*(?:copy|bản sao)|\s+copy(?:\s+\d{1,3})?)$", re.IGNORECASE)
_COPY_PREFIX = re.compile(r"^(?:copy of|bản sao của)\s+", re.IGNORECASE)


def guess_unit(campaign: Campaign, name: str) -> str:
    """The unit a file is named for (vinh-bao-2026_T01.xlsx, as `workbook new` names it, also
    as a copy: "vinh-bao-2026_T01 (1).xlsx"), or ""."""
    stem = _COPY_PREFIX.sub("", nfc(Path(name).stem).strip())
    while (shorter := _COPY_SUFFIX.sub("", stem)) != stem:
        stem = shorter
    prefix = f"{campaign.id}_"
    code = stem[len(prefix) :] if stem.startswith(prefix) else ""
    unit = campaign.unit(code) if code else None
    return unit.code if unit is not None else ""


def unusable_line(campaign: Campaign, name: str, exc: WorkbookRefused) -> str:
    """For the consolidator: the file, why it cannot be used, and whom to ask (the refusal's own
    text speaks to the unit that sent it, and already names the file)."""
    why = exc.message.split(" Hãy ")[0].rstrip(".")
    code = guess_unit(campaign, name)
    ask = f"đề nghị đơn vị {code} gửi lại sổ báo cáo" if code else "không rõ của đơn vị nào, hỏi người gửi"
    return f"Không dùng được: {why}; {ask}."


def arrived(path: Path) -> dt.datetime:
    """When a file reached the inbox, in Vietnam time (the file's own time; see the README on
    what the folder can prove)."""
    return vietnam_time(path.stat().st_mtime)
