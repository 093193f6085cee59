"""What the emulator keeps: spreadsheets, their sheets and protections, and its errors in
Google's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
