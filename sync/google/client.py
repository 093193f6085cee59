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

Every call then goes through one HTTP client, with bounded retries (api.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import gspread
from google.auth.exceptions import RefreshError

from campaign.refusals import RC, SyncError
from sync.google.api import NETWORK_ERRORS, GoogleHTTP

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
EMAIL_SCOPES = ["openid", "https://www.googleapis.com/auth/userinfo.email"]
EMULATOR_HOST, EMULATOR_ACCOUNT = "THIDUA_SHEETS_EMULATOR_HOST", "THIDUA_EMULATOR_ACCOUNT"


def make_client(session: Any = None, auth: Any = None):
    """A gspread client with bounded retries; tests pass a session pointed at the emulator."""
    return gspread.Client(auth=auth, session=session, http_client=GoogleHTTP)


def scopes_for(admin: bool) -> list[str]:
    """A unit writes values only: the spreadsheets scope. gspread's default adds full drive,
    which a unit's sign-in must not carry; only the admin who creates and shares needs it."""
    return [SHEETS_SCOPE, DRIVE_SCOPE] if admin else [SHEETS_SCOPE]


def config_dir() -> str:
    return str(gspread.auth.DEFAULT_CONFIG_DIR)


def account_email(client: Any) -> str:
    """The signed-in person's e-mail, from Google's userinfo endpoint (the e-mail scopes)."""
    try:
        return str(client.http_client.userinfo_get().get("email") or "")
    except Exception as exc:  # an old sign-in without the e-mail scope: the push still goes
        if isinstance(exc, RefreshError):
            raise
        return ""


def client_from_credentials(path: str | None, admin: bool = False, adapter: Any = None) -> tuple[Any, str]:
    """(client, account e-mail): the emulator when THIDUA_SHEETS_EMULATOR_HOST is set, else a
    service-account key (`path` naming one), else the person's Google account. `adapter`, if
    given, carries the HTTPS calls (tests: the emulator's, which refuses any other host)."""
    host = os.environ.get(EMULATOR_HOST)
    if host:
        from sync.emulator.connect import emulator_session

        account = os.environ.get(EMULATOR_ACCOUNT, "").strip()
        if not account:
            raise SyncError(RC.GOOGLE_GIA_LAP_THIEU_TAI_KHOAN, host=host)
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
        raise SyncError(RC.GOOGLE_KHONG_CO_KHOA, folder=config_dir()) from None
    except (ValueError, KeyError) as exc:
        raise SyncError(RC.GOOGLE_KHOA_HONG, why=type(exc).__name__) from None


def _oauth(
    scopes: list[str], credentials: str | None = None, authorized_user: str | None = None, adapter: Any = None
) -> tuple[Any, str]:
    stored = Path(authorized_user or gspread.auth.DEFAULT_AUTHORIZED_USER_FILENAME)
    kwargs: dict[str, Any] = {"authorized_user_filename": stored}
    if credentials:
        kwargs["credentials_filename"] = credentials
    client = gspread.oauth(scopes=scopes + EMAIL_SCOPES, http_client=GoogleHTTP, **kwargs)
    client.authorized_user_file = stored
    _mount(client, adapter)
    try:
        return client, account_email(client)
    except RefreshError:
        forget_sign_in(client)
        raise SyncError(RC.GOOGLE_DANG_NHAP_LAI, what="Đăng nhập Google", folder=config_dir()) from None
    except NETWORK_ERRORS:
        raise SyncError(RC.GOOGLE_MAT_MANG, what="Đăng nhập Google") from None


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
