"""Reading workbooks in a child process, so that no file can take the caller down.

calamine is native code: a file it cannot cope with can abort the whole process (a Rust panic,
an allocation of hundreds of gigabytes) rather than raise. Tổng hợp reads sixty files from sixty
units; one of them must not cost the other fifty-nine. Each file is read by one long-lived
worker process with an address-space cap (POSIX; on Windows the pre-checks of `xlsx_bounds`
are the bound) and a time limit; if the worker dies or overruns, that file is refused with a
Vietnamese message, the worker is replaced, and the run goes on.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any, Self

from workbooks.grid_reader import XLSX_SUFFIXES, Grids, checked, read_grids
from xl_addin.refusals import WorkbookRefused

MEMORY_LIMIT = 512 * 1024 * 1024  # bytes of address space for the worker
TIME_LIMIT = 10.0  # seconds for one file
START_LIMIT = 60.0  # seconds for a new worker to import its libraries


def _worker(conn: Any) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # Windows has no rlimit
    _stderr_to_log()

    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        path, sheets = job
        try:
            conn.send(("ok", read_grids(path, sheets)))
        except WorkbookRefused as exc:
            conn.send(("refused", exc.code, exc.context))
        except MemoryError:
            conn.send(("memory",))


def read_safely(path: str | Path, sheets: set[str] | None = None) -> Grids:
    """Any workbook file's grids: an .xlsx in this process once bounded, other formats behind
    the guard."""
    if checked(Path(path)).suffix.lower() in XLSX_SUFFIXES:
        return read_grids(path, sheets)
    with GuardedReader() as reader:
        return reader.read(path, sheets)


def _stderr_to_log() -> None:
    """A dying reader's last words (a Rust panic, an allocation failure) go to the log file,
    not over the user's screen."""
    import os

    from xl_addin.refusals import log_path

    try:
        log = log_path()
        log.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        pass


class GuardedReader:
    """`with GuardedReader() as reader: reader.read(path)` -> Grids, or WorkbookRefused."""

    def __init__(self) -> None:
        self.proc: Any = None
        self.conn: Any = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        ctx = mp.get_context("spawn")  # a fresh interpreter: the cap applies to the reader alone
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        try:
            if not self.conn.poll(START_LIMIT):
                raise EOFError
            self.conn.recv()
        except (EOFError, OSError):
            self._kill()
            raise WorkbookRefused("tep.bo_doc_hong") from None

    def read(self, path: str | Path, sheets: set[str] | None = None) -> Any:
        name = Path(path).name
        if self.proc is None or not self.proc.is_alive():
            self._start()
        self.conn.send((str(path), sheets))
        if not self.conn.poll(TIME_LIMIT):
            self._kill()
            raise WorkbookRefused("tep.vuot_gioi_han", name=name, why=f"đọc tệp quá {TIME_LIMIT:.0f} giây")
        try:
            answer = self.conn.recv()
        except (EOFError, OSError):
            self._kill()
            raise WorkbookRefused(
                "tep.vuot_gioi_han", name=name, why="bộ đọc tệp dừng đột ngột (tệp quá lớn hoặc hỏng)"
            ) from None
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "refused":
            raise WorkbookRefused(answer[1], **answer[2])
        self._kill()
        raise WorkbookRefused("tep.vuot_gioi_han", name=name, why=f"đọc tệp cần quá {MEMORY_LIMIT >> 20} MB bộ nhớ")

    def _kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(5)
        self.proc = self.conn = None

    def close(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(2)
        self._kill()
