"""What the emulator keeps: spreadsheets, their sheets and protections, and its errors in
Google's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHEETS = "/v4/spreadsheets"
DRIVE = "/drive/v3/files"
USERINFO = "/oauth2/v3/userinfo"
CELL_LIMIT = 10_000_000  # per spreadsheet, all tabs' grids (Google Sheets help, "Files you can store")
CELL_LIMIT_MESSAGE = "This action would increase the number of cells in the workbook above the limit of 10000000 cells."
PROTECTED_MESSAGE = "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit."


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: str, details: list | None = None):
        self.code, self.message, self.status, self.details = code, message, status, details
        self.errors: list | None = None  # Drive's errors[] with a `reason`
        super().__init__(message)

    def body(self) -> dict:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.status:
            err["status"] = self.status
        if self.errors:
            err["errors"] = self.errors
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
    developer_metadata: dict[int, dict] = field(default_factory=dict)  # metadataId -> DeveloperMetadata
    app_properties: dict[str, str] = field(default_factory=dict)  # Drive appProperties
    invited: set[str] = field(default_factory=set)  # shared with a notification, no Google account yet

    def cells_used(self) -> int:
        """Grid cells counted against the 10 000 000 limit: every tab's rows x columns."""
        return sum(s.rows * s.cols for s in self.sheets)

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
    close without answering), "cut_body" (apply, answer 200 and close halfway through the
    body), "html200" (a captive portal or proxy answering 200 with a web page instead of
    JSON) or "barrier" (not a fault of Google's but a test device: the matching
    requests are applied, then their answers wait for each other until `times` of them have
    been applied, so two clients are sure to read before either writes)."""

    match: str
    kind: int | str
    times: int = 1
    delay: float = 0.0
    reason: str = ""  # for a 403: "userRateLimitExceeded", "accessNotConfigured", "storageQuotaExceeded"…
    gate: Any = None  # the barrier's threading.Barrier, made when the fault is registered
    body: str = ""  # and whose body contains this (one kind of request inside batchUpdate)


@dataclass
class Exchange:
    """One request as it arrived (`query`: the raw query string) and the answer it got."""

    method: str
    path: str
    query: str
    body: Any
    status: int
    answer: Any
