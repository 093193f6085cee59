"""The Google backend against an emulator that loses answers, races and refuses as Google does:
one conditional push, one read for every unit, a setup that can be run again after anything."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import google_client

from campaign.refusals import SyncError
from sync.emulator import Fault
from sync.emulator.model import Sheet
from sync.google.backend import GoogleBackend
from sync.google.claims import claim_id
from sync.google.setup_spreadsheet import units_that_fit
from sync.tab import Tab
from sync.unit_sync import pull_all, push_file
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries

ROWS = (("report", "CT07", "input_a", 5, ""), ("report", "CT07", "input_b", 10, ""))


def test_a_push_costs_one_read_and_one_write_and_logs_in_the_same_batch(google_backends, campaign, workbook):
    fake = google_backends.server.fake
    path = workbook("T03", filled=True)
    before = dict(fake.counts)
    push_file(campaign, path, google_backends("T03"))
    assert fake.counts["read"] - before["read"] == 1 and fake.counts["write"] - before["write"] == 1
    log = fake.grid(google_backends.sid, "Nhật ký")
    assert [row[2] for row in log if row and row[1] == "gửi"] == ["T03"]
    book = fake.books[google_backends.sid]
    claims = [m for m in book.developer_metadata.values() if m["metadataKey"] == "thidua.ban_gui"]
    assert [m["metadataId"] for m in claims] == [claim_id("T03", 1)]


def test_pull_all_reads_every_unit_in_one_request_and_falls_back_when_a_tab_is_gone(
    google_backends, campaign, workbook
):
    fake = google_backends.server.fake
    for code in ("T01", "T02"):
        push_file(campaign, workbook(code, filled=True), google_backends(code))
    before = fake.counts["read"]
    pulled = {p.unit_code for p in pull_all(campaign, google_backends())}
    assert pulled == {"T01", "T02"} and fake.counts["read"] - before == 1  # 40 units, one read
    book = fake.books[google_backends.sid]
    book.sheets = [s for s in book.sheets if s.title != "T09"]  # a tab deleted on the web
    before = fake.counts["read"]
    pulled = {p.unit_code for p in pull_all(campaign, google_backends())}
    assert pulled == {"T01", "T02"} and fake.counts["read"] - before == 3  # the read, metadata, the read again


def test_a_lost_answer_after_the_write_neither_duplicates_nor_blocks(google_backends, campaign, workbook):
    fake = google_backends.server.fake
    path = workbook("T04", filled=True)
    # every answer to the push's write is lost: Google applied the first, refused the repeats
    fake.faults.append(Fault(":batchUpdate", "drop_after", times=50))
    with pytest.raises(SyncError) as err:
        push_file(campaign, path, google_backends("T04"))
    assert err.value.code == "google.mat_mang"
    fake.faults.clear()
    tab = google_backends().read_tab("T04")
    assert tab.revision == 1 and not tab.edited_since_push  # applied once
    assert sum(1 for row in fake.grid(google_backends.sid, "Nhật ký") if row and row[2] == "T04") == 1
    again = push_file(campaign, path, google_backends("T04"))  # the user clicks again
    assert again.revision == 1 and again.unchanged
    assert read_report(path).meta["sync_revision"] == 1
    fill_entries(path, {"report": {"CT07": {"input_a": 3}}})
    assert push_file(campaign, path, google_backends("T04")).revision == 2  # and the next one goes


def test_a_lost_answer_then_a_repeat_that_collides_with_its_own_claim_is_a_success(google_backends, campaign, workbook):
    fake = google_backends.server.fake
    fake.faults.append(Fault(":batchUpdate", "drop_after", times=1))
    result = push_file(campaign, workbook("T06", filled=True), google_backends("T06"))
    assert result.revision == 1 and not result.unchanged
    posts = [p for _, m, p in fake.requests if m == "POST" and p.endswith(":batchUpdate")]
    assert len(posts) >= 2  # the repeat reached Google and was refused whole


def test_a_duplicate_claim_fails_the_whole_batch_in_the_emulator(google_backends):
    fake = google_backends.server.fake
    backend = google_backends()
    tab_id = fake.books[google_backends.sid].sheet("T10").sheet_id

    def batch(value):
        return {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataId": 4242,
                            "metadataKey": "k",
                            "location": {"sheetId": tab_id},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": tab_id, "rowIndex": 0, "columnIndex": 0},
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": value}}]}],
                        "fields": "userEnteredValue",
                    }
                },
            ]
        }

    backend.http.batch_update(google_backends.sid, batch("first"))
    from gspread.exceptions import APIError

    with pytest.raises(APIError) as err:
        backend.http.batch_update(google_backends.sid, batch("second"))
    assert "requests[0].createDeveloperMetadata" in err.value.error["message"]
    assert fake.grid(google_backends.sid, "T10")[0][0] == "first"  # nothing of the second applied


def test_a_stale_writer_is_refused_with_the_differences(google_backends, campaign, workbook):
    path = workbook("T11", filled=True)
    push_file(campaign, path, google_backends("T11"))
    stale = google_backends("T11")
    other = Tab("T11", ROWS)
    # another PC pushes revision 2 between this PC's read and its write
    remote = stale.read_for_push("T11")
    google_backends("T11").push(Tab("T11", ROWS + (("report", "CT08", "input_a", 1, ""),)), 1)
    from sync.tab import stamped

    new = stamped(other, remote.revision + 1, "x", __import__("datetime").datetime(2026, 11, 26, 8, 0))
    from campaign.refusals import Conflict

    with pytest.raises(Conflict) as err:
        stale._commit(new, remote, ["", "gửi", "T11", "2", new.content_hash, "x"])
    assert err.value.code == "gui.ban_moi_hon" and err.value.differences


def test_setup_after_lost_answers_makes_one_spreadsheet_every_tab_and_one_protection_each(fake_google, campaign):
    fake = fake_google.fake
    admin = campaign.consolidators[0]
    fake.faults.append(Fault("POST /drive/v3/files", "drop_after", times=1))  # the create's answer is lost
    client = google_client(fake_google, admin)
    backend, created = GoogleBackend.find_or_create(client, "Thi đua 2026", campaign, admin)
    assert created and len(fake.books) == 1
    # the answers to adding the tabs are lost, then to protecting them, then two of sharing
    fake.faults += [
        Fault(":batchUpdate", "drop_after", times=2, body="addSheet"),
        Fault(":batchUpdate", "drop_after", times=1, body="addProtectedRange"),
        Fault("/permissions", "drop_after", times=2),
    ]
    backend.setup([u.code for u in campaign.units])
    assert all(f.times == 0 for f in fake.faults)  # every fault did happen
    book = fake.books[backend.sid]
    for u in campaign.units:  # one run is enough: no second protection from a repeated add
        assert len([p for p in book.protections if p.sheet_id == book.sheet(u.code).sheet_id]) == 1
    again, created_again = GoogleBackend.find_or_create(client, "Thi đua 2026", campaign, admin)
    assert not created_again and again.sid == backend.sid and len(fake.books) == 1
    assert again.setup([u.code for u in campaign.units]) == []
    book = fake.books[backend.sid]
    titles = [s.title for s in book.sheets]
    assert all(titles.count(u.code) == 1 for u in campaign.units)
    for u in campaign.units:
        sheet = book.sheet(u.code)
        assert (sheet.rows, sheet.cols) == (1000, 5)
        prot = [p for p in book.protections if p.sheet_id == sheet.sheet_id]
        assert len(prot) == 1 and prot[0].editors == set(u.editors) | set(campaign.consolidators) | {admin}


def test_changing_a_units_accounts_updates_its_protection_and_unshares_the_old_one(google_backends, campaign):
    fake = google_backends.server.fake
    book = fake.books[google_backends.sid]
    old = campaign.unit("T02").editors[0]
    new = "ke.toan.t02@gmail.com"
    units = tuple(dataclasses.replace(u, editors=(new,)) if u.code == "T02" else u for u in campaign.units)
    changed = dataclasses.replace(campaign, units=units)
    admin = campaign.consolidators[0]
    backend = GoogleBackend(google_client(google_backends.server, admin), google_backends.sid, changed, account=admin)
    made = backend.setup([u.code for u in changed.units])
    t02 = book.sheet("T02")
    prot = [p for p in book.protections if p.sheet_id == t02.sheet_id]
    assert len(prot) == 1 and new in prot[0].editors and old not in prot[0].editors
    assert new in book.writers and old not in book.writers
    assert any(old in m and "bỏ quyền" in m for m in made)
    with pytest.raises(SyncError) as err:  # the old account is locked out by the server itself
        GoogleBackend(google_client(google_backends.server, old), google_backends.sid, campaign, "T02", old).push(
            Tab("T02", ROWS), 0
        )
    assert err.value.code in ("google.khong_co_quyen", "google.bi_bao_ve")
    GoogleBackend(google_client(google_backends.server, new), google_backends.sid, changed, "T02", new).push(
        Tab("T02", ROWS), 0
    )


def test_an_address_without_a_google_account_is_invited_with_a_notification_and_told(fake_google, campaign):
    fake = fake_google.fake
    admin = campaign.consolidators[0]
    fake.google_accounts.add(admin)
    backend, _ = GoogleBackend.find_or_create(google_client(fake_google, admin), "Thi đua 2026", campaign, admin)
    made = backend.setup([u.code for u in campaign.units])
    someone = campaign.unit("T01").editors[0]
    told = [m for m in made if m.startswith(someone)]
    assert told and "chưa là tài khoản Google" in told[0] and "thư mời" in told[0]
    assert someone in fake.books[backend.sid].invited


def test_setup_refuses_past_ten_million_cells_and_says_how_many_units_fit(fake_google, campaign):
    fake = fake_google.fake
    admin = campaign.consolidators[0]
    backend, _ = GoogleBackend.find_or_create(google_client(fake_google, admin), "Thi đua 2026", campaign, admin)
    book = fake.books[backend.sid]
    book.sheets.append(Sheet(99, "Dữ liệu cũ", 1, rows=9_900_000, cols=1))  # someone's big paste
    with pytest.raises(SyncError) as err:
        backend.setup([u.code for u in campaign.units])
    assert err.value.code == "google.qua_gioi_han_o" and "10 triệu ô" in err.value.message
    assert {s.title for s in book.sheets} == {"Sheet1", "Dữ liệu cũ"}  # nothing half-made
    # 10 M less the log, in 1000 x 5 tabs plus a row of the registry and of the review tab each
    assert units_that_fit() == 1993


def test_a_service_account_cannot_create_the_spreadsheet_and_is_told_why(fake_google, campaign, tmp_path):
    import json

    from sync.google.client import client_from_credentials

    key = tmp_path / "khoa.json"
    key.write_text(
        json.dumps(
            fake_google.fake.new_service_account("may-chu@du-an.iam.gserviceaccount.com", f"{fake_google.url}/token")
        )
    )
    client, account = client_from_credentials(str(key), admin=True, adapter=fake_google.redirect())
    client.http_client.sleep = lambda s: None
    with pytest.raises(SyncError) as err:
        GoogleBackend.find_or_create(client, "Thi đua 2026", campaign, account)
    assert err.value.code == "google.het_dung_luong" and "tài khoản Google của người quản trị" in err.value.message


def test_pushes_past_the_write_quota_wait_with_a_visible_countdown(google_backends, campaign, workbook, capsys):
    """One account shared by many PCs: the 61st write in a minute is a 429. The push waits for
    the minute to turn, saying so, and its log row still rides in the same batch."""
    fake = google_backends.server.fake
    now = [0.0]
    fake.clock = lambda: now[0]
    fake.write_quota = 1
    first = google_backends("T07")
    push_file(campaign, workbook("T07", filled=True), first)
    second = google_backends("T07")
    second.account = first.account

    def sleep(seconds):
        now[0] += seconds * 10  # the minute passes while we wait

    second.http.sleep = sleep
    path = workbook("T07", filled=True, seed=3)
    fill_entries(path, {"report": {"CT07": {"input_a": 2}}})
    from workbooks.writer import set_meta

    set_meta(path, {"sync_revision": 1})
    assert push_file(campaign, path, second).revision == 2
    err = capsys.readouterr().err
    assert "giới hạn số lần ghi" in err and "giây" in err
    assert second.http.waits and all(w >= 2 for w in second.http.waits)  # quota waits start longer
    log = [row for row in fake.grid(google_backends.sid, "Nhật ký") if row and row[2] == "T07"]
    assert [row[3] for row in log] == ["1", "2"]  # no log row lost


def test_a_registry_tab_too_short_for_the_units_is_grown_before_it_is_written(fake_google, campaign):
    fake = fake_google.fake
    admin = campaign.consolidators[0]
    backend, _ = GoogleBackend.find_or_create(google_client(fake_google, admin), "Thi đua 2026", campaign, admin)
    fake.books[backend.sid].sheets.append(Sheet(77, "Danh sách đơn vị", 1, rows=3, cols=6))  # made for 2 units
    backend.setup([u.code for u in campaign.units])
    registry = fake.grid(backend.sid, "Danh sách đơn vị")
    assert [row[0] for row in registry[1:]] == [u.code for u in campaign.units]


def _grown(campaign, count: int):
    """The campaign with units added up to `count` (U041, U042, …), each with its own account."""
    extra = tuple(
        dataclasses.replace(campaign.units[i % len(campaign.units)], code=f"U{i:03d}", editors=(f"u{i}@gmail.com",))
        for i in range(len(campaign.units) + 1, count + 1)
    )
    return dataclasses.replace(campaign, units=campaign.units + extra)


def test_setup_grows_every_tab_it_owns_with_the_registry_then_stops_at_googles_cell_limit(fake_google, campaign):
    """40 units, then 1 000 (the review tab used to stay at 200 rows: "Range 'Duyệt'!A42:A201
    exceeds grid limits"; and 1 000 tabs of 2 000 x 5 cells were the whole 10 000 000 cells of
    GOOGLE-SHEETS-NOTES), then 2 000, which 1 000 x 5 tabs cannot hold: refused before anything
    is added, saying how many fit."""
    fake = fake_google.fake
    fake.read_quota = fake.write_quota = fake.project_quota = 10**6
    admin = campaign.consolidators[0]
    backend, _ = GoogleBackend.find_or_create(google_client(fake_google, admin), "Thi đua 2026", campaign, admin)
    book = fake.books[backend.sid]
    assert len(campaign.units) == 40
    for count in (40, 1000):
        grown = _grown(campaign, count)
        codes = [u.code for u in grown.units]
        GoogleBackend(google_client(fake_google, admin), backend.sid, grown, account=admin).setup(codes)
        review, registry = fake.grid(backend.sid, "Duyệt"), fake.grid(backend.sid, "Danh sách đơn vị")
        assert [r[0] for r in review[1:]] == codes and [r[0] for r in registry[1:]] == codes
        assert book.sheet("Duyệt").rows >= count + 1 and book.sheet("Danh sách đơn vị").rows >= count + 1
        assert {s.title for s in book.sheets} >= set(codes)
    assert book.cells_used() <= 10_000_000
    sheets_before, cells_before = len(book.sheets), book.cells_used()
    huge = _grown(campaign, 2000)
    with pytest.raises(SyncError) as err:
        GoogleBackend(google_client(fake_google, admin), backend.sid, huge, account=admin).setup(
            [u.code for u in huge.units]
        )
    assert err.value.code == "google.qua_gioi_han_o" and err.value.context["fit"] == units_that_fit() == 1993
    assert len(book.sheets) == sheets_before and book.cells_used() == cells_before  # nothing half-made


def test_claims_planted_by_another_unit_are_named_and_removed_by_setup(google_backends, campaign, workbook):
    """Claim ids are predictable (every PC derives the same one), and any editor of the
    spreadsheet can create developer metadata. A unit wanting a rival to look late plants
    claims for the rival's next revision, a fake "accepted" for another's, a fake review step.
    Each is told apart from a real one (a real claim is written with what it claims), said as
    such, and `sheet setup` removes them; real claims stay."""
    from campaign.review import ACCEPT, DA_DUYET, RETURN, TRA_LAI
    from sync.google.claims import CLAIM_SALTS, claim_request
    from sync.review_flow import Ask, act

    fake = google_backends.server.fake
    book = fake.books[google_backends.sid]
    t01 = workbook("T01", filled=True)
    push_file(campaign, t01, google_backends("T01"))
    t02 = workbook("T02", filled=True)
    rogue = google_client(google_backends.server, campaign.unit("T03").editors[0])
    sheet = {s.title: s.sheet_id for s in book.sheets}
    planted = [
        claim_request(claim_id("T02", 1, salt), sheet["T02"], {"unit": "T02", "revision": 1, "token": "x"})
        for salt in range(CLAIM_SALTS)
    ]
    planted.append(  # T01's next revision "frozen", as an acceptance would
        claim_request(claim_id("T01", 2), sheet["T01"], {"unit": "T01", "revision": 2, "frozen": True, "review_seq": 1})
    )
    planted.append(  # the consolidators' first review step of T01
        claim_request(claim_id("T01", "duyet-1"), sheet["T01"], {"unit": "T01", "review_seq": 1, "token": "x"})
    )
    rogue.http_client.batch_update(google_backends.sid, {"requests": planted})

    with pytest.raises(SyncError) as err:
        push_file(campaign, t02, google_backends("T02"))
    assert err.value.code == "google.muc_chan" and "thidua sheet setup" in err.value.message
    assert google_backends().read_tab("T02") is None  # nothing written
    fill_entries(t01, {"report": {"CT07": {"input_a": 8}}})
    with pytest.raises(SyncError) as err:
        push_file(campaign, t01, google_backends("T01"))
    assert err.value.code == "google.muc_chan"  # not "đã duyệt"
    with pytest.raises(SyncError) as err:
        act(campaign, google_backends(), "T01", RETURN, [Ask("Thiếu minh chứng")])
    assert err.value.code == "google.muc_chan"  # not "another consolidator"

    real = claim_id("T01", 1)
    made = google_backends().setup([u.code for u in campaign.units])
    assert any("gỡ 6 mục giữ chỗ" in m and "T01, T02" in m for m in made), made
    assert real in book.developer_metadata and len(book.developer_metadata) == 1
    assert google_backends().setup([u.code for u in campaign.units]) == []  # nothing left to remove

    assert push_file(campaign, t02, google_backends("T02")).revision == 1
    assert push_file(campaign, t01, google_backends("T01")).revision == 2
    assert act(campaign, google_backends(), "T01", RETURN, [Ask("Thiếu minh chứng")]).state == TRA_LAI

    # an acceptance holds the unit's next revision: a claim planted there blocks it too
    hold = claim_request(claim_id("T02", 2), sheet["T02"], {"unit": "T02", "revision": 2, "token": "y"})
    rogue.http_client.batch_update(google_backends.sid, {"requests": [hold]})
    with pytest.raises(SyncError) as err:
        act(campaign, google_backends(), "T02", ACCEPT)
    assert err.value.code == "google.muc_chan"  # not "a newer push landed"
    assert any("gỡ 1 mục giữ chỗ" in m for m in google_backends().setup([u.code for u in campaign.units]))
    assert act(campaign, google_backends(), "T02", ACCEPT).state == DA_DUYET


def test_what_counts_as_a_planted_claim_on_its_edges():
    from sync.google.claims import forged_claims

    def dm(value):
        import json

        text = value if isinstance(value, str) else json.dumps(value)
        return {"metadataId": abs(hash(text)) % 2**31, "metadataValue": text}

    real_push = dm({"unit": "T01", "revision": 3})  # the tab is at 3: written with it
    ahead = dm({"unit": "T01", "revision": 4})  # the tab is at 3
    never = dm({"unit": "T02", "revision": 1})  # T02 never pushed
    frozen_real = dm({"unit": "T01", "revision": 4, "frozen": True, "review_seq": 2})
    frozen_ahead = dm({"unit": "T01", "revision": 4, "frozen": True, "review_seq": 3})
    step_real = dm({"unit": "T01", "review_seq": 1})  # an older step: the record is at 2
    gone = dm({"unit": "CU", "revision": 9})  # a unit no longer in the registry: not judged
    garbage = dm("not json")
    text = dm({"unit": "T01", "revision": "4"})  # thidua writes the revision as a number
    nothing = dm({"unit": "T01"})  # neither a revision nor a review step
    claims = [real_push, ahead, never, frozen_real, frozen_ahead, step_real, gone, garbage, text, nothing]
    bad = forged_claims(claims, {"T01", "T02"}, {"T01": 3}, {"T01": 2})
    assert bad == [ahead, never, frozen_ahead, garbage, text, nothing]
