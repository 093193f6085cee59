"""Writing files so that a crash or a full disk never leaves half a workbook behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_atomic(dest: Path, write: Callable[[Path], Any]) -> None:
    """Call `write(tmp)` on a temporary file beside `dest`, then swap it in with one rename."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_atomic(workbook: Any, dest: Path) -> None:
    """Save an openpyxl workbook atomically."""
    write_atomic(dest, lambda tmp: workbook.save(tmp))


def write_bytes_atomic(dest: Path, data: bytes) -> None:
    write_atomic(dest, lambda tmp: tmp.write_bytes(data))
