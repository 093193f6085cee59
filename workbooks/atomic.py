"""Writing files so that a crash or a full disk never leaves half a file behind.

The new content goes to a temporary file beside the destination, is flushed to disk, takes the
destination's permissions (a new file those the umask gives), and replaces the destination in
one rename; the folder is flushed too, so the rename itself survives a power cut. A shared
office folder stays readable by colleagues: `mkstemp` alone would leave every rewritten file
readable by its writer only (0600).

Temporary files carry the machine and process that made them. One left by a killed run is
removed the next time anything writes into that folder; one of a run still going on (here, or
on another PC writing to the same network folder) is left alone until it is an hour old.
"""

from __future__ import annotations

import os
import socket
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TMP_MARK = ".thidua-tmp"  # followed by the destination's own suffix: openpyxl reads by extension
STALE_SECONDS = 3600


def this_host() -> str:
    return "".join(ch for ch in socket.gethostname() if ch.isalnum())[:20] or "may"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(dest: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(dest).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def process_alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap, safe check on Windows: wait for the age limit
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Temporary files of killed runs in `folder`; returns what was removed."""
    removed = []
    host = this_host()
    try:
        candidates = [p for p in Path(folder).iterdir() if TMP_MARK in p.name]
    except OSError:
        return removed
    for p in candidates:
        parts = p.name[: p.name.rindex(TMP_MARK)].split(".")
        try:
            old = time.time() - p.stat().st_mtime > STALE_SECONDS
            mine_and_dead = (
                len(parts) >= 4 and parts[-3] == host and parts[-2].isdigit() and not process_alive(int(parts[-2]))
            )
            if old or mine_and_dead:
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory to flush it; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(dest: Path, write: Callable[[Path], Any]) -> None:
    """Call `write(tmp)` on a temporary file beside `dest`, then swap it in with one rename."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(dest.parent)
    mode = _mode_for(dest)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{dest.name}.{this_host()}.{os.getpid()}.", suffix=TMP_MARK + dest.suffix, dir=dest.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_atomic(workbook: Any, dest: Path) -> None:
    """Save an openpyxl workbook atomically."""
    write_atomic(dest, lambda tmp: workbook.save(tmp))


def write_bytes_atomic(dest: Path, data: bytes) -> None:
    write_atomic(dest, lambda tmp: tmp.write_bytes(data))
