"""Crash consistency: kill -9 at random points of `thidua push` and `thidua validate`.

Afterwards the workbook and the share are each either as they were or fully new, never a mix
or a half-written file; the one combination a kill may leave, the share new and the workbook
not yet told, is recognised by the next push as already sent. A rerun clears the temp files.
A push's kill points are drawn from a fixed seed, spread over the whole life of the process; a
validate's are aimed at the stages of its write, seen in the folder, so they do not depend on
how busy the machine is.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaign.unit_report import entries_of
from sync.folder import FolderBackend
from sync.tab import entries_to_rows
from workbooks.atomic import TMP_MARK
from workbooks.grid_reader import read_grids
from workbooks.unit_files import read_report
from workbooks.writer import BACKUP_DIR, fill_entries
from xl_addin.check import check_file
from xl_addin.push import push_file

RUNS = 30


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xl_addin.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _duration(*args: str) -> float:
    start = time.monotonic()
    assert _cli(*args).wait(120) in (0, 1)
    return time.monotonic() - start


def _temp_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if TMP_MARK in p.name or p.name.endswith(".lock")]


def _grids(path: Path) -> dict:
    """The workbook's values, with the check summary's clock time masked (a run in another
    minute writes another "Kiểm tra lúc HH:MM")."""
    return {
        name: [["<lúc>" if isinstance(v, str) and v.startswith("Kiểm tra lúc") else v for v in row] for row in grid]
        for name, grid in read_grids(path).items()
    }


def _kill_at(delay: float | None, *args: str) -> None:
    """Kill the command `delay` seconds after its start; None: let it finish."""
    proc = _cli(*args)
    if delay is None:
        assert proc.wait(120) == 0
        return
    time.sleep(delay)
    proc.kill()
    proc.wait(60)


@pytest.fixture
def pushed_once(campaign, workbook, tmp_path):
    """T01 pushed as revision 1, then edited: the state every killed push starts from."""
    share = tmp_path / "share"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    path = workbook("T01", filled=True, seed=1)
    push_file(campaign, path, FolderBackend(share, campaign.id, "T01"))
    fill_entries(path, {"report": {"CT07": {"input_a": 123}}})
    return path, share


def test_push_killed_anywhere_leaves_old_or_new_and_the_next_push_completes(campaign, pushed_once, tmp_path):
    source, share0 = pushed_once
    edited = entries_to_rows(entries_of(read_report(source)))
    rng = random.Random(2026)
    work = tmp_path / "run"
    shutil.copytree(share0, work / "share")
    shutil.copy(source, work / "T01.xlsx")
    full = _duration("push", str(work / "T01.xlsx"), "--share", str(work / "share"))
    seen = set()
    for i in range(RUNS):
        run = tmp_path / f"k{i:02d}"
        shutil.copytree(share0, run / "share")
        book = run / "unit" / "T01.xlsx"
        book.parent.mkdir()
        shutil.copy(source, book)
        # the first run is killed at once and the last one finishes, so both ends are always
        # covered; the rest fall at times drawn from one measured run (on a busy machine such
        # times can all fall before the work, or all after it)
        delay = 0.0 if i == 0 else None if i == RUNS - 1 else rng.uniform(0.0, full * 1.1)
        _kill_at(delay, "push", str(book), "--share", str(run / "share"))

        report = read_report(book)  # whole: readable, never half a file
        assert sorted(map(repr, entries_to_rows(entries_of(report)))) == sorted(map(repr, edited))
        local = int(report.meta.get("sync_revision") or 0)
        tab_file = FolderBackend(run / "share", campaign.id).tab_path("T01")
        tab = FolderBackend(run / "share", campaign.id).read_tab("T01")  # whole JSON
        assert tab is not None and not tab.edited_since_push
        assert (tab.revision, local) in {(1, 1), (2, 1), (2, 2)}, (i, tab.revision, local)
        if tab.revision == 2:
            assert sorted(map(repr, tab.rows)) == sorted(map(repr, edited))
        seen.add((tab.revision, local))
        json.loads(tab_file.read_text("utf-8"))

        rerun = _cli("push", str(book), "--share", str(run / "share"))
        assert rerun.wait(120) == 0, i  # never refused as a conflict with its own content
        assert FolderBackend(run / "share", campaign.id).read_tab("T01").revision == 2
        assert int(read_report(book).meta["sync_revision"]) == 2
        assert _temp_files(book.parent, run / "share") == []
    assert {(1, 1), (2, 2)} <= seen  # the two ends, as above


# The stages of a validate that can be seen from outside, in order: nothing written yet, a
# backup made, the temporary file created, the temporary file being written, the workbook
# replaced. A kill is aimed at a stage, not at a time: on a busy machine a time drawn from one
# measured run can fall before the work every time (it did once, in CI).
STAGES = ("start", "backup", "temp", "temp_written", "replaced")


def _stage(book: Path, inode: int) -> str:
    """How far a run writing `book` has got, from what it has left in the folder."""
    if book.stat().st_ino != inode:
        return "replaced"
    temps = [p for p in book.parent.iterdir() if TMP_MARK in p.name]
    try:
        if any(p.stat().st_size > 0 for p in temps):
            return "temp_written"
    except FileNotFoundError:  # renamed while we looked: the next look says "replaced"
        return "temp"
    if temps:
        return "temp"
    backups = book.parent / BACKUP_DIR
    return "backup" if backups.is_dir() and any(backups.iterdir()) else "start"


def _kill_at_stage(stage: str, book: Path, *args: str) -> str:
    """Run `thidua args` and kill it (SIGKILL) as soon as it reaches `stage` or a later one;
    the stage it was killed at, or "exited" when it finished between two looks."""
    inode = book.stat().st_ino
    proc = _cli(*args)
    while proc.poll() is None:
        seen = _stage(book, inode)
        if STAGES.index(seen) >= STAGES.index(stage):
            proc.kill()
            proc.wait(60)
            return seen
        time.sleep(0.001)
    return "exited"


def test_validate_killed_anywhere_leaves_old_or_new_and_a_rerun_cleans_up(campaign, workbook, tmp_path):
    source = workbook("T01", filled=True, seed=2)
    old = _grids(source)
    done = tmp_path / "done.xlsx"
    shutil.copy(source, done)
    check_file(campaign, done, write="check")
    new = _grids(done)
    assert new != old
    outcomes = set()
    for i, stage in enumerate(STAGES * 3):
        folder = tmp_path / f"v{i:02d}"
        folder.mkdir()
        book = folder / "T01.xlsx"
        shutil.copy(source, book)
        killed_at = _kill_at_stage(stage, book, "validate", str(book))
        grids = _grids(book)
        assert grids in (old, new), (i, killed_at)
        if killed_at == "start":
            assert grids == old, i  # killed before it wrote anything
        if killed_at in ("replaced", "exited"):
            assert grids == new, i  # the rename is the moment the new workbook exists
        outcomes.add("new" if grids == new else "old")
        assert _cli("validate", str(book)).wait(120) in (0, 1)
        assert _grids(book) == new
        assert _temp_files(folder) == []
    assert outcomes == {"old", "new"}
