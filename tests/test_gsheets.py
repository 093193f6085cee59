"""Google Sheets specifics against the fake server: setup, protection, typed values, faults,
quotas and the Vietnamese messages for each way Google can say no."""

from __future__ import annotations

import json
import random

import pytest
from conftest import google_client

from campaign.refusals import SyncError
from campaign.unit_report import entries_of
from sync.emulator import Fault
from sync.google.backend import GoogleBackend
from sync.tab import Tab, entries_to_rows, rows_to_entries
from sync.unit_sync import pull_file, push_file
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries


def test_setup_protects_every_unit_tab_and_is_idempotent(google_backends, campaign):
    fake = google_backends.server.fake
    book = fake.books[google_backends.sid]
    titles = {s.title for s in book.sheets}
    assert {u.code for u in campaign.units} <= titles and {"Danh sách đơn vị", "Nhật ký"} <= titles
    t01 = book.sheet("T01")
    prot = [p for p in book.protections if p.sheet_id == t01.sheet_id]
    assert len(prot) == 1 and set(campaign.unit("T01").editors) | set(campaign.consolidators) <= prot[0].editors
    assert set(campaign.unit("KT").editors).isdisjoint(prot[0].editors)
    assert campaign.unit("T01").editors[0] in book.writers
    before = len(fake.requests)
    again = google_backends().setup([u.code for u in campaign.units])
    assert again == []
    # metadata, review records, registry, review rows, claims, permissions: reads only
    assert len(fake.requests) - before <= 6


def test_server_protection_refuses_another_units_tab_even_without_the_client_check(google_backends, campaign):
    t01_account = campaign.unit("T01").editors[0]
    rogue = GoogleBackend(
        google_client(google_backends.server, t01_account),
        google_backends.sid,
        campaign,
        acting_unit=None,
        account=t01_account,
    )
    with pytest.raises(SyncError, match="được bảo vệ"):
        rogue.push(Tab("KT", (("report", "CT01", "input_a", 1, ""),)), 0)
    assert google_backends().read_tab("KT") is None


def test_values_go_up_typed_and_never_become_formulas(google_backends, campaign, workbook):
    path = workbook("HPN", filled=True)
    fill_entries(
        path, {"models": {"MH5": {"type": "Mô hình mới", "name": '=IMPORTXML("http://x")', "description": "97,5"}}}
    )
    push_file(campaign, path, google_backends("HPN"))
    fake = google_backends.server.fake
    grid = fake.grid(google_backends.sid, "HPN")
    cells = [v for row in grid for v in row]
    assert '=IMPORTXML("http://x")' in cells and "97,5" in cells  # stored as text, RAW
    assert not any(type(v).__name__ == "Formula" for v in cells)
    # numbers are numbers on the sheet: a vi_VN spreadsheet shows them with a decimal comma
    resp = google_backends().http.values_get(
        google_backends.sid, "'HPN'!A1:E1000", params={"valueRenderOption": "FORMATTED_VALUE"}
    )
    assert fake.books[google_backends.sid].locale == "vi_VN"
    tab = google_backends().read_tab("HPN")
    sent = entries_to_rows(entries_of(read_report(path)))
    assert sorted(map(repr, tab.rows)) == sorted(map(repr, sent))  # every value back with its type
    assert any(type(r[3]) is int for r in tab.rows) and ("models", "MH5", "description", "97,5", "") in tab.rows
    shown = [v for row in resp["values"] for v in row]
    assert '=IMPORTXML("http://x")' in shown  # formatted view: still the text, not a formula result


@pytest.mark.parametrize("kind", [500, 503, 429, "drop_before", "drop_after", "cut_body"])
def test_push_survives_a_fault_and_writes_exactly_once(kind, google_backends, campaign, workbook):
    path = workbook("T07", filled=True)
    fake = google_backends.server.fake
    fake.faults.append(Fault(":batchUpdate", kind, times=2))
    result = push_file(campaign, path, google_backends("T07"))
    assert result.revision == 1
    tab = google_backends().read_tab("T07")
    assert not tab.edited_since_push and tab.revision == 1
    local = read_report(path)
    assert local.meta["sync_hash"] == tab.content_hash
    log = fake.grid(google_backends.sid, "Nhật ký")
    assert sum(1 for row in log if row and row[2] == "T07") == 1  # logged once, no duplicate


def test_a_push_that_keeps_failing_leaves_tab_and_workbook_as_they_were(google_backends, campaign, workbook):
    path = workbook("T08", filled=True)
    push_file(campaign, path, google_backends("T08"))
    before_tab = google_backends().read_tab("T08")
    fill_entries(path, {"report": {"CT07": {"input_a": 1}}})
    before_local = path.read_bytes()
    google_backends.server.fake.faults.append(Fault(":batchUpdate", 503, times=50))
    with pytest.raises(SyncError, match="máy chủ Google đang lỗi"):
        push_file(campaign, path, google_backends("T08"))
    assert path.read_bytes() == before_local
    after = google_backends().read_tab("T08")
    assert after.rows == before_tab.rows and after.revision == 1


def test_quota_429_is_retried_with_backoff_then_gives_a_clear_message(google_backends, campaign, workbook):
    fake = google_backends.server.fake
    now = [0.0]
    fake.clock = lambda: now[0]
    fake.read_quota = 2
    backend = google_backends("T09")

    def sleep(seconds):
        now[0] += seconds * 20  # the backoff lets the minute pass

    backend.http.sleep = sleep
    backend.http.rng = random.Random(0)  # the jitter, made repeatable: these waits sum past the minute
    for _ in range(4):
        assert backend.read_tab("T09") is None
    stuck = google_backends("T09")  # its sleep does not move the clock: the quota never frees
    with pytest.raises(SyncError, match="hạn mức"):
        for _ in range(3):
            stuck.read_tab("T09")


def test_each_refusal_from_google_has_a_vietnamese_message(google_backends, campaign, workbook, fake_google):
    stranger = GoogleBackend(
        google_client(fake_google, "nguoi.la@gmail.com"), google_backends.sid, campaign, account="nguoi.la@gmail.com"
    )
    with pytest.raises(SyncError, match="không có quyền"):
        stranger.read_tab("T01")
    gone = GoogleBackend(google_client(fake_google, campaign.consolidators[0]), "khong-ton-tai", campaign)
    with pytest.raises(SyncError, match="không tìm thấy bảng tính"):
        gone.read_all(["T01"])
    path = workbook("T10", filled=True)
    with pytest.raises(SyncError, match="Chưa có bản gửi"):
        pull_file(campaign, path, google_backends("T10"))


def test_no_network_is_a_clear_message_and_nothing_changes(campaign, workbook):
    from sync.emulator import FakeSheetsServer

    server = FakeSheetsServer()
    server.__enter__()
    sid = server.fake.create(campaign.consolidators[0])
    backend = GoogleBackend(google_client(server, campaign.unit("T11").editors[0]), sid, campaign, acting_unit="T11")
    server.__exit__(None, None, None)  # the office loses its connection
    path = workbook("T11", filled=True)
    before = path.read_bytes()
    with pytest.raises(SyncError, match="không kết nối được"):
        push_file(campaign, path, backend)
    assert path.read_bytes() == before


def test_bad_key_file_is_refused_without_echoing_it(tmp_path):
    from sync.google.client import client_from_credentials

    key = tmp_path / "khoa.json"
    key.write_text(
        json.dumps(
            {"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nnope\n", "client_email": "a@b"}
        )
    )
    with pytest.raises(SyncError) as err:
        client_from_credentials(str(key))
    assert "nope" not in str(err.value) and "PRIVATE" not in str(err.value)
    with pytest.raises(SyncError, match="Không tìm thấy khóa"):
        client_from_credentials(str(tmp_path / "khong-co.json"))


def test_a_deleted_tab_is_named_in_the_message(google_backends, campaign, workbook):
    fake = google_backends.server.fake
    book = fake.books[google_backends.sid]
    book.sheets = [s for s in book.sheets if s.title != "T12"]  # someone deleted the tab on the web
    with pytest.raises(SyncError, match="không có tab của đơn vị T12"):
        push_file(campaign, workbook("T12", filled=True), google_backends("T12"))


def test_admin_creates_the_spreadsheet_then_setup(fake_google, campaign):
    admin = campaign.consolidators[0]
    backend, created = GoogleBackend.find_or_create(
        google_client(fake_google, admin), "Thi đua 2026 - xã Vĩnh Bảo", campaign, admin
    )
    assert created
    book = fake_google.fake.books[backend.sid]
    assert book.owner == admin and book.locale == "vi_VN" and book.title == "Thi đua 2026 - xã Vĩnh Bảo"
    made = backend.setup([u.code for u in campaign.units])
    assert any(m.startswith("tab ") for m in made) and backend.setup([u.code for u in campaign.units]) == []


def test_a_web_page_instead_of_google_is_said_plainly(google_backends):
    google_backends.server.fake.faults.append(Fault("GET /v4/spreadsheets", "html200"))
    with pytest.raises(SyncError) as err:
        google_backends("T12").read_tab("T12")
    assert err.value.code == "google.tra_loi_la" and "Wi-Fi" in err.value.message


@pytest.mark.parametrize(
    "reason,code",
    [
        ("accessNotConfigured", "google.api_chua_bat"),
        ("storageQuotaExceeded", "google.het_dung_luong"),
        ("insufficientFilePermissions", "google.khong_co_quyen"),
    ],
)
def test_drive_403s_are_told_apart_by_their_reason(google_backends, reason, code):
    google_backends.server.fake.faults.append(Fault("GET /v4/spreadsheets", 403, reason=reason))
    with pytest.raises(SyncError) as err:
        google_backends("T12").read_tab("T12")
    assert err.value.code == code


def test_a_rate_limit_403_is_retried_like_a_429(google_backends):
    fake = google_backends.server.fake
    fake.faults.append(Fault("GET /v4/spreadsheets", 403, times=2, reason="userRateLimitExceeded"))
    before = len(fake.requests)
    assert google_backends("T12").read_tab("T12") is None  # the third try answers
    assert len(fake.requests) - before == 1  # faults are answered before the fake counts a request
    assert not any(f.times for f in fake.faults)


def test_a_number_past_2_53_survives_the_round_trip_as_exact_text(google_backends):
    """Sheets keeps doubles: 2**53 + 1 written as a number comes back as 2**53 (the emulator does
    the same); sent as text with its marker, it comes back exact and the tab is not a web edit."""
    fake = google_backends.server.fake
    http = google_backends().http
    http.values_update(
        google_backends.sid, "'T13'!A1", params={"valueInputOption": "RAW"}, body={"values": [[2**53 + 1]]}
    )
    got = http.values_get(google_backends.sid, "'T13'!A1", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got["values"] == [[2**53]]  # what Google does to a raw big number
    big = 10**20 + 1
    backend = google_backends("T13")
    backend.push(Tab("T13", (("report", "CT07", "input_b", big, ""),)), 0)
    tab = google_backends().read_tab("T13")
    assert not tab.edited_since_push
    assert rows_to_entries(tab.rows)["report"]["CT07"]["input_b"] == big
    again = backend.push(Tab("T13", (("report", "CT07", "input_b", big, ""),)), 1)
    assert again.unchanged  # recognised as the same report, not refused as edited on the web
    assert fake.grid(google_backends.sid, "T13")


def test_a_push_is_timed_by_googles_clock_not_the_pcs(google_backends, campaign, workbook):
    """A commune PC's clock may be days off (a flat CMOS battery), and a unit could set it back
    to look on time: on Google the push takes the time of Google's answer to its read."""
    import datetime as dt

    from campaign.consolidation import consolidate
    from sync.collect import from_backend

    # Google's answers say 02:05:09 GMT on 07/12/2026: 09:05:09 in Vietnam, after the deadline
    # ("before 07/12/2026"); this PC's clock says today, in November
    google = dt.datetime(2026, 12, 7, 2, 5, 9, tzinfo=dt.UTC)
    google_backends.server.fake.wall_clock = google.timestamp
    result = push_file(campaign, workbook("T07", filled=True), google_backends("T07"))
    assert result.pushed_at == "2026-12-07 09:05:09"
    assert google_backends().read_tab("T07").pushed_at == "2026-12-07 09:05:09"
    assert google_backends().read_log()[-1][0] == "2026-12-07 09:05:09"
    (t07,) = [u for u in consolidate(campaign, from_backend(campaign, google_backends())).units if u.unit_code == "T07"]
    assert t07.received_at == dt.datetime(2026, 12, 7, 9, 5, 9) and t07.status == "Muộn"
    # and the consolidator's acceptance, from another PC, is timed the same way
    from campaign.review import ACCEPT
    from sync.review_flow import act

    google_backends.server.fake.wall_clock = (google + dt.timedelta(hours=1)).timestamp
    assert act(campaign, google_backends(), "T07", ACCEPT).at == "2026-12-07 10:05:09"


def test_a_tab_filled_on_the_web_is_refused_for_its_unit_alone(google_backends, campaign, workbook):
    """A unit's account can edit its tab on the web: 400 cells of 50 000 characters (Google's
    per-cell maximum) make a 20 MB answer where a report is 4 KB. Tổng hợp's read of 40 tabs
    stops at 16 MB, halves are read again until T03 stands alone: refused, the others read.
    (The memory this bounds is measured against the emulator process: test_emulator_cli.)"""
    from campaign.consolidation import consolidate
    from sync.collect import from_backend

    for code in ("T01", "T02", "T03"):
        push_file(campaign, workbook(code, filled=True), google_backends(code))
    t03 = google_client(google_backends.server, campaign.unit("T03").editors[0])
    junk = [["report", f"R{i}", "note", "x" * 50_000, ""] for i in range(400)]
    t03.http_client.values_update(
        google_backends.sid, "'T03'!A20:E419", params={"valueInputOption": "RAW"}, body={"values": junk}
    )
    fake = google_backends.server.fake
    seen = len(fake.requests)
    c = consolidate(campaign, from_backend(campaign, google_backends()))
    reads = [p for _, m, p in fake.requests[seen:] if p.endswith("values:batchGetByDataFilter")]
    assert 2 <= len(reads) <= 2 * 6 + 1  # halving 40 tabs: about two reads per halving
    by_unit = {u.unit_code: u for u in c.units}
    assert by_unit["T03"].status == "Không dùng được"
    assert "quá lớn" in c.submissions["T03"].refusal and "xóa nội dung tab T03" in c.submissions["T03"].refusal
    for code in ("T01", "T02"):
        assert by_unit[code].status != "Không dùng được" and not c.submissions[code].assessment.errors
    # the unit's own pull or push, or a consolidator acting on it, is told the same, not fed 20 MB
    with pytest.raises(SyncError, match="quá lớn"):
        google_backends().read_tab("T03")
    with pytest.raises(SyncError, match="quá lớn"):
        push_file(campaign, workbook("T03", filled=True, seed=5), google_backends("T03"))


def test_an_answer_cut_off_mid_body_is_read_again_then_said_as_no_network(google_backends, campaign, workbook):
    """A Wi-Fi drop inside an answer's (chunked) body: requests raises ChunkedEncodingError,
    which is neither a ConnectionError nor a Timeout; it must be retried, and then be "mất
    mạng", never a traceback."""
    from sync.unit_sync import pull_all

    push_file(campaign, workbook("T01", filled=True), google_backends("T01"))
    fake = google_backends.server.fake
    fake.faults.append(Fault("batchGetByDataFilter", "cut_body", times=1))
    assert [p.unit_code for p in pull_all(campaign, google_backends())] == ["T01"]
    fake.faults.append(Fault("batchGetByDataFilter", "cut_body", times=50))
    with pytest.raises(SyncError, match="mạng"):
        list(pull_all(campaign, google_backends()))
