"""The one HTTP client every Google call goes through: one method per API endpoint, named for
it as gspread's http_client.py names its own (`values_get` is spreadsheets.values.get), with
the URLs in names.py, and bounded retries.

gspread's own BackOffHTTPClient retries forever and retries appends; this one is bounded in
attempts and in wall-clock time (requests included), jittered, never repeats a request that is
not idempotent, and counts down visibly while Google's per-minute quota refills. Errors are
parsed once, here, into `GoogleAPIError` (errors.py).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote as quote_url

from google.auth.exceptions import TransportError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from requests.exceptions import ChunkedEncodingError, Timeout
from requests.exceptions import ConnectionError as ConnError

from sync.google.errors import GoogleAPIError
from sync.google.names import DRIVE_FILES, SHEETS_URL, USERINFO_URL

# what a dropped or refused connection raises: ChunkedEncodingError when it died inside an
# answer's body, TransportError when google-auth could not reach the token endpoint
NETWORK_ERRORS = (ConnError, Timeout, TransportError, ChunkedEncodingError)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class AnswerTooLarge(Exception):
    """An answer longer than the reader allowed; `size`: the bytes seen when it stopped."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(f"answer over the limit ({size} bytes read)")


def countdown(seconds: float, sleep: Callable[[float], None], out=None) -> None:
    """Wait out Google's per-minute quota where the user can see it: one line, counting down."""
    out = out or sys.stderr
    left = seconds
    live = getattr(out, "isatty", lambda: False)()
    while left > 0:
        text = f"Google đang giới hạn số lần ghi mỗi phút; tự thử lại sau {int(left + 0.999)} giây…"
        if live or left == seconds:
            print(("\r" if live else "") + text, end="" if live else "\n", file=out, flush=True)
        step = min(1.0, left) if live else left
        sleep(step)
        left -= step
    if live:
        print("\r" + " " * 80 + "\r", end="", file=out, flush=True)


def repeatable(method: str, endpoint: str) -> bool:
    """May this request be sent again after a lost answer? Not an append nor a Drive create:
    either may have been done, and a repeat would do it twice. A spreadsheets.batchUpdate is
    repeated: ours carry a developer-metadata id that makes a second application fail whole
    (see GoogleBackend._commit)."""
    creates_file = method.lower() == "post" and endpoint.rstrip("/").endswith("/drive/v3/files")
    return not endpoint.endswith(":append") and not creates_file


def read_capped(response: Any, limit: int) -> Any:
    """The answer's body, read as a stream and cut off past `limit` bytes (decoded): a tab a
    unit filled on the web (10 000 cells of 50 000 characters is 500 MB) must not take the
    consolidator's memory."""
    try:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit and not response.headers.get("Content-Encoding"):
            raise AnswerTooLarge(int(declared))
        chunks, size = [], 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > limit:
                chunks.clear()  # the exception's frame would otherwise keep them alive
                raise AnswerTooLarge(size)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        return response
    finally:
        response.close()


class GoogleHTTP(HTTPClient):
    """Retries 408/429/5xx, Drive's rate-limit 403s and dropped connections, at most
    `max_attempts` times and `max_seconds` in all."""

    max_attempts = 6
    max_seconds = 90.0
    base_delay = 1.0
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(self, auth: Any, session: Any = None) -> None:
        super().__init__(auth, session)
        self.timeout = (10, 60)
        self.rng = random.Random()
        self.waits: list[float] = []
        self.server_date: str | None = None  # the Date header of the last answer: Google's clock

    # -- the request, bounded --
    def request(self, method: str, endpoint: str, *args: Any, limit: int | None = None, **kwargs: Any):
        start = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            # the cap counts the requests too: no single wait outlives what is left of it
            left = self.max_seconds - (time.monotonic() - start)
            self.timeout = (10, max(1.0, min(60.0, left)))
            try:
                answer = self._send(method, endpoint, limit, *args, **kwargs)
                self.server_date = answer.headers.get("Date") or self.server_date
                return answer
            except GoogleAPIError as err:
                retry, quota, error = err.status in RETRY_STATUSES or err.rate_limited, err.rate_limited, err
            except NETWORK_ERRORS as err:
                retry, quota, error = True, False, err
            delay = self._delay(attempt, quota)
            if (
                not (retry and repeatable(method, endpoint))
                or attempt >= self.max_attempts
                or time.monotonic() - start + delay > self.max_seconds
            ):
                raise error
            self.wait(delay, quota)

    def _send(self, method: str, endpoint: str, limit: int | None, *args: Any, **kwargs: Any):
        """One attempt; a refusal raised as a GoogleAPIError, its body parsed once."""
        if limit is None:
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except GoogleAPIError:
                raise
            except APIError as err:
                raise GoogleAPIError(err.response) from None
        response = self.session.request(method=method, url=endpoint, timeout=self.timeout, stream=True, **kwargs)
        if not response.ok:
            try:
                raise GoogleAPIError(response)  # reads the (small) error body
            finally:
                response.close()
        return read_capped(response, limit)

    def _delay(self, attempt: int, quota: bool) -> float:
        # full jitter: sixty units retrying after the same 429 do not all come back at once; a
        # quota refills per minute, so its waits start longer
        base = 4.0 if quota else self.base_delay
        return self.rng.uniform(base / 2 if quota else 0, base * 2 ** (attempt - 1))

    def wait(self, seconds: float, quota: bool) -> None:
        self.waits.append(seconds)
        if quota:
            countdown(seconds, self.sleep)
        else:
            self.sleep(seconds)

    # -- Sheets: spreadsheets.* (gspread's own: batch_update, values_get, values_update,
    # values_batch_update, each named for its endpoint the same way) --
    def spreadsheets_get(self, sid: str, params: dict | None = None, limit: int | None = None) -> dict:
        return self.request("get", f"{SHEETS_URL}/{sid}", params=params, limit=limit).json()

    def values_get(self, id: str, range: str, params: dict | None = None, limit: int | None = None) -> Any:
        """spreadsheets.values.get (gspread's signature); with `limit`, the answer cut off past
        that many bytes."""
        url = f"{SHEETS_URL}/{id}/values/{quote_url(range, safe='')}"
        return self.request("get", url, params=params, limit=limit).json()

    def values_batch_get_by_data_filter(self, sid: str, body: dict, limit: int | None = None) -> dict:
        return self.request("post", f"{SHEETS_URL}/{sid}/values:batchGetByDataFilter", json=body, limit=limit).json()

    def developer_metadata_get(self, sid: str, metadata_id: int) -> dict:
        return self.request("get", f"{SHEETS_URL}/{sid}/developerMetadata/{metadata_id}").json()

    def developer_metadata_search(self, sid: str, body: dict) -> dict:
        return self.request("post", f"{SHEETS_URL}/{sid}/developerMetadata:search", json=body).json()

    # -- Drive: files.* and permissions.* --
    def files_list(self, q: str, fields: str) -> dict:
        return self.request("get", DRIVE_FILES, params={"q": q, "fields": fields}).json()

    def files_create(self, body: dict, fields: str = "id,name") -> dict:
        return self.request("post", DRIVE_FILES, json=body, params={"fields": fields}).json()

    def files_delete(self, file_id: str) -> None:
        self.request("delete", f"{DRIVE_FILES}/{file_id}")

    def permissions_list(self, file_id: str) -> list[dict]:
        """Every permission of the file, page after page (Drive answers 100 a page)."""
        params = {"fields": "nextPageToken,permissions(id,type,role,emailAddress)", "supportsAllDrives": "true"}
        out: list[dict] = []
        while True:
            page = self.request("get", f"{DRIVE_FILES}/{file_id}/permissions", params=params).json()
            out += page.get("permissions") or []
            if not page.get("nextPageToken"):
                return out
            params["pageToken"] = page["nextPageToken"]

    def permissions_create(self, file_id: str, email: str, role: str, notify: bool, message: str | None = None) -> dict:
        """A user's permission. Unlike gspread's insert_permission, it sends no `withLink` (not
        in Drive v3's Permission schema) and writes its booleans as the schema does."""
        params = {"sendNotificationEmail": "true" if notify else "false", "supportsAllDrives": "true"}
        if notify and message:
            params["emailMessage"] = message
        body = {"type": "user", "role": role, "emailAddress": email}
        url = f"{DRIVE_FILES}/{file_id}/permissions"
        return self.request("post", url, json=body, params={**params, "fields": "id"}).json()

    def permissions_delete(self, file_id: str, permission_id: str) -> None:
        url = f"{DRIVE_FILES}/{file_id}/permissions/{permission_id}"
        self.request("delete", url, params={"supportsAllDrives": "true"})

    # -- sign-in --
    def userinfo_get(self) -> dict:
        return self.request("get", USERINFO_URL).json()
