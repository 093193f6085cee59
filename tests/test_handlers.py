"""The Excel buttons on xlwings' own remote engine, with payloads built from real workbooks."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest
from conftest import corpus
from xlwings_payloads import alerts, apply_actions, book_payload, run_handler

from campaign.unit_report import parse_report
from workbooks.writer import fill_entries


@pytest.fixture(autouse=True)
def _settings(tmp_path, monkeypatch):
    monkeypatch.setenv("THIDUA_SHARE", str(tmp_path / "share"))
    monkeypatch.delenv("THIDUA_GOOGLE_SHEET", raising=False)
    monkeypatch.delenv("THIDUA_CAMPAIGN", raising=False)
    monkeypatch.setenv("THIDUA_OUT", str(tmp_path))


def test_our_payload_has_the_shape_real_excel_sends(workbook):
    real = json.loads(corpus("xlwings-payloads", "engines_payload_officejs.json").read_text())
    ours = book_payload(workbook("T01"))
    assert set(ours) == set(real)
    assert set(ours["book"]) == set(real["book"])
    assert set(ours["sheets"][0]) == set(real["sheets"][0])


def test_kiem_tra_writes_findings_beside_the_cells_and_says_so(campaign, workbook):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": 900, "input_b": 800}}})
    payload = book_payload(path)
    actions = run_handler("kiem_tra", payload)
    after = parse_report(apply_actions(payload, actions))
    # a campaign row keeps its check formula (which says "tử số … lớn hơn mẫu số …" itself)
    check = after.sheets["report"].cell("CT07", "check").value
    assert check.startswith("=MID(") and "lớn hơn mẫu số" in check
    assert after.sheets["report"].cell("CT09", "check").value.startswith("=MID(")
    (message,) = alerts(actions)
    assert "1 lỗi" in message and "Báo cáo!I" in message
    # entered values are never written
    written = {(a["sheet_position"], a["start_column"]) for a in actions if a["func"] == "setValues"}
    report_pos = [s["name"] for s in payload["sheets"]].index("Báo cáo")
    input_col = after.sheets["report"].columns["input_a"] - 1
    assert (report_pos, input_col) not in written
    assert not any(
        a["func"].lower().startswith(("setcolor", "setfill", "format")) for a in actions
    )  # colours: conditional formatting


def test_tinh_tien_do_writes_value_status_and_percentages(campaign, workbook):
    path = workbook("CA", filled=True)
    fill_entries(path, {"report": {"CT16": {"input_a": 31, "input_b": 40}}})
    payload = book_payload(path)
    actions = run_handler("tinh_tien_do", payload)
    after = parse_report(apply_actions(payload, actions))
    # the sheet's formulas show a campaign row's figures: Tính tiến độ leaves them in place
    row = {c: after.sheets["report"].cell("CT16", c).value for c in ("value", "pct_plan", "status")}
    assert row == {"value": None, "pct_plan": None, "status": None}  # not written (the payload has no cached results)
    assert "Đạt: 1" in alerts(actions)[0]


def test_a_click_costs_the_same_writes_for_10_and_200_target_rows(campaign, workbook, tmp_path, monkeypatch):
    from campaign.sample_data import clean_entries
    from workbooks.builder import write_unit_workbook
    from workbooks.campaign_workbook import load_campaign

    text = resources.files("campaign.data").joinpath("vinh-bao-2026.toml").read_text("utf-8")
    extra = "".join(
        f'\n[[targets]]\ncode = "X{i:03d}"\nname = "Chỉ tiêu thử {i}"\nunit = "%"\nrule = "rate_min"\nthreshold = 90\n'
        f'inputs = ["Tử số", "Mẫu số"]\nreporters = ["T01"]\naggregate = "ratio_of_sums"\n'
        for i in range(195)
    )
    big = tmp_path / "big.toml"
    big.write_text(text + extra, "utf-8")
    monkeypatch.setenv("THIDUA_CAMPAIGN", str(big))
    big_campaign = load_campaign(big)
    counts = {}
    for label, camp in (("small", campaign), ("big", big_campaign)):
        path = tmp_path / f"{label}.xlsx"
        write_unit_workbook(camp, camp.unit("T01"), path)
        fill_entries(path, clean_entries(camp, camp.unit("T01")))
        monkeypatch.setenv("THIDUA_CAMPAIGN", str(big) if label == "big" else "")
        actions = run_handler("tinh_tien_do", book_payload(path))
        rows = len(camp.targets_for(camp.unit("T01")))
        counts[label] = (rows, len(actions))
    assert counts["small"][0] <= 10 and counts["big"][0] >= 200
    assert counts["small"][1] == counts["big"][1], counts


def test_a_workbook_that_is_not_ours_gets_a_clear_message(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Bảng chấm công"
    path = tmp_path / "khac.xlsx"
    wb.save(path)
    actions = run_handler("kiem_tra", book_payload(path, active="Sheet"))
    assert [a["func"] for a in actions] == ["alert"]
    assert "không phải sổ báo cáo thi đua" in alerts(actions)[0]


def test_consolidate_on_a_unit_workbook_is_the_wrong_place(workbook):
    actions = run_handler("tong_hop", book_payload(workbook("T01", filled=True)))
    assert [a["func"] for a in actions] == ["alert"] and "sổ tổng hợp" in alerts(actions)[0]


def test_gui_bao_cao_pushes_and_records_the_revision(campaign, workbook, tmp_path):
    from sync.folder import FolderBackend

    FolderBackend(tmp_path / "share", campaign.id).setup([u.code for u in campaign.units])
    payload = book_payload(workbook("T01", filled=True))
    actions = run_handler("gui_bao_cao", payload)
    assert "Đã gửi báo cáo T01 (lần 1" in alerts(actions)[0]
    after = parse_report(apply_actions(payload, actions))
    assert after.meta["sync_revision"] == 1 and after.meta["sync_hash"]
    assert FolderBackend(tmp_path / "share", campaign.id).read_tab("T01").revision == 1

    def payload_of(grids):
        values = {k: [[("" if v is None else v) for v in row] for row in g] for k, g in grids.items()}
        return {**payload, "sheets": [{**s, "values": values[s["name"]]} for s in payload["sheets"]]}

    # a second click with nothing changed: the share already holds it, nothing is written twice
    assert "không có gì thay đổi" in alerts(run_handler("gui_bao_cao", payload_of(apply_actions(payload, actions))))[0]
    assert FolderBackend(tmp_path / "share", campaign.id).read_tab("T01").revision == 1
    # edited after the first push: the recorded revision makes it the next push, not a conflict
    grids = apply_actions(payload, actions)
    cell = after.sheets["report"].cell("CT07", "input_a")
    grids[cell.sheet][cell.row - 1][cell.col - 1] = (cell.value or 0) + 1
    assert "lần 2" in alerts(run_handler("gui_bao_cao", payload_of(grids)))[0]


def test_gui_bao_cao_with_errors_is_refused_with_the_reason(campaign, workbook, tmp_path):
    path = workbook("T01", filled=True)
    fill_entries(path, {"report": {"CT07": {"input_a": "nhiều"}}})
    actions = run_handler("gui_bao_cao", book_payload(path))
    assert [a["func"] for a in actions] == ["alert"] and "còn 1 lỗi" in alerts(actions)[0]


def test_lay_ve_brings_the_pushed_entries_back(campaign, workbook, tmp_path):
    from campaign.unit_report import entries_of
    from sync.folder import FolderBackend
    from xl_addin.push import push_file

    FolderBackend(tmp_path / "share", campaign.id).setup([u.code for u in campaign.units])
    pushed = tmp_path / "pushed.xlsx"
    workbook("T02", filled=True).rename(pushed)
    push_file(campaign, pushed, FolderBackend(tmp_path / "share", campaign.id, "T02"))
    blank = workbook("T02")
    payload = book_payload(blank)
    actions = run_handler("lay_ve", payload)
    assert "Đã lấy về bản gửi lần 1" in alerts(actions)[0]
    from workbooks.unit_files import read_report

    assert entries_of(parse_report(apply_actions(payload, actions))) == entries_of(read_report(pushed))


def test_tong_hop_and_xuat_bao_cao_in_the_consolidators_workbook(campaign, workbook, tmp_path):
    from openpyxl import Workbook

    from sync.folder import FolderBackend
    from xl_addin.push import push_file

    FolderBackend(tmp_path / "share", campaign.id).setup([u.code for u in campaign.units])
    for code in ("T01", "CA"):
        p = tmp_path / f"{code}-sent.xlsx"
        workbook(code, filled=True).rename(p)
        push_file(campaign, p, FolderBackend(tmp_path / "share", campaign.id, code))
    master = tmp_path / "tong-hop.xlsx"
    wb = Workbook()
    wb.active.title = "Tổng quan"
    wb.save(master)
    payload = book_payload(master, active="Tổng quan")
    actions = run_handler("tong_hop", payload)
    assert "Đã tổng hợp" in alerts(actions)[0] and "Đúng hạn 2" in alerts(actions)[0]
    grids = apply_actions(payload, actions)
    targets = grids["Chỉ tiêu toàn xã"]
    assert targets[1][:3] == ["STT", "Mã", "Chỉ tiêu"] and targets[2][1] == "CT01"
    ct16 = next(r for r in targets if r[1] == "CT16")
    assert ct16[7] in ("Đạt", "Không đạt")
    actions = run_handler("xuat_bao_cao", payload)
    assert "Đã xuất báo cáo" in alerts(actions)[0]
    assert list(tmp_path.glob("bao-cao-thi-dua-2026-*.xlsx"))


CLICK = """
import json, os, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
import xl_addin.handlers as h
book = h.import_xlwings().Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
book.set_mock_caller()
getattr(h, sys.argv[2])()
alerts = [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]
heavy = ("pandas", "numpy", "gspread", "openpyxl", "google.auth")
print(json.dumps({"alerts": alerts, "loaded": [m for m in heavy if sys.modules.get(m) is not None]}))
"""


@pytest.mark.parametrize("button", ["kiem_tra", "tinh_tien_do"])
def test_a_click_in_a_fresh_python_works_without_pandas_numpy_gspread_or_openpyxl(button, workbook, tmp_path):
    """A click through classic RunPython is a new Python process: xlwings would import pandas and
    numpy (0,35 s) if we let it; the unit's buttons need neither."""
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(book_payload(workbook("T01", filled=True)), default=str), "utf-8")
    out = subprocess.run(
        [sys.executable, "-c", CLICK, str(payload), button], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert "T01" in json.dumps(result["alerts"], ensure_ascii=False) or "Thôn" in json.dumps(
        result["alerts"], ensure_ascii=False
    )


def test_text_that_looks_like_a_formula_reaches_excel_as_text(campaign, workbook, tmp_path):
    from sync.folder import FolderBackend
    from xl_addin.push import push_file

    FolderBackend(tmp_path / "share", campaign.id).setup([u.code for u in campaign.units])
    pushed = tmp_path / "pushed.xlsx"
    workbook("HPN", filled=True).rename(pushed)
    evil = '=HYPERLINK("http://x.example","bấm")'
    fill_entries(pushed, {"models": {"MH9": {"type": "Mô hình mới", "name": evil, "description": "+84 912 345 678"}}})
    push_file(campaign, pushed, FolderBackend(tmp_path / "share", campaign.id, "HPN"))
    actions = run_handler("lay_ve", book_payload(workbook("HPN")))
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert "'" + evil in written and evil not in written
    assert "'+84 912 345 678" in written


def test_duyet_and_tra_lai_act_on_the_selected_unit_rows(campaign, workbook, tmp_path, monkeypatch):
    """The consolidator's two buttons on the remote engine: select unit rows in the units sheet
    of the Tổng hợp workbook; Trả lại takes each row's reason from the reason column."""
    from openpyxl import load_workbook

    from campaign.consolidation import consolidate
    from campaign.consolidation_tables import REASON_COLUMN, REASON_HEADER, UNITS_SHEET
    from campaign.review import CHO_DUYET, DA_DUYET, TRA_LAI
    from sync.folder import FolderBackend
    from workbooks.consolidated import write_master
    from xl_addin.consolidate import from_backend
    from xl_addin.push import push_file

    share = tmp_path / "share"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    for code in ("T01", "CA"):
        p = tmp_path / f"{code}-sent.xlsx"
        workbook(code, filled=True).rename(p)
        push_file(campaign, p, FolderBackend(share, campaign.id, code))
    master = write_master(
        consolidate(campaign, from_backend(campaign, FolderBackend(share, campaign.id))), tmp_path / "th.xlsx"
    )
    wb = load_workbook(master)
    ws = wb[UNITS_SHEET]
    assert ws.cell(2, REASON_COLUMN).value == REASON_HEADER  # the column the ribbon's VBA fills
    rows = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["T01"], REASON_COLUMN).value = "Thiếu số liệu CT07"
    wb.save(master)
    top, bottom = sorted((rows["T01"], rows["CA"]))
    monkeypatch.setenv("THIDUA_ACCOUNT", campaign.consolidators[0])

    payload = book_payload(master, active=UNITS_SHEET, selection=f"A{top}:C{bottom}")
    actions = run_handler("tra_lai", payload)
    (said,) = alerts(actions)
    assert "Trả lại: T01" in said and "CA: chưa có lý do" in said
    states = {s: FolderBackend(share, campaign.id).read_review(s) for s in ("T01", "CA")}
    assert states["T01"].state == TRA_LAI and states["T01"].reasons[0].text == "Thiếu số liệu CT07"
    assert states["CA"] is None
    grid = apply_actions(payload, actions)[UNITS_SHEET]
    assert grid[rows["T01"] - 1][9] == TRA_LAI and grid[rows["CA"] - 1][9] in ("", None, CHO_DUYET)
    # the sent reason moves to the last action; the typed cell is cleared so it is not sent twice
    assert "Thiếu số liệu CT07" in grid[rows["T01"] - 1][10] and grid[rows["T01"] - 1][11] in ("", None)

    actions = run_handler("duyet", book_payload(master, active=UNITS_SHEET, selection=f"A{rows['CA']}"))
    assert "Duyệt: CA" in alerts(actions)[0]
    assert FolderBackend(share, campaign.id).read_review("CA").state == DA_DUYET

    monkeypatch.setenv("THIDUA_ACCOUNT", campaign.unit("T01").editors[0])  # a unit's account
    actions = run_handler("duyet", book_payload(master, active=UNITS_SHEET, selection=f"A{rows['T01']}"))
    assert "không được duyệt" in alerts(actions)[0]
    actions = run_handler("duyet", book_payload(master, active="Tổng quan", selection="A1"))
    assert "chọn các dòng đơn vị" in alerts(actions)[0]


def test_tong_hop_again_keeps_the_reasons_typed_but_not_yet_sent(campaign, workbook, tmp_path):
    """A consolidator types reasons for several units, runs Tổng hợp again to see a late report,
    then presses Trả lại: the typed reasons must still be there, at their units' rows."""
    from openpyxl import load_workbook

    from campaign.consolidation import consolidate
    from campaign.consolidation_tables import REASON_COLUMN, UNITS_SHEET
    from sync.folder import FolderBackend
    from workbooks.consolidated import write_master
    from xl_addin.consolidate import from_backend
    from xl_addin.push import push_file

    share = tmp_path / "share"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])

    def push(code):
        p = tmp_path / f"{code}-sent.xlsx"
        workbook(code, filled=True).rename(p)
        push_file(campaign, p, FolderBackend(share, campaign.id, code))

    def master():
        return write_master(
            consolidate(campaign, from_backend(campaign, FolderBackend(share, campaign.id))), tmp_path / "th.xlsx"
        )

    def typed(grid_or_ws):
        rows = (
            [[c.value for c in r] for r in grid_or_ws.iter_rows()] if hasattr(grid_or_ws, "iter_rows") else grid_or_ws
        )
        return {r[1]: r[REASON_COLUMN - 1] for r in rows[2:] if r[1] and r[REASON_COLUMN - 1]}

    push("T01")
    path = master()
    wb = load_workbook(path)
    ws = wb[UNITS_SHEET]
    rows = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["T01"], REASON_COLUMN).value = "Thiếu số liệu CT07"
    ws.cell(rows["T03"], REASON_COLUMN).value = "Chưa nộp: đề nghị gửi trước 05/12"
    wb.save(path)
    push("CA")  # a late report arrives: the rows' order and statuses change

    # the button, in the workbook as it is
    payload = book_payload(path, active=UNITS_SHEET)
    grid = apply_actions(payload, run_handler("tong_hop", payload))[UNITS_SHEET]
    assert typed(grid) == {"T01": "Thiếu số liệu CT07", "T03": "Chưa nộp: đề nghị gửi trước 05/12"}
    # the command, into the same file
    assert typed(load_workbook(master())[UNITS_SHEET]) == {
        "T01": "Thiếu số liệu CT07",
        "T03": "Chưa nộp: đề nghị gửi trước 05/12",
    }
