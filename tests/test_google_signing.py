"""The Google tab carries its unit's signature too: a consolidator (or anyone with edit rights)
who changes a unit's tab by hand is seen at Tổng hợp, pull and review, exactly as on the folder.

Google's protections already stop one unit writing another's tab, and Google's clock times each
push, so the signature is checked, and Tổng hợp's receipts serve for replays only (an older
genuine tab pasted back). The edits are made as a consolidator
would make them: a values update through the Sheets API, signed in as a consolidator's account,
which the tab's protection allows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import google_client

from campaign.consolidation import NOT_FROM_UNIT, ON_TIME, UNSIGNED, consolidate
from campaign.consolidation_tables import findings_table
from campaign.refusals import SyncError
from campaign.review import ACCEPT
from campaign.signing import SEAL_BAD, SEAL_NONE, SEAL_OK
from sync.google.names import quote
from sync.seals import SEAL
from sync.tab import DATA_START, content_hash
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_backend
from xl_addin.pull import pull_file
from xl_addin.push import push_file

DAY = dt.datetime(2026, 12, 3, 9)  # before the deadline (results due before 7/12, unsigned until 6/12)


def tong_hop(backends, campaign, when=DAY):
    return consolidate(campaign, from_backend(campaign, backends(), now=when), as_of=when.date())


def finding_rows(c, code):
    return [row for row in findings_table(c).rows if row[0] == code]


def pushed(campaign, workbook, backends, code="T01", **cells):
    path = workbook(code, filled=True)
    if cells:
        fill_entries(path, {"report": cells})
    push_file(campaign, path, backends(code), when=DAY)
    return path


def row_of(backends, unit, sheet, row, col) -> int:
    grid = backends.server.fake.grid(backends.sid, unit)
    return next(i for i, line in enumerate(grid) if line[:3] == [sheet, row, col])


def consolidator_edits(backends, campaign, unit, cells: dict[tuple[int, int], object]) -> None:
    """A consolidator changes cells of a unit's tab by hand: values.update as their own account."""
    http = google_client(backends.server, campaign.consolidators[0]).http_client
    for (r, c), value in cells.items():
        a1 = f"{quote(unit)}!{'ABCDE'[c]}{r + 1}"
        http.values_update(backends.sid, a1, params={"valueInputOption": "RAW"}, body={"values": [[value]]})


def forge_ct07(backends, campaign, unit, value, rehash: bool = True) -> None:
    """CT07's numerator changed and, to hide the edit, the tab's content hash recomputed."""
    r = row_of(backends, unit, "report", "CT07", "input_a")
    edits = {(r, 3): value}
    if rehash:
        grid = backends.server.fake.grid(backends.sid, unit)
        grid[r][3] = value
        rows = [tuple(line[:5]) for line in grid[DATA_START:] if line and line[0]]
        edits[(2, 1)] = content_hash(rows)  # row 3: content_hash (sync/tab.py META_FIELDS)
    consolidator_edits(backends, campaign, unit, edits)


@pytest.mark.parametrize("rehash", [True, False], ids=["hash recomputed", "hash left"])
def test_a_tab_a_consolidator_edited_by_hand_is_not_counted_named_and_kept(campaign, workbook, google_backends, rehash):
    backends = google_backends
    pushed(campaign, workbook, backends, CT07={"input_a": 300, "input_b": 400})
    assert tong_hop(backends, campaign).unit_row("T01").status == ON_TIME
    forge_ct07(backends, campaign, "T01", 399, rehash)  # 300/400 becomes 399/400 = 99,75 %
    assert backends().read_tab("T01").extra[SEAL] == SEAL_BAD
    c = tong_hop(backends, campaign)
    assert c.unit_row("T01").status == NOT_FROM_UNIT
    assert "T01" not in c.target("CT07").contributors
    (row,) = finding_rows(c, "T01")
    assert row[-1] == "chu_ky.sai" and row[1] == "lỗi" and row[6]  # with what to do
    assert "bảng tính chung" in row[5] and "tab T01" in row[5]
    r = row_of(backends, "T01", "report", "CT07", "input_a")
    assert backends.server.fake.grid(backends.sid, "T01")[r][3] == 399  # nothing deleted


def test_the_signature_sits_in_c1_of_the_marker_row(campaign, workbook, google_backends):
    pushed(campaign, workbook, google_backends)
    head = google_backends.server.fake.grid(google_backends.sid, "T01")[0]
    assert head[:2] == ["#thidua:tab", "T01"] and head[2].startswith("v1:")
    assert google_backends().read_tab("T01").extra[SEAL] == SEAL_OK


def test_signing_leaves_googles_revisions_as_they_were(campaign, workbook, google_backends):
    from workbooks.writer import set_meta

    path = workbook("T01", filled=True)
    set_meta(path, {"sync_revision": 3})  # last pushed elsewhere (the shared folder) as revision 3
    assert push_file(campaign, path, google_backends("T01"), when=DAY).revision == 1
    fill_entries(path, {"report": {"CT07": {"note": "bổ sung"}}})
    assert push_file(campaign, path, google_backends("T01"), when=DAY).revision == 2


def test_a_signature_copied_from_another_unit_does_not_sign_this_tab(campaign, workbook, google_backends):
    pushed(campaign, workbook, google_backends, "T01")
    pushed(campaign, workbook, google_backends, "T02")
    rival = google_backends.server.fake.grid(google_backends.sid, "T02")[0][2]
    consolidator_edits(google_backends, campaign, "T01", {(0, 2): rival})
    assert tong_hop(google_backends, campaign).unit_row("T01").status == NOT_FROM_UNIT


def test_the_units_pc_refuses_to_pull_it_and_its_push_replaces_it_keeping_a_copy(campaign, workbook, google_backends):
    backends = google_backends
    path = pushed(campaign, workbook, backends, CT07={"input_a": 300, "input_b": 400})
    forge_ct07(backends, campaign, "T01", 399)
    with pytest.raises(SyncError) as err:
        pull_file(campaign, path, backends("T01"))
    assert err.value.code == "lay_ve.bi_sua" and "bảng tính chung" in str(err.value)
    fill_entries(path, {"report": {"CT07": {"note": "gửi lại"}}})
    requests = backends.request_count()
    result = push_file(campaign, path, backends("T01"), when=DAY)
    assert backends.request_count() - requests == 2  # one read, one batch: the copy rides in it
    assert result.revision == 2 and "T01 bị sửa (trước lần 2)" in result.warning
    kept = backends.server.fake.grid(backends.sid, "T01 bị sửa (trước lần 2)")
    assert ["report", "CT07", "input_a", 399] in [line[:4] for line in kept]
    c = tong_hop(backends, campaign)
    assert c.unit_row("T01").status == ON_TIME and "T01" in c.target("CT07").contributors


def test_an_older_genuine_tab_pasted_back_is_refused_and_the_next_push_goes_past_it(
    campaign, workbook, google_backends
):
    backends = google_backends
    path = pushed(campaign, workbook, backends, CT07={"input_a": 300, "input_b": 400})
    old = backends.server.fake.grid(backends.sid, "T01")
    tong_hop(backends, campaign)  # sees revision 1
    fill_entries(path, {"report": {"CT07": {"input_a": 250}}})
    push_file(campaign, path, backends("T01"), when=DAY)
    tong_hop(backends, campaign, DAY + dt.timedelta(hours=1))  # sees revision 2
    http = google_client(backends.server, campaign.consolidators[0]).http_client
    body = {"values": [[("" if v is None else v) for v in line] for line in old]}
    http.values_update(backends.sid, f"'T01'!A1:E{len(old)}", params={"valueInputOption": "RAW"}, body=body)
    assert backends().read_tab("T01").revision == 1 and backends().read_tab("T01").extra[SEAL] == SEAL_OK
    c = tong_hop(backends, campaign, DAY + dt.timedelta(hours=2))
    assert c.unit_row("T01").status == NOT_FROM_UNIT
    assert [r[-1] for r in finding_rows(c, "T01")] == ["chu_ky.ban_cu"]
    fill_entries(path, {"report": {"CT07": {"note": "gửi lại"}}})
    assert push_file(campaign, path, backends("T01"), when=DAY).revision == 3
    assert tong_hop(backends, campaign, DAY + dt.timedelta(hours=3)).unit_row("T01").status == ON_TIME


def test_a_consolidator_cannot_review_an_edited_tab(campaign, workbook, google_backends):
    from xl_addin.review import act

    pushed(campaign, workbook, google_backends)
    forge_ct07(google_backends, campaign, "T01", 399)
    with pytest.raises(SyncError) as err:
        act(campaign, google_backends(), "T01", ACCEPT)
    assert err.value.code == "duyet.bi_sua"


def test_tong_hop_on_a_pc_without_the_secret_says_so(campaign, workbook, google_backends, tmp_path, monkeypatch):
    pushed(campaign, workbook, google_backends)
    monkeypatch.setenv("THIDUA_HOME", str(tmp_path / "may-khac"))
    with pytest.raises(SyncError) as err:
        from_backend(campaign, google_backends(), now=DAY)
    assert err.value.code == "khoa.chua_co" and "bảng tính chung" in str(err.value)


# ---- workbooks made before signing


def test_an_unsigned_tab_counts_with_a_warning_until_the_deadline(campaign, google_backends, keyless):
    result = push_file(campaign, keyless, google_backends("T03"), when=DAY)
    assert "06/12/2026" in result.said("Google Sheets") and "bảng tính chung" in result.warning
    assert google_backends().read_tab("T03").extra[SEAL] == SEAL_NONE
    c = tong_hop(google_backends, campaign)
    assert c.unit_row("T03").status == ON_TIME
    assert [r[-1] for r in finding_rows(c, "T03")] == ["chu_ky.chua_ky_con_han"]


def test_an_unsigned_tab_after_the_deadline_is_refused_at_push_and_not_counted(campaign, google_backends, keyless):
    with pytest.raises(SyncError) as err:
        push_file(campaign, keyless, google_backends("T03"), when=dt.datetime(2026, 12, 7, 8))
    assert err.value.code == "gui.chua_co_khoa"
    assert google_backends().read_tab("T03") is None
    # an unsigned tab whose push time says after the deadline (written by hand, or by an older
    # version of thidua): not counted
    push_file(campaign, keyless, google_backends("T03"), when=DAY)
    consolidator_edits(google_backends, campaign, "T03", {(3, 1): "2026-12-07 08:00:00"})  # pushed_at
    c = tong_hop(google_backends, campaign, dt.datetime(2026, 12, 8, 8))
    assert c.unit_row("T03").status == UNSIGNED
    assert [r[-1] for r in finding_rows(c, "T03")] == ["chu_ky.chua_ky"]


def test_a_signed_push_costs_the_same_requests_as_an_unsigned_one(campaign, workbook, google_backends, keyless):
    counts = []
    for code, path in (("T03", keyless), ("T04", workbook("T04", filled=True))):
        before = google_backends.request_count()
        push_file(campaign, path, google_backends(code), when=DAY)
        counts.append(google_backends.request_count() - before)
    assert counts == [2, 2]  # one read (spreadsheets.get), one conditional batch


# ---- no secret where it does not belong


@pytest.mark.slow
def test_no_secret_in_any_workbook_the_spreadsheet_a_log_or_the_repository(campaign, tmp_path, fake_google):
    """The whole Google flow through the CLI against the emulator; then every file it made, all
    it printed and everything the spreadsheet holds (cells of every tab, developer metadata) are
    scanned for the secret and the keys derived from it: a unit's own key, in its workbook only."""
    import json
    import os
    import subprocess
    import sys

    from test_signing import assert_no_secret_but_own_keys

    from campaign.sample_data import clean_entries
    from sync.secret_store import load_secret
    from workbooks.unit_files import read_report

    fake = fake_google.fake
    fake.read_quota = fake.write_quota = 10_000
    fake.project_quota = 100_000
    env = {**os.environ, "THIDUA_HOME": str(tmp_path / "home")}
    env["THIDUA_SHEETS_EMULATOR_HOST"] = fake_google.url.removeprefix("http://")
    said: list[str] = []

    def run(account, *args):
        done = subprocess.run(
            [sys.executable, "-m", "xl_addin.cli", *args],
            cwd=tmp_path,
            env={**env, "THIDUA_EMULATOR_ACCOUNT": account},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        said.extend([done.stdout, done.stderr])
        assert done.returncode == 0, done.stderr
        return done.stdout

    admin = campaign.consolidators[0]
    env["THIDUA_GOOGLE_SHEET"] = run(admin, "sheet", "setup", "--create", "Thi đua 2026").splitlines()[-1]
    run(admin, "workbook", "new", "--unit", "T01", "--unit", "T02", "--out", "so")
    books = sorted((tmp_path / "so").glob("*.xlsx"))
    for book in books:
        code = read_report(book).unit_code
        fill_entries(book, clean_entries(campaign, campaign.unit(code)))
        assert "chưa được ký" not in run(campaign.unit(code).editors[0], "push", str(book))
    run(admin, "review", "return", "T01", "--reason", "Ghi rõ nguồn")
    run(campaign.unit("T01").editors[0], "pull", str(books[0]), "--force")
    run(admin, "consolidate", "--out", "tong-hop.xlsx")
    assert "T01" in run(admin, "log")
    held = [
        json.dumps(
            [[s.title, sorted(s.cells.items())] for s in book.sheets] + [book.developer_metadata],
            ensure_ascii=False,
            default=str,
        )
        for book in fake.books.values()
    ]
    assert any("v1:" in text for text in held)  # the tabs are signed
    secret = load_secret(campaign.id, tmp_path / "home")
    assert_no_secret_but_own_keys(campaign, secret, tmp_path, books, said + held)
