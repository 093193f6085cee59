"""Reading any workbook file into grids of values, safely, in bounded time and memory.

python-calamine (Rust) reads the cached values of .xlsx/.xlsm/.xlsb/.xls/.ods without evaluating
anything and without an XML parser that expands entities, so an untrusted e-mailed file cannot
run code through XML; it is also several times faster than openpyxl (see bench/). It does trust
a sheet's extent, though: a dense rectangle up to the farthest value. So an .xlsx is first cut to
what a unit workbook can use (`xlsx_bounds`), and the formats we cannot cut (.xls, .xlsb, .ods)
are read in a child process with a memory cap and a time limit (`read_guard.read_safely`). Anything that
cannot be read becomes a Vietnamese refusal, never a traceback.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from campaign.refusals import RC, WorkbookRefused
from campaign.unit_report import cell_ref
from workbooks import xlsx_bounds
from workbooks.xlsx_limits import UNIT_WORKBOOK, Limits, NotXlsx, TooBig

MAX_FILE_BYTES = 50 * 1024 * 1024  # a unit report is ~50 KB; anything this big is not one
MAX_SHEETS = 64  # read from one file; a unit workbook has nine
MAX_CELL_TEXT = 32767  # Excel's own limit: longer text was not made by Excel
XLSX_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SUFFIXES = (".xls", ".xlsb", ".ods")
READABLE_SUFFIXES = XLSX_SUFFIXES + OTHER_SUFFIXES


class Grids(dict):
    """{sheet name: rows of values from A1, empty cells None}; `outside` lists, per sheet, the
    cells holding a value beyond the area a unit workbook uses (left out, not read)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.outside: dict[str, list[str]] = {}
        # per sheet, (row, col) -> formula text; None when the format does not say (not .xlsx)
        self.formulas: dict[str, dict[tuple[int, int], str]] | None = None


def checked(path: Path) -> Path:
    """The path, if it could be a workbook we read; else the refusal that says why."""
    try:
        size = path.stat().st_size
    except OSError:
        raise WorkbookRefused(RC.TEP_KHONG_TIM_THAY, path=path) from None
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise WorkbookRefused(RC.TEP_KHONG_PHAI_EXCEL, name=path.name)
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused(RC.TEP_QUA_LON, name=path.name, size=f"{size // 1024 // 1024} MB")
    if size == 0:
        raise WorkbookRefused(RC.TEP_RONG, name=path.name)
    return path


def read_grids(path: str | Path, sheets: set[str] | None = None, limits: Limits = UNIT_WORKBOOK) -> Grids:
    """The grids of `sheets` (every sheet when None) of any workbook file, read in this process:
    an .xlsx is bounded first (to a unit workbook's `limits` unless said); other formats are
    not, so read them through `read_guard`."""
    from python_calamine import CalamineWorkbook

    path = checked(Path(path))
    outside: dict[str, list[str]] = {}
    formulas = None
    longest = None  # the most characters a cell's text can hold, where the file's size tells
    try:
        errors: dict[str, dict[tuple[int, int], str]] = {}
        if path.suffix.lower() in XLSX_SUFFIXES:
            bounded = xlsx_bounds.bound_xlsx(str(path), sheets, MAX_SHEETS, limits)
            wb = CalamineWorkbook.from_filelike(io.BytesIO(bounded.data))
            outside, errors, formulas = bounded.outside, bounded.errors, bounded.formulas
            longest = bounded.largest_part
        else:
            wb = CalamineWorkbook.from_path(str(path))
        names = [n for n in wb.sheet_names if sheets is None or n in sheets]
        if len(names) > MAX_SHEETS:
            raise TooBig(RC.GIOI_HAN_SO_TRANG, count=len(wb.sheet_names))
        grids = Grids()
        for name in names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grids[name] = [[None if v == "" else v for v in row] for row in rows]
            _put_errors(grids[name], errors.get(name, {}))
    except TooBig as exc:
        raise WorkbookRefused(RC.TEP_VUOT_GIOI_HAN, name=path.name, why=exc) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine (its panics are BaseException), zipfile and expat raise many kinds; all mean "cannot read"
        raise WorkbookRefused(RC.TEP_HONG, name=path.name, why=_why(path, exc)) from None
    if longest is None or longest > MAX_CELL_TEXT:
        _check_text(path, grids)
    grids.outside = outside
    grids.formulas = formulas
    return grids


def _put_errors(grid: list[list[Any]], errors: dict[tuple[int, int], str]) -> None:
    for (row, col), text in errors.items():
        while len(grid) < row:
            grid.append([])
        line = grid[row - 1]
        line.extend([None] * (col - len(line)))
        line[col - 1] = text


def _why(path: Path, exc: Exception) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.suffix.lower() in XLSX_SUFFIXES:
        return "tệp đang đặt mật khẩu"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "tệp Excel cũ bị hỏng hoặc đang đặt mật khẩu"
    if isinstance(exc, (zipfile.BadZipFile, NotXlsx)):
        return "tệp bị hỏng hoặc không phải sổ Excel"
    return "tệp bị hỏng hoặc không phải sổ Excel"


def _check_text(path: Path, grids: Grids) -> None:
    for name, grid in grids.items():
        for r, row in enumerate(grid, 1):
            for c, v in enumerate(row, 1):
                if isinstance(v, str) and len(v) > MAX_CELL_TEXT:
                    raise WorkbookRefused(
                        RC.TEP_VUOT_GIOI_HAN,
                        name=path.name,
                        why=TooBig(
                            RC.GIOI_HAN_O_CHU, sheet=name, cell=cell_ref(r, c), length=len(v), most=MAX_CELL_TEXT
                        ),
                    )
