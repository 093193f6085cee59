"""Reading any workbook file into grids of values, safely and fast.

python-calamine (Rust) reads the cached values of .xlsx/.xlsm/.xls/.ods without evaluating
anything and without an XML parser that expands entities, so an untrusted e-mailed file
cannot run code or blow up memory through XML; it is also several times faster than openpyxl
(see bench/). Anything it cannot read becomes a Vietnamese refusal, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xl_addin.refusals import WorkbookRefused

MAX_FILE_BYTES = 50 * 1024 * 1024  # a unit report is ~50 KB; anything this big is not one
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_grids(path: str | Path) -> dict[str, list[list[Any]]]:
    """{sheet name: rows of values} with empty cells as None, coordinates kept from A1."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise WorkbookRefused("tep.khong_tim_thay", path=path) from None
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise WorkbookRefused("tep.khong_phai_excel", name=path.name)
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused("tep.qua_lon", name=path.name, size=f"{size // 1024 // 1024} MB")
    if size == 0:
        raise WorkbookRefused("tep.rong", name=path.name)
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        grids = {}
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grids[name] = [[None if v == "" else v for v in row] for row in rows]
        return grids
    except Exception as exc:  # noqa: BLE001 - calamine raises many kinds; all mean "cannot read this file"
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            why = "tệp đang đặt mật khẩu hoặc là định dạng Excel cũ bị hỏng"
        else:
            why = f"tệp bị hỏng hoặc không phải sổ Excel ({type(exc).__name__})"
        raise WorkbookRefused("tep.hong", name=path.name, why=why) from None
