"""Speed and memory, as ratios against what a competent user would write. Not a test: run it.

    .venv/bin/python bench/bench.py                    # everything
    .venv/bin/python bench/bench.py check click        # some sections
    .venv/bin/python bench/bench.py --help

Sections (baselines are what someone fluent in these libraries would write, never a strawman):
  check        Kiểm tra + Tính tiến độ of 1 and 100 unit workbooks (read, parse by keys, every
               check, every target), against just reading the same files with
               pandas.read_excel(engine="calamine") and with openpyxl read_only=True.
  read         reading 100 unit workbooks: ours (bounded .xlsx, contract sheets) against the same two.
  click        a button click from process start to the message, as classic RunPython runs it (a new
               Python per click) and as the UDF server runs it (a warm Python), against an empty Python.
  sync         requests and time for push, pull-all of 10, 100 and 500 units, and setup, against
               gspread's own batch calls (open_by_key once, values_batch_get per 100 tabs).
  consolidate  read, assess and consolidate 100, 1 000 and 5 000 units end to end, in a child
               process each: time per unit and peak memory (5 000 units is Hải Phòng's 114 communes).
  recalc       LibreOffice opening, recalculating and saving 10 filled unit workbooks with the
               template's own formulas, against the same workbooks without formulas (template
               2026.1); the issue's bound is 2x. LibreOffice's start is measured apart.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def line(label: str, ours: float, baselines: dict[str, float]) -> None:
    """Ours, then each baseline with baseline/ours: above 1 we are faster, below 1 slower."""
    parts = "   ".join(f"{name} {t * 1000:8.1f} ms ({t / ours:4.2f}x)" for name, t in baselines.items())
    print(f"  {label:<34} ours {ours * 1000:8.1f} ms   {parts}")


def _workbooks(campaign, folder: Path, n: int) -> list[Path]:
    from campaign.sample_data import clean_entries
    from workbooks.builder import write_unit_workbook
    from workbooks.writer import fill_entries

    base = {}
    paths = []
    for i in range(n):
        unit = campaign.units[i % len(campaign.units)]
        if unit.code not in base:
            p = folder / f"base-{unit.code}.xlsx"
            write_unit_workbook(campaign, unit, p)
            fill_entries(p, clean_entries(campaign, unit))
            base[unit.code] = p
        dest = folder / f"{i:03d}-{unit.code}.xlsx"
        shutil.copy(base[unit.code], dest)
        paths.append(dest)
    return paths


def _pandas_calamine(path: Path) -> None:
    import pandas as pd

    pd.read_excel(path, sheet_name=None, engine="calamine", header=None)


def _openpyxl_read_only(path: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    wb.close()


BASELINES = {"pandas+calamine": _pandas_calamine, "openpyxl read_only": _openpyxl_read_only}


def bench_check(campaign, tmp: Path) -> None:
    from campaign.assessment import assess
    from campaign.result_cells import result_plan
    from workbooks.unit_files import read_report

    print("check: our whole Kiểm tra + Tính tiến độ, against only reading the files the competent way")
    paths = _workbooks(campaign, tmp, 100)
    one = next(p for p in paths if "KT" in p.name)

    def ours(ps):
        for p in ps:
            r = read_report(p)
            result_plan(r, assess(campaign, r), progress=True)

    line("1 workbook (KT)", best(lambda: ours([one])), {k: best(lambda f=f: f(one)) for k, f in BASELINES.items()})
    line(
        "100 workbooks",
        best(lambda: ours(paths), 1),
        {k: best(lambda f=f: [f(p) for p in paths], 1) for k, f in BASELINES.items()},
    )


def bench_read(campaign, tmp: Path) -> None:
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    print("read: 100 unit workbooks into values")
    paths = _workbooks(campaign, tmp, 100)
    line(
        "ours (bounded, contract sheets)",
        best(lambda: [read_grids(p, set(CONTRACT_SHEETS)) for p in paths], 1),
        {k: best(lambda f=f: [f(p) for p in paths], 1) for k, f in BASELINES.items()},
    )


CLICK_BEFORE = """
import json, os, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
import xlwings  # what a click paid before: xlwings with the pandas and numpy it finds
import xl_addin.handlers as h
book = xlwings.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
book.set_mock_caller()
h.kiem_tra()
"""


def _run(*args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def bench_click(campaign, tmp: Path) -> None:
    import json

    from test_handlers import CLICK
    from xlwings_payloads import book_payload, run_handler

    from campaign.sample_data import clean_entries
    from workbooks.builder import write_unit_workbook
    from workbooks.writer import fill_entries

    print("click: Kiểm tra on a filled KT workbook, from process start to the message (remote engine: no COM latency)")
    path = tmp / "KT.xlsx"
    write_unit_workbook(campaign, campaign.unit("KT"), path)
    fill_entries(path, clean_entries(campaign, campaign.unit("KT")))
    payload = book_payload(path)
    payload_file = tmp / "payload.json"
    payload_file.write_text(json.dumps(payload, default=str), "utf-8")
    empty = best(lambda: _run("-c", "pass"), 5)
    before = best(lambda: _run("-c", CLICK_BEFORE, str(payload_file)), 5)
    after = best(lambda: _run("-c", CLICK, str(payload_file), "kiem_tra"), 5)
    run_handler("kiem_tra", payload)  # the UDF server's first click pays the imports and the campaign
    warm = best(lambda: run_handler("kiem_tra", payload), 10)
    print(f"  {'an empty Python (python -c pass)':<48} {empty * 1000:8.1f} ms")
    print(f"  {'classic RunPython, before (xlwings + pandas)':<48} {before * 1000:8.1f} ms")
    print(f"  {'classic RunPython, now (no pandas, numpy)':<48} {after * 1000:8.1f} ms   {before / after:4.2f}x faster")
    print(f"  {'UDF server (USE UDF SERVER), a warm click':<48} {warm * 1000:8.1f} ms   {before / warm:4.0f}x faster")


def bench_sync(campaign, tmp: Path) -> None:
    from conftest import google_client

    from campaign.definition import Unit
    from sync.emulator import FakeSheetsServer
    from sync.gsheets import GoogleBackend
    from sync.tab import Tab, to_grid

    print("sync: requests and time against the local Sheets emulator, against competent gspread use")
    print("  (gspread: the spreadsheet opened once; values_batch_get per 100 tabs; a push as open +")
    print(
        "  values_get + values_batch_update + values_append; setup as one batch of addSheet, one of protections, the registry,"
    )
    print("  the permissions listed once and one share per address)")
    admin = campaign.consolidators[0]
    for n in (10, 100, 500):
        units = tuple(
            Unit(f"U{i:03d}", f"Thôn {i}", "thôn", campaign.units[20].cluster, (f"u{i}@x.vn",)) for i in range(n)
        )
        camp = dataclasses.replace(campaign, units=units)
        codes = [u.code for u in units]
        rows = tuple(("report", "CT07", c, v, "") for c, v in (("input_a", 950), ("input_b", 1000)))
        with FakeSheetsServer() as server:
            fake, sid = roomy(server, admin, units)
            t0, r0 = time.perf_counter(), len(fake.requests)
            GoogleBackend(google_client(server, admin), sid, camp, account=admin).setup(codes)
            setup_t, setup_r = time.perf_counter() - t0, len(fake.requests) - r0
            t0, r0 = time.perf_counter(), len(fake.requests)
            for u in units:
                GoogleBackend(
                    google_client(server, u.editors[0]), sid, camp, acting_unit=u.code, account=u.editors[0]
                ).push(Tab(u.code, rows), 0)
            push_t, push_r = (time.perf_counter() - t0) / n, (len(fake.requests) - r0) / n
            consolidator = GoogleBackend(google_client(server, admin), sid, camp, account=admin)
            t0, r0 = time.perf_counter(), len(fake.requests)
            tabs = consolidator.read_all(codes)
            all_t, all_r = time.perf_counter() - t0, len(fake.requests) - r0
            assert len(tabs) == n
            gc = google_client(server, admin)
            t0, r0 = time.perf_counter(), len(fake.requests)
            sh = gc.open_by_key(sid)
            for i in range(0, n, 100):
                sh.values_batch_get([f"'{c}'!A1:E2000" for c in codes[i : i + 100]])
            base_t, base_r = time.perf_counter() - t0, len(fake.requests) - r0
            # a competent gspread push of one unit: read the tab, write it whole, append the log row
            t0, r0 = time.perf_counter(), len(fake.requests)
            for u in units[:10]:
                sh = google_client(server, u.editors[0]).open_by_key(sid)  # each push is a fresh process
                sh.values_get(f"'{u.code}'!A1:E2000")
                grid = [list(r) + [""] * (5 - len(r)) for r in to_grid(Tab(u.code, rows))]
                body = {"valueInputOption": "RAW", "data": [{"range": f"'{u.code}'!A1:E{len(grid)}", "values": grid}]}
                sh.values_batch_update(body)
                sh.values_append("'Nhật ký'!A1", {"valueInputOption": "RAW"}, {"values": [["x", "gửi", u.code]]})
            gpush_t, gpush_r = (time.perf_counter() - t0) / 10, (len(fake.requests) - r0) / 10
        with FakeSheetsServer() as server:
            fake, sid = roomy(server, admin, units)
            t0, r0 = time.perf_counter(), len(fake.requests)
            gspread_setup(google_client(server, admin), sid, camp)
            gsetup_t, gsetup_r = time.perf_counter() - t0, len(fake.requests) - r0
        print(
            f"  {n:4d} units: pull-all {all_r} req ({all_t * 1000:.0f} ms) vs gspread {base_r} req "
            f"({base_t * 1000:.0f} ms), {base_t / all_t:.2f}x; push {push_r:.0f} req ({push_t * 1000:.1f} ms, "
            f"conditional, log included) vs gspread {gpush_r:.0f} req ({gpush_t * 1000:.1f} ms, unconditional); "
            f"setup {setup_r} req ({setup_t:.2f} s) vs gspread {gsetup_r} req ({gsetup_t:.2f} s)"
        )


def roomy(server, admin: str, units) -> tuple:
    """The emulator with quotas out of the way (requests are counted, not limited) and every
    unit's address a Google account; a new spreadsheet owned by `admin`."""
    fake = server.fake
    fake.read_quota = fake.write_quota = fake.project_quota = 10**9
    fake.google_accounts |= {u.editors[0] for u in units}
    return fake, fake.create(admin)


def gspread_setup(gc, sid: str, campaign) -> None:
    sh = gc.open_by_key(sid)
    adds = [
        {"addSheet": {"properties": {"title": t, "gridProperties": {"rowCount": 2000, "columnCount": 5}}}}
        for t in [u.code for u in campaign.units] + ["Danh sách đơn vị", "Nhật ký"]
    ]
    replies = sh.batch_update({"requests": adds})["replies"]
    ids = [r["addSheet"]["properties"]["sheetId"] for r in replies]
    protect = [
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": i}, "editors": {"users": list(u.editors)}}}}
        for i, u in zip(ids, campaign.units)
    ]
    sh.batch_update({"requests": protect})
    sh.values_update(
        "'Danh sách đơn vị'!A1", {"valueInputOption": "RAW"}, {"values": [[u.code] for u in campaign.units]}
    )
    shared = {p.get("emailAddress") for p in sh.list_permissions()}
    for e in sorted({e for u in campaign.units for e in u.editors} - shared):
        sh.share(e, perm_type="user", role="writer", notify=False)


CONSOLIDATE = """
import dataclasses, json, resource, sys, time
from workbooks.campaign_workbook import load_default
from sync.tab import Tab, entries_to_rows
from sync.unit_sync import report_from_tab
from campaign.assessment import assess
from campaign.definition import Unit
from campaign.consolidation import Submission, compact, consolidate
from campaign.sample_data import clean_entries

n = int(sys.argv[1])
campaign = load_default()
clusters = campaign.clusters
units = tuple(Unit(f"V{i:04d}", f"Thôn {i}", "thôn", clusters[i % len(clusters)].code, ()) for i in range(n))
camp = dataclasses.replace(campaign, units=units)
tabs = [Tab(u.code, entries_to_rows(clean_entries(camp, u, seed=i % 97))) for i, u in enumerate(units)]
def high_water_kb():
    # VmHWM is this process's own peak; ru_maxrss starts at the parent's RSS at fork (Linux)
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = high_water_kb()
t = time.perf_counter()
subs = []
for tab in tabs:  # what from_backend does: read, assess, keep the compact form
    report = report_from_tab(camp, tab)
    subs.append(compact(Submission(tab.unit_code, tab.unit_code, None, report, assess(camp, report))))
c = consolidate(camp, subs)
took = time.perf_counter() - t
peak = high_water_kb()
print(json.dumps({"seconds": took, "peak_mb": peak / 1024, "start_mb": start / 1024}))
"""


def bench_consolidate(campaign, tmp: Path) -> None:
    import json

    print("consolidate: read + assess + consolidate end to end, one child process per size")
    per_unit = []
    for n in (100, 1000, 5000):
        out = subprocess.run(
            [sys.executable, "-c", CONSOLIDATE, str(n)], check=True, capture_output=True, text=True, cwd=ROOT
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_unit.append(r["seconds"] / n)
        print(
            f"  {n:5d} units: {r['seconds']:7.2f} s, {r['seconds'] / n * 1000:5.2f} ms per unit, "
            f"peak {r['peak_mb']:5.0f} MB ({r['peak_mb'] - r['start_mb']:4.0f} MB above the tabs themselves)"
        )
    print(f"  per-unit cost at 5 000 vs 100 units: {per_unit[-1] / per_unit[0]:.2f} (1.0 = linear)")


def _formula_free(path: Path, dest: Path) -> Path:
    """The same filled workbook as template 2026.1 had it: computed cells empty."""
    from openpyxl import load_workbook

    from campaign.formulas import FORMULA_COLS
    from workbooks.unit_files import read_report

    rep = read_report(path).sheets["report"]
    wb = load_workbook(path)
    ws = wb[rep.name]
    for row in rep.rows:
        for key in FORMULA_COLS:
            ws.cell(row.number, rep.columns[key]).value = None
    wb.save(dest)
    return dest


def bench_recalc(campaign, tmp: Path) -> None:
    from openpyxl import Workbook

    from workbooks.recalc import recalculate, soffice

    if soffice() is None:
        print("recalc: LibreOffice is not installed")
        return
    print("recalc: LibreOffice headless, 10 filled unit workbooks per call (best of 2)")
    (tmp / "f").mkdir()
    with_formulas = _workbooks(campaign, tmp / "f", 10)
    (tmp / "p").mkdir()
    plain = [_formula_free(p, tmp / "p" / p.name) for p in with_formulas]
    empty = tmp / "empty.xlsx"
    Workbook().save(empty)
    start = best(lambda: recalculate([empty], tmp / "o0", "vi-VN", tmp), repeat=2)
    ours = best(lambda: recalculate(with_formulas, tmp / "o1", "vi-VN", tmp), repeat=2)
    base = best(lambda: recalculate(plain, tmp / "o2", "vi-VN", tmp), repeat=2)
    line("10 workbooks with formulas", ours, {"formula-free": base})
    print(
        f"  start of LibreOffice alone {start * 1000:8.1f} ms; per workbook beyond it: "
        f"with formulas {(ours - start) * 100:6.1f} ms, formula-free {(base - start) * 100:6.1f} ms "
        f"({(ours - start) / max(base - start, 1e-9):4.2f}x, bound 2x)"
    )


SECTIONS = {
    "check": bench_check,
    "read": bench_read,
    "click": bench_click,
    "sync": bench_sync,
    "consolidate": bench_consolidate,
    "recalc": bench_recalc,
}


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="bench/bench.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"any of {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:  # argparse's own `choices` rejects an empty list with nargs="*" (Python 3.11)
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    from workbooks.campaign_workbook import load_default

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    campaign = load_default()
    for name in args.sections or list(SECTIONS):
        with tempfile.TemporaryDirectory() as tmp:
            SECTIONS[name](campaign, Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
