"""Speed, measured as ratios against the obvious way. Not a test: run it and read it.

    .venv/bin/python bench/bench.py            # everything
    .venv/bin/python bench/bench.py check sync # some sections

Sections:
  check    Kiểm tra + Tính tiến độ of 1 and 100 unit workbooks, against reading the same files
           cell by cell with openpyxl (just the reading, before any checking).
  read     reading 100 unit workbooks with python-calamine against openpyxl.
  buttons  handler time per Excel button on xlwings' remote engine, and the import a click pays.
  sync     requests and time for push, pull and pull-all of 10, 100 and 500 units against a
           local fake Sheets server, against one get_all_values per tab.
  consolidate  consolidation of 100, 1 000 and 5 000 units: time per unit, to show it is linear.
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


def line(label: str, ours: float, obvious: float, unit: str = "s") -> None:
    ratio = obvious / ours if ours else float("inf")
    print(f"  {label:<58} ours {ours * 1000:9.1f} ms   obvious {obvious * 1000:9.1f} ms   {ratio:6.1f}x faster")


def _workbooks(campaign, folder: Path, n: int) -> list[Path]:
    from workbooks.builder import write_unit_workbook
    from workbooks.writer import fill_entries
    from xl_addin.sample_data import clean_entries

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


def _openpyxl_cells(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    n += 1
    return n


def bench_check(campaign, tmp: Path) -> None:
    from workbooks.unit_files import read_report
    from xl_addin.assessment import assess
    from xl_addin.result_cells import result_plan

    print("check: validate + progress (read, parse by keys, every check, every target, result plan)")
    paths = _workbooks(campaign, tmp, 100)
    one = next(p for p in paths if "KT" in p.name)

    def ours(ps):
        for p in ps:
            r = read_report(p)
            result_plan(r, assess(campaign, r), progress=True)

    line("1 workbook (KT)", best(lambda: ours([one])), best(lambda: _openpyxl_cells(one)))
    line("100 workbooks", best(lambda: ours(paths), 1), best(lambda: [_openpyxl_cells(p) for p in paths], 1))


def bench_read(campaign, tmp: Path) -> None:
    from workbooks.grid_reader import read_grids

    print("read: 100 unit workbooks into values")
    paths = _workbooks(campaign, tmp, 100)
    line(
        "python-calamine vs openpyxl load_workbook",
        best(lambda: [read_grids(p) for p in paths], 1),
        best(lambda: [_openpyxl_cells(p) for p in paths], 1),
    )


def bench_buttons(campaign, tmp: Path) -> None:
    print("buttons: handler time on xlwings' remote engine (COM latency is not in it)")
    try:
        from xlwings_payloads import book_payload, run_handler
    except ImportError as exc:
        print(f"  skipped: {exc}")
        return
    from workbooks.builder import write_unit_workbook
    from workbooks.writer import fill_entries
    from xl_addin.sample_data import clean_entries

    path = tmp / "KT.xlsx"
    write_unit_workbook(campaign, campaign.unit("KT"), path)
    fill_entries(path, clean_entries(campaign, campaign.unit("KT")))
    payload = book_payload(path)
    for button in ("kiem_tra", "tinh_tien_do"):
        t = best(lambda b=button: run_handler(b, payload))
        print(f"  {button:<20} {t * 1000:8.1f} ms per click")
    from openpyxl import Workbook

    from sync.folder import FolderBackend
    from sync.unit_sync import push_file

    os.environ["THIDUA_SHARE"] = str(tmp / "share")
    os.environ["THIDUA_OUT"] = str(tmp)
    FolderBackend(tmp / "share", campaign.id).setup([u.code for u in campaign.units])
    t = best(lambda: run_handler("gui_bao_cao", payload), 1)
    print(f"  {'gui_bao_cao':<20} {t * 1000:8.1f} ms per click (shared folder)")
    for unit in campaign.units:
        if unit.code == "KT":
            continue  # pushed by the click above
        p = tmp / f"u-{unit.code}.xlsx"
        write_unit_workbook(campaign, unit, p)
        fill_entries(p, clean_entries(campaign, unit))
        push_file(campaign, p, FolderBackend(tmp / "share", campaign.id, unit.code))
    master = tmp / "tong-hop.xlsx"
    wb = Workbook()
    wb.active.title = "Tổng quan"
    wb.save(master)
    master_payload = book_payload(master, active="Tổng quan")
    for button in ("tong_hop", "xuat_bao_cao"):
        t = best(lambda b=button: run_handler(b, master_payload), 1)
        print(f"  {button:<20} {t * 1000:8.1f} ms per click ({len(campaign.units)} units, shared folder)")
    for module in ("xl_addin.handlers",):
        out = (
            subprocess.run(
                [sys.executable, "-X", "importtime", "-c", f"import {module}"],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=False,
            )
            .stderr.strip()
            .splitlines()
        )
        total = int(out[-1].split("|")[1]) if out else 0
        print(f"  import {module:<30} {total / 1000:8.1f} ms (cumulative, cold)")


def bench_sync(campaign, tmp: Path) -> None:
    from conftest import google_client
    from fake_sheets import FakeSheetsServer

    from sync.gsheets import GoogleBackend
    from sync.tab import Tab
    from xl_addin.campaign import Unit

    print("sync: requests and time against a local fake Sheets server")
    admin = campaign.consolidators[0]
    for n in (10, 100, 500):
        units = tuple(
            Unit(f"U{i:03d}", f"Thôn {i}", "thôn", campaign.units[20].cluster, (f"u{i}@x.vn",)) for i in range(n)
        )
        camp = dataclasses.replace(campaign, units=units)
        with FakeSheetsServer() as server:
            fake = server.fake
            fake.read_quota = fake.write_quota = fake.project_quota = 10**9
            sid = fake.create(admin)
            GoogleBackend(google_client(server, admin), sid, camp, account=admin).setup([u.code for u in units])
            rows = tuple(("report", "CT07", c, v, "") for c, v in (("input_a", 950), ("input_b", 1000)))
            t0, r0 = time.perf_counter(), len(fake.requests)
            for u in units:
                GoogleBackend(
                    google_client(server, u.editors[0]), sid, camp, acting_unit=u.code, account=u.editors[0]
                ).push(Tab(u.code, rows), 0)
            push_t, push_r = (time.perf_counter() - t0) / n, (len(fake.requests) - r0) / n
            consolidator = GoogleBackend(google_client(server, admin), sid, camp, account=admin)
            t0, r0 = time.perf_counter(), len(fake.requests)
            one = consolidator.read_tab(units[0].code)
            pull_t, pull_r = time.perf_counter() - t0, len(fake.requests) - r0
            t0, r0 = time.perf_counter(), len(fake.requests)
            tabs = consolidator.read_all([u.code for u in units])
            all_t, all_r = time.perf_counter() - t0, len(fake.requests) - r0
            assert len(tabs) == n and one is not None
            # the obvious way: open each worksheet by title and get_all_values
            gc = google_client(server, admin)
            sh = gc.open_by_key(sid)
            t0, r0 = time.perf_counter(), len(fake.requests)
            for u in units:
                sh.worksheet(u.code).get_all_values()
            obv_t, obv_r = time.perf_counter() - t0, len(fake.requests) - r0
        print(
            f"  {n:4d} units: push {push_r:.0f} req ({push_t * 1000:.1f} ms) each; pull {pull_r} req ({pull_t * 1000:.1f} ms); "
            f"pull-all {all_r} req ({all_t * 1000:.0f} ms) vs obvious {obv_r} req ({obv_t * 1000:.0f} ms): "
            f"{obv_r / all_r:.0f}x fewer requests, {obv_t / all_t:.1f}x faster"
        )


def bench_consolidate(campaign, tmp: Path) -> None:
    from sync.tab import Tab, entries_to_rows
    from sync.unit_sync import report_from_tab
    from xl_addin.assessment import assess
    from xl_addin.campaign import Unit
    from xl_addin.consolidation import Submission, consolidate
    from xl_addin.sample_data import clean_entries

    print("consolidate: commune figures, completeness, ranking (submissions already checked)")
    per_unit = []
    for n in (100, 1000, 5000):
        clusters = campaign.clusters
        units = tuple(Unit(f"V{i:04d}", f"Thôn {i}", "thôn", clusters[i % len(clusters)].code, ()) for i in range(n))
        camp = dataclasses.replace(campaign, units=units)
        subs = []
        for u in units:
            tab = Tab(u.code, entries_to_rows(clean_entries(camp, u, seed=hash(u.code) % 97)))
            report = report_from_tab(camp, tab)
            subs.append(Submission(u.code, u.code, None, report, assess(camp, report)))
        t = best(lambda camp=camp, subs=subs: consolidate(camp, subs), 1)
        per_unit.append(t / n)
        print(f"  {n:5d} units: {t * 1000:8.1f} ms, {t / n * 1e6:7.1f} µs per unit")
    print(f"  per-unit cost at 5 000 vs 100 units: {per_unit[-1] / per_unit[0]:.2f} (1.0 = linear)")


SECTIONS = {
    "check": bench_check,
    "read": bench_read,
    "buttons": bench_buttons,
    "sync": bench_sync,
    "consolidate": bench_consolidate,
}


def main(argv: list[str]) -> None:
    from workbooks.campaign_workbook import load_default

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    campaign = load_default()
    chosen = argv or list(SECTIONS)
    for name in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            SECTIONS[name](campaign, Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
