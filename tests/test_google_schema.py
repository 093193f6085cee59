"""Every request our client sends and every answer the emulator gives, over the whole flow
(setup, push, racing pushes, pull-all, review, log, doctor), checked against Google's published
schema: the discovery documents of Sheets v4 and Drive v3 (tests/google_schema.py)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from conftest import google_client
from google_schema import check_value, method_of, problems

from campaign.refusals import Conflict
from campaign.review import ACCEPT, RETURN
from sync.collect import from_backend
from sync.emulator import Fault
from sync.google.backend import GoogleBackend
from sync.google.doctor import run_doctor
from sync.review_flow import Ask, act, trail
from sync.unit_sync import push_file
from workbooks.writer import fill_entries

FLOW_METHODS = {
    "drive.files.list",
    "drive.files.create",
    "drive.files.delete",
    "drive.permissions.list",
    "drive.permissions.create",
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.batchUpdate",
    "sheets.spreadsheets.values.get",
    "sheets.spreadsheets.values.update",
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.batchGetByDataFilter",
    "sheets.spreadsheets.developerMetadata.get",
    "sheets.spreadsheets.developerMetadata.search",
}


def _race(campaign, workbook, make, fake, sid):
    """Two pushes of T05 that both read revision 0 before either writes: one lands."""
    paths = [workbook("T05", filled=True, seed=2)]
    paths[0] = paths[0].rename(paths[0].with_name("T05-b.xlsx"))
    paths.append(workbook("T05", filled=True, seed=1))
    fake.faults.append(Fault(f"GET /v4/spreadsheets/{sid}", "barrier", times=2))
    results, refused = [], []

    def push(path):
        try:
            results.append(push_file(campaign, path, make("T05")))
        except Conflict as exc:
            refused.append(exc.code)

    threads = [threading.Thread(target=push, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 1 and refused == ["gui.ban_moi_hon"]


def test_the_whole_flow_speaks_googles_schema(fake_google, campaign, workbook, monkeypatch):
    fake = fake_google.fake
    fake.exchanges = []
    fake.read_quota = fake.write_quota = 10_000
    fake.project_quota = 100_000
    admin = campaign.consolidators[0]
    codes = [u.code for u in campaign.units]

    backend, created = GoogleBackend.find_or_create(google_client(fake_google, admin), "Thi đua 2026", campaign, admin)
    assert created
    backend.setup(codes)
    sid = backend.sid

    def make(unit=None):
        account = campaign.unit(unit).editors[0] if unit else admin
        return GoogleBackend(google_client(fake_google, account), sid, campaign, acting_unit=unit, account=account)

    t01 = workbook("T01", filled=True)
    push_file(campaign, t01, make("T01"))
    # a consolidator edits T01's tab by hand; T01's next push replaces it and keeps a copy
    admin_http = google_client(fake_google, admin).http_client
    admin_http.values_update(sid, "'T01'!D10", params={"valueInputOption": "RAW"}, body={"values": [[7]]})
    fill_entries(t01, {"report": {"CT07": {"note": "gửi lại"}}})
    assert "bị sửa" in push_file(campaign, t01, make("T01")).warning
    _race(campaign, workbook, make, fake, sid)
    assert {s.unit_code for s in from_backend(campaign, make()) if s.refusal is None} >= {"T01", "T05"}
    act(campaign, make(), "T01", RETURN, [Ask("Số hộ chưa khớp", target="CT07")])
    act(campaign, make(), "T05", ACCEPT)
    assert [r["việc"] for r in trail(make())][-2:] == [RETURN, ACCEPT]
    monkeypatch.setenv("THIDUA_SHEETS_EMULATOR_HOST", fake_google.url.removeprefix("http://"))
    monkeypatch.setenv("THIDUA_EMULATOR_ACCOUNT", admin)
    assert run_doctor(campaign, None) == 0

    exchanges = list(fake.exchanges)
    seen = {m.id for m in (method_of(x.method, x.path) for x in exchanges) if m}
    assert FLOW_METHODS <= seen, FLOW_METHODS - seen
    assert any(x.status >= 400 for x in exchanges)  # refusals were checked too (doctor, races)
    found = [p for x in exchanges for p in problems(x)]
    assert found == [], "\n".join(sorted(set(found))[:40])


def test_gspreads_own_sharing_sends_what_the_schema_does_not_have(fake_google):
    """Recorded as gspread's, not ours: its insert_permission puts `withLink` in the Permission
    body (Drive v3 has no such field) and its Drive calls write booleans as Python does
    (True/False; the schema writes true/false). Our client sends neither (api.py); every
    other field gspread sends is in the schema."""
    fake = fake_google.fake
    fake.exchanges = []
    sid = fake.create("vhxh@vinhbao.gov.vn")
    http = google_client(fake_google, "vhxh@vinhbao.gov.vn").http_client
    http.insert_permission(sid, "t01@gmail.com", "user", "writer", notify=False)
    http.list_permissions(sid)
    found = sorted({p for x in fake.exchanges for p in problems(x)})
    assert found == [
        "drive.permissions.create request.withLink: no such field in Permission",
        "drive.permissions.create: sendNotificationEmail='False' is not a boolean as the schema writes it (true/false)",
        "drive.permissions.list: supportsAllDrives='True' is not a boolean as the schema writes it (true/false)",
    ]
    quirks_allowed = sorted({p for x in fake.exchanges for p in problems(x, gspread_quirks=True)})
    assert quirks_allowed == ["drive.permissions.create request.withLink: no such field in Permission"]


@pytest.mark.parametrize(
    "exchange, expected",
    [
        (("GET", "/v4/spreadsheets/x/nothing", "", None, 200, {}), "no such method"),
        (("GET", "/v4/spreadsheets/x", "includeGridData=yes", None, 200, {}), "not a boolean"),
        (("GET", "/v4/spreadsheets/x", "bogus=1", None, 200, {}), "unknown query parameter"),
        (("GET", "/v4/spreadsheets/x", "fields=sheets(propertiez)", None, 200, {}), "no such field in Sheet"),
        (("GET", "/v4/spreadsheets/x/values/A1", "valueRenderOption=RAW", None, 200, {}), "not one of"),
        (("POST", "/v4/spreadsheets/x:batchUpdate", "", {"requests": [{"addSheet": {"x": 1}}]}, 200, {}), "no such"),
        (("POST", "/v4/spreadsheets/x:batchUpdate", "", {"requests": "no"}, 200, {}), "not an array"),
        (("GET", "/v4/spreadsheets/x", "", None, 200, {"sheets": [{"properties": {"sheetId": "1"}}]}), "integer"),
        (
            ("GET", "/v4/spreadsheets/x", "", None, 404, {"error": {"code": 404, "message": "x", "status": "GONE"}}),
            "rpc",
        ),
        (("GET", "/v4/spreadsheets/x", "", None, 404, {"message": "x"}), "shape"),
    ],
)
def test_the_schema_check_catches_what_google_would_refuse(exchange, expected):
    keys = ("method", "path", "query", "body", "status", "answer")
    found = problems(SimpleNamespace(**dict(zip(keys, exchange))))
    assert any(expected in p for p in found), found


def test_an_enum_outside_its_list_is_caught_inside_a_body():
    out: list[str] = []
    spec = {"$ref": "BatchUpdateValuesRequest"}
    check_value("sheets.v4", spec, {"valueInputOption": "TYPED", "data": []}, "body", out, False)
    assert out and "not one of" in out[0]
