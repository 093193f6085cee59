"""Reading workbooks in a child process, so that no file can take the caller down.

calamine is native code: a file it cannot cope with can abort the whole process (a Rust panic,
an allocation of hundreds of gigabytes) rather than raise. Tổng hợp reads sixty files from sixty
units; one of them must not cost the other fifty-nine. Each file is read by one long-lived
worker process with an address-space cap (POSIX; on Windows the pre-checks of `xlsx_bounds`
are the bound) and a time limit; if the worker dies or overruns, that file is refused with a
Vietnamese message, the worker is replaced, and the run goes on.

The worker is `python -m workbooks.read_guard`, talking over its stdin and stdout in
length-prefixed pickles. Not multiprocessing: its "spawn" re-imports the parent's main module,
which breaks under hosts that are not plain scripts (test runners, mutation tools, embedded
Python). The worker's stderr (a panic's last words) goes to the log file, not the user's screen.
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO, Self

from campaign.refusals import RC, WorkbookRefused, bounded_log
from workbooks.grid_reader import XLSX_SUFFIXES, Grids, checked, read_grids
from workbooks.xlsx_limits import TooBig

MEMORY_LIMIT = 512 * 1024 * 1024  # bytes of address space for the worker
TIME_LIMIT = 10.0  # seconds for one file
START_LIMIT = 60.0  # seconds for a new worker to import its libraries


def read_safely(path: str | Path, sheets: set[str] | None = None) -> Grids:
    """Any workbook file's grids: an .xlsx in this process once bounded, other formats behind
    the guard."""
    if checked(Path(path)).suffix.lower() in XLSX_SUFFIXES:
        return read_grids(path, sheets)
    with GuardedReader() as reader:
        return reader.read(path, sheets)


def _send(out: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack("<Q", len(data)) + data)
    out.flush()


def _receive(inp: BinaryIO) -> Any:
    head = inp.read(8)
    if len(head) < 8:
        raise EOFError
    (n,) = struct.unpack("<Q", head)
    data = inp.read(n)
    if len(data) < n:
        raise EOFError
    return pickle.loads(data)


def _worker() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # Windows has no rlimit
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the answer channel
    _send(out, ("ready",))
    while True:
        try:
            job = _receive(inp)
        except EOFError:
            return
        path, sheets = job
        try:
            _send(out, ("ok", read_grids(path, sheets)))
        except WorkbookRefused as exc:
            _send(out, ("refused", exc.code, exc.context))
        except MemoryError:
            _send(out, ("memory",))


class GuardedReader:
    """`with GuardedReader() as reader: reader.read(path)` -> Grids, or WorkbookRefused."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.answers: queue.Queue = queue.Queue()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        try:
            err: Any = open(bounded_log(), "ab")  # noqa: SIM115 - handed to the child, closed below
        except OSError:
            err = subprocess.DEVNULL
        root = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "workbooks.read_guard"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=env,
                # under Excel the add-in may run python.exe: no console window for the reader
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError:
            raise WorkbookRefused(RC.TEP_BO_DOC_HONG) from None
        finally:
            if err is not subprocess.DEVNULL:
                err.close()
        self.answers = queue.Queue()
        threading.Thread(target=self._listen, args=(self.proc, self.answers), daemon=True).start()
        if self._answer(START_LIMIT) != ("ready",):
            self._kill()
            raise WorkbookRefused(RC.TEP_BO_DOC_HONG)

    @staticmethod
    def _listen(proc: subprocess.Popen, answers: queue.Queue) -> None:
        while True:
            try:
                answers.put(_receive(proc.stdout))
            except (EOFError, OSError, pickle.UnpicklingError):
                answers.put(None)  # the worker is gone
                return

    def _answer(self, timeout: float) -> Any:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            return "timeout"

    def read(self, path: str | Path, sheets: set[str] | None = None) -> Any:
        name = Path(path).name
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            _send(self.proc.stdin, (str(path), sheets))
        except OSError:
            self._kill()
            raise WorkbookRefused(RC.TEP_VUOT_GIOI_HAN, name=name, why=TooBig(RC.GIOI_HAN_BO_DOC_DUNG)) from None
        answer = self._answer(TIME_LIMIT)
        if answer == "timeout":
            self._kill()
            raise WorkbookRefused(
                RC.TEP_VUOT_GIOI_HAN, name=name, why=TooBig(RC.GIOI_HAN_THOI_GIAN, seconds=f"{TIME_LIMIT:.0f}")
            )
        if answer is None:
            self._kill()
            raise WorkbookRefused(RC.TEP_VUOT_GIOI_HAN, name=name, why=TooBig(RC.GIOI_HAN_BO_DOC_DUNG_LON))
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "refused":
            raise WorkbookRefused(answer[1], **answer[2])
        self._kill()
        raise WorkbookRefused(RC.TEP_VUOT_GIOI_HAN, name=name, why=TooBig(RC.GIOI_HAN_BO_NHO, mb=MEMORY_LIMIT >> 20))

    def _kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
        self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # the worker reads EOF and ends
                self.proc.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()


if __name__ == "__main__":
    _worker()
