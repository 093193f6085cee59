"""Duyệt báo cáo on both backends: return with reasons, resubmit, accept and lock, reopen; who
may act; two consolidators at once; the reasons where the unit reads them; the trail."""

from __future__ import annotations

import openpyxl
import pytest

from campaign.assessment import assess
from campaign.refusals import SyncError
from campaign.review import ACCEPT, CHO_DUYET, CHUA_GUI, DA_DUYET, GUI_LAI, REOPEN, RETURN, TRA_LAI
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.pull import pull_file
from xl_addin.push import push_file
from xl_addin.review import Ask, act, statuses, trail


def _state(campaign, backends, unit):
    return next(s for s in statuses(campaign, backends()) if s.unit_code == unit)


def _reasons(campaign, path):
    return [f for f in assess(campaign, read_report(path)).findings if f.code == "duyet.tra_lai"]


def test_return_resubmit_accept_refuse_reopen(campaign, workbook, backends):
    path = workbook("T01", filled=True)
    assert _state(campaign, backends, "T01").state == CHUA_GUI
    push_file(campaign, path, backends("T01"))
    assert _state(campaign, backends, "T01").state == CHO_DUYET

    returned = act(campaign, backends(), "T01", RETURN, [Ask("Số hộ gia đình văn hóa chưa khớp", target="CT07")])
    assert returned.state == TRA_LAI and returned.reasons[0].row_key == "CT07"
    assert _state(campaign, backends, "T01").state == TRA_LAI

    # the unit sees it: Lấy về writes the state, Kiểm tra shows the reason on CT07's row
    pull_file(campaign, path, backends("T01"))
    report = read_report(path)
    assert report.meta["review_state"] == TRA_LAI
    (reason,) = _reasons(campaign, path)
    row = next(r for r in report.sheets["report"].rows if r.key == "CT07")
    assert reason.cell.endswith(str(row.number)) and "chưa khớp" in reason.message and "đã sửa?" not in reason.message
    fill_entries(path, {"report": {"CT07": {"input_a": 1}}})
    (reason,) = _reasons(campaign, path)
    assert "đã sửa?" in reason.message  # the row changed since the return
    assert not assess(campaign, read_report(path)).errors  # a reason never blocks the push

    push_file(campaign, path, backends("T01"))
    assert _state(campaign, backends, "T01").state == GUI_LAI
    assert _reasons(campaign, path) == []  # gone with the push

    accepted = act(campaign, backends(), "T01", ACCEPT)
    assert accepted.state == DA_DUYET and _state(campaign, backends, "T01").state == DA_DUYET
    before = backends().read_tab("T01")
    fill_entries(path, {"report": {"CT07": {"input_a": 2}}})
    with pytest.raises(SyncError) as err:
        push_file(campaign, path, backends("T01"))
    assert err.value.code == "gui.da_duyet"
    after = backends().read_tab("T01")
    assert after.rows == before.rows and after.revision == before.revision  # nothing changed

    with pytest.raises(SyncError) as err:
        act(campaign, backends(), "T01", REOPEN)
    assert err.value.code == "duyet.thieu_ly_do"
    act(campaign, backends(), "T01", REOPEN, [Ask("Bổ sung minh chứng CT15")])
    assert _state(campaign, backends, "T01").state == TRA_LAI
    assert push_file(campaign, path, backends("T01")).revision == before.revision + 1
    assert _state(campaign, backends, "T01").state == GUI_LAI

    steps = [(r["việc"], r["từ"], r["sang"]) for r in trail(backends(), "T01")]
    assert steps == [
        ("gửi", "", ""),
        (RETURN, CHO_DUYET, TRA_LAI),
        ("gửi", "", ""),
        (ACCEPT, GUI_LAI, DA_DUYET),
        (REOPEN, DA_DUYET, TRA_LAI),
        ("gửi", "", ""),
    ]
    assert all(r["tài khoản"] for r in trail(backends(), "T01"))
    # on the share the account is self-declared: the login and PC it came from stand beside it
    import getpass

    machines = {r["máy"] for r in trail(backends(), "T01")}
    if backends.kind == "folder":
        assert len(machines) == 1 and machines.pop().startswith(getpass.getuser() + "@")
    else:
        assert machines == {""}  # signed-in accounts


def test_a_transition_that_does_not_apply_is_refused(campaign, workbook, backends):
    with pytest.raises(SyncError) as err:
        act(campaign, backends(), "T02", ACCEPT)
    assert err.value.code == "duyet.chua_gui"
    push_file(campaign, workbook("T02", filled=True), backends("T02"))
    with pytest.raises(SyncError) as err:
        act(campaign, backends(), "T02", REOPEN, [Ask("x")])
    assert err.value.code == "duyet.khong_hop_le" and "chờ duyệt" in err.value.message
    with pytest.raises(SyncError) as err:
        act(campaign, backends(), "T02", RETURN)
    assert err.value.code == "duyet.thieu_ly_do"


def test_a_unit_cannot_change_its_own_state(campaign, workbook, backends):
    push_file(campaign, workbook("T03", filled=True), backends("T03"))
    with pytest.raises(SyncError) as err:
        act(campaign, backends("T03"), "T03", ACCEPT)
    assert err.value.code == "duyet.khong_phai_tong_hop"
    assert _state(campaign, backends, "T03").state == CHO_DUYET
    if backends.kind == "google":  # and the server refuses a unit's write to the review tab
        unit = backends("T03")
        with pytest.raises(Exception) as err:
            unit.http.values_update(
                backends.sid, "'Duyệt'!B2", params={"valueInputOption": "RAW"}, body={"values": [["x"]]}
            )
        assert getattr(err.value, "code", None) == 400


def test_two_consolidators_acting_on_one_unit_at_once_one_wins(campaign, workbook, backends):
    from campaign.review import transition

    push_file(campaign, workbook("T04", filled=True), backends("T04"))
    first, second = backends(), backends()
    tab = first.read_tab("T04")
    old = first.read_review("T04")  # both looked at the same state
    accept = transition(old, "T04", ACCEPT, tab.data_hash(), first.account, "2026-11-30 09:00:00")
    from campaign.review import Reason

    give_back = transition(old, "T04", RETURN, tab.data_hash(), second.account, "2026-11-30 09:00:01", (Reason("x"),))
    row = ["2026-11-30 09:00:00", ACCEPT, "T04", "1", tab.data_hash(), first.account, CHO_DUYET, DA_DUYET, ""]
    first.commit_review(old, accept, tab.revision, row)
    with pytest.raises(SyncError) as err:
        second.commit_review(old, give_back, tab.revision, row)
    assert err.value.code == "duyet.nguoi_khac" and "Đã duyệt" in err.value.message
    assert _state(campaign, backends, "T04").state == DA_DUYET


def test_a_reason_at_a_cell_stays_with_its_row_when_the_unit_inserts_rows(campaign, workbook, backends):
    path = workbook("T05", filled=True)
    push_file(campaign, path, backends("T05"))
    rep = read_report(path).sheets["report"]
    ct08 = [r for r in rep.rows if r.key.startswith("CT")][2]
    col = openpyxl.utils.get_column_letter(rep.columns["input_a"])
    act(campaign, backends(), "T05", RETURN, [Ask("Kiểm tra lại tử số", cell=f"{rep.name}!{col}{ct08.number}")])
    pull_file(campaign, path, backends("T05"))
    wb = openpyxl.load_workbook(path)
    wb[rep.name].insert_rows(ct08.number - 2, 2)  # two rows typed in above it
    wb.save(path)
    (reason,) = _reasons(campaign, path)
    moved = next(r for r in read_report(path).sheets["report"].rows if r.key == ct08.key)
    assert moved.number == ct08.number + 2 and reason.cell == f"{col}{moved.number}"


def test_google_locks_an_accepted_tab_and_an_in_flight_push_loses_to_the_acceptance(
    campaign, workbook, google_backends
):
    from sync.tab import Tab, stamped

    path = workbook("T06", filled=True)
    push_file(campaign, path, google_backends("T06"))
    late = google_backends("T06")
    seen = late.read_for_push("T06")  # the unit's push has read, not yet written
    act(campaign, google_backends(), "T06", ACCEPT)
    new = stamped(
        Tab("T06", seen.rows[:-1]), seen.revision + 1, late.account, __import__("datetime").datetime(2026, 12, 1)
    )
    with pytest.raises(SyncError) as err:
        late._commit(new, seen, ["", "gửi", "T06", "2", new.content_hash, late.account])
    assert err.value.code == "gui.da_duyet"  # its claim met the acceptance's, nothing applied
    # and Google itself refuses the unit's account on its own tab now
    book = google_backends.server.fake.books[google_backends.sid]
    prot = [p for p in book.protections if p.sheet_id == book.sheet("T06").sheet_id]
    assert campaign.unit("T06").editors[0] not in prot[0].editors
    act(campaign, google_backends(), "T06", REOPEN, [Ask("Cần sửa CT10")])
    prot = [p for p in book.protections if p.sheet_id == book.sheet("T06").sheet_id]
    assert len(prot) == 1 and campaign.unit("T06").editors[0] in prot[0].editors  # unlocked in place
    fill_entries(path, {"report": {"CT07": {"input_a": 3}}})
    assert push_file(campaign, path, google_backends("T06")).revision == 2  # reopened: the next id is used


def test_tong_hop_shows_each_state_and_can_count_accepted_reports_only(campaign, workbook, backends):
    import dataclasses

    from campaign.consolidation import consolidate, review_summary
    from campaign.consolidation_tables import units_table
    from xl_addin.consolidate import from_backend

    for unit in ("T07", "T08", "T09"):
        push_file(campaign, workbook(unit, filled=True, seed=int(unit[1:])), backends(unit))
    act(campaign, backends(), "T07", ACCEPT)
    act(campaign, backends(), "T08", RETURN, [Ask("Thiếu số liệu CT07", target="CT07")])
    subs = from_backend(campaign, backends())
    c = consolidate(campaign, subs)
    table = units_table(c)
    state, note = table.headers.index("Duyệt"), table.headers.index("Lần duyệt cuối, lý do trả lại")
    rows = {r[1]: r for r in table.rows}
    assert rows["T07"][state] == DA_DUYET and rows["T09"][state] == CHO_DUYET and rows["T01"][state] == ""
    assert rows["T08"][state] == TRA_LAI and "CT07: Thiếu số liệu CT07" in rows["T08"][note]
    assert review_summary(c) == {DA_DUYET: 1, TRA_LAI: 1, CHO_DUYET: 1}

    strict = dataclasses.replace(campaign, review_figures="đã duyệt")
    only_accepted = consolidate(strict, subs)
    by_hand = consolidate(campaign, [s for s in subs if s.unit_code == "T07"])
    assert [t.inputs for t in only_accepted.targets] == [t.inputs for t in by_hand.targets]
    assert [t.inputs for t in only_accepted.targets] != [t.inputs for t in c.targets]
    assert any("chưa tính 2 đơn vị: T08, T09" in i for i in only_accepted.issues)


def test_the_review_commands_on_the_shared_folder(campaign, workbook, tmp_path, capsys):
    from sync.folder import FolderBackend
    from xl_addin.cli import main

    share = tmp_path / "chung"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    path = workbook("T10", filled=True)
    assert main(["push", str(path), "--share", str(share), "--account", campaign.unit("T10").editors[0]]) == 0
    admin = ["--share", str(share), "--account", campaign.consolidators[0]]
    args = [
        "review",
        "return",
        "T10",
        "--reason",
        "Thiếu minh chứng",
        "--target",
        "CT07",
        "--reason",
        "Ghi rõ nguồn số liệu",
    ]
    assert main(args + admin) == 0
    assert "T10: Trả lại" in capsys.readouterr().out
    # a unit's own account may not act, and says so without a traceback
    assert main(["review", "accept", "T10", "--share", str(share), "--account", campaign.unit("T10").editors[0]]) != 0
    err = capsys.readouterr()
    assert "không được duyệt" in err.out + err.err and "Traceback" not in err.err
    assert main(["review", "list", *admin]) == 0
    listed = capsys.readouterr().out
    line = next(x for x in listed.splitlines() if x.startswith("T10"))
    assert TRA_LAI in line and "CT07: Thiếu minh chứng" in line and "Ghi rõ nguồn số liệu" in line
    assert main(["log", "--unit", "T10", *admin]) == 0
    log = capsys.readouterr().out.splitlines()[2:]  # under the header and its rule
    assert len(log) == 2 and "gửi" in log[0] and f"{CHO_DUYET} → {TRA_LAI}" in log[1]
    with pytest.raises(SystemExit):
        main(["review", "return", "T10", "--target", "CT07", *admin])  # a target needs its reason first


def test_a_spreadsheet_set_up_before_review_existed_still_consolidates(campaign, workbook, google_backends):
    from xl_addin.consolidate import from_backend

    push_file(campaign, workbook("T11", filled=True), google_backends("T11"))
    book = google_backends.server.fake.books[google_backends.sid]
    book.sheets = [s for s in book.sheets if s.title != "Duyệt"]  # an older spreadsheet
    subs = from_backend(campaign, google_backends())
    assert [s.review_state for s in subs if s.unit_code == "T11"] == [CHO_DUYET]
    assert push_file(campaign, workbook("T12", filled=True), google_backends("T12")).revision == 1


def test_a_general_remark_prints_whole_under_the_state_at_the_top_of_the_report(campaign, workbook, backends):
    from workbooks.writer import TITLE_ROW_MAX
    from xl_addin.check import check_file

    path = workbook("T01", filled=True)
    push_file(campaign, path, backends("T01"))
    remark = "Bổ sung quyết định công nhận làng văn hóa của năm 2026 (tệp PDF) vào thư mục minh chứng"
    act(campaign, backends(), "T01", RETURN, [Ask("Số hộ chưa khớp", target="CT07"), Ask(remark)])
    pull_file(campaign, path, backends("T01"))
    check_file(campaign, path, write="progress")
    ws = openpyxl.load_workbook(path)["Báo cáo"]
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(4, c).value == "Kiểm tra")
    lines = ws.cell(2, col).value.split("\n")
    # the state, then the remark (the first lines are what a capped row still shows), then the count
    assert (
        lines[0].startswith("Trạng thái duyệt: Trả lại") and remark in lines[1] and lines[2].startswith("Kiểm tra lúc")
    )
    # the title row grew (it was the default height, which cut the remark off) but not past six lines
    assert 4 * 15.5 < ws.row_dimensions[2].height <= TITLE_ROW_MAX
