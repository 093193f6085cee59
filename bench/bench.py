"""Speed and memory, as ratios against what a competent user would write. Not a test: run it.

    .venv/bin/python bench/bench.py                    # everything
    .venv/bin/python bench/bench.py check click        # some sections
    .venv/bin/python bench/bench.py --help

Sections (baselines are what someone fluent in these libraries would write, never a strawman):
  check        Kiểm tra + Tính tiến độ of 1 and 100 unit workbooks (read, parse by keys, every
               check, every target), against just reading the same files with python-calamine
               alone, pandas.read_excel(engine="calamine") and openpyxl read_only=True.
  read         reading 100 unit workbooks: ours (bounded .xlsx, contract sheets) against the same two.
  click        a button click from process start to the message, as classic RunPython runs it (a new
               Python per click) and as the UDF server runs it (a warm Python), against an empty Python.
  sync         requests and time for push, pull-all of 10, 100 and 500 units, and setup, against
               gspread's own batch calls (open_by_key once, values_batch_get per 100 tabs); then
               the client's CPU for a pull-all of 200 filled reports, against values_batch_get
               parsed into the same rows.
  folder       file writes and time of a signed push and of Tổng hợp on the shared folder (the
               40 units of the shipped campaign), counted by Python's audit events.
  consolidate  `thidua consolidate --share DIR --out tong-hop.xlsx` of 100, 1 000 and 5 000 units
               end to end (share read, assess, consolidate, master written), a child process
               each: wall, CPU per unit and peak RSS (5 000 units is Hải Phòng's 114 communes);
               --json prints [{"units", "wall_s", "cpu_s", "peak_mb"}].
  recalc       LibreOffice opening, recalculating and saving 10 filled unit workbooks with the
               template's own formulas, against the same workbooks without formulas (template
               2026.1); the issue's bound is 2x. LibreOffice's start is measured apart.
"""

from __future__ import annotations

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
sys.path.insert(0, str(ROOT / "bench"))

from sync_bench import bench_sync  # the section's own module, found through the path above


def best(fn, repeat: int = 3) -> float:
    """The fastest of `repeat` wall-clock runs, ours and every baseline alike: the least
    disturbed by whatever else the machine does."""
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


def _calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


BASELINES = {
    "calamine alone": _calamine,
    "pandas+calamine": _pandas_calamine,
    "openpyxl read_only": _openpyxl_read_only,
}


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
        best(lambda: ours(paths)),
        {k: best(lambda f=f: [f(p) for p in paths]) for k, f in BASELINES.items()},
    )


def bench_read(campaign, tmp: Path) -> None:
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    print("read: 100 unit workbooks into values")
    paths = _workbooks(campaign, tmp, 100)
    line(
        "ours (bounded, contract sheets)",
        best(lambda: [read_grids(p, set(CONTRACT_SHEETS)) for p in paths]),
        {k: best(lambda f=f: [f(p) for p in paths]) for k, f in BASELINES.items()},
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


def run_measured(argv: list[str], cwd: Path) -> dict:
    """Wall, CPU (user + system) and peak RSS of one child process, from the kernel's own
    accounting of that child (wait4), not of this process."""
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # reaps it: Popen never sees the exit
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed: {err.read().decode('utf-8', 'replace')[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


CONSOLIDATE_SIZES = (100, 1000, 5000)


def consolidate_figures(sizes=CONSOLIDATE_SIZES, keep: Path | None = None) -> list[dict]:
    """`thidua consolidate --share DIR --out tong-hop.xlsx` per size, each in a fresh process:
    the share read, every report assessed, the consolidation, the master written."""
    from scale_share import make_share

    thidua = Path(sys.executable).with_name("thidua")
    figures = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            toml, share = make_share(n, folder)  # tests/scale_share.py
            argv = [str(thidua), "--campaign", str(toml), "consolidate", "--share", str(share)]
            argv += ["--out", str(folder / "tong-hop.xlsx"), "--as-of", "2026-12-10"]
            r = run_measured(argv, folder)
            figures.append({"units": n, **{k: round(v, 3) for k, v in r.items()}})
    return figures


def machine() -> str:
    """What the figures were measured on, for the README beside them."""
    import platform

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{model or platform.processor()} ({os.cpu_count()} cores), Python {platform.python_version()}, {platform.system()}"


def markdown_table(figures: list[dict], where: str) -> str:
    """The README's table of `thidua consolidate --share`, from the benchmark's JSON."""
    lines = [
        f"`thidua consolidate --share DIR --out tong-hop.xlsx`, a fresh process per size, on {where}:",
        "",
        "| units | wall | CPU | CPU per unit | peak RSS |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in figures:
        per_unit = f["cpu_s"] / f["units"] * 1000
        lines.append(
            f"| {f['units']:,} | {f['wall_s']:.1f} s | {f['cpu_s']:.1f} s | {per_unit:.1f} ms | {f['peak_mb']:.0f} MB |".replace(
                ",", " "
            ).replace(".", ",")
        )
    return "\n".join(lines)


def bench_consolidate(
    campaign, tmp: Path, as_json: bool = False, sizes=CONSOLIDATE_SIZES, markdown: str | None = None
) -> None:
    import json

    figures = json.loads(Path(markdown).read_text("utf-8")) if markdown else consolidate_figures(sizes)
    if markdown:
        print(markdown_table(figures, machine()))
        return
    if as_json:
        print(json.dumps(figures))
        return
    print("consolidate: `thidua consolidate --share DIR --out tong-hop.xlsx`, one process per size")
    for f in figures:
        n = f["units"]
        print(
            f"  {n:5d} units: wall {f['wall_s']:7.2f} s, CPU {f['cpu_s']:7.2f} s = {f['cpu_s'] / n * 1000:5.2f} ms "
            f"per unit, peak RSS {f['peak_mb']:5.0f} MB"
        )
    if len(figures) > 1:
        ratio = (figures[-1]["cpu_s"] / figures[-1]["units"]) / (figures[0]["cpu_s"] / figures[0]["units"])
        print(f"  CPU per unit at {figures[-1]['units']} vs {figures[0]['units']} units: {ratio:.2f}")


FOLDER = """
import json, os, sys, tempfile, time
from pathlib import Path
from workbooks.campaign_workbook import load_default
from campaign.sample_data import clean_entries
from xl_addin.consolidate import from_backend
from sync.folder import FolderBackend
from sync.tab import Tab, entries_to_rows

tmp = Path(tempfile.mkdtemp())
os.environ["THIDUA_HOME"] = str(tmp / "home")  # the office's settings: the secret and receipts
campaign = load_default()
root = tmp / "share"
writes = {"share": 0, "office": 0}
counting = [False]

def hook(event, args):
    # every file opened for writing, made, renamed or linked: Python's own audit events
    if not counting[0]:
        return
    path = None
    if event == "open" and ((isinstance(args[1], str) and set(args[1]) & set("wax+"))
                            or (isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))):
        path = str(args[0])
    elif event in ("os.rename", "os.replace", "os.link"):
        path = str(args[1])
    if path is not None:
        writes["share" if path.startswith(str(root)) else "office"] += 1

sys.addaudithook(hook)
admin = FolderBackend(root, campaign.id, account=campaign.consolidators[0])
admin.setup([u.code for u in campaign.units])
secret = getattr(getattr(admin, "keyring", None), "secret", None)
tabs = [Tab(u.code, entries_to_rows(clean_entries(campaign, u))) for u in campaign.units]
counting[0] = True
t = time.perf_counter()
for tab in tabs:
    b = FolderBackend(root, campaign.id, tab.unit_code, account="x@vinhbao.vn")
    if secret is not None:  # what push_file does with the key in the workbook
        from campaign.signing import key_text, unit_key
        b.hold_unit_key(tab.unit_code, key_text(unit_key(secret, campaign.id, tab.unit_code)))
    b.push(tab, 0)
push_s = (time.perf_counter() - t) / len(tabs)
push_writes = dict(writes)
writes.update(share=0, office=0)
t = time.perf_counter()
subs = from_backend(campaign, FolderBackend(root, campaign.id))
all_s = time.perf_counter() - t
print(json.dumps({"units": len(tabs), "push_ms": push_s * 1000, "push_share": push_writes["share"] / len(tabs),
                  "push_other": push_writes["office"] / len(tabs), "tong_hop_ms": all_s * 1000,
                  "tong_hop_share": writes["share"], "tong_hop_office": writes["office"], "counted": len(subs)}))
"""


def bench_folder(campaign, tmp: Path, root: Path = ROOT) -> dict:
    """File writes and time on the shared folder; `root`: the checkout whose code runs."""
    import json

    out = subprocess.run([sys.executable, "-c", FOLDER], check=True, capture_output=True, text=True, cwd=root)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"folder: {r['units']} units; a push makes {r['push_share']:.0f} write events on the share (the lock; "
        f"the tab: a temporary file opened 3 times, then renamed; the log row), {r['push_other']:.0f} elsewhere, "
        f"{r['push_ms']:.1f} ms; Tổng hợp (every signature checked) {r['tong_hop_ms']:.0f} ms, "
        f"{r['tong_hop_share']} write events on the share, {r['tong_hop_office']} on the office's PC (its receipts)"
    )
    return r


def _formula_free(path: Path, dest: Path) -> Path:
    """The same filled workbook as template 2026.1 had it: computed cells empty, no helper rows."""
    from openpyxl import load_workbook

    from campaign import layout as L
    from campaign.formulas import FORMULA_COLS
    from workbooks.unit_files import read_report

    rep = read_report(path).sheets["report"]
    wb = load_workbook(path)
    ws = wb[rep.name]
    for row in rep.rows:
        for key in FORMULA_COLS:
            ws.cell(row.number, rep.columns[key]).value = None
    for row in sorted(rep.rows, key=lambda r: -r.number):
        if row.key.startswith(L.OWN_HELPER_PREFIX):
            ws.delete_rows(row.number)
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
    "folder": bench_folder,
    "consolidate": bench_consolidate,
    "recalc": bench_recalc,
}


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        prog="bench/bench.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help=f"any of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--json", action="store_true", help="consolidate alone: its figures as JSON")
    parser.add_argument("--sizes", type=int, nargs="+", default=CONSOLIDATE_SIZES, help="consolidate: unit counts")
    parser.add_argument("--markdown", metavar="JSON", help="consolidate: the README table from a --json output file")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:  # argparse's own `choices` rejects an empty list with nargs="*" (Python 3.11)
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.json and args.sections != ["consolidate"]:
        parser.error("--json is for the consolidate section alone: bench/bench.py consolidate --json")
    from workbooks.campaign_workbook import load_default

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    campaign = load_default()
    for name in args.sections or list(SECTIONS):
        with tempfile.TemporaryDirectory() as tmp:
            if name == "consolidate":
                bench_consolidate(campaign, Path(tmp), args.json, tuple(args.sizes), args.markdown)
            else:
                SECTIONS[name](campaign, Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
