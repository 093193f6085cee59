"""Partial responses: the emulator answers a `fields` selector with the selected fields only, as
Google does, and Drive answers with its default fields when there is none."""

from __future__ import annotations

import pytest
from conftest import google_client

from sync.emulator.fields import parse, select
from sync.emulator.model import ApiError
from sync.google.cells import tab_range
from sync.google.errors import GoogleAPIError
from sync.google.names import DRIVE_FILES, SHEETS_URL

OWNER = "vhxh@vinhbao.gov.vn"


@pytest.fixture
def book(fake_google):
    """(http client, spreadsheet id): a spreadsheet with a tab T01 holding two cells."""
    fake = fake_google.fake
    sid = fake.create(OWNER, "Thi đua", locale="vi_VN")
    http = google_client(fake_google, OWNER).http_client
    reply = http.batch_update(sid, {"requests": [{"addSheet": {"properties": {"title": "T01"}}}]})
    assert set(reply) == {"spreadsheetId", "replies"}
    fake.set_cell(sid, "T01", 0, 0, "Mã")
    fake.set_cell(sid, "T01", 1, 1, 42)
    return http, sid


@pytest.mark.parametrize(
    "selector, tree",
    [
        ("spreadsheetId", {"spreadsheetId": None}),
        ("a,b.c", {"a": None, "b": {"c": None}}),
        ("sheets(properties(sheetId,title))", {"sheets": {"properties": {"sheetId": None, "title": None}}}),
        ("files(id,capabilities/canAddChildren)", {"files": {"id": None, "capabilities": {"canAddChildren": None}}}),
        ("sheets.properties.sheet_id", {"sheets": {"properties": {"sheetId": None}}}),
        ("a(b),a(c)", {"a": {"b": None, "c": None}}),
        ("a,a(b)", {"a": None}),
        ("*", {"*": None}),
        ("sheets(*)", {"sheets": {"*": None}}),
    ],
)
def test_the_field_mask_parses_as_google_writes_it(selector, tree):
    assert parse(selector) == tree


@pytest.mark.parametrize("selector", ["a(b", "a)", "a,,b", "(a)", "a.", "a b", "a(b))", "a-b"])
def test_a_selection_that_does_not_parse_is_googles_400(selector):
    with pytest.raises(ApiError) as refused:
        parse(selector)
    assert refused.value.code == 400 and refused.value.message.startswith("Invalid field selection")


def test_a_selection_keeps_only_what_it_names_in_lists_too():
    body = {"a": 1, "b": [{"c": 1, "d": 2}, {"c": 3}], "e": {"f": {"g": 1, "h": 2}}}
    assert select(body, parse("b(c),e/f/h")) == {"b": [{"c": 1}, {"c": 3}], "e": {"f": {"h": 2}}}
    assert select(body, parse("*")) == body


def test_spreadsheets_get_with_fields_answers_the_selected_fields_only(book):
    http, sid = book
    assert http.spreadsheets_get(sid, {"fields": "spreadsheetId"}) == {"spreadsheetId": sid}
    titles = http.spreadsheets_get(sid, {"fields": "sheets.properties(title)"})
    assert titles == {"sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "T01"}}]}
    snake = http.spreadsheets_get(sid, {"fields": "properties/locale,sheets.properties.sheet_id"})
    assert snake["properties"] == {"locale": "vi_VN"} and all(
        set(s["properties"]) == {"sheetId"} for s in snake["sheets"]
    )


def test_the_pushs_own_read_gets_no_index_grid_size_protection_or_entered_value(book):
    http, sid = book
    params = {
        "ranges": [tab_range("T01")],
        "includeGridData": "true",
        "fields": "sheets(properties(sheetId,title),data(rowData(values(effectiveValue))))",
    }
    (sheet,) = http.spreadsheets_get(sid, params)["sheets"]
    assert set(sheet) == {"properties", "data"} and set(sheet["properties"]) == {"sheetId", "title"}
    rows = sheet["data"][0]["rowData"]
    assert set(sheet["data"][0]) == {"rowData"}
    assert rows[0] == {"values": [{"effectiveValue": {"stringValue": "Mã"}}]}
    assert rows[1]["values"][1] == {"effectiveValue": {"numberValue": 42}}


def test_a_mask_decides_whether_the_grid_comes_not_include_grid_data(book):
    """Sheets reference, spreadsheets.get: "If a field mask is set, the includeGridData
    parameter is ignored"."""
    http, sid = book
    ranges = [tab_range("T01")]
    bare = http.spreadsheets_get(
        sid, {"ranges": ranges, "includeGridData": "true", "fields": "sheets.properties.title"}
    )
    assert bare == {"sheets": [{"properties": {"title": "T01"}}]}
    grid = http.spreadsheets_get(sid, {"ranges": ranges, "includeGridData": "false", "fields": "sheets.data.rowData"})
    assert grid["sheets"][0]["data"][0]["rowData"][0] == {
        "values": [{"userEnteredValue": {"stringValue": "Mã"}, "effectiveValue": {"stringValue": "Mã"}}]
    }
    assert "data" not in http.spreadsheets_get(sid, {"ranges": ranges, "includeGridData": "false"})["sheets"][0]


def test_values_batch_update_replies_and_developer_metadata_follow_fields(book):
    http, sid = book
    got = http.values_get(sid, "T01!A1:B2", params={"fields": "values"})
    assert got == {"values": [["Mã"], ["", "42"]]}
    dm = {"metadataId": 77, "metadataKey": "k", "location": {"sheetId": 0}, "visibility": "DOCUMENT"}
    answer = http.request(
        "post",
        f"{SHEETS_URL}/{sid}:batchUpdate",
        params={"fields": "replies(createDeveloperMetadata(developerMetadata(metadataId)))"},
        json={"requests": [{"createDeveloperMetadata": {"developerMetadata": dm}}]},
    ).json()
    assert answer == {"replies": [{"createDeveloperMetadata": {"developerMetadata": {"metadataId": 77}}}]}
    got = http.request("get", f"{SHEETS_URL}/{sid}/developerMetadata/77", params={"fields": "metadataKey"}).json()
    assert got == {"metadataKey": "k"}
    found = http.request(
        "post",
        f"{SHEETS_URL}/{sid}/developerMetadata:search",
        params={"fields": "matchedDeveloperMetadata/developerMetadata/metadataId"},
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "k"}}]},
    ).json()
    assert found == {"matchedDeveloperMetadata": [{"developerMetadata": {"metadataId": 77}}]}


def test_drive_answers_its_default_fields_without_a_selector_and_the_selected_ones_with_it(fake_google):
    http = google_client(fake_google, OWNER).http_client
    made = http.request("post", DRIVE_FILES, json={"name": "Thi đua", "appProperties": {"k": "v"}}).json()
    assert set(made) == {"kind", "id", "name", "mimeType"}
    listed = http.request("get", DRIVE_FILES, params={"q": "trashed = false"}).json()
    assert set(listed["files"][0]) == {"kind", "id", "name", "mimeType"}
    listed = http.files_list("trashed = false", "files(id,name)")
    assert listed == {"files": [{"id": made["id"], "name": "Thi đua"}]}  # no kind
    everything = http.request("get", DRIVE_FILES, params={"q": "trashed = false", "fields": "files/*"}).json()
    assert everything["files"][0]["appProperties"] == {"k": "v"}


def test_drive_permissions_say_no_address_unless_asked(fake_google):
    http = google_client(fake_google, OWNER).http_client
    sid = fake_google.fake.create(OWNER)
    url = f"{DRIVE_FILES}/{sid}/permissions"
    assert all("emailAddress" not in p for p in http.request("get", url).json()["permissions"])
    assert {p["emailAddress"] for p in http.permissions_list(sid)} == {OWNER}
    made = http.permissions_create(sid, "t01@gmail.com", "writer", notify=False)
    assert set(made) == {"id"}


def test_an_invalid_selection_is_refused_whole(book):
    http, sid = book
    with pytest.raises(GoogleAPIError) as refused:
        http.spreadsheets_get(sid, {"fields": "sheets(properties"})
    assert refused.value.status == 400 and refused.value.error["status"] == "INVALID_ARGUMENT"
