"""Reading any workbook file into grids of values, safely and fast.

python-calamine (Rust) reads the cached values of .xlsx/.xlsm/.xls/.ods without evaluating
anything and without an XML parser that expands entities, so an untrusted e-mailed file
cannot run code or blow up memory through XML; it is also several times faster than openpyxl
(see bench/). Anything it cannot read becomes a Vietnamese refusal, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xl_addin.unit_report import WorkbookRefused

MAX_FILE_BYTES = 50 * 1024 * 1024  # a unit report is ~50 KB; anything this big is not one
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_grids(path: str | Path) -> dict[str, list[list[Any]]]:
    """{sheet name: rows of values} with empty cells as None, coordinates kept from A1."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise WorkbookRefused(f"Không tìm thấy tệp '{path}'. Hãy kiểm tra lại đường dẫn.") from None
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise WorkbookRefused(f"Tệp '{path.name}' không phải sổ Excel (.xlsx). Hãy gửi đúng sổ báo cáo.")
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused(f"Tệp '{path.name}' quá lớn ({size // 1024 // 1024} MB), không phải sổ báo cáo thi đua.")
    if size == 0:
        raise WorkbookRefused(f"Tệp '{path.name}' rỗng. Hãy lưu lại sổ báo cáo trong Excel rồi gửi lại.")
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        grids = {}
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            grids[name] = [[None if v == "" else v for v in row] for row in rows]
        return grids
    except Exception as exc:  # calamine raises many kinds; all mean "cannot read this file"
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            why = "tệp đang đặt mật khẩu hoặc là định dạng Excel cũ bị hỏng"
        else:
            why = f"tệp bị hỏng hoặc không phải sổ Excel ({type(exc).__name__})"
        raise WorkbookRefused(
            f"Không mở được tệp '{path.name}': {why}. Hãy mở tệp trong Excel, bỏ mật khẩu nếu có, "
            "lưu lại dạng .xlsx rồi gửi lại."
        ) from None
