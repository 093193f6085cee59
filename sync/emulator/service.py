"""The emulated service: state, sign-in, quotas, protections and every endpoint thidua uses."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from sync.emulator.a1 import Box, col_letters, quote_title, resolve
from sync.emulator.batch import BatchUpdates, matches
from sync.emulator.drive import DriveFiles, permission_id
from sync.emulator.model import (
    DRIVE,
    SHEETS,
    USERINFO,
    ApiError,
    Fault,
    Protection,
    Sheet,
    Spreadsheet,
    invalid,
    not_found,
)
from sync.emulator.values import Formula, as_double, formatted, unformatted, user_entered


class FakeSheets(BatchUpdates, DriveFiles):
    """State and behaviour; `FakeSheetsServer` puts it on a socket."""

    def __init__(
        self,
        read_quota: int = 60,
        write_quota: int = 60,
        project_quota: int = 300,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.books: dict[str, Spreadsheet] = {}
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.read_quota, self.write_quota, self.project_quota = read_quota, write_quota, project_quota
        self.clock = clock
        self.usage: dict[tuple[str, str], list[float]] = {}
        self.requests: list[tuple[str, str, str]] = []  # (account, method, path)
        self.rng = random.Random(7)
        self.keys: dict[str, Any] = {}  # service-account e-mail -> public key
        self.revoked: set[str] = set()  # service-account e-mails and OAuth refresh tokens
        self.oauth_users: dict[str, str] = {}  # refresh token -> e-mail
        self.google_accounts: set[str] = set()  # addresses Drive knows as Google accounts
        self.counts = {"read": 0, "write": 0}  # Sheets requests by quota class
        # False only to show `thidua sheet doctor` catching a Google that allowed duplicate ids
        self.unique_metadata_ids = True
        self.tokens: dict[str, tuple[str, float]] = {}  # access token -> (e-mail, expires at)
        self.token_requests: list[str] = []  # e-mail of each sign-in
        self.token_lifetime = 3600.0
        self.base_url = ""  # set by FakeSheetsServer: where /token is
        # the wall clock every answer's Date header reads (Google's answers all carry one; see
        # the recorded traffic); a test sets it to tell the server's time from a PC's
        self.wall_clock: Callable[[], float] = time.time

    # -- signing in --
    def new_service_account(self, email: str, token_uri: str) -> dict:
        """A service-account key file's contents, as Google Cloud issues it, for `email`."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[email] = key.public_key()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": "thidua-emulator",
            "private_key_id": f"{abs(hash(email)) % 10**12:012d}",
            "private_key": pem,
            "client_email": email,
            "client_id": str(abs(hash(email)) % 10**18),
            "token_uri": token_uri,
        }

    def new_oauth_user(self, email: str, token_uri: str) -> dict:
        """An authorized_user.json as gspread.oauth() stores it after the browser sign-in."""
        refresh = f"1//{self.rng.getrandbits(96):024x}"
        self.oauth_users[refresh] = email
        return {
            "type": "authorized_user",
            "client_id": "thidua-emulator.apps.googleusercontent.com",
            "client_secret": "emulator-secret",
            "refresh_token": refresh,
            "token_uri": token_uri,
        }

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def sign_in(self, form: dict, token_uri: str) -> tuple[int, dict]:
        import base64

        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        def refuse(why: str) -> tuple[int, dict]:
            return 400, {"error": "invalid_grant", "error_description": why}

        def b64(part: str) -> bytes:
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

        if form.get("grant_type") == "refresh_token":
            # OAuth refresh (RFC 6749 section 6); a revoked or unknown refresh token is
            # invalid_grant "Token has been expired or revoked." (Google's OAuth errors)
            refresh = str(form.get("refresh_token", ""))
            email = self.oauth_users.get(refresh)
            if email is None or refresh in self.revoked:
                return refuse("Token has been expired or revoked.")
            return 200, self._mint(email)
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        try:
            head, claims, signature = str(form.get("assertion", "")).split(".")
            payload = json.loads(b64(claims))
        except ValueError:
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        email = payload.get("iss", "")
        key = self.keys.get(email)
        if key is None or email in self.revoked:
            return refuse("Invalid JWT Signature.")
        try:
            key.verify(b64(signature), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return refuse("Invalid JWT Signature.")
        # google-auth always names Google's own token endpoint as the audience, whatever the
        # key's token_uri says (google/oauth2/service_account.py, _DEFAULT_TOKEN_URI)
        audiences = (token_uri, "https://oauth2.googleapis.com/token")
        if payload.get("aud") not in audiences or float(payload.get("exp", 0)) < time.time():
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.")
        return 200, self._mint(email)

    def _mint(self, email: str) -> dict:
        token = f"ya29.{self.rng.getrandbits(128):032x}"
        with self.lock:
            self.tokens[token] = (email, time.time() + self.token_lifetime)
            self.token_requests.append(email)
        return {"access_token": token, "expires_in": int(self.token_lifetime), "token_type": "Bearer"}

    def account_of(self, bearer: str) -> str | None:
        """The signed-in account, "" for no credential, None for a token Google would not take."""
        if not bearer:
            return ""
        if bearer.startswith("fake-token:"):
            return bearer.removeprefix("fake-token:")
        email, until = self.tokens.get(bearer, ("", 0.0))
        return email if email and until > time.time() else None

    # -- helpers for tests --
    def create(self, owner: str, title: str = "Thi đua 2026", locale: str = "en_US", sid: str | None = None) -> str:
        with self.lock:
            sid = sid or "".join(
                self.rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") for _ in range(44)
            )
            book = Spreadsheet(sid, title, owner, locale)
            book.sheets.append(Sheet(0, "Sheet1", 0))
            self.books[sid] = book
            return sid

    def grid(self, sid: str, title: str) -> list[list[Any]]:
        sheet = self.books[sid].sheet(title)
        if sheet is None or not sheet.cells:
            return []
        rmax = max(r for r, _ in sheet.cells) + 1
        cmax = max(c for _, c in sheet.cells) + 1
        return [[sheet.cells.get((r, c)) for c in range(cmax)] for r in range(rmax)]

    def set_cell(self, sid: str, title: str, row: int, col: int, value: Any) -> None:
        """An edit made by hand in the browser (0-based)."""
        with self.lock:
            self.books[sid].sheet(title).cells[(row, col)] = value

    # -- access --
    def _book(self, sid: str, account: str, write: bool = False) -> Spreadsheet:
        book = self.books.get(sid)
        if book is None:
            raise not_found()
        allowed = {book.owner} | book.writers | (set() if write else book.readers)
        if account not in allowed:
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        return book

    def _quota(self, account: str, kind: str) -> None:
        now = self.clock()
        limit = self.read_quota if kind == "read" else self.write_quota
        mine = [t for t in self.usage.get((account, kind), []) if now - t < 60]
        everyone = [t for (a, k), ts in self.usage.items() if k == kind for t in ts if now - t < 60]
        if len(mine) >= limit or len(everyone) >= self.project_quota:
            per_user = len(mine) >= limit
            metric = "Read requests" if kind == "read" else "Write requests"
            quota = (
                ("ReadRequestsPerMinutePerUser" if kind == "read" else "WriteRequestsPerMinutePerUser")
                if per_user
                else ("ReadRequestsPerMinutePerProject" if kind == "read" else "WriteRequestsPerMinutePerProject")
            )
            raise ApiError(
                429,
                f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute{' per user' if per_user else ''}' "
                "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.",
                "RESOURCE_EXHAUSTED",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "RATE_LIMIT_EXCEEDED",
                        "domain": "googleapis.com",
                        "metadata": {
                            "quota_limit_value": str(limit if per_user else self.project_quota),
                            "service": "sheets.googleapis.com",
                            "quota_metric": f"sheets.googleapis.com/{kind}_requests",
                            "quota_limit": quota,
                        },
                    }
                ],
            )
        self.usage[(account, kind)] = mine + [now]
        self.counts[kind] += 1

    def _check_protection(self, book: Spreadsheet, box: Box, account: str) -> None:
        self._guard(book, book.protections, box, account)

    # -- endpoints --
    def metadata(self, book: Spreadsheet, ranges: list[str] = (), grid_data: bool = False) -> dict:
        """spreadsheets.get. With `ranges`, only the sheets they touch; with includeGridData,
        each range's cells as CellData (effectiveValue and userEnteredValue), trailing empty
        cells and rows left out as values.get does (reference, spreadsheets.get; GridData)."""
        boxes = [resolve(book, r) for r in ranges]
        wanted = {b.sheet.sheet_id for b in boxes}
        sheets = []
        for s in sorted(book.sheets, key=lambda s: s.index):
            if ranges and s.sheet_id not in wanted:
                continue
            entry: dict[str, Any] = {
                "properties": {
                    "sheetId": s.sheet_id,
                    "title": s.title,
                    "index": s.index,
                    "sheetType": "GRID",
                    "gridProperties": {"rowCount": s.rows, "columnCount": s.cols},
                }
            }
            prs = [self._protection_json(p, book) for p in book.protections if p.sheet_id == s.sheet_id]
            if prs:
                entry["protectedRanges"] = prs
            if grid_data:
                entry["data"] = [_grid_data(b) for b in boxes if b.sheet.sheet_id == s.sheet_id]
            sheets.append(entry)
        return {
            "spreadsheetId": book.sid,
            "properties": {
                "title": book.title,
                "locale": book.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": book.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.sid}/edit",
        }

    @staticmethod
    def _protection_json(p: Protection, book: Spreadsheet) -> dict:
        rng: dict[str, Any] = {"sheetId": p.sheet_id}
        if p.bounds:
            rng.update(dict(zip(("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"), p.bounds)))
        out: dict[str, Any] = {
            "protectedRangeId": p.pid,
            "range": rng,
            "requestingUserCanEdit": True,
            "editors": {"users": sorted(p.editors)},
        }
        if p.description:
            out["description"] = p.description
        if p.warning_only:
            out["warningOnly"] = True
        return out

    def values_get(self, book: Spreadsheet, a1: str, params: dict) -> dict:
        box = resolve(book, a1)
        render = (params.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
        rows = []
        for r in range(box.r0, box.r1):
            row = []
            for c in range(box.c0, box.c1):
                v = box.sheet.cells.get((r, c))
                if render == "FORMATTED_VALUE":
                    v = formatted(v, book.locale) if v is not None else None
                elif render == "FORMULA":
                    v = v.text if isinstance(v, Formula) else unformatted(v)
                else:
                    v = unformatted(v)
                row.append("" if v is None else v)
            while row and row[-1] == "":
                row.pop()  # Google trims trailing empty cells
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()  # and trailing empty rows
        out: dict[str, Any] = {"range": box.a1(), "majorDimension": "ROWS"}
        if rows:
            out["values"] = rows
        return out

    def _write(self, book: Spreadsheet, a1: str, values: list[list[Any]], option: str, account: str) -> dict:
        box = resolve(book, a1)
        nrows = len(values)
        ncols = max((len(r) for r in values), default=0)
        if box.r0 + nrows > box.sheet.rows or box.c0 + ncols > box.sheet.cols:
            raise invalid(
                f"Range ('{box.sheet.title}'!{a1}) exceeds grid limits. Max rows: {box.sheet.rows}, max columns: {box.sheet.cols}"
            )
        target = Box(box.sheet, box.r0, box.r0 + max(nrows, 1), box.c0, box.c0 + max(ncols, 1))
        self._check_protection(book, target, account)
        staged = {}
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if isinstance(v, str) and len(v) > 50000:
                    raise invalid("Your input contains more than the maximum of 50000 characters in a single cell.")
                if option == "USER_ENTERED":
                    v = user_entered(v, book.locale)
                staged[(box.r0 + i, box.c0 + j)] = as_double(v)
        return {"staged": staged, "box": target, "rows": nrows, "cols": ncols}

    @staticmethod
    def _apply(sheet: Sheet, staged: dict) -> None:
        for key, v in staged.items():
            if v is None:
                continue  # a JSON null leaves the cell as it is (values.update reference)
            if v == "":
                sheet.cells.pop(key, None)  # writing "" leaves the cell empty
            else:
                sheet.cells[key] = v

    def values_by_filter(self, book: Spreadsheet, body: dict) -> dict:
        """values:batchGetByDataFilter with a1Range filters (the only kind thidua sends). A range
        naming a missing tab fails the whole read, as values:batchGet does: our reading, the
        reference does not say."""
        params = {k: [body[k]] for k in ("valueRenderOption", "dateTimeRenderOption") if body.get(k)}
        out = []
        for f in body.get("dataFilters") or []:
            if "a1Range" not in f:
                raise invalid("Only a1Range data filters are served by the emulator.")
            out.append({"valueRange": self.values_get(book, f["a1Range"], params), "dataFilters": [f]})
        return {"spreadsheetId": book.sid, "valueRanges": out}

    def handle(self, method: str, path: str, query: dict, body: Any, account: str) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((account, method, path))
            if not account:
                raise ApiError(401, "Request is missing required authentication credential.", "UNAUTHENTICATED")
            if path == USERINFO:
                return 200, {"sub": permission_id(account), "email": account, "email_verified": True}
            if path.startswith(DRIVE):
                return self.drive(method, path, query, body, account)
            if not path.startswith(SHEETS + "/"):
                raise not_found()
            rest = path[len(SHEETS) + 1 :]
            sid, _, tail = rest.partition("/")
            if tail == "" and sid.endswith(":batchUpdate"):
                book = self._book(sid[: -len(":batchUpdate")], account, write=True)
                self._quota(account, "write")
                return 200, self.batch_update(book, body or {}, account)
            if tail.startswith("developerMetadata/") and method == "GET":
                book = self._book(sid, account)
                self._quota(account, "read")
                found = book.developer_metadata.get(int(tail.partition("/")[2] or 0))
                if found is None:
                    raise not_found()
                return 200, found
            if tail == "developerMetadata:search" and method == "POST":
                book = self._book(sid, account)
                self._quota(account, "read")
                lookups = [f.get("developerMetadataLookup") or {} for f in (body or {}).get("dataFilters") or []]
                found = []
                for dm in book.developer_metadata.values():
                    hit = next((lk for lk in lookups if matches(dm, lk)), None)
                    if hit is not None:
                        found.append({"developerMetadata": dm, "dataFilters": [{"developerMetadataLookup": hit}]})
                return 200, {"matchedDeveloperMetadata": found} if found else {}
            if tail == "values:batchGetByDataFilter" and method == "POST":
                book = self._book(sid, account)
                self._quota(account, "read")
                return 200, self.values_by_filter(book, body or {})
            book = self._book(sid, account, write=method != "GET")
            if tail == "":
                self._quota(account, "read")
                return 200, self.metadata(book, query.get("ranges") or [], _true(query.get("includeGridData")))
            if tail == "values:batchGet":
                self._quota(account, "read")
                ranges = query.get("ranges", [])
                return 200, {
                    "spreadsheetId": book.sid,
                    "valueRanges": [self.values_get(book, r, query) for r in ranges],
                }
            if tail == "values:batchUpdate":
                self._quota(account, "write")
                body = body or {}
                option = body.get("valueInputOption") or "RAW"
                staged = []
                for i, item in enumerate(body.get("data") or []):
                    try:
                        staged.append(self._write(book, item["range"], item.get("values") or [], option, account))
                    except ApiError as err:
                        raise ApiError(err.code, f"Invalid data[{i}]: {err.message}", err.status) from None
                for s in staged:
                    self._apply(s["box"].sheet, s["staged"])
                responses = [
                    {
                        "spreadsheetId": book.sid,
                        "updatedRange": s["box"].a1(),
                        "updatedRows": s["rows"],
                        "updatedColumns": s["cols"],
                        "updatedCells": s["rows"] * s["cols"],
                    }
                    for s in staged
                ]
                return 200, {
                    "spreadsheetId": book.sid,
                    "totalUpdatedRows": sum(s["rows"] for s in staged),
                    "totalUpdatedColumns": max((s["cols"] for s in staged), default=0),
                    "totalUpdatedCells": sum(s["rows"] * s["cols"] for s in staged),
                    "totalUpdatedSheets": len({id(s["box"].sheet) for s in staged}),
                    "responses": responses,
                }
            if tail.startswith("values/"):
                a1 = tail[len("values/") :]
                if a1.endswith(":append") and method == "POST":
                    self._quota(account, "write")
                    box = resolve(book, a1[: -len(":append")])
                    last = max((r for r, c in box.sheet.cells if box.c0 <= c < box.c1), default=-1)
                    values = (body or {}).get("values") or []
                    start = f"{quote_title(box.sheet.title)}!{col_letters(box.c0 + 1)}{last + 2}"
                    s = self._write(book, start, values, (query.get("valueInputOption") or ["RAW"])[0], account)
                    self._apply(s["box"].sheet, s["staged"])
                    return 200, {
                        "spreadsheetId": book.sid,
                        "tableRange": box.a1(),
                        "updates": {
                            "spreadsheetId": book.sid,
                            "updatedRange": s["box"].a1(),
                            "updatedRows": s["rows"],
                            "updatedColumns": s["cols"],
                            "updatedCells": s["rows"] * s["cols"],
                        },
                    }
                if a1.endswith(":clear") and method == "POST":
                    self._quota(account, "write")
                    box = resolve(book, a1[: -len(":clear")])
                    self._check_protection(book, box, account)
                    for key in [k for k in box.sheet.cells if box.r0 <= k[0] < box.r1 and box.c0 <= k[1] < box.c1]:
                        del box.sheet.cells[key]
                    return 200, {"spreadsheetId": book.sid, "clearedRange": box.a1()}
                if method == "GET":
                    self._quota(account, "read")
                    return 200, self.values_get(book, a1, query)
                if method == "PUT":
                    self._quota(account, "write")
                    option = (query.get("valueInputOption") or ["RAW"])[0]
                    s = self._write(book, a1, (body or {}).get("values") or [], option, account)
                    self._apply(s["box"].sheet, s["staged"])
                    return 200, {
                        "spreadsheetId": book.sid,
                        "updatedRange": s["box"].a1(),
                        "updatedRows": s["rows"],
                        "updatedColumns": s["cols"],
                        "updatedCells": s["rows"] * s["cols"],
                    }
            raise not_found()


def _true(flag: list[str] | None) -> bool:
    return bool(flag) and str(flag[0]).lower() == "true"


def _cell_json(v: Any) -> dict:
    if v is None:
        return {}
    if isinstance(v, Formula):
        shown = _cell_json(v.cached).get("effectiveValue", {})
        return {"userEnteredValue": {"formulaValue": v.text}, **({"effectiveValue": shown} if shown else {})}
    if isinstance(v, bool):
        value = {"boolValue": v}
    elif isinstance(v, (int, float)):
        value = {"numberValue": unformatted(v)}
    else:
        value = {"stringValue": str(v)}
    return {"userEnteredValue": value, "effectiveValue": value}


def _grid_data(box: Box) -> dict:
    rows = []
    for r in range(box.r0, box.r1):
        cells = [_cell_json(box.sheet.cells.get((r, c))) for c in range(box.c0, box.c1)]
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    return {"startRow": box.r0, "startColumn": box.c0, "rowData": rows}
