"""A fake Google Sheets API v4 (and the few Drive v3 calls gspread makes), over real HTTP on
127.0.0.1, for gspread's real client.

It behaves like Google where it matters to thidua, as the recorded traffic in
shared/corpus/sheets-api shows: trailing empty cells and rows trimmed, no "values" key for an
empty range, quoted sheet names in returned ranges, range normalisation (A1:C -> A1:C1000),
value render and input options, writes past the grid refused (400), protected ranges enforced
per account (400 "You are trying to edit a protected cell or object", as Google answers, not
403), per-minute read/write quotas answering 429 with Google's RESOURCE_EXHAUSTED body, and
requests applied atomically. Faults can be injected: 5xx answers, delays, and connections
dropped before or after a request is applied.

Not established by any recording, and so our best reading of Google's documentation:
- FORMATTED_VALUE in locale vi_VN writes a decimal comma and a dot for thousands (97,5; 1.234,5);
  no recording of a vi_VN spreadsheet exists.
- USER_ENTERED parses numbers by the spreadsheet's locale only in the simple forms we use;
  dates and currencies typed as text are kept as text.
- Authentication: a bearer token "fake-token:<email>" names the caller, a shortcut for tests
  that are not about signing in. The real way is served too: `POST /token` takes google-auth's
  signed JWT (RFC 7523, RS256, the grant Google's token endpoint documents for service
  accounts), checks the signature against the key it registered, the `aud` and the expiry, and
  mints a short-lived token; a revoked or unknown key gets 400 `invalid_grant` ("Invalid JWT
  Signature.", the answer google-auth turns into RefreshError); an expired or unknown token
  gets 401 UNAUTHENTICATED, on which google-auth refreshes and retries once. The spreadsheet's
  creator owns it; the owner always may edit protected ranges, as in Google.
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlparse

from xl_addin.unit_report import column_letter

SHEETS = "/v4/spreadsheets"
DRIVE = "/drive/v3/files"
PROTECTED_MESSAGE = "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit."


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: str, details: list | None = None):
        self.code, self.message, self.status, self.details = code, message, status, details
        super().__init__(message)

    def body(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.", "NOT_FOUND")


def invalid(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    rows: int = 1000
    cols: int = 26
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)  # 0-based (row, col)


@dataclass
class Protection:
    pid: int
    sheet_id: int
    bounds: tuple[int, int, int, int] | None  # r0, r1, c0, c1 (end exclusive); None: whole sheet
    editors: set[str]
    warning_only: bool
    description: str | None


@dataclass
class Spreadsheet:
    sid: str
    title: str
    owner: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    sheets: list[Sheet] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)
    readers: set[str] = field(default_factory=set)
    writers: set[str] = field(default_factory=set)

    def sheet(self, title: str | None = None, sheet_id: int | None = None) -> Sheet | None:
        for s in self.sheets:
            if (title is not None and s.title == title) or (sheet_id is not None and s.sheet_id == sheet_id):
                return s
        return None


@dataclass
class Fault:
    """Matches requests whose "METHOD path" contains `match`; `times` answers, then gone.
    kind: an HTTP status (500, 503, 429, 403 with a Drive-style `reason`), "delay" (seconds in
    `delay`), "drop_before" (close the connection without applying), "drop_after" (apply, then
    close without answering) or "html200" (a captive portal or proxy answering 200 with a web
    page instead of JSON)."""

    match: str
    kind: int | str
    times: int = 1
    delay: float = 0.0
    reason: str = ""  # for a 403: "userRateLimitExceeded", "accessNotConfigured", "storageQuotaExceeded"…


# ---------------------------------------------------------------------------------------
# A1 ranges


_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


col_letters = column_letter


def needs_quotes(title: str) -> bool:
    # Google quotes names with spaces or non-ASCII, and names that look like a cell or a range
    return not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) or bool(re.fullmatch(r"[A-Za-z]{1,3}\d+", title))


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'" if needs_quotes(title) else title


def split_range(a1: str) -> tuple[str | None, str | None]:
    a1 = a1.strip()
    if a1.startswith("'"):
        i, title = 1, ""
        while i < len(a1):
            if a1[i] == "'":
                if i + 1 < len(a1) and a1[i + 1] == "'":
                    title += "'"
                    i += 2
                    continue
                break
            title += a1[i]
            i += 1
        rest = a1[i + 1 :]
        return title, rest[1:] if rest.startswith("!") else None
    if "!" in a1:
        title, _, cells = a1.rpartition("!")
        return title, cells
    return a1, None  # a bare name: a sheet title, or cells on the first sheet (decided by the caller)


@dataclass
class Box:
    sheet: Sheet
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int

    def a1(self) -> str:
        name = quote_title(self.sheet.title)
        start = f"{col_letters(self.c0 + 1)}{self.r0 + 1}"
        end = f"{col_letters(self.c1)}{self.r1}"
        return f"{name}!{start}" if (self.r1 - self.r0, self.c1 - self.c0) == (1, 1) else f"{name}!{start}:{end}"


def resolve(book: Spreadsheet, a1: str) -> Box:
    title, cells = split_range(a1)
    sheet = book.sheet(title) if title is not None else None
    if sheet is None and cells is None and title is not None and _looks_like_cells(title):
        sheet, cells = book.sheets[0], title
    if sheet is None:
        raise invalid(f"Unable to parse range: {a1}")
    if not cells:
        return Box(sheet, 0, sheet.rows, 0, sheet.cols)
    parts = cells.split(":")
    if len(parts) > 2:
        raise invalid(f"Unable to parse range: {a1}")
    ends = []
    for p in parts:
        m = _CELL.match(p)
        if not m or not (m[1] or m[2]):
            raise invalid(f"Unable to parse range: {a1}")
        ends.append((col_number(m[1]) if m[1] else None, int(m[2]) if m[2] else None))
    (c_a, r_a), (c_b, r_b) = ends[0], ends[-1]
    c0 = min(x for x in (c_a, c_b) if x is not None) if (c_a or c_b) else 1
    c1 = max(x for x in (c_a, c_b) if x is not None) if (c_a or c_b) else sheet.cols
    r0 = min(x for x in (r_a, r_b) if x is not None) if (r_a or r_b) else 1
    r1 = max(x for x in (r_a, r_b) if x is not None) if (r_a or r_b) else sheet.rows
    if len(parts) == 2:
        # open ends reach the grid's edge: A1:C -> A1:C1000, A1:1 -> A1:Z1
        if c_a is None or c_b is None:
            c0, c1 = (
                (c0 if c_a is not None or c_b is not None else 1),
                (c1 if c_a is not None and c_b is not None else sheet.cols),
            )
            if c_a is None and c_b is None:
                c0, c1 = 1, sheet.cols
        if r_a is None or r_b is None:
            r1 = sheet.rows if (r_a is None) != (r_b is None) or r_a is None else r1
            if r_a is None and r_b is None:
                r0, r1 = 1, sheet.rows
    return Box(sheet, r0 - 1, min(r1, sheet.rows), c0 - 1, min(c1, sheet.cols))


def _looks_like_cells(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?", text)) and any(ch.isalnum() for ch in text)


# ---------------------------------------------------------------------------------------
# values


def as_double(v: Any) -> Any:
    """Sheets stores every number as an IEEE double: an integer past 2**53 comes back rounded
    (a whole double is still answered as a JSON integer by UNFORMATTED_VALUE)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    d = float(v)
    return int(d) if d.is_integer() and isinstance(v, int) else d


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def unformatted(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Formula):
        return v.cached
    return v


def formatted(v: Any, locale: str) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, Formula):
        return formatted(v.cached, locale) if v.cached is not None else ""
    if _is_number(v):
        text = repr(float(v)) if isinstance(v, float) and not v.is_integer() else str(int(v))
        if locale.startswith(("vi", "de", "fr", "id")):
            text = text.replace(".", ",")
        return text
    return "" if v is None else str(v)


@dataclass
class Formula:
    text: str
    cached: Any = None


_EN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
_VI_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def user_entered(v: Any, locale: str) -> Any:
    if not isinstance(v, str):
        return v
    if v.startswith("="):
        return Formula(v, _arithmetic(v[1:], locale))
    s = v.strip()
    if locale.startswith("vi"):
        if _VI_NUMBER.match(s):
            return _num(s.replace(".", "").replace(",", "."))
    elif _EN_NUMBER.match(s):
        return _num(s.replace(",", ""))
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE"
    return v


def _arithmetic(expr: str, locale: str) -> Any:
    """Evaluate a formula of plain numbers and + - * / ( ); anything else has no value here."""
    import ast
    import operator

    ops = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.USub: operator.neg,
    }

    def ev(node):
        if isinstance(node, ast.Constant) and _is_number(node.value):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in ops:
            return ops[type(node.op)](ev(node.operand))
        raise ValueError(expr)

    try:
        if locale.startswith("vi"):
            expr = expr.replace(",", ".")
        return ev(ast.parse(expr, mode="eval").body)
    except (ValueError, SyntaxError, ZeroDivisionError):
        return None


def _num(s: str) -> int | float:
    f = float(s)
    return int(f) if f.is_integer() and "." not in s else f


# ---------------------------------------------------------------------------------------
# the server


class FakeSheets:
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
        self.revoked: set[str] = set()
        self.tokens: dict[str, tuple[str, float]] = {}  # access token -> (e-mail, expires at)
        self.token_requests: list[str] = []  # e-mail of each sign-in
        self.token_lifetime = 3600.0
        self.base_url = ""  # set by FakeSheetsServer: where /token is

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
        token = f"ya29.{self.rng.getrandbits(128):032x}"
        with self.lock:
            self.tokens[token] = (email, time.time() + self.token_lifetime)
            self.token_requests.append(email)
        return 200, {"access_token": token, "expires_in": int(self.token_lifetime), "token_type": "Bearer"}

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

    def _check_protection(self, book: Spreadsheet, box: Box, account: str) -> None:
        if account == book.owner:
            return
        for p in book.protections:
            if p.sheet_id != box.sheet.sheet_id or p.warning_only or account in p.editors:
                continue
            if p.bounds is None:
                raise invalid(PROTECTED_MESSAGE)
            r0, r1, c0, c1 = p.bounds
            if box.r0 < r1 and r0 < box.r1 and box.c0 < c1 and c0 < box.c1:
                raise invalid(PROTECTED_MESSAGE)

    # -- endpoints --
    def metadata(self, book: Spreadsheet) -> dict:
        sheets = []
        for s in sorted(book.sheets, key=lambda s: s.index):
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
            if v is None or v == "":
                sheet.cells.pop(key, None)  # writing "" leaves the cell empty
            else:
                sheet.cells[key] = v

    def batch_update(self, book: Spreadsheet, body: dict, account: str) -> dict:
        # applied to copies and committed only if every request succeeds: Google is atomic here
        import copy

        sheets = copy.deepcopy(book.sheets)
        protections = copy.deepcopy(book.protections)
        replies = []
        for i, req in enumerate(body.get("requests") or []):
            ((kind, args),) = req.items()
            try:
                replies.append(self._one_request(book, sheets, protections, kind, args or {}, account))
            except ApiError as err:
                raise invalid(f"Invalid requests[{i}].{kind}: {err.message}") from None
        book.sheets, book.protections = sheets, protections
        return {"spreadsheetId": book.sid, "replies": replies}

    def _one_request(self, book, sheets, protections, kind, args, account):
        if kind == "addSheet":
            props = args.get("properties") or {}
            title = props.get("title") or f"Sheet{len(sheets) + 1}"
            if any(s.title == title for s in sheets):
                raise ApiError(
                    400,
                    f'A sheet with the name "{title}" already exists. Please enter another name.',
                    "INVALID_ARGUMENT",
                )
            grid = props.get("gridProperties") or {}
            sid = props.get("sheetId", self.rng.randrange(10**8, 2 * 10**9))
            s = Sheet(sid, title, len(sheets), grid.get("rowCount", 1000), grid.get("columnCount", 26))
            sheets.append(s)
            return {
                "addSheet": {
                    "properties": {
                        "sheetId": sid,
                        "title": title,
                        "index": s.index,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": s.rows, "columnCount": s.cols},
                    }
                }
            }
        if kind == "deleteSheet":
            before = len(sheets)
            sheets[:] = [s for s in sheets if s.sheet_id != args.get("sheetId")]
            if len(sheets) == before:
                raise ApiError(400, f"No sheet with id: {args.get('sheetId')}", "INVALID_ARGUMENT")
            return {}
        if kind == "addProtectedRange":
            pr = args.get("protectedRange") or {}
            rng = pr.get("range") or {}
            if not any(s.sheet_id == rng.get("sheetId", 0) for s in sheets):
                raise ApiError(400, f"No grid with id: {rng.get('sheetId')}", "INVALID_ARGUMENT")
            keys = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
            bounds = None
            if any(k in rng for k in keys):
                s = next(s for s in sheets if s.sheet_id == rng.get("sheetId", 0))
                bounds = (
                    rng.get("startRowIndex", 0),
                    rng.get("endRowIndex", s.rows),
                    rng.get("startColumnIndex", 0),
                    rng.get("endColumnIndex", s.cols),
                )
            editors = set((pr.get("editors") or {}).get("users") or [])
            editors.add(account)  # the account that creates a protection is always an editor
            p = Protection(
                self.rng.randrange(10**8, 2 * 10**9),
                rng.get("sheetId", 0),
                bounds,
                editors,
                bool(pr.get("warningOnly")),
                pr.get("description"),
            )
            protections.append(p)
            return {"addProtectedRange": {"protectedRange": self._protection_json(p, book)}}
        if kind == "deleteProtectedRange":
            protections[:] = [p for p in protections if p.pid != args.get("protectedRangeId")]
            return {}
        if kind == "updateSpreadsheetProperties":
            props = args.get("properties") or {}
            book.locale = props.get("locale", book.locale)
            book.time_zone = props.get("timeZone", book.time_zone)
            return {}
        if kind == "updateSheetProperties":
            props = args.get("properties") or {}
            s = next((s for s in sheets if s.sheet_id == props.get("sheetId")), None)
            if s is None:
                raise ApiError(400, f"No grid with id: {props.get('sheetId')}", "INVALID_ARGUMENT")
            grid = props.get("gridProperties") or {}
            s.rows, s.cols = grid.get("rowCount", s.rows), grid.get("columnCount", s.cols)
            s.title = props.get("title", s.title)
            return {}
        raise ApiError(400, f"Unknown request kind {kind}", "INVALID_ARGUMENT")

    def handle(self, method: str, path: str, query: dict, body: Any, account: str) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((account, method, path))
            if not account:
                raise ApiError(401, "Request is missing required authentication credential.", "UNAUTHENTICATED")
            m = re.fullmatch(DRIVE + r"/([^/]+)", path)
            if m and method == "DELETE":
                if m[1] not in self.books:
                    raise not_found()
                self.books.pop(m[1])
                return 204, None
            if path == DRIVE and method == "POST":
                sid = self.create(account, (body or {}).get("name", "Untitled"))
                return 200, {
                    "kind": "drive#file",
                    "id": sid,
                    "name": self.books[sid].title,
                    "mimeType": "application/vnd.google-apps.spreadsheet",
                }
            m = re.fullmatch(DRIVE + r"/([^/]+)/permissions", path)
            if m:
                book = self._book(m[1], account, write=method == "POST")
                if method == "POST":
                    email = (body or {}).get("emailAddress")
                    (book.writers if (body or {}).get("role") in ("writer", "owner") else book.readers).add(email)
                    return 200, {
                        "kind": "drive#permission",
                        "id": str(abs(hash(email)) % 10**12),
                        "type": "user",
                        "role": body.get("role"),
                    }
                perms = [
                    {"id": str(abs(hash(e)) % 10**12), "emailAddress": e, "role": "writer", "type": "user"}
                    for e in sorted(book.writers)
                ]
                perms.append({"id": "0", "emailAddress": book.owner, "role": "owner", "type": "user"})
                return 200, {"permissions": perms}
            if not path.startswith(SHEETS + "/"):
                raise not_found()
            rest = path[len(SHEETS) + 1 :]
            sid, _, tail = rest.partition("/")
            if tail == "" and sid.endswith(":batchUpdate"):
                book = self._book(sid[: -len(":batchUpdate")], account, write=True)
                self._quota(account, "write")
                return 200, self.batch_update(book, body or {}, account)
            book = self._book(sid, account, write=method != "GET")
            if tail == "":
                self._quota(account, "read")
                return 200, self.metadata(book)
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeSheets

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes; without this, delayed ACKs cost 40 ms a request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        query = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
            status, out = self.fake.sign_in(form, f"{self.fake.base_url}/token")
            self._reply(status, out)
            return
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        account = self.fake.account_of(token)
        if account is None:
            self._reply(
                401,
                ApiError(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                    "or other valid authentication credential.",
                    "UNAUTHENTICATED",
                ).body(),
            )
            return
        fault = self._take_fault(f"{method} {unquote(url.path)}")
        if fault is not None:
            if fault.kind == "delay":
                time.sleep(fault.delay)
            elif fault.kind == "drop_before":
                self._drop()
                return
            elif fault.kind == "html200":
                page = b"<html><body>Vui l\xc3\xb2ng \xc4\x91\xc4\x83ng nh\xe1\xba\xadp Wi-Fi</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=UTF-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return
            elif isinstance(fault.kind, int) and fault.reason:
                # Drive's 403s carry the reason in errors[] (Drive v3 "Resolve errors" page)
                body = {
                    "error": {
                        "code": fault.kind,
                        "message": fault.reason,
                        "errors": [{"domain": "usageLimits", "reason": fault.reason, "message": fault.reason}],
                    }
                }
                self._reply(fault.kind, body)
                return
            elif isinstance(fault.kind, int):
                body = {
                    "error": {
                        "code": fault.kind,
                        "message": "The service is currently unavailable." if fault.kind >= 500 else "Quota exceeded",
                        "status": "UNAVAILABLE" if fault.kind >= 500 else "RESOURCE_EXHAUSTED",
                    }
                }
                self._reply(fault.kind, body)
                return
        try:
            body = json.loads(raw) if raw else None
            status, out = self.fake.handle(method, unquote(url.path), query, body, account)
        except ApiError as err:
            status, out = err.code, err.body()
        except (ValueError, KeyError, TypeError) as exc:
            status, out = 400, invalid(f"Invalid JSON payload received. {exc}").body()
        if fault is not None and fault.kind == "drop_after":
            self._drop()
            return
        self._reply(status, out)

    def _take_fault(self, line: str) -> Fault | None:
        with self.fake.lock:
            for f in self.fake.faults:
                if f.match in line and f.times > 0:
                    f.times -= 1
                    return f
        return None

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reply(self, status: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


class FakeSheetsServer:
    """`with FakeSheetsServer() as server:` serves on 127.0.0.1; `server.session(email)` is a
    requests.Session for gspread that sends Google's URLs here and fails closed elsewhere."""

    def __init__(self, fake: FakeSheets | None = None):
        self.fake = fake or FakeSheets()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.fake.base_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def redirect(self):
        """A requests adapter that sends Google's API hosts here and refuses every other host."""
        from requests.adapters import HTTPAdapter

        base = self.url

        class Redirect(HTTPAdapter):
            def send(self, request, **kwargs):
                parsed = urlparse(request.url)
                if parsed.hostname not in ("sheets.googleapis.com", "www.googleapis.com"):
                    raise ConnectionError(f"refused: {parsed.hostname} is not Google")  # fail closed
                request.url = base + request.url.split(parsed.netloc, 1)[1]
                return super().send(request, **kwargs)

        return Redirect(max_retries=0)

    def session(self, email: str):
        """A session that skips signing in (bearer "fake-token:<email>")."""
        import requests

        s = requests.Session()
        s.mount("https://", self.redirect())
        s.headers["Authorization"] = f"Bearer fake-token:{email}"
        return s
