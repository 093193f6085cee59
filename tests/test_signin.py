"""Signing in to Google the real way: google-auth signs a JWT with the service-account key and
posts it to the key's token_uri (the emulator's /token), then uses the token it gets back.
No network, a revoked key and a token that expires in the middle of a push each end in what
the user reads, never a traceback."""

from __future__ import annotations

import pytest

from campaign.refusals import SyncError
from sync.google.backend import GoogleBackend
from sync.google.client import make_client
from sync.tab import Tab

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]


def _signed_in_backend(server, key_info, campaign, sid, unit):
    """A backend built the production way from a key file's contents: google-auth's own
    credentials and token exchange; only the API host is redirected to the emulator."""
    from google.oauth2.service_account import Credentials

    client = make_client(auth=Credentials.from_service_account_info(key_info, scopes=SCOPES))
    client.http_client.session.mount("https://", server.redirect())
    client.http_client.sleep = lambda seconds: None  # retries are counted, not waited for
    return GoogleBackend(client, sid, campaign, acting_unit=unit, account=key_info["client_email"])


@pytest.fixture
def signed_in(google_backends, campaign):
    server = google_backends.server
    editor = campaign.unit("T11").editors[0]
    key = server.fake.new_service_account(editor, f"{server.url}/token")
    return server, key, google_backends.sid


ROWS = (("report", "CT07", "input_a", 950, ""), ("report", "CT07", "input_b", 1000, ""))


def test_a_push_signs_in_through_the_token_endpoint(signed_in, campaign):
    server, key, sid = signed_in
    backend = _signed_in_backend(server, key, campaign, sid, "T11")
    result = backend.push(Tab("T11", ROWS), 0)
    assert result.revision == 1
    assert server.fake.token_requests == [key["client_email"]]  # one sign-in, then the token is reused
    assert server.fake.requests[-1][0] == key["client_email"]  # the server saw the signed-in account


def test_a_token_that_expires_during_a_push_is_refreshed_and_the_push_completes(signed_in, campaign):
    server, key, sid = signed_in
    backend = _signed_in_backend(server, key, campaign, sid, "T11")
    assert backend.read_tab("T11") is None  # signed in
    server.fake.expire_tokens()  # the next request answers 401
    assert backend.push(Tab("T11", ROWS), 0).revision == 1
    assert len(server.fake.token_requests) == 2


def test_a_revoked_key_is_told_to_sign_in_again(signed_in, campaign):
    server, key, sid = signed_in
    server.fake.revoked.add(key["client_email"])
    backend = _signed_in_backend(server, key, campaign, sid, "T11")
    with pytest.raises(SyncError) as err:
        backend.push(Tab("T11", ROWS), 0)
    assert err.value.code == "google.dang_nhap_lai" and "đăng nhập lại" in err.value.message


def test_no_network_to_the_token_endpoint_is_no_network(signed_in, campaign):
    import socket

    server, key, sid = signed_in
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/token"
    backend = _signed_in_backend(server, {**key, "token_uri": dead}, campaign, sid, "T11")
    with pytest.raises(SyncError) as err:
        backend.read_tab("T11")
    assert err.value.code == "google.mat_mang"


def test_a_signed_in_unit_still_cannot_write_another_units_tab(signed_in, campaign):
    server, key, sid = signed_in
    rogue = _signed_in_backend(server, key, campaign, sid, None)  # claims to be a consolidator
    with pytest.raises(SyncError) as err:
        rogue.push(Tab("KT", ROWS), 0)
    assert err.value.code == "google.bi_bao_ve"  # the server's protection, per signed-in account


def test_a_unit_signs_in_with_the_spreadsheets_scope_only_and_the_admin_adds_drive(tmp_path):
    """gspread's default scopes include full Drive; a unit's sign-in must not carry it."""
    import json

    from sync.emulator import FakeSheets
    from sync.google.client import DRIVE_SCOPE, SHEETS_SCOPE, client_from_credentials

    key = tmp_path / "khoa.json"
    key.write_text(json.dumps(FakeSheets().new_service_account("t01@x.vn", "http://127.0.0.1:9/token")))
    unit_client, account = client_from_credentials(str(key))
    admin_client, _ = client_from_credentials(str(key), admin=True)
    assert account == "t01@x.vn"
    assert list(unit_client.http_client.auth.scopes) == [SHEETS_SCOPE]
    assert set(admin_client.http_client.auth.scopes) == {SHEETS_SCOPE, DRIVE_SCOPE}


def _oauth_user_file(server, email, tmp_path):
    import json

    stored = tmp_path / "gspread" / "authorized_user.json"
    stored.parent.mkdir()
    stored.write_text(json.dumps(server.fake.new_oauth_user(email, f"{server.url}/token")))
    return stored


def test_a_person_signed_in_with_their_google_account_is_recorded_as_the_pusher(signed_in, campaign, tmp_path):
    """gspread.oauth() reads authorized_user.json and refreshes at the token endpoint; the
    account's e-mail comes from the userinfo endpoint, so the log says who pushed."""
    from sync.google.client import client_from_credentials

    server, _, sid = signed_in
    person = campaign.unit("T12").editors[0]
    stored = _oauth_user_file(server, person, tmp_path)
    client, account = client_from_credentials(str(stored), adapter=server.redirect())
    assert account == person
    client.http_client.sleep = lambda seconds: None
    result = GoogleBackend(client, sid, campaign, acting_unit="T12", account=account).push(Tab("T12", ROWS), 0)
    tab = GoogleBackend(client, sid, campaign).read_tab("T12")
    assert tab.pushed_by == person and result.revision == 1
    log = server.fake.grid(sid, "Nhật ký")
    assert any(row and row[2] == "T12" and row[5] == person for row in log)
    assert server.fake.requests[-1][0] == person and person in server.fake.token_requests


def test_a_revoked_sign_in_is_set_aside_so_the_next_click_signs_in_afresh(signed_in, campaign, tmp_path):
    import json

    from sync.google.client import client_from_credentials

    server, _, _ = signed_in
    person = campaign.unit("T12").editors[0]
    stored = _oauth_user_file(server, person, tmp_path)
    server.fake.revoked.add(json.loads(stored.read_text())["refresh_token"])
    with pytest.raises(SyncError) as err:
        client_from_credentials(str(stored), adapter=server.redirect())
    assert err.value.code == "google.dang_nhap_lai" and "đăng nhập lại" in err.value.message
    assert not stored.exists() and stored.with_name("authorized_user.json.cu").exists()
