"""The benchmark's sync section (bench/bench.py sync): requests and time against the local Sheets
emulator, against competent gspread use; then the client's CPU for a pull-all."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path


def bench_sync(campaign, tmp: Path) -> None:
    print("sync: requests and time against the local Sheets emulator, against competent gspread use")
    print("  (gspread: the spreadsheet opened once; values_batch_get per 100 tabs; a push as open +")
    print(
        "  values_get + values_batch_update + values_append; setup as one batch of addSheet, one of protections, the registry,"
    )
    print("  the permissions listed once and one share per address; pushes signed with each unit's key)")
    admin = campaign.consolidators[0]
    # setup makes the campaign secret in the consolidator's settings: this bench's own, not ~/.thidua
    os.environ["THIDUA_HOME"] = str(tmp / "home")
    for n in (10, 100, 500):
        f = _sync_figures(campaign, admin, n)
        print(
            f"  {n:4d} units: pull-all {f['all_r']} req ({f['all_t'] * 1000:.0f} ms) vs gspread {f['base_r']} req "
            f"({f['base_t'] * 1000:.0f} ms), {f['base_t'] / f['all_t']:.2f}x; push {f['push_r']:.0f} req ({f['push_t'] * 1000:.1f} ms, "
            f"conditional, log included) vs gspread {f['gpush_r']:.0f} req ({f['gpush_t'] * 1000:.1f} ms, unconditional); "
            f"setup {f['setup_r']} req ({f['setup_t']:.2f} s) vs gspread {f['gsetup_r']} req ({f['gsetup_t']:.2f} s)"
        )
    bench_pull_cpu(campaign)


def _gspread_pushes(server, sid: str, units, rows) -> tuple[float, float]:
    """Seconds and requests of a competent gspread push of one unit (read the tab, write it
    whole, append the log row), on average over `units`."""
    from conftest import google_client

    from sync.google.names import TAB_ROWS
    from sync.tab import Tab, to_grid

    fake = server.fake
    t0, r0 = time.perf_counter(), len(fake.requests)
    for u in units:
        sh = google_client(server, u.editors[0]).open_by_key(sid)  # each push is a fresh process
        sh.values_get(f"'{u.code}'!A1:E{TAB_ROWS}")
        grid = [list(r) + [""] * (5 - len(r)) for r in to_grid(Tab(u.code, rows))]
        body = {"valueInputOption": "RAW", "data": [{"range": f"'{u.code}'!A1:E{len(grid)}", "values": grid}]}
        sh.values_batch_update(body)
        sh.values_append("'Nhật ký'!A1", {"valueInputOption": "RAW"}, {"values": [["x", "gửi", u.code]]})
    return (time.perf_counter() - t0) / len(units), (len(fake.requests) - r0) / len(units)


def _sync_figures(campaign, admin: str, n: int) -> dict:
    """Requests and seconds of setup, a push, a pull-all, and gspread's own calls, at `n` units."""
    from conftest import google_client

    from campaign.definition import Unit
    from campaign.signing import key_text
    from sync.emulator import FakeSheetsServer
    from sync.google.backend import GoogleBackend
    from sync.google.names import TAB_ROWS
    from sync.tab import Tab

    units = tuple(Unit(f"U{i:03d}", f"Thôn {i}", "thôn", campaign.units[20].cluster, (f"u{i}@x.vn",)) for i in range(n))
    camp = dataclasses.replace(campaign, units=units)
    codes = [u.code for u in units]
    rows = tuple(("report", "CT07", c, v, "") for c, v in (("input_a", 950), ("input_b", 1000)))
    with FakeSheetsServer() as server:
        fake, sid = roomy(server, admin, units)
        t0, r0 = time.perf_counter(), len(fake.requests)
        office = GoogleBackend(google_client(server, admin), sid, camp, account=admin)
        office.setup(codes)
        setup_t, setup_r = time.perf_counter() - t0, len(fake.requests) - r0
        t0, r0 = time.perf_counter(), len(fake.requests)
        for u in units:
            b = GoogleBackend(google_client(server, u.editors[0]), sid, camp, acting_unit=u.code, account=u.editors[0])
            b.hold_unit_key(u.code, key_text(office.keyring.key_for(u.code)))  # as push_file does
            b.push(Tab(u.code, rows), 0)
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
            sh.values_batch_get([f"'{c}'!A1:E{TAB_ROWS}" for c in codes[i : i + 100]])
        base_t, base_r = time.perf_counter() - t0, len(fake.requests) - r0
        gpush_t, gpush_r = _gspread_pushes(server, sid, units[:10], rows)
    with FakeSheetsServer() as server:
        fake, sid = roomy(server, admin, units)
        t0, r0 = time.perf_counter(), len(fake.requests)
        gspread_setup(google_client(server, admin), sid, camp)
        gsetup_t, gsetup_r = time.perf_counter() - t0, len(fake.requests) - r0
    return {
        "all_t": all_t,
        "all_r": all_r,
        "base_t": base_t,
        "base_r": base_r,
        "push_t": push_t,
        "push_r": push_r,
        "gpush_t": gpush_t,
        "gpush_r": gpush_r,
        "setup_t": setup_t,
        "setup_r": setup_r,
        "gsetup_t": gsetup_t,
        "gsetup_r": gsetup_r,
    }


def bench_pull_cpu(campaign, n: int = 200) -> None:
    """Pull-all of `n` units' filled reports from the emulator: the client's CPU, measured as
    this thread's (the emulator serves from threads of its own), best of 5. Ours: read_all (one
    values:batchGetByDataFilter per 100 tabs, each tab parsed into its rows). gspread: the
    spreadsheet opened once beforehand, values_batch_get per 100 tabs with the same render
    options, each tab parsed into the same rows by the same from_grid."""
    from conftest import google_client

    from campaign.sample_data import clean_entries
    from campaign.signing import key_text
    from sync.emulator import FakeSheetsServer
    from sync.google.backend import GoogleBackend
    from sync.google.names import RENDER, TAB_ROWS
    from sync.seals import Keyring
    from sync.tab import Tab, entries_to_rows, from_grid

    admin, base = campaign.consolidators[0], campaign.units
    units = tuple(
        dataclasses.replace(base[i % len(base)], code=f"U{i:03d}", editors=(f"u{i}@gmail.com",)) for i in range(n)
    )
    camp, codes = dataclasses.replace(campaign, units=units), [u.code for u in units]
    with FakeSheetsServer() as server:
        _, sid = roomy(server, admin, units)
        office = GoogleBackend(google_client(server, admin), sid, camp, account=admin)
        office.setup(codes)
        for i, u in enumerate(units):
            rows = entries_to_rows(clean_entries(campaign, base[i % len(base)]))
            b = GoogleBackend(google_client(server, u.editors[0]), sid, camp, u.code, u.editors[0])
            b.hold_unit_key(u.code, key_text(office.keyring.key_for(u.code)))  # signed, as push_file does
            b.push(Tab(u.code, rows), 0)
        ours = GoogleBackend(google_client(server, admin), sid, camp, account=admin)
        sh = google_client(server, admin).open_by_key(sid)

        def gspread_pull() -> dict:
            out = {}
            for i in range(0, n, 100):
                chunk = codes[i : i + 100]
                answer = sh.values_batch_get([f"'{c}'!A1:E{TAB_ROWS}" for c in chunk], params=dict(RENDER))
                for code, vr in zip(chunk, answer.get("valueRanges", [])):
                    tab = from_grid(code, vr.get("values", []))
                    if tab is not None:
                        out[code] = tab
            return out

        mine, theirs = ours.read_all(codes), gspread_pull()
        assert len(mine) == n and all(mine[c].rows == theirs[c].rows for c in codes)
        assert {t.extra["seal"] for t in mine.values()} == {"đúng chữ ký"}  # each signature checked
        # the same read on a PC holding no key: every signature left unchecked, the rest the same
        keyless = GoogleBackend(google_client(server, admin), sid, camp, account=admin, keyring=Keyring(camp.id))
        assert {t.extra["seal"] for t in keyless.read_all(codes).values()} == {"chưa kiểm tra"}
        rows = sum(len(t.rows) for t in mine.values())
        ours_cpu = cpu_best(lambda: ours.read_all(codes))
        unchecked_cpu = cpu_best(lambda: keyless.read_all(codes))
        theirs_cpu = cpu_best(gspread_pull)
    print(
        f"  pull-all of {n} filled reports ({rows} rows): client CPU {ours_cpu * 1000:.0f} ms, "
        f"gspread values_batch_get + parsing {theirs_cpu * 1000:.0f} ms: {ours_cpu / theirs_cpu:.2f}x of it; "
        f"ours with the signatures left unchecked {unchecked_cpu * 1000:.0f} ms ({unchecked_cpu / theirs_cpu:.2f}x)"
    )


def cpu_best(fn, repeat: int = 5) -> float:
    """The least CPU time this thread spent in `fn` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.thread_time()
        fn()
        times.append(time.thread_time() - t0)
    return min(times)


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
