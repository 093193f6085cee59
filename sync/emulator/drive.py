"""The few Drive v3 calls thidua makes: create and find a spreadsheet, share it, unshare it.

Sources, per behaviour:
- files.create with `appProperties`, and files.list with
  `q="appProperties has { key='k' and value='v' }"` (Drive v3 reference, "Search for files";
  "Manage app-specific properties"): how setup finds its spreadsheet again after a lost answer.
- permissions.create with `sendNotificationEmail=false` for an address that has no Google
  account is refused, 400 `invalidSharingRequest` ("you must check the 'Notify people' box",
  GAM's wiki and Drive's "Resolve errors" page); with a notification it succeeds as an
  invitation. Which addresses are Google accounts is the emulator's to say: `google_accounts`,
  every account it has minted a key or token for, every account that has called it, and
  @gmail.com.
- `sendNotificationEmail` defaults to true for users (reference, permissions.create);
  requests sends Python's False as "False", so the flag is read case-insensitively.
- permissions.delete answers 204 with no body (reference).
- Without `fields`, Drive answers with its default fields (fields.py names the source).
- A service account has no Drive storage: files.create by one is 403 `storageQuotaExceeded`
  (gspread issue #1592). The emulator knows service accounts by the keys it issued.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from sync.emulator.fields import DRIVE_DEFAULTS, partial
from sync.emulator.model import DRIVE, ApiError, Spreadsheet, invalid, not_found

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
_APP_PROPERTY = re.compile(r"appProperties has \{\s*key='([^']*)' and value='([^']*)'\s*\}")


def permission_id(email: str) -> str:
    return str(zlib.crc32(email.encode()))


def drive_error(code: int, reason: str, message: str) -> ApiError:
    err = ApiError(code, message, "")
    err.errors = [{"domain": "global", "reason": reason, "message": message}]
    return err


class DriveFiles:
    """Mixed into the emulated service: `books`, `keys`, `requests`, `create` and `_book` come
    from it."""

    books: dict[str, Spreadsheet]
    google_accounts: set[str]
    keys: dict[str, Any]
    oauth_users: dict[str, str]
    requests: list

    def is_google_account(self, email: str) -> bool:
        return (
            email in self.google_accounts
            or email in self.keys
            or email in self.oauth_users.values()
            or email.lower().endswith("@gmail.com")
            or any(a == email for a, _, _ in self.requests)
        )

    def drive(self, method: str, path: str, query: dict, body: Any, account: str) -> tuple[int, Any]:
        """A Drive request: (status, answer), `fields` applied, or Drive's defaults without it."""
        name, status, answer = self._drive_route(method, path, query, body or {}, account)
        return status, partial(answer, (query.get("fields") or [None])[0], DRIVE_DEFAULTS.get(name))

    def _drive_route(self, method: str, path: str, query: dict, body: dict, account: str) -> tuple[str, int, Any]:
        if path == DRIVE and method == "POST":
            return "files.create", 200, self._create_file(body, account)
        if path == DRIVE and method == "GET":
            files = self._search(str((query.get("q") or [""])[0]), account)
            return "files.list", 200, {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
        m = re.fullmatch(DRIVE + r"/([^/]+)", path)
        if m and method == "DELETE":
            if m[1] not in self.books:
                raise not_found()
            self.books.pop(m[1])
            return "files.delete", 204, None
        m = re.fullmatch(DRIVE + r"/([^/]+)/permissions(?:/([^/]+))?", path)
        if not m:
            raise not_found()
        book = self._book(m[1], account, write=method != "GET")
        if method == "POST":
            return "permissions.create", 200, self._share(book, body, query)
        if method == "DELETE":
            self._unshare(book, m[2])
            return "permissions.delete", 204, None
        return "permissions.list", 200, {"kind": "drive#permissionList", "permissions": _permissions(book)}

    def _create_file(self, body: dict, account: str) -> dict:
        if account in self.keys:
            raise drive_error(403, "storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
        sid = self.create(account, body.get("name", "Untitled"))
        book = self.books[sid]
        book.app_properties = {str(k): str(v) for k, v in (body.get("appProperties") or {}).items()}
        return _file(sid, book)

    @staticmethod
    def _unshare(book: Spreadsheet, permission: str | None) -> None:
        email = next((e for e in book.writers | book.readers if permission_id(e) == permission), None)
        if email is None:
            raise not_found()
        book.writers.discard(email)
        book.readers.discard(email)

    def _search(self, q: str, account: str) -> list[dict]:
        wanted = dict(_APP_PROPERTY.findall(q))
        found = []
        for sid, book in self.books.items():
            if account not in {book.owner} | book.writers | book.readers:
                continue
            if all(book.app_properties.get(k) == v for k, v in wanted.items()):
                found.append(_file(sid, book))
        return found

    def _share(self, book: Spreadsheet, body: dict, query: dict) -> dict:
        email = str(body.get("emailAddress") or "")
        if not email:
            raise invalid("The permission emailAddress is required.")
        notify = str((query.get("sendNotificationEmail") or ["true"])[0]).lower() != "false"
        if not self.is_google_account(email):
            if not notify:
                raise drive_error(
                    400,
                    "invalidSharingRequest",
                    f'Bad Request. User message: "You are trying to invite {email}. Since there is no Google '
                    "account associated with this email address, you must check the 'Notify people' box to "
                    'invite this recipient."',
                )
            book.invited.add(email)
        (book.writers if body.get("role") in ("writer", "owner") else book.readers).add(email)
        return _permission(email, str(body.get("role")))


def _file(sid: str, book: Spreadsheet) -> dict:
    """A File resource, with more than Drive's default fields (the selector or default trims it)."""
    return {
        "kind": "drive#file",
        "id": sid,
        "name": book.title,
        "mimeType": SPREADSHEET_MIME,
        "appProperties": dict(book.app_properties),
        "trashed": False,
    }


def _permission(email: str, role: str) -> dict:
    return {"kind": "drive#permission", "id": permission_id(email), "type": "user", "role": role, "emailAddress": email}


def _permissions(book: Spreadsheet) -> list[dict]:
    people = [(e, "writer") for e in sorted(book.writers)] + [(e, "reader") for e in sorted(book.readers)]
    return [_permission(e, role) for e, role in people] + [_permission(book.owner, "owner")]
