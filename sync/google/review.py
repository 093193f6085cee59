"""Review (duyệt) on Google: a tab only consolidators may edit, one row per unit, written in one
conditional batch with the claim of its step (two consolidators: one lands)."""

from __future__ import annotations

import uuid
from typing import Any

from campaign.dates import show_time
from campaign.refusals import RC, SyncError
from campaign.review import DA_DUYET, TRA_LAI, Review
from sync.google.cells import append_row, write_row
from sync.google.claims import claim_id, claim_kind, claim_request, claim_value, forged
from sync.google.errors import GoogleAPIError
from sync.google.names import LOG_TAB, RENDER, REVIEW_TAB
from sync.google.names import nfc as _nfc
from sync.google.names import quote as _quote


class Collision(Exception):
    """A claim id of the batch is taken (request `index`): nothing of the batch was applied."""

    def __init__(self, index: int = 0):
        super().__init__(index)
        self.index = index


class GoogleReviews:
    """Mixed into GoogleBackend: `_call`, `_metadata`, `_titles`, `_batch_or_collide`,
    `_developer_metadata`, `read_tab`, `http`, `sid` and `campaign` come from it."""

    http: Any
    sid: str
    campaign: Any
    _ids: dict[str, int]

    def _note_reviews(self, grid: list[list]) -> None:
        self._reviews: dict[str, Review] = {}
        self._review_rows: dict[str, int] = {}
        for i, row in enumerate(grid):
            if i == 0 or not row or not row[0]:
                continue
            self._review_rows[str(row[0])] = i + 1
            review = Review.from_json(str(row[1])) if len(row) > 1 and row[1] else None
            if review is not None:
                self._reviews[str(row[0])] = review

    def read_reviews(self, unit_codes: list[str]) -> dict[str, Review]:
        def get():
            try:
                return self.http.values_get(self.sid, f"{_quote(REVIEW_TAB)}!A:B", params=dict(RENDER))
            except GoogleAPIError as err:
                if err.missing_range:
                    return {}  # a spreadsheet set up before review existed: nothing reviewed yet
                raise

        answer = self._call(get, "Đọc trạng thái duyệt")
        self._note_reviews(answer.get("values", []))
        return {c: r for c, r in self._reviews.items() if c in unit_codes}

    def commit_review(self, old: Review | None, new: Review, revision: int, log_row: list[str]) -> None:
        """One batch: claim this review step (two consolidators: one lands), on acceptance also
        claim the unit's next revision (a push in flight and the acceptance: one lands), write
        the record, append the log row, and lock or unlock the unit's tab for its accounts."""
        sheets = self._titles(self._metadata())
        self._ids = {t: sh["properties"]["sheetId"] for t, sh in sheets.items()}
        row = self._review_row(sheets, new.unit_code)
        token = uuid.uuid4().hex
        requests = self._review_claims(new, revision, token)
        shown = [new.to_json(), new.state, new.at, new.by, "; ".join(_reason_text(r) for r in new.reasons)]
        requests.append(write_row(self._ids[_nfc(REVIEW_TAB)], row - 1, 1, shown))
        requests.append(append_row(self._ids[_nfc(LOG_TAB)], log_row))
        requests += self._lock_requests(sheets.get(_nfc(new.unit_code), {}), new)
        what = f"Duyệt báo cáo {new.unit_code}"
        try:
            self._call(lambda: self._batch_or_collide(requests), what)
        except Collision as hit:
            mid = int(requests[hit.index]["createDeveloperMetadata"]["developerMetadata"]["metadataId"])
            held = self._call(lambda: self._developer_metadata(mid), what)
            if held and claim_value(held.get("metadataValue")).get("token") == token:
                return  # ours, applied before its answer was lost
            if hit.index == 0:
                raise self._step_taken(new) from None
            raise self._hold_taken(new, revision, held) from None

    def _review_row(self, sheets: dict[str, dict], unit_code: str) -> int:
        """The unit's row (1-based) in the review tab."""
        if _nfc(REVIEW_TAB) not in sheets:
            raise SyncError(RC.GOOGLE_TAB_CHUA_CO, what="Ghi trạng thái duyệt", unit=REVIEW_TAB)
        if not hasattr(self, "_review_rows"):
            self.read_reviews([unit_code])
        row = self._review_rows.get(unit_code)
        if row is None:
            raise SyncError(RC.GOOGLE_TAB_CHUA_CO, what="Ghi trạng thái duyệt", unit=unit_code)
        return row

    def _review_claims(self, new: Review, revision: int, token: str) -> list[dict]:
        """The claim of the review step and, on acceptance, the hold on the unit's next revision."""
        step = {"unit": new.unit_code, "review_seq": new.seq, "token": token}
        requests = [claim_request(claim_id(new.unit_code, f"duyet-{new.seq}"), self._ids[_nfc(REVIEW_TAB)], step)]
        if new.state == DA_DUYET:
            frozen = {"unit": new.unit_code, "revision": revision + 1, "frozen": True, **step}
            unit_sheet = self._ids[_nfc(new.unit_code)]
            requests.append(claim_request(claim_id(new.unit_code, revision + 1), unit_sheet, frozen))
        return requests

    def _step_taken(self, new: Review) -> SyncError:
        """Another consolidator's step holds this one's id: said as theirs, or as planted."""
        stored = self.read_reviews([new.unit_code]).get(new.unit_code)
        if stored is None or stored.seq < new.seq:
            # another consolidator's step writes its record in the same batch as its claim
            return forged(new.unit_code, f"duyệt bước {new.seq}")
        return SyncError(
            RC.DUYET_NGUOI_KHAC, unit=new.unit_code, by=stored.by, state=stored.state, at=show_time(stored.at)
        )

    def _hold_taken(self, new: Review, revision: int, held: dict | None) -> SyncError:
        """The acceptance's hold on the next revision met a claim: a push that landed, or not."""
        value = claim_value(held.get("metadataValue")) if held else {}
        kind = claim_kind(value)
        if kind == "push":
            current = self.read_tab(new.unit_code)
            landed = current is not None and current.revision >= value["revision"]
        elif kind == "frozen":
            stored = self.read_reviews([new.unit_code]).get(new.unit_code)
            landed = stored is not None and stored.seq >= value["review_seq"]
        else:
            landed = False
        if not landed:
            return forged(new.unit_code, f"lần gửi {revision + 1}")
        return SyncError(RC.DUYET_BAN_MOI, unit=new.unit_code)

    def _lock_requests(self, sheet: dict, new: Review) -> list[dict]:
        """Accepted: only consolidators may edit the unit's tab, on Google's side; reopened: its
        accounts again."""
        whole = [p for p in sheet.get("protectedRanges", []) if set(p.get("range", {})) <= {"sheetId"}]
        if not whole or new.state not in (DA_DUYET, TRA_LAI):
            return []
        unit = self.campaign.unit(new.unit_code)
        editors = set(self.campaign.consolidators)
        if new.state == TRA_LAI and unit is not None:
            editors |= set(unit.editors)
        protection = {"protectedRangeId": whole[0]["protectedRangeId"], "editors": {"users": sorted(editors)}}
        return [{"updateProtectedRange": {"protectedRange": protection, "fields": "editors"}}]


def _reason_text(reason: Any) -> str:
    return f"{reason.where + ': ' if reason.where else ''}{reason.text}"
