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
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote as quote_url

from campaign.dates import show_time
from campaign.definition import Campaign
from campaign.refusals import SyncError
from campaign.review import DA_DUYET, TRA_LAI, Review
from sync.backend import Backend, newer_on_share
from sync.google.google_claims import CLAIM_SALTS, claim_id, claim_kind, claim_request, claim_value, forged
from sync.google.google_client import AnswerTooLarge, config_dir, forget_sign_in
from sync.google.google_names import LOG_TAB, RENDER, REVIEW_TAB, SHEETS_URL, TAB_COLUMNS, TAB_ROWS
from sync.google.google_names import nfc as _nfc
from sync.google.google_names import quote as _quote
from sync.google.google_setup import SpreadsheetSetup, find_or_create
from sync.tab import Tab, from_grid, to_grid

VIETNAM = dt.timezone(dt.timedelta(hours=7))  # fixed; a PC's tz database is not needed
BATCH_RANGES = 100  # tabs per read: the answer stays near Google's recommended 2 MB
# What a read may bring back. A unit's tab is a few KB (the demo's: 4 KB), but its account can
# fill it on the web: 10 000 cells of 50 000 characters, 500 MB. A read of n tabs may bring
# n MB, at most 16 MB; past that its halves are read again, and a tab past 1 MB on its own is
# refused for that unit alone.
BATCH_ANSWER_BYTES = 16 << 20
TAB_ANSWER_BYTES = 1 << 20


class GoogleBackend(SpreadsheetSetup, Backend):
    name = "Google Sheets"

    def __init__(
        self, client: Any, spreadsheet_id: str, campaign: Campaign, acting_unit: str | None = None, account: str = ""
    ):
        super().__init__(acting_unit, account)
        self.client = client
        self.http = client.http_client
        self.sid = spreadsheet_id
        self.campaign = campaign

    # -- errors in Vietnamese --
    def _call(self, fn: Callable[[], Any], what: str) -> Any:
        from google.auth.exceptions import RefreshError, TransportError
        from gspread.exceptions import APIError
        from requests.exceptions import ChunkedEncodingError, JSONDecodeError, Timeout
        from requests.exceptions import ConnectionError as ConnError

        try:
            return fn()
        except JSONDecodeError:
            # a 200 with a web page: a Wi-Fi login page or a proxy between this PC and Google
            raise SyncError("google.tra_loi_la", what=what) from None
        except APIError as err:
            code = err.response.status_code if err.response is not None else err.code
            message = str(err.error.get("message", ""))
            reasons = {e.get("reason") for e in err.error.get("errors") or [] if isinstance(e, dict)}
            reasons |= {d.get("reason") for d in err.error.get("details") or [] if isinstance(d, dict)}
            if code == 403 and reasons & {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"}:
                raise SyncError("google.han_muc", what=what) from None
            if code == 403 and reasons & {"accessNotConfigured", "SERVICE_DISABLED"}:
                raise SyncError("google.api_chua_bat", what=what) from None
            if code == 403 and "storageQuotaExceeded" in reasons:
                raise SyncError("google.het_dung_luong", what=what) from None
            if code == 404:
                raise SyncError("google.khong_tim_thay", what=what) from None
            if code == 403:
                raise SyncError("google.khong_co_quyen", what=what, account=self.account or "này") from None
            if code == 401:
                raise SyncError("google.het_han", what=what) from None
            if code == 429:
                raise SyncError("google.han_muc", what=what) from None
            if code == 400 and "unable to parse range" in message.lower():
                raise SyncError("google.mat_tab", what=what) from None
            if code == 400 and "protected" in message.lower():
                raise SyncError("google.bi_bao_ve", what=what, account=self.account or "này") from None
            if code >= 500:
                raise SyncError("google.may_chu_loi", what=what, status=code) from None
            raise SyncError("google.tu_choi", what=what, status=code, detail=message[:200]) from None
        except (ConnError, Timeout, TransportError, ChunkedEncodingError):
            raise SyncError("google.mat_mang", what=what) from None
        except RefreshError:
            # the key was revoked or deleted, or the signed-in session expired: neither a network
            # fault nor a permission, and retrying will not help
            forget_sign_in(self.client)
            raise SyncError("google.dang_nhap_lai", what=what, folder=config_dir()) from None

    @classmethod
    def find_or_create(
        cls, client: Any, title: str, campaign: Campaign, account: str = ""
    ) -> tuple[GoogleBackend, bool]:
        """(backend, created): the campaign's spreadsheet, found by its app property or made."""
        backend = cls(client, "", campaign, account=account)
        return backend, find_or_create(backend, title)

    def _metadata(self) -> dict:
        return self._call(lambda: self.http.fetch_sheet_metadata(self.sid), "Đọc bảng tính chung")

    @staticmethod
    def _titles(meta: dict) -> dict[str, dict]:
        return {_nfc(s["properties"]["title"]): s for s in meta.get("sheets", [])}

    # -- reading --
    def read_tab(self, unit_code: str) -> Tab | None:
        rng = f"{_quote(unit_code)}!A1:E{TAB_ROWS}"
        from gspread.exceptions import APIError

        def get():
            try:
                url = f"{SHEETS_URL}/{self.sid}/values/{quote_url(rng, safe='')}"
                return self.http.request("get", url, params=dict(RENDER), limit=TAB_ANSWER_BYTES).json()
            except APIError as err:
                if err.code == 400 and "Unable to parse range" in str(err.error.get("message", "")):
                    return None  # no tab for this unit yet
                raise
            except AnswerTooLarge as big:
                raise SyncError("google.tab_qua_lon", unit=unit_code, size=_mb(big.size)) from None

        data = self._call(get, f"Đọc tab {unit_code}")
        if data is None:
            return None
        tab = from_grid(unit_code, data.get("values", []))
        if tab is not None:
            tab.extra["rows_used"] = len(data.get("values", []))
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
                if isinstance(values, AnswerTooLarge):
                    message = SyncError("google.tab_qua_lon", unit=code, size=_mb(values.size)).message
                    out[code] = Tab(code, (), extra={"refused": message})
                    continue
                tab = from_grid(code, values)
                if tab is not None:
                    out[code] = tab
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
        from gspread.exceptions import APIError

        if not codes:
            return []
        body = {"dataFilters": [{"a1Range": _tab_range(c)} for c in codes], "majorDimension": "ROWS", **RENDER}
        url = f"{SHEETS_URL}/{self.sid}/values:batchGetByDataFilter"
        limit = min(BATCH_ANSWER_BYTES, len(codes) * TAB_ANSWER_BYTES)
        try:
            answer = self.http.request("post", url, json=body, limit=limit)
        except APIError as err:
            if err.code == 400 and "unable to parse range" in str(err.error.get("message", "")).lower():
                return None
            raise
        except AnswerTooLarge as big:
            return AnswerTooLarge(big.size)  # kept as a value: without the traceback's frames
        return [vr.get("valueRange", {}).get("values", []) for vr in answer.json().get("valueRanges", [])]

    # -- writing: one conditional batch --
    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        self._commit(tab, previous, [])

    def append_log(self, fields: list[str]) -> None:
        """A log row on its own (review actions); a push's row rides in the push's batch."""
        log_sheet = self._sheet_ids([LOG_TAB])[LOG_TAB]
        self._call(
            lambda: self.http.batch_update(self.sid, {"requests": [_append_row(log_sheet, fields)]}), "Ghi nhật ký"
        )

    def read_for_push(self, unit_code: str) -> Tab | None:
        """The unit's tab and, in the same read, the sheet ids the push's batch needs and the
        review records (an accepted report is not pushed over)."""
        from gspread.exceptions import APIError

        ranges = [_tab_range(unit_code), f"{_quote(LOG_TAB)}!A1", f"{_quote(REVIEW_TAB)}!A:B"]

        def get(ranges=ranges):
            params = {
                "ranges": ranges,
                "includeGridData": "true",
                "fields": "sheets(properties(sheetId,title),data(rowData(values(effectiveValue))))",
            }
            try:
                url = f"{SHEETS_URL}/{self.sid}"
                return self.http.request("get", url, params=params, limit=BATCH_ANSWER_BYTES).json()
            except APIError as err:
                if err.code == 400 and "unable to parse range" in str(err.error.get("message", "")).lower():
                    return None
                raise
            except AnswerTooLarge as big:
                raise SyncError("google.tab_qua_lon", unit=unit_code, size=_mb(big.size)) from None

        meta = self._call(get, f"Đọc tab {unit_code}")
        if meta is None:  # a tab is missing: if only the review tab (a spreadsheet set up before it), go on
            present = self._titles(self._metadata())
            if _nfc(unit_code) not in present or _nfc(LOG_TAB) not in present:
                raise SyncError("google.tab_chua_co", what=f"Gửi báo cáo {unit_code}", unit=unit_code)
            meta = self._call(lambda: get(ranges[:2]), f"Đọc tab {unit_code}")
        sheets = {_nfc(sh["properties"]["title"]): sh for sh in meta.get("sheets", [])}
        self._ids = {t: sh["properties"]["sheetId"] for t, sh in sheets.items()}
        self._note_reviews(_grid(sheets.get(_nfc(REVIEW_TAB), {})))
        return from_grid(unit_code, _grid(sheets.get(_nfc(unit_code), {})))

    def store_clock(self) -> dt.datetime | None:
        return server_time(getattr(self.http, "server_date", None))

    def evidence_state(self, unit_code: str, item: str) -> str:
        from campaign.evidence import is_link

        if is_link(item):
            return super().evidence_state(unit_code, item)
        return "tên tệp: trên Google cần đường dẫn (Drive)"

    def review_for_push(self, unit_code: str) -> Review | None:
        return self._reviews.get(unit_code)

    # -- review (duyệt): a tab only consolidators may edit, one row per unit --
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
        from gspread.exceptions import APIError

        def get():
            try:
                return self.http.values_get(self.sid, f"{_quote(REVIEW_TAB)}!A:B", params=dict(RENDER))
            except APIError as err:
                if err.code == 400 and "unable to parse range" in str(err.error.get("message", "")).lower():
                    return {}  # a spreadsheet set up before review existed: nothing reviewed yet
                raise

        answer = self._call(get, "Đọc trạng thái duyệt")
        self._note_reviews(answer.get("values", []))
        return {c: r for c, r in self._reviews.items() if c in unit_codes}

    def read_log(self) -> list[list[str]]:
        answer = self._call(
            lambda: self.http.values_get(self.sid, f"{_quote(LOG_TAB)}!A:I", params=dict(RENDER)), "Đọc nhật ký"
        )
        return [[str(v) for v in row] for row in answer.get("values", []) if row]

    def commit_review(self, old: Review | None, new: Review, revision: int, log_row: list[str]) -> None:
        """One batch: claim this review step (two consolidators: one lands), on acceptance also
        claim the unit's next revision (a push in flight and the acceptance: one lands), write
        the record, append the log row, and lock or unlock the unit's tab for its accounts."""
        meta = self._metadata()
        sheets = self._titles(meta)
        self._ids = {t: sh["properties"]["sheetId"] for t, sh in sheets.items()}
        if _nfc(REVIEW_TAB) not in sheets:
            raise SyncError("google.tab_chua_co", what="Ghi trạng thái duyệt", unit=REVIEW_TAB)
        if not hasattr(self, "_review_rows"):
            self.read_reviews([new.unit_code])
        row = self._review_rows.get(new.unit_code)
        if row is None:
            raise SyncError("google.tab_chua_co", what="Ghi trạng thái duyệt", unit=new.unit_code)
        token = uuid.uuid4().hex
        unit_sheet = self._ids[_nfc(new.unit_code)]
        requests = [
            claim_request(
                claim_id(new.unit_code, f"duyet-{new.seq}"),
                self._ids[_nfc(REVIEW_TAB)],
                {"unit": new.unit_code, "review_seq": new.seq, "token": token},
            )
        ]
        if new.state == DA_DUYET:
            frozen = {
                "unit": new.unit_code,
                "revision": revision + 1,
                "frozen": True,
                "review_seq": new.seq,
                "token": token,
            }
            requests.append(claim_request(claim_id(new.unit_code, revision + 1), unit_sheet, frozen))
        shown = [
            new.to_json(),
            new.state,
            new.at,
            new.by,
            "; ".join(f"{r.where + ': ' if r.where else ''}{r.text}" for r in new.reasons),
        ]
        requests.append(
            {
                "updateCells": {
                    "start": {"sheetId": self._ids[_nfc(REVIEW_TAB)], "rowIndex": row - 1, "columnIndex": 1},
                    "rows": [{"values": [cell_data(v) for v in shown]}],
                    "fields": "userEnteredValue",
                }
            }
        )
        requests.append(_append_row(self._ids[_nfc(LOG_TAB)], log_row))
        requests += self._lock_requests(sheets.get(_nfc(new.unit_code), {}), new)
        what = f"Duyệt báo cáo {new.unit_code}"
        try:
            self._call(lambda: self._batch_or_collide(requests), what)
        except _Collision as hit:
            index = hit.index
            mid = int(requests[index]["createDeveloperMetadata"]["developerMetadata"]["metadataId"])
            held = self._call(lambda: self._developer_metadata(mid), what)
            if held and claim_value(held.get("metadataValue")).get("token") == token:
                return  # ours, applied before its answer was lost
            if index == 0:
                stored = self.read_reviews([new.unit_code]).get(new.unit_code)
                if stored is None or stored.seq < new.seq:
                    # another consolidator's step writes its record in the same batch as its claim
                    raise forged(new.unit_code, f"duyệt bước {new.seq}") from None
                raise SyncError(
                    "duyet.nguoi_khac", unit=new.unit_code, by=stored.by, state=stored.state, at=show_time(stored.at)
                ) from None
            # the acceptance's hold on the next revision met a claim: a push that landed, or not
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
                raise forged(new.unit_code, f"lần gửi {revision + 1}") from None
            raise SyncError("duyet.ban_moi", unit=new.unit_code) from None

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

    def _sheet_ids(self, titles: list[str]) -> dict[str, int]:
        known = getattr(self, "_ids", {})
        if not all(_nfc(t) in known for t in titles):
            known = {t: sh["properties"]["sheetId"] for t, sh in self._titles(self._metadata()).items()}
            self._ids = known
        missing = [t for t in titles if _nfc(t) not in known]
        if missing:
            raise SyncError("google.tab_chua_co", what="Ghi bảng tính chung", unit=missing[0])
        return {t: known[_nfc(t)] for t in titles}

    def _commit(self, new: Tab, remote: Tab | None, log_row: list[str]) -> None:
        """Claim revision `new.revision`, replace the tab and append the log row, all in one
        batchUpdate. A claim already taken by another push of this revision: Conflict."""
        ids = self._sheet_ids([new.unit_code, LOG_TAB])
        token = uuid.uuid4().hex
        mine = {"unit": new.unit_code, "revision": new.revision, "hash": new.content_hash, "token": token}
        grid = to_grid(new)
        if len(grid) > TAB_ROWS:
            raise SyncError("google.tab_qua_dai", unit=new.unit_code, rows=len(grid), limit=TAB_ROWS)
        what = f"Gửi báo cáo {new.unit_code}"
        for salt in range(CLAIM_SALTS):
            mid = claim_id(new.unit_code, new.revision, salt)
            requests = [claim_request(mid, ids[new.unit_code], mine), _replace_tab(ids[new.unit_code], grid)]
            if log_row:
                requests.append(_append_row(ids[LOG_TAB], log_row))
            try:
                self._call(lambda r=requests: self._batch_or_collide(r), what)
                return
            except _Collision:
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
                        raise SyncError("gui.da_duyet", unit=new.unit_code, at=show_time(seen.at), by=seen.by) from None
                    continue  # accepted, then reopened: that revision's id stays taken, the next is used
                current = self.read_tab(new.unit_code)
                if current is None or current.revision < new.revision:
                    # a claim is only ever written in the batch that writes its revision
                    raise forged(new.unit_code, new.revision) from None
                raise newer_on_share(new, current, new.revision - 1) from None
        raise SyncError("google.tu_choi", what=what, status=400, detail="metadataId")

    def _batch_or_collide(self, requests: list[dict]) -> Any:
        from gspread.exceptions import APIError

        try:
            return self.http.batch_update(self.sid, {"requests": requests})
        except APIError as err:
            found = re.search(r"requests\[(\d+)\]\.createDeveloperMetadata", str(err.error.get("message", "")))
            if err.code == 400 and found:
                raise _Collision(int(found[1])) from None
            raise

    def _developer_metadata(self, mid: int) -> dict | None:
        from gspread.exceptions import APIError

        try:
            return self.http.request("get", f"{SHEETS_URL}/{self.sid}/developerMetadata/{mid}").json()
        except APIError as err:
            if err.code == 404:
                return None
            raise


class _Collision(Exception):
    """A claim id of the batch is taken (request `index`): nothing of the batch was applied."""

    def __init__(self, index: int = 0):
        super().__init__(index)
        self.index = index


def _tab_range(code: str) -> str:
    return f"{_quote(code)}!A1:E{TAB_ROWS}"


def _mb(size: int) -> str:
    return f"hơn {size / (1 << 20):.1f} MB".replace(".", ",")


def server_time(date_header: str | None) -> dt.datetime | None:
    """Google's clock from an answer's Date header (RFC 9110 HTTP-date, GMT; every answer in the
    recorded traffic has one), in Vietnam time, which has no daylight saving (UTC+7)."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(date_header or "")
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(VIETNAM).replace(tzinfo=None)


def _grid(sheet: dict) -> list[list[Any]]:
    data = (sheet.get("data") or [{}])[0]
    return [[_effective(cell) for cell in row.get("values") or []] for row in data.get("rowData") or []]


def _effective(cell: dict) -> Any:
    """A cell of grid data as values.get would give it: numberValue, stringValue or boolValue,
    None when empty."""
    return next(iter((cell.get("effectiveValue") or {}).values()), None)


def cell_data(value: Any) -> dict:
    """A value typed as RAW types it: numbers as numbers, text stays text (never a formula)."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def _replace_tab(sheet_id: int, grid: list[list[Any]]) -> dict:
    # with a range, every cell of it that `rows` does not reach is cleared: the whole tab is
    # replaced without sending 2 000 padded rows
    return {
        "updateCells": {
            "range": {
                "sheetId": sheet_id,
                "startRowIndex": 0,
                "endRowIndex": TAB_ROWS,
                "startColumnIndex": 0,
                "endColumnIndex": TAB_COLUMNS,
            },
            "rows": [{"values": [cell_data(v) for v in row]} for row in grid],
            "fields": "userEnteredValue",
        }
    }


def _append_row(sheet_id: int, fields: list[Any]) -> dict:
    return {
        "appendCells": {
            "sheetId": sheet_id,
            "rows": [{"values": [cell_data(str(f)) for f in fields]}],
            "fields": "userEnteredValue",
        }
    }
