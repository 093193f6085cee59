"""Push and pull through every backend: the same rules on the shared folder and Google Sheets."""

from __future__ import annotations

import json
import threading

import pytest

from campaign.refusals import Conflict, SyncError
from campaign.unit_report import entries_of
from sync import tab
from sync.tab import DATA_START, entries_to_rows
from sync.unit_sync import pull_all
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.pull import pull_file
from xl_addin.push import push_file


def test_push_then_pull_all_accounts_for_every_value(campaign, workbook, backends):
    path = workbook("T01", filled=True)
    r = push_file(campaign, path, backends("T01"))
    assert r.revision == 1
    meta = read_report(path).meta
    assert meta["sync_revision"] == 1 and meta["sync_hash"] == r.content_hash
    pulled = {p.unit_code: p for p in pull_all(campaign, backends())}
    assert set(pulled) == {"T01"}
    got = pulled["T01"]
    assert got.assessment.errors == 0
    assert entries_of(got.report) == entries_of(read_report(path))


def test_push_is_refused_while_the_workbook_has_errors(campaign, workbook, backends):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": "abc"}}})
    before = path.read_bytes()
    with pytest.raises(SyncError, match="còn 1 lỗi"):
        push_file(campaign, path, backends("T01"))
    assert path.read_bytes() == before
    assert backends().read_tab("T01") is None


def test_a_unit_cannot_write_another_units_tab(campaign, workbook, backends):
    path = workbook("KT", filled=True)
    with pytest.raises(SyncError, match="chỉ được gửi vào tab của mình"):
        push_file(campaign, path, backends("T01"))
    assert backends().read_tab("KT") is None


def test_second_push_from_an_older_copy_is_a_conflict_with_differences(campaign, workbook, backends, tmp_path):
    path = workbook("CA", filled=True)
    other_pc = tmp_path / "may-khac.xlsx"
    other_pc.write_bytes(path.read_bytes())
    push_file(campaign, path, backends("CA"))
    fill_entries(other_pc, {"report": {"CT16": {"input_a": 1, "input_b": 40}}})
    with pytest.raises(Conflict) as err:
        push_file(campaign, other_pc, backends("CA"))
    assert any("CT16" in d for d in err.value.differences)
    assert backends().read_tab("CA").revision == 1  # nothing overwritten


def test_a_tab_edited_by_hand_since_the_push_is_replaced_by_the_units_push_and_kept(campaign, workbook, backends):
    path = workbook("T02", filled=True)
    push_file(campaign, path, backends("T02"))
    backends.edit_remote("T02", "report", "CT07", "input_a", 1)  # someone edits the tab directly
    fill_entries(path, {"report": {"CT07": {"input_a": 2}}})
    # the edit does not carry the unit's signature: not the unit's, so the unit's push replaces
    # it, says so, and the edited tab is kept for the office (on both stores)
    result = push_file(campaign, path, backends("T02"))
    assert result.revision == 2 and "người khác đã sửa" in result.said(backends().name)
    if backends.kind == "google":
        kept = backends.server.fake.grid(backends.sid, "T02 bị sửa (trước lần 2)")
        assert "bị sửa (trước lần 2)" in result.warning
    else:
        (kept_file,) = (backends.root / campaign.id / "bi-sua").iterdir()
        kept = json.loads(kept_file.read_text("utf-8"))
    assert ["report", "CT07", "input_a", 1] in [line[:4] for line in kept]
    now = backends().read_tab("T02")
    assert now.data_hash() == result.content_hash and now.extra["seal"] == "đúng chữ ký"


def test_pull_never_overwrites_unpushed_local_edits_unless_forced(campaign, workbook, backends):
    path = workbook("T03", filled=True)
    push_file(campaign, path, backends("T03"))
    fill_entries(path, {"report": {"CT09": {"input_a": 123}}})
    with pytest.raises(Conflict, match="chưa gửi"):
        pull_file(campaign, path, backends("T03"))
    assert read_report(path).sheets["report"].cell("CT09", "input_a").value == 123
    pull_file(campaign, path, backends("T03"), force=True)
    assert read_report(path).sheets["report"].cell("CT09", "input_a").value != 123
    assert list((path.parent / ".thidua-sao-luu").iterdir())  # the unpushed copy is kept


def test_pull_brings_the_tab_back_into_a_fresh_copy(campaign, workbook, backends, tmp_path):
    path = tmp_path / "da-gui.xlsx"
    workbook("VP", filled=True).rename(path)
    push_file(campaign, path, backends("VP"))
    fresh2 = tmp_path / "moi.xlsx"
    workbook("VP").rename(fresh2)
    pull_file(campaign, fresh2, backends("VP"))
    assert entries_of(read_report(fresh2)) == entries_of(read_report(path))
    assert read_report(fresh2).meta["sync_revision"] == 1


def test_forty_units_push_concurrently_then_one_pull_all(campaign, workbook, backends, tmp_path):
    units = campaign.units[:40]
    paths = {}
    for u in units:
        p = workbook(u.code, filled=True)
        dest = tmp_path / f"w-{u.code}.xlsx"
        p.rename(dest)
        paths[u.code] = dest
    errors = []

    def push(code):
        try:
            push_file(campaign, paths[code], backends(code))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append((code, exc))

    threads = [threading.Thread(target=push, args=(u.code,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    before = backends.request_count() if hasattr(backends, "request_count") else None
    pulled = {p.unit_code: p for p in pull_all(campaign, backends())}
    if before is not None:
        assert backends.request_count() - before <= 2  # metadata + one batchGet
    assert set(pulled) == {u.code for u in units}
    for code, p in pulled.items():
        local = entries_to_rows(entries_of(read_report(paths[code])))
        assert sorted(map(str, p.tab.rows)) == sorted(map(str, local)), code


def test_two_pushes_of_one_unit_at_once_leave_one_whole_revision(campaign, workbook, backends, tmp_path):
    b = tmp_path / "b.xlsx"
    b.write_bytes(workbook("T05", filled=True, seed=2).read_bytes())
    a = workbook("T05", filled=True, seed=1)  # the fixture reuses its path: made after b is copied
    assert read_report(a).meta == read_report(b).meta and entries_of(read_report(a)) != entries_of(read_report(b))
    results, errors = [], []

    def push(p):
        try:
            results.append(push_file(campaign, p, backends("T05")))
        except Conflict as exc:
            errors.append(exc)

    if backends.kind == "google":
        # both read revision 0 before either writes: the race the issue reproduced
        from sync.emulator import Fault

        backends.server.fake.faults.append(Fault(f"GET /v4/spreadsheets/{backends.sid}", "barrier", times=2))
        seen = len(backends.server.fake.requests)
    ts = [threading.Thread(target=push, args=(p,)) for p in (a, b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    tab = backends().read_tab("T05")
    assert not tab.edited_since_push  # whole: data and hash written together
    # exactly one push lands, the other is told and its workbook keeps its old base revision
    assert len(results) == 1 and len(errors) == 1 and tab.revision == 1
    assert errors[0].code == "gui.ban_moi_hon"
    winner, loser = (a, b) if read_report(a).meta.get("sync_revision") == 1 else (b, a)
    assert tab.data_hash() == read_report(winner).meta["sync_hash"]
    assert not read_report(loser).meta.get("sync_revision")
    if backends.kind == "google":  # both did write: the server refused the second batch whole
        writes = [p for _, m, p in backends.server.fake.requests[seen:] if m == "POST" and p.endswith(":batchUpdate")]
        assert len(writes) == 2


def test_folder_push_is_atomic_when_the_share_breaks(campaign, workbook, tmp_path):
    from sync.folder import FolderBackend

    root = tmp_path / "share"
    FolderBackend(root, campaign.id).setup([u.code for u in campaign.units])
    path = workbook("T06", filled=True)
    push_file(campaign, path, FolderBackend(root, campaign.id, "T06"))
    tab_file = root / campaign.id / "don-vi" / "T06.json"
    saved = tab_file.read_bytes()
    fill_entries(path, {"report": {"CT07": {"input_a": 1}}})
    local = path.read_bytes()
    # the share's folder is replaced by a file: every write fails mid-way
    units_dir = root / campaign.id / "don-vi"
    moved = root / "moved"
    units_dir.rename(moved)
    units_dir.write_text("not a folder")
    with pytest.raises(SyncError):
        push_file(campaign, path, FolderBackend(root, campaign.id, "T06"))
    units_dir.unlink()
    moved.rename(units_dir)
    assert tab_file.read_bytes() == saved and json.loads(saved)[0][0] == "#thidua:tab"
    assert path.read_bytes() == local  # the workbook untouched
    assert push_file(campaign, path, FolderBackend(root, campaign.id, "T06")).revision == 2


def test_pull_all_on_the_shared_folder_reads_a_tab_only_when_its_turn_comes(campaign, tmp_path):
    # Tổng hợp keeps memory flat in the number of units only if it never holds every tab at once
    from campaign.sample_data import clean_entries
    from sync.folder import FolderBackend
    from sync.tab import Tab

    root = tmp_path / "share"
    units = campaign.units[:3]
    FolderBackend(root, campaign.id).setup([u.code for u in campaign.units])
    for u in units:
        tab = Tab(u.code, entries_to_rows(clean_entries(campaign, u)), campaign_id=campaign.id)
        FolderBackend(root, campaign.id, acting_unit=u.code, account=u.editors[0]).push(tab, 0)
    pulled = pull_all(campaign, FolderBackend(root, campaign.id))
    first = next(pulled)
    (root / campaign.id / "don-vi" / f"{units[2].code}.json").unlink()  # gone before its turn
    rest = [p.unit_code for p in pulled]
    assert first.unit_code == units[0].code and first.assessment is not None
    assert rest == [units[1].code]


def _from_grid_rows_as_first_written(grid: list) -> tuple:
    rows = []
    for row in grid[DATA_START:]:
        cells = list(row) + [""] * (5 - len(row))
        sheet, row_key, col_key, value, kind = cells[:5]
        if not sheet or not row_key or not col_key or value in ("", None):
            continue
        rows.append((str(sheet), str(row_key), str(col_key), value, str(kind or "")))
    return tuple(rows)


def _plain_rows_as_first_written(rows) -> tuple:
    return tuple((s, r, c, *_plain_value_and_kind(v, k)) for s, r, c, v, k in rows)


def _plain_value_and_kind(value, kind) -> tuple:
    v, k = tab._plain(value)
    return v, k or kind


@pytest.mark.parametrize("seed", range(12))
def test_a_tab_read_back_gives_the_rows_and_signed_values_it_gave_cell_by_cell(seed):
    # what a web edit can leave in a tab's cells, in rows of any length Google hands back
    import random

    rng = random.Random(seed)
    cells = ["", None, "report", "CT07", "a b", "Năm", 0, 3, -3, 7.0, 0.5, 2**53, 2**60, -(2**53), 1e300, float("inf")]
    cells += [True, False, "x" * (tab.MAX_CELL + 1), "ngày", tab.KIND_EXACT, "2026-01-02"]
    head = [[tab.MARKER, "T01"], *([name, 1] for name in tab.META_FIELDS), [], list(tab.HEADER)]
    body = [[rng.choice(cells) for _ in range(rng.randrange(0, 7))] for _ in range(60)]
    body += [["report", "CT07", "input_a", rng.choice(cells)] for _ in range(20)]
    grid = head + [tuple(r) if rng.random() < 0.3 else r for r in body]
    rows = tab.from_grid("T01", grid).rows
    assert rows == _from_grid_rows_as_first_written(grid)
    assert [tuple(map(type, r)) for r in rows] == [tuple(map(type, r)) for r in _from_grid_rows_as_first_written(grid)]
    plain = tab.plain_rows(rows)
    first = _plain_rows_as_first_written(rows)
    assert plain == first and [tuple(map(type, r)) for r in plain] == [tuple(map(type, r)) for r in first]
    lists = [list(r) for r in rows]  # rows given as lists come back as tuples, as they did
    assert tab.plain_rows(lists) == first
