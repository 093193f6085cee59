"""The Google Sheets backend: one spreadsheet per campaign, one protected tab per unit.

Request budget, against Google's per-minute quotas (reads and writes counted apart):
- a push is one read (the unit's tab with the sheet ids, one spreadsheets.get) and one write
  (one spreadsheets.batchUpdate: claim the revision, replace the tab, append the log row);
- a pull of all units is one read per 100 tabs (values:batchGetByDataFilter, a POST, so the
  Vietnamese tab names do not make a URL too long), with one metadata read only when a tab is
  missing.

The push is conditional and atomic. Sheets values calls take no precondition, so the write
claims the new revision with createDeveloperMetadata under an id derived from the unit and the
revision (`claim_id`). Google applies a batchUpdate whole or not at all; two writers of one
revision pick the same id and only one batch lands, the other is told (Conflict). After a lost
answer the retried batch collides with its own claim: the claim's token says it was ours, so
the push succeeded. `thidua sheet doctor` checks on the real service that a duplicate id does
fail the batch.

The tab carries its unit's signature in C1 (sync/seals.py), as the folder's file does: Google's
protections stop other units, but not a consolidator (or the unit's own account on the web)
editing the tab by hand, and the signature shows that edit. Reading the signature costs no
request: it is a cell of the range every read already takes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from google.auth.exceptions import RefreshError
from requests.exceptions import JSONDecodeError

from campaign.dates import show_time
from campaign.definition import Campaign
from campaign.refusals import RC, SyncError
from campaign.review import Review
from campaign.signing import SEAL_BAD
from sync.backend import Backend, newer_on_share
from sync.google.api import NETWORK_ERRORS, AnswerTooLarge
from sync.google.cells import add_tab, append_row, grid_of, replace_tab, tab_range, write_rows
from sync.google.claims import CLAIM_SALTS, claim_id, claim_kind, claim_request, claim_value, forged
from sync.google.client import config_dir, forget_sign_in
from sync.google.errors import GoogleAPIError, refusal
from sync.google.names import LOG_TAB, METADATA_FIELDS, RENDER, REVIEW_TAB, TAB_COLUMNS, TAB_ROWS
from sync.google.names import nfc as _nfc
from sync.google.names import quote as _quote
from sync.google.review import Collision, GoogleReviews
from sync.google.setup_spreadsheet import SpreadsheetSetup, find_or_create
from sync.seals import SEAL, Keyring, note_seal, office_keyring, signed_grid
from sync.tab import Tab, from_grid, to_grid

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # fixed; a PC's tz database is not needed
BATCH_RANGES = 100  # tabs per read: the answer stays near Google's recommended 2 MB
# What a read may bring back. A unit's tab is a few KB (the demo's: 4 KB), but its account can
# fill it on the web: 10 000 cells of 50 000 characters, 500 MB. A read of n tabs may bring
# n MB, at most 16 MB; past that its halves are read again, and a tab past 1 MB on its own is
# refused for that unit alone.
BATCH_ANSWER_BYTES = 16 << 20
TAB_ANSWER_BYTES = 1 << 20


class GoogleBackend(SpreadsheetSetup, GoogleReviews, Backend):
    name = "Google Sheets"
    store = "bảng tính chung"
    signed = True  # a consolidator's edit by hand breaks the unit's signature (sync/seals.py)
    guarded = True

    def __init__(
        self,
        client: Any,
        spreadsheet_id: str,
        campaign: Campaign,
        acting_unit: str | None = None,
        account: str = "",
        keyring: Keyring | None = None,
    ):
        # as on the folder: a consolidator checks with the secret this PC holds, a unit with the
        # key its workbook carries (Backend.hold_unit_key)
        keyring = keyring or (office_keyring(campaign.id) if acting_unit is None else Keyring(campaign.id))
        super().__init__(acting_unit, account, keyring)
        self.client = client
        self.http = client.http_client
        self.sid = spreadsheet_id
        self.campaign = campaign

    # -- errors in Vietnamese --
    def _call(self, fn: Callable[[], Any], what: str) -> Any:
        """`fn()`, any failure of Google's or of the network said as a coded refusal."""
        try:
            return fn()
        except JSONDecodeError:
            # a 200 with a web page: a Wi-Fi login page or a proxy between this PC and Google
            raise SyncError(RC.GOOGLE_TRA_LOI_LA, what=what) from None
        except GoogleAPIError as err:
            raise refusal(err, what, self.account) from None
        except NETWORK_ERRORS:
            raise SyncError(RC.GOOGLE_MAT_MANG, what=what) from None
        except RefreshError:
            # the key was revoked or deleted, or the signed-in session expired: neither a network
            # fault nor a permission, and retrying will not help
            forget_sign_in(self.client)
            raise SyncError(RC.GOOGLE_DANG_NHAP_LAI, what=what, folder=config_dir()) from None

    @classmethod
    def find_or_create(
        cls, client: Any, title: str, campaign: Campaign, account: str = ""
    ) -> tuple[GoogleBackend, bool]:
        """(backend, created): the campaign's spreadsheet, found by its app property or made."""
        backend = cls(client, "", campaign, account=account)
        return backend, find_or_create(backend, title)

    def _metadata(self) -> dict:
        params = {"includeGridData": "false", "fields": METADATA_FIELDS}
        return self._call(lambda: self.http.spreadsheets_get(self.sid, params), "Đọc bảng tính chung")

    @staticmethod
    def _titles(meta: dict) -> dict[str, dict]:
        return {_nfc(s["properties"]["title"]): s for s in meta.get("sheets", [])}

    # -- reading --
    def read_tab(self, unit_code: str) -> Tab | None:
        def get():
            try:
                return self.http.values_get(self.sid, tab_range(unit_code), dict(RENDER), TAB_ANSWER_BYTES)
            except GoogleAPIError as err:
                if err.missing_range:
                    return None  # no tab for this unit yet
                raise
            except AnswerTooLarge as big:
                raise SyncError(RC.GOOGLE_TAB_QUA_LON, unit=unit_code, size=_mb(big.size)) from None

        data = self._call(get, f"Đọc tab {unit_code}")
        if data is None:
            return None
        tab = from_grid(unit_code, data.get("values", []))
        if tab is not None:
            tab.extra["rows_used"] = len(data.get("values", []))
            note_seal(tab, data.get("values", []), self.keyring)
        return tab

    def read_all(self, unit_codes: list[str]) -> dict[str, Tab]:
        """Every unit's tab, named by the registry: one read per 100 units. A missing tab fails
        the whole read, so then the metadata says which tabs exist and the read is repeated."""
        out: dict[str, Tab] = {}
        for i in range(0, len(unit_codes), BATCH_RANGES):
            chunk = list(unit_codes[i : i + BATCH_RANGES])
            answer = self._call(lambda c=chunk: self._values_by_filter(c), "Lấy báo cáo các đơn vị")
            if answer is None:
                present = self._titles(self._metadata())
                chunk = [c for c in chunk if _nfc(c) in present]
                answer = self._call(lambda c=chunk: self._values_by_filter(c), "Lấy báo cáo các đơn vị") or []
            if isinstance(answer, AnswerTooLarge):  # far past what reports weigh: find the tab
                answer = self._bisect(chunk)
            for code, values in zip(chunk, answer):
                if isinstance(values, AnswerTooLarge):  # the refusal itself, its code kept
                    too_large = SyncError(RC.GOOGLE_TAB_QUA_LON, unit=code, size=_mb(values.size))
                    out[code] = Tab(code, (), extra={"refused": too_large})
                    continue
                tab = from_grid(code, values)
                if tab is not None:
                    out[code] = note_seal(tab, values, self.keyring)
        return out

    def _bisect(self, codes: list[str]) -> list:
        """Each tab's values, or its AnswerTooLarge: halves read again until the tab (or tabs)
        too large stand alone; a few requests, not one per unit (60 reads a minute)."""
        answer = self._call(lambda: self._values_by_filter(codes), "Lấy báo cáo các đơn vị")
        if not isinstance(answer, AnswerTooLarge):
            return answer or [[] for _ in codes]  # (a tab deleted meanwhile reads as empty)
        if len(codes) == 1:
            return [answer]
        half = len(codes) // 2
        return self._bisect(codes[:half]) + self._bisect(codes[half:])

    def _values_by_filter(self, codes: list[str]):
        """The tabs' values in one POST; None when a tab is missing; an AnswerTooLarge when the
        answer runs past what that many tabs may weigh."""
        if not codes:
            return []
        body = {"dataFilters": [{"a1Range": tab_range(c)} for c in codes], "majorDimension": "ROWS", **RENDER}
        limit = min(BATCH_ANSWER_BYTES, len(codes) * TAB_ANSWER_BYTES)
        try:
            answer = self.http.values_batch_get_by_data_filter(self.sid, body, limit)
        except GoogleAPIError as err:
            if err.missing_range:
                return None
            raise
        except AnswerTooLarge as big:
            return AnswerTooLarge(big.size)  # kept as a value: without the traceback's frames
        return [vr.get("valueRange", {}).get("values", []) for vr in answer.get("valueRanges", [])]

    # -- writing: one conditional batch --
    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        self._commit(tab, previous, [])

    def append_log(self, fields: list[str]) -> None:
        """A log row on its own (review actions); a push's row rides in the push's batch."""
        log_sheet = self._sheet_ids([LOG_TAB])[LOG_TAB]
        self._call(
            lambda: self.http.batch_update(self.sid, {"requests": [append_row(log_sheet, fields)]}), "Ghi nhật ký"
        )

    def read_for_push(self, unit_code: str) -> Tab | None:
        """The unit's tab and, in the same read, the sheet ids the push's batch needs and the
        review records (an accepted report is not pushed over)."""
        ranges = [tab_range(unit_code), f"{_quote(LOG_TAB)}!A1", f"{_quote(REVIEW_TAB)}!A:B"]

        def get(ranges=ranges):
            params = {
                "ranges": ranges,
                "includeGridData": "true",
                "fields": "sheets(properties(sheetId,title),data(rowData(values(effectiveValue))))",
            }
            try:
                return self.http.spreadsheets_get(self.sid, params, limit=BATCH_ANSWER_BYTES)
            except GoogleAPIError as err:
                if err.missing_range:
                    return None
                raise
            except AnswerTooLarge as big:
                raise SyncError(RC.GOOGLE_TAB_QUA_LON, unit=unit_code, size=_mb(big.size)) from None

        meta = self._call(get, f"Đọc tab {unit_code}")
        if meta is None:  # a tab is missing: if only the review tab (a spreadsheet set up before it), go on
            present = self._titles(self._metadata())
            if _nfc(unit_code) not in present or _nfc(LOG_TAB) not in present:
                raise SyncError(RC.GOOGLE_TAB_CHUA_CO, what=f"Gửi báo cáo {unit_code}", unit=unit_code)
            meta = self._call(lambda: get(ranges[:2]), f"Đọc tab {unit_code}")
        sheets = {_nfc(sh["properties"]["title"]): sh for sh in meta.get("sheets", [])}
        self._ids = {t: sh["properties"]["sheetId"] for t, sh in sheets.items()}
        self._note_reviews(grid_of(sheets.get(_nfc(REVIEW_TAB), {})))
        grid = grid_of(sheets.get(_nfc(unit_code), {}))
        tab = from_grid(unit_code, grid)
        if tab is not None:
            note_seal(tab, grid, self.keyring)
            tab.extra["grid"] = grid  # kept whole if this push replaces a tab its unit did not sign
        return tab

    def store_clock(self) -> dt.datetime | None:
        return server_time(getattr(self.http, "server_date", None))

    def evidence_state(self, unit_code: str, item: str) -> str:
        from campaign.evidence import is_link

        if is_link(item):
            return super().evidence_state(unit_code, item)
        return "tên tệp: trên Google cần đường dẫn (Drive)"

    def review_for_push(self, unit_code: str) -> Review | None:
        return self._reviews.get(unit_code)

    def read_log(self) -> list[list[str]]:
        answer = self._call(
            lambda: self.http.values_get(self.sid, f"{_quote(LOG_TAB)}!A:I", params=dict(RENDER)), "Đọc nhật ký"
        )
        return [[str(v) for v in row] for row in answer.get("values", []) if row]

    def _sheet_ids(self, titles: list[str]) -> dict[str, int]:
        known = getattr(self, "_ids", {})
        if not all(_nfc(t) in known for t in titles):
            known = {t: sh["properties"]["sheetId"] for t, sh in self._titles(self._metadata()).items()}
            self._ids = known
        missing = [t for t in titles if _nfc(t) not in known]
        if missing:
            raise SyncError(RC.GOOGLE_TAB_CHUA_CO, what="Ghi bảng tính chung", unit=missing[0])
        return {t: known[_nfc(t)] for t in titles}

    def _commit(self, new: Tab, remote: Tab | None, log_row: list[str]) -> None:
        """Claim revision `new.revision`, replace the tab and append the log row, all in one
        batchUpdate. A claim already taken by another push of this revision: Conflict."""
        ids = self._sheet_ids([new.unit_code, LOG_TAB])
        token = uuid.uuid4().hex
        mine = {"unit": new.unit_code, "revision": new.revision, "hash": new.content_hash, "token": token}
        grid = signed_grid(new)
        if len(grid) > TAB_ROWS:
            raise SyncError(RC.GOOGLE_TAB_QUA_DAI, unit=new.unit_code, rows=len(grid), limit=TAB_ROWS)
        what = f"Gửi báo cáo {new.unit_code}"
        for salt in range(CLAIM_SALTS):
            mid = claim_id(new.unit_code, new.revision, salt)
            requests = [claim_request(mid, ids[new.unit_code], mine)]
            requests += self._keep_forged(remote, new)
            requests.append(replace_tab(ids[new.unit_code], grid))
            if log_row:
                requests.append(append_row(ids[LOG_TAB], log_row))
            try:
                self._call(lambda r=requests: self._batch_or_collide(r), what)
                return
            except Collision:
                held = self._call(lambda m=mid: self._developer_metadata(m), what)
                if held is None:
                    continue  # removed since (setup removes planted claims): racers move on alike
                value = claim_value(held.get("metadataValue"))
                if value.get("token") == token:
                    return  # our own batch, applied before its answer was lost
                kind = claim_kind(value)
                if kind is None:
                    raise forged(new.unit_code, new.revision) from None  # not a claim thidua writes
                if value["unit"] != new.unit_code or kind == "step" or value["revision"] != new.revision:
                    continue  # an id another claim happens to share: the next id
                if kind == "frozen":
                    # read again: an acceptance may have landed since this push read the records
                    seen = self.read_reviews([new.unit_code]).get(new.unit_code)
                    if seen is None or seen.seq < value["review_seq"]:
                        raise forged(new.unit_code, new.revision) from None
                    if seen.seq == value["review_seq"]:
                        raise SyncError(
                            RC.GUI_DA_DUYET, unit=new.unit_code, at=show_time(seen.at), by=seen.by
                        ) from None
                    continue  # accepted, then reopened: that revision's id stays taken, the next is used
                current = self.read_tab(new.unit_code)
                if current is None or current.revision < new.revision:
                    # a claim is only ever written in the batch that writes its revision
                    raise forged(new.unit_code, new.revision) from None
                raise newer_on_share(new, current, new.revision - 1) from None
        raise SyncError(RC.GOOGLE_TU_CHOI, what=what, status=400, detail="metadataId")

    def store_id(self) -> str:
        """This spreadsheet: Tổng hợp keeps one set of receipts per store (sync/receipts.py)."""
        return f"google:{self.sid}"

    def kept_place(self, unit_code: str, revision: int) -> str:
        return f"ở tab '{kept_title(unit_code, revision)}'"

    @staticmethod
    def _keep_forged(previous: Tab | None, new: Tab) -> list[dict]:
        """A copy of a tab its unit did not sign, about to be replaced, as a new tab in the same
        batch (no request more; none at all in an honest push): the office sees what was there.
        The spreadsheet's version history holds it too, beyond any editor's reach."""
        if previous is None or previous.extra.get(SEAL) != SEAL_BAD:
            return []
        grid = previous.extra.get("grid") or to_grid(previous)
        sheet_id = claim_id(f"{new.unit_code}|bi-sua", new.revision)
        title = kept_title(new.unit_code, new.revision)
        return [add_tab(sheet_id, title, max(len(grid), 1), TAB_COLUMNS), write_rows(sheet_id, 0, 0, grid)]

    def _batch_or_collide(self, requests: list[dict]) -> Any:
        try:
            return self.http.batch_update(self.sid, {"requests": requests})
        except GoogleAPIError as err:
            if err.collision is not None:
                raise Collision(err.collision) from None
            raise

    def _developer_metadata(self, mid: int) -> dict | None:
        try:
            return self.http.developer_metadata_get(self.sid, mid)
        except GoogleAPIError as err:
            if err.status == 404:
                return None
            raise


def kept_title(unit_code: str, revision: int) -> str:
    """The tab that keeps what a push of `revision` replaced because its unit had not signed it."""
    return f"{unit_code} bị sửa (trước lần {revision})"


def _mb(size: int) -> str:
    return f"hơn {size / (1 << 20):.1f} MB".replace(".", ",")


def server_time(date_header: str | None) -> dt.datetime | None:
    """Google's clock from an answer's Date header (RFC 9110 HTTP-date, GMT; every answer in the
    recorded traffic has one), in Vietnam time, which has no daylight saving (UTC+7)."""
    try:
        when = parsedate_to_datetime(date_header or "")
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(VIETNAM).replace(tzinfo=None)
