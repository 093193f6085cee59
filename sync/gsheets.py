"""The Google Sheets backend: one spreadsheet per campaign, one protected tab per unit.

Through gspread's HTTP client (so google-auth handles tokens), with bounded retries: gspread's
own BackOffHTTPClient retries forever and retries non-idempotent appends. Request budget: a push is one read and one write (data and
metadata in a single values:batchUpdate, RAW); a pull of all units is one metadata read and
one values:batchGet per 100 tabs, UNFORMATTED_VALUE, so 100 units cost 2 requests.

Credentials follow gspread's conventions: a service-account key file (`--credentials`, or
~/.config/gspread/service_account.json), else the user's own Google account through
gspread.oauth() (~/.config/gspread/credentials.json). Keys are never copied into a
workbook, a tab or a log.
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync.backend import Backend
from sync.tab import Tab, from_grid, to_grid
from xl_addin.campaign import Campaign
from xl_addin.refusals import SyncError

TAB_COLUMNS = 5
TAB_ROWS = 2000  # a unit's tab holds ~200 rows; the grid must be large enough to write into
BATCH_RANGES = 100  # ranges per values:batchGet, keeping the URL well under Google's limits
REGISTRY_TAB, LOG_TAB = "Danh sách đơn vị", "Nhật ký"
RENDER = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}


def _retrying_client_class():
    from google.auth.exceptions import TransportError
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient
    from requests.exceptions import ConnectionError as ConnError
    from requests.exceptions import Timeout

    class BoundedRetryHTTPClient(HTTPClient):
        """Retries 408/429/5xx and dropped connections with exponential backoff, at most
        `max_attempts` times and `max_seconds` in all; never retries an append (a retried
        POST :append after a lost answer would add the row twice)."""

        max_attempts = 5
        max_seconds = 90.0
        base_delay = 1.0
        sleep: Callable[[float], None] = staticmethod(time.sleep)
        RETRY = frozenset({408, 429, 500, 502, 503, 504})
        RATE_LIMITED = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})  # Drive's retryable 403s

        def __init__(self, auth: Any, session: Any = None) -> None:
            super().__init__(auth, session)
            self.timeout = (10, 60)
            self.rng = random.Random()

        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any):
            idempotent = not endpoint.endswith(":append")
            start = time.monotonic()
            attempt = 0
            while True:
                attempt += 1
                # the cap counts the requests too: no single wait outlives what is left of it
                left = self.max_seconds - (time.monotonic() - start)
                self.timeout = (10, max(1.0, min(60.0, left)))
                try:
                    return super().request(method, endpoint, *args, **kwargs)
                except APIError as err:
                    code = err.response.status_code if err.response is not None else err.code
                    reasons = {e.get("reason") for e in err.error.get("errors") or [] if isinstance(e, dict)}
                    retry = code in self.RETRY or (code == 403 and bool(reasons & self.RATE_LIMITED))
                    error: Exception = err
                except (ConnError, Timeout, TransportError) as err:
                    # TransportError: google-auth could not reach the token endpoint to sign in
                    retry, error = True, err
                # full jitter: sixty units retrying after the same 429 do not all come back at once
                delay = self.rng.uniform(0, self.base_delay * 2 ** (attempt - 1))
                if (
                    not (retry and idempotent)
                    or attempt >= self.max_attempts
                    or time.monotonic() - start + delay > self.max_seconds
                ):
                    raise error
                self.sleep(delay)

    return BoundedRetryHTTPClient


def make_client(session: Any = None, auth: Any = None):
    """A gspread client with bounded retries; tests pass a session pointed at the fake."""
    import gspread

    return gspread.Client(auth=auth, session=session, http_client=_retrying_client_class())


SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"


def scopes_for(admin: bool) -> list[str]:
    """A unit writes values only: the spreadsheets scope. gspread's default adds full drive,
    which a unit's sign-in must not carry; only the admin who creates and shares needs it."""
    return [SHEETS_SCOPE, DRIVE_SCOPE] if admin else [SHEETS_SCOPE]


def client_from_credentials(path: str | None, admin: bool = False) -> tuple[Any, str]:
    """(client, account e-mail) from a service-account key or the user's Google account;
    `admin` (setup, create) also asks for Drive."""
    import gspread

    scopes = scopes_for(admin)
    try:
        if path:
            info = json.loads(Path(path).read_text("utf-8"))
            if info.get("type") == "service_account":
                from google.oauth2.service_account import Credentials

                creds = Credentials.from_service_account_info(info, scopes=scopes)
                return make_client(auth=creds), info.get("client_email", "")
            return gspread.oauth(scopes=scopes, credentials_filename=path, http_client=_retrying_client_class()), ""
        default = Path(gspread.auth.DEFAULT_SERVICE_ACCOUNT_FILENAME)
        if default.exists():
            return client_from_credentials(str(default), admin)
        return gspread.oauth(scopes=scopes, http_client=_retrying_client_class()), ""
    except FileNotFoundError:
        raise SyncError("google.khong_co_khoa", folder=gspread.auth.DEFAULT_CONFIG_DIR) from None
    except (ValueError, KeyError) as exc:
        raise SyncError("google.khoa_hong", why=type(exc).__name__) from None


def _config_dir() -> str:
    import gspread

    return str(gspread.auth.DEFAULT_CONFIG_DIR)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


class GoogleBackend(Backend):
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
        from requests.exceptions import ConnectionError as ConnError
        from requests.exceptions import JSONDecodeError, Timeout

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
        except (ConnError, Timeout, TransportError):
            raise SyncError("google.mat_mang", what=what) from None
        except RefreshError:
            # the key was revoked or deleted, or the signed-in session expired: neither a network
            # fault nor a permission, and retrying will not help
            raise SyncError("google.dang_nhap_lai", what=what, folder=_config_dir()) from None

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
                return self.http.values_get(self.sid, rng, params=dict(RENDER))
            except APIError as err:
                if err.code == 400 and "Unable to parse range" in str(err.error.get("message", "")):
                    return None  # no tab for this unit yet
                raise

        data = self._call(get, f"Đọc tab {unit_code}")
        if data is None:
            return None
        tab = from_grid(unit_code, data.get("values", []))
        if tab is not None:
            tab.extra["rows_used"] = len(data.get("values", []))
        return tab

    def read_all(self, unit_codes: list[str]) -> dict[str, Tab]:
        present = self._titles(self._metadata())
        codes = [c for c in unit_codes if _nfc(c) in present]
        out: dict[str, Tab] = {}
        for i in range(0, len(codes), BATCH_RANGES):
            chunk = codes[i : i + BATCH_RANGES]
            ranges = [f"{_quote(c)}!A1:E{TAB_ROWS}" for c in chunk]
            data = self._call(
                lambda r=ranges: self.http.values_batch_get(self.sid, r, params=dict(RENDER)), "Lấy báo cáo các đơn vị"
            )
            for code, vr in zip(chunk, data.get("valueRanges", [])):
                tab = from_grid(code, vr.get("values", []))
                if tab is not None:
                    out[code] = tab
        return out

    # -- writing --
    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        grid = to_grid(tab)
        if len(grid) > TAB_ROWS:
            raise SyncError("google.tab_qua_dai", unit=tab.unit_code, rows=len(grid), limit=TAB_ROWS)
        # pad with empty strings to the whole tab, so the one write replaces all of it: no stale
        # rows, no second request that could fail alone, and no mix of two racing pushes (each
        # read before the other wrote, so padding only to what was read left the longer one's
        # tail under the shorter one's rows: a tab whose hash no longer matched)
        values = [list(r) + [""] * (TAB_COLUMNS - len(r)) for r in grid]
        values += [[""] * TAB_COLUMNS for _ in range(TAB_ROWS - len(values))]
        body = {
            "valueInputOption": "RAW",
            "data": [
                {"range": f"{_quote(tab.unit_code)}!A1:E{len(values)}", "majorDimension": "ROWS", "values": values}
            ],
        }
        self._call(lambda: self.http.values_batch_update(self.sid, body), f"Gửi báo cáo {tab.unit_code}")

    def append_log(self, fields: list[str]) -> None:
        body = {"values": [[str(f) for f in fields]]}
        self._call(
            lambda: self.http.values_append(
                self.sid,
                f"{_quote(LOG_TAB)}!A1:F1",
                params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                body=body,
            ),
            "Ghi nhật ký",
        )

    # -- administration --
    @classmethod
    def create_spreadsheet(cls, client: Any, title: str, campaign: Campaign, account: str = "") -> GoogleBackend:
        """A new spreadsheet for the campaign, in the vi_VN locale (what users see on the web)."""
        backend = cls(client, "", campaign, account=account)
        backend.sid = backend._call(lambda: client.create(title), "Tạo bảng tính chung").id
        body = {
            "requests": [
                {
                    "updateSpreadsheetProperties": {
                        "properties": {"locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
                        "fields": "locale,timeZone",
                    }
                }
            ]
        }
        backend._call(lambda: backend.http.batch_update(backend.sid, body), "Đặt ngôn ngữ bảng tính")
        return backend

    def setup(self, unit_codes: list[str]) -> list[str]:
        """Create missing tabs, protect each unit tab for its accounts and the consolidators,
        share the spreadsheet with them. Running it again changes nothing."""
        meta = self._metadata()
        present = self._titles(meta)
        wanted = list(unit_codes) + [REGISTRY_TAB, LOG_TAB]
        missing = [t for t in wanted if _nfc(t) not in present]
        made = []
        if missing:
            requests = [
                {"addSheet": {"properties": {"title": t, "gridProperties": {"rowCount": TAB_ROWS, "columnCount": 8}}}}
                for t in missing
            ]
            self._call(lambda: self.http.batch_update(self.sid, {"requests": requests}), "Tạo tab")
            made += [f"tab {t}" for t in missing]
            meta = self._metadata()
            present = self._titles(meta)
        consolidators = list(self.campaign.consolidators)
        protect = []
        for code in unit_codes:
            sheet = present[_nfc(code)]
            unit = self.campaign.unit(code)
            editors = sorted(set((unit.editors if unit else ()) + tuple(consolidators)))
            have = sheet.get("protectedRanges", [])
            if not any(set((p.get("editors") or {}).get("users", [])) >= set(editors) for p in have):
                protect.append(
                    {
                        "addProtectedRange": {
                            "protectedRange": {
                                "range": {"sheetId": sheet["properties"]["sheetId"]},
                                "description": f"Chỉ đơn vị {code} và phòng Văn hóa - Xã hội được sửa",
                                "warningOnly": False,
                                "editors": {"users": editors},
                            }
                        }
                    }
                )
        everyone = sorted({e for u in self.campaign.units for e in u.editors} | set(consolidators))
        # every unit appends its pushes to the log; only the consolidators edit the registry
        for extra, editors, text in (
            (REGISTRY_TAB, consolidators, "Chỉ phòng Văn hóa - Xã hội được sửa"),
            (LOG_TAB, everyone, "Nhật ký gửi báo cáo"),
        ):
            sheet = present[_nfc(extra)]
            if not sheet.get("protectedRanges"):
                protect.append(
                    {
                        "addProtectedRange": {
                            "protectedRange": {
                                "range": {"sheetId": sheet["properties"]["sheetId"]},
                                "description": text,
                                "editors": {"users": editors},
                            }
                        }
                    }
                )
        if protect:
            self._call(lambda: self.http.batch_update(self.sid, {"requests": protect}), "Bảo vệ tab")
            made.append(f"bảo vệ {len(protect)} tab")
        registry = [["Mã", "Tên đơn vị", "Loại", "Cụm, khối", "Tài khoản được sửa"]] + [
            [u.code, u.name, u.kind, u.cluster, "; ".join(u.editors)]
            for u in self.campaign.units
            if u.code in unit_codes
        ]
        current = self._call(
            lambda: self.http.values_get(self.sid, f"{_quote(REGISTRY_TAB)}!A1:E{len(registry)}", params=dict(RENDER)),
            "Đọc danh sách",
        )
        if current.get("values", []) != registry:
            body = {
                "valueInputOption": "RAW",
                "data": [{"range": f"{_quote(REGISTRY_TAB)}!A1:E{len(registry)}", "values": registry}],
            }
            self._call(lambda: self.http.values_batch_update(self.sid, body), "Ghi danh sách đơn vị")
            made.append("danh sách đơn vị")
        shared = {
            p.get("emailAddress") for p in self._call(lambda: self.http.list_permissions(self.sid), "Đọc quyền chia sẻ")
        }
        accounts = sorted(
            {e for u in self.campaign.units if u.code in unit_codes for e in u.editors} | set(consolidators)
        )
        for email in accounts:
            if email not in shared:
                self._call(
                    lambda e=email: self.http.insert_permission(self.sid, e, "user", "writer", notify=False),
                    "Chia sẻ bảng tính",
                )
                made.append(f"chia sẻ {email}")
        return made
