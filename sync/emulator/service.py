"""The emulated service: its state, access and quotas, and the routing of every request to one\nendpoint (Sheets: sheets_api.py, batch.py; Drive: drive.py; sign-in: signin.py)."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from sync.emulator.batch import BatchUpdates
from sync.emulator.drive import DriveFiles, permission_id
from sync.emulator.fields import partial
from sync.emulator.model import (
    DRIVE,
    SHEETS,
    USERINFO,
    ApiError,
    Exchange,
    Fault,
    Sheet,
    Spreadsheet,
    not_found,
)
from sync.emulator.sheets_api import SheetsEndpoints, route
from sync.emulator.signin import SignIn


class FakeSheets(SignIn, SheetsEndpoints, BatchUpdates, DriveFiles):
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
        self.exchanges: list[Exchange] | None = None  # a list: every request and answer is kept

    # -- helpers for tests --
    def create(self, owner: str, title: str = "Thi đua 2026", locale: str = "en_US", sid: str | None = None) -> str:
        with self.lock:
            # unique across emulator runs, as Google's are: Tổng hợp keeps its receipts per
            # spreadsheet id (sync/receipts.py), so a second trial's spreadsheet is not the first's
            sid = sid or "".join(
                secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") for _ in range(44)
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

    # -- endpoints --

    def exchanged(self, method: str, path: str, query: str, body: Any, status: int, answer: Any) -> None:
        """Keep one request and its answer when recording (`exchanges` a list): the schema test
        checks them against Google's discovery documents."""
        if self.exchanges is not None:
            with self.lock:
                self.exchanges.append(Exchange(method, path, query, body, status, answer))

    # -- the service: every request, routed to one endpoint --
    def handle(self, method: str, path: str, query: dict, body: Any, account: str) -> tuple[int, Any]:
        """(status, answer) for one request, as Google answers it: the `fields` selector applied."""
        with self.lock:
            self.requests.append((account, method, path))
            if not account:
                raise ApiError(401, "Request is missing required authentication credential.", "UNAUTHENTICATED")
            if path == USERINFO:
                return 200, {"sub": permission_id(account), "email": account, "email_verified": True}
            if path.startswith(DRIVE):
                return self.drive(method, path, query, body, account)
            found = route(method, path.removeprefix(SHEETS + "/")) if path.startswith(SHEETS + "/") else None
            if found is None:
                raise not_found()
            name, quota, writes, params = found
            book = self._book(params["sid"], account, write=writes)
            self._quota(account, quota)
            answer = getattr(self, "ep_" + name.replace(".", "_"))(book, params, query, body or {}, account)
            return 200, partial(answer, (query.get("fields") or [None])[0])
