"""Signing in to Google and the HTTP client every Google call goes through.

Accounts, by who runs thidua:
- a unit: its own Google account, through gspread's installed-app flow (`gspread.oauth()`:
  credentials.json and authorized_user.json in gspread's folder, ~/.config/gspread, or
  %APPDATA%\\gspread on Windows), with the `spreadsheets` scope and the e-mail scopes only, so
  the tab protection that names the unit's account is what limits it;
- the admin who runs `sheet setup`: the same flow, plus `drive` to create and share;
- a service account (`--credentials key.json`): only for the consolidator's server-side use. A
  key on a unit's PC can edit every tab and defeats the protections; never hand one out.
- the emulator (`THIDUA_SHEETS_EMULATOR_HOST`): no sign-in, acting as
  `THIDUA_EMULATOR_ACCOUNT`.

gspread's own BackOffHTTPClient retries forever and retries appends; ours is bounded in
attempts and in wall-clock time (requests included), jittered, never repeats a request that is
not idempotent, and counts down visibly while Google's per-minute quota refills.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from campaign.refusals import SyncError

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
EMAIL_SCOPES = ["openid", "https://www.googleapis.com/auth/userinfo.email"]
USERINFO_URL = "https://www.googleapis.com/oauth2/v3/userinfo"
EMULATOR_HOST, EMULATOR_ACCOUNT = "THIDUA_SHEETS_EMULATOR_HOST", "THIDUA_EMULATOR_ACCOUNT"


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


def _retrying_client_class():
    from google.auth.exceptions import TransportError
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient
    from requests.exceptions import ChunkedEncodingError, Timeout
    from requests.exceptions import ConnectionError as ConnError

    class BoundedRetryHTTPClient(HTTPClient):
        """Retries 408/429/5xx, Drive's rate-limit 403s and dropped connections, at most
        `max_attempts` times and `max_seconds` in all. Never repeats an append or a Drive
        create: a lost answer to either may mean it was done, and a repeat would do it twice.
        A spreadsheets.batchUpdate is repeated: ours carry a developer-metadata id that makes
        a second application fail whole (see GoogleBackend._commit)."""

        max_attempts = 6
        max_seconds = 90.0
        base_delay = 1.0
        sleep: Callable[[float], None] = staticmethod(time.sleep)
        RETRY = frozenset({408, 429, 500, 502, 503, 504})
        RATE_LIMITED = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})  # Drive's retryable 403s

        def __init__(self, auth: Any, session: Any = None) -> None:
            super().__init__(auth, session)
            self.timeout = (10, 60)
            self.rng = random.Random()
            self.waits: list[float] = []
            self.server_date: str | None = None  # the Date header of the last answer: Google's clock

        def wait(self, seconds: float, quota: bool) -> None:
            self.waits.append(seconds)
            if quota:
                countdown(seconds, self.sleep)
            else:
                self.sleep(seconds)

        @staticmethod
        def repeatable(method: str, endpoint: str) -> bool:
            creates_file = method.lower() == "post" and endpoint.rstrip("/").endswith("/drive/v3/files")
            return not endpoint.endswith(":append") and not creates_file

        def _capped(self, method: str, endpoint: str, limit: int, **kwargs: Any):
            """gspread's request, read as a stream and cut off past `limit` bytes (decoded):
            a tab a unit filled on the web (10 000 cells of 50 000 characters is 500 MB)
            must not take the consolidator's memory."""
            response = self.session.request(method=method, url=endpoint, timeout=self.timeout, stream=True, **kwargs)
            try:
                if not response.ok:
                    raise APIError(response)
                declared = response.headers.get("Content-Length")
                if (
                    declared
                    and declared.isdigit()
                    and int(declared) > limit
                    and not response.headers.get("Content-Encoding")
                ):
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

        def request(self, method: str, endpoint: str, *args: Any, limit: int | None = None, **kwargs: Any):
            start = time.monotonic()
            attempt = 0
            while True:
                attempt += 1
                # the cap counts the requests too: no single wait outlives what is left of it
                left = self.max_seconds - (time.monotonic() - start)
                self.timeout = (10, max(1.0, min(60.0, left)))
                quota = False
                try:
                    if limit is None:
                        answer = super().request(method, endpoint, *args, **kwargs)
                    else:
                        answer = self._capped(method, endpoint, limit, **kwargs)
                    self.server_date = answer.headers.get("Date") or self.server_date
                    return answer
                except APIError as err:
                    code = err.response.status_code if err.response is not None else err.code
                    reasons = {e.get("reason") for e in err.error.get("errors") or [] if isinstance(e, dict)}
                    quota = code == 429 or (code == 403 and bool(reasons & self.RATE_LIMITED))
                    retry = code in self.RETRY or quota
                    error: Exception = err
                except (ConnError, Timeout, TransportError, ChunkedEncodingError) as err:
                    # ChunkedEncodingError: the connection died inside an answer's body
                    # TransportError: google-auth could not reach the token endpoint to sign in
                    retry, error = True, err
                # full jitter: sixty units retrying after the same 429 do not all come back at
                # once; a quota refills per minute, so its waits start longer
                base = 4.0 if quota else self.base_delay
                delay = self.rng.uniform(base / 2 if quota else 0, base * 2 ** (attempt - 1))
                if (
                    not (retry and self.repeatable(method, endpoint))
                    or attempt >= self.max_attempts
                    or time.monotonic() - start + delay > self.max_seconds
                ):
                    raise error
                self.wait(delay, quota)

    return BoundedRetryHTTPClient


class AnswerTooLarge(Exception):
    """An answer longer than the reader allowed; `size`: the bytes seen when it stopped."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(f"answer over the limit ({size} bytes read)")


def make_client(session: Any = None, auth: Any = None):
    """A gspread client with bounded retries; tests pass a session pointed at the emulator."""
    import gspread

    return gspread.Client(auth=auth, session=session, http_client=_retrying_client_class())


def scopes_for(admin: bool) -> list[str]:
    """A unit writes values only: the spreadsheets scope. gspread's default adds full drive,
    which a unit's sign-in must not carry; only the admin who creates and shares needs it."""
    return [SHEETS_SCOPE, DRIVE_SCOPE] if admin else [SHEETS_SCOPE]


def config_dir() -> str:
    import gspread

    return str(gspread.auth.DEFAULT_CONFIG_DIR)


def account_email(client: Any) -> str:
    """The signed-in person's e-mail, from Google's userinfo endpoint (the e-mail scopes)."""
    try:
        answer = client.http_client.request("get", USERINFO_URL)
        return str(answer.json().get("email") or "")
    except Exception as exc:  # an old sign-in without the e-mail scope: the push still goes
        from google.auth.exceptions import RefreshError

        if isinstance(exc, RefreshError):
            raise
        return ""


def client_from_credentials(path: str | None, admin: bool = False, adapter: Any = None) -> tuple[Any, str]:
    """(client, account e-mail): the emulator when THIDUA_SHEETS_EMULATOR_HOST is set, else a
    service-account key (`path` naming one), else the person's Google account. `adapter`, if
    given, carries the HTTPS calls (tests: the emulator's, which refuses any other host)."""
    import gspread

    host = os.environ.get(EMULATOR_HOST)
    if host:
        from sync.emulator.connect import emulator_session

        account = os.environ.get(EMULATOR_ACCOUNT, "").strip()
        if not account:
            raise SyncError("google.gia_lap_thieu_tai_khoan", host=host)
        return make_client(session=emulator_session(f"http://{host}", account)), account
    scopes = scopes_for(admin)
    try:
        if path:
            info = json.loads(Path(path).read_text("utf-8"))
            if info.get("type") == "service_account":
                from google.oauth2.service_account import Credentials

                creds = Credentials.from_service_account_info(info, scopes=scopes)
                client = make_client(auth=creds)
                _mount(client, adapter)
                return client, info.get("client_email", "")
            if info.get("type") == "authorized_user":
                return _oauth(scopes, authorized_user=path, adapter=adapter)
            return _oauth(scopes, credentials=path, adapter=adapter)
        default = Path(gspread.auth.DEFAULT_SERVICE_ACCOUNT_FILENAME)
        if default.exists():
            return client_from_credentials(str(default), admin, adapter)
        return _oauth(scopes, adapter=adapter)
    except FileNotFoundError:
        raise SyncError("google.khong_co_khoa", folder=config_dir()) from None
    except (ValueError, KeyError) as exc:
        raise SyncError("google.khoa_hong", why=type(exc).__name__) from None


def _oauth(
    scopes: list[str], credentials: str | None = None, authorized_user: str | None = None, adapter: Any = None
) -> tuple[Any, str]:
    import gspread
    from google.auth.exceptions import RefreshError, TransportError
    from requests.exceptions import ChunkedEncodingError
    from requests.exceptions import ConnectionError as ConnError

    stored = Path(authorized_user or gspread.auth.DEFAULT_AUTHORIZED_USER_FILENAME)
    kwargs: dict[str, Any] = {"authorized_user_filename": stored}
    if credentials:
        kwargs["credentials_filename"] = credentials
    client = gspread.oauth(scopes=scopes + EMAIL_SCOPES, http_client=_retrying_client_class(), **kwargs)
    client.authorized_user_file = stored
    _mount(client, adapter)
    try:
        return client, account_email(client)
    except RefreshError:
        forget_sign_in(client)
        raise SyncError("google.dang_nhap_lai", what="Đăng nhập Google", folder=config_dir()) from None
    except (ConnError, TransportError, ChunkedEncodingError):
        raise SyncError("google.mat_mang", what="Đăng nhập Google") from None


def _mount(client: Any, adapter: Any) -> None:
    """Send the client's HTTPS calls, its sign-ins included, through `adapter`. google-auth
    refreshes through a session of its own, and an OAuth refresh always goes to Google's token
    endpoint whatever authorized_user.json says (google/oauth2/credentials.py), so that session
    needs the adapter too."""
    if adapter is None:
        return
    session = client.http_client.session
    session.mount("https://", adapter)
    signing_in = getattr(session, "_auth_request_session", None)
    if signing_in is not None:
        signing_in.mount("https://", adapter)


def forget_sign_in(client: Any) -> bool:
    """Set a refused sign-in aside, so the next click opens Google's sign-in page again instead
    of reusing it (gspread would, forever). Kept as .cu beside it, not deleted."""
    stored = getattr(client, "authorized_user_file", None)
    if stored is None or not Path(stored).exists():
        return False
    Path(stored).replace(Path(str(stored) + ".cu"))
    return True
