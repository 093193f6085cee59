"""Reading the campaign definition from its two forms, and writing the workbook form.

The TOML text file is what lives under version control; the campaign workbook is what staff
edit in Excel. Both become the same records and go through `campaign.build_campaign`, so both
give the same campaign (tested). Column headers in the workbook are Vietnamese; the mapping to
field names is `SECTIONS` below, the one place that knows it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from xl_addin.campaign import Campaign, DefinitionError, Record, RULE_KINDS, build_campaign

DEFAULT_CAMPAIGN = "vinh-bao-2026.toml"

# section -> (sheet name, [(field, Vietnamese header)]); key/value sections have one record.
SECTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "campaign": (
        "Chiến dịch",
        [
            ("id", "Mã chiến dịch"),
            ("version", "Phiên bản"),
            ("name", "Tên phong trào"),
            ("theme", "Chủ đề"),
            ("year", "Năm"),
            ("issuer", "Cơ quan ban hành"),
            ("parent_issuer", "Cơ quan cấp trên"),
            ("place", "Địa danh"),
            ("office", "Cơ quan tổng hợp"),
            ("plan_due", "Hạn gửi kế hoạch"),
            ("results_due_before", "Hạn báo cáo (trước ngày)"),
            ("localities", "Số địa phương cấp xã trong thành phố"),
            ("consolidators", "Tài khoản tổng hợp"),
            ("growth_warning_band", "Ngưỡng cảnh báo tăng trưởng bất thường (%)"),
            ("signer_lines", "Thẩm quyền ký (cách nhau bởi ;)"),
            ("signer_name", "Người ký"),
            ("recipients", "Nơi nhận (cách nhau bởi ;)"),
        ],
    ),
    "scoring": (
        "Chấm điểm",
        [
            ("points_vuot", "Điểm chỉ tiêu Vượt"),
            ("points_dat", "Điểm chỉ tiêu Đạt"),
            ("points_khong_dat", "Điểm chỉ tiêu Không đạt"),
            ("points_chua_co", "Điểm chỉ tiêu Chưa có số liệu"),
            ("targets_share", "Tỷ trọng chỉ tiêu (%)"),
            ("tasks_share", "Tỷ trọng nhiệm vụ (%)"),
            ("late_penalty", "Trừ điểm báo cáo muộn"),
            ("error_penalty", "Trừ điểm mỗi lỗi"),
        ],
    ),
    "periods": ("Kỳ báo cáo", [("code", "Mã kỳ"), ("name", "Tên kỳ"), ("months", "Số tháng")]),
    "targets": (
        "Chỉ tiêu",
        [
            ("code", "Mã"),
            ("parent", "Thuộc chỉ tiêu"),
            ("name", "Tên chỉ tiêu"),
            ("unit", "Đơn vị tính"),
            ("rule", "Loại quy tắc"),
            ("threshold", "Ngưỡng"),
            ("low", "Cận dưới"),
            ("high", "Cận trên"),
            ("levels", "Các mức (cách nhau bởi ;)"),
            ("target_level", "Mức mục tiêu"),
            ("inputs", "Số liệu đơn vị nhập (cách nhau bởi ;)"),
            ("integer_inputs", "Số nguyên"),
            ("reporters", "Đơn vị báo cáo (mã hoặc kind:loại)"),
            ("aggregate", "Cách tổng hợp"),
            ("weight", "Trọng số"),
        ],
    ),
    "task_groups": ("Nhiệm vụ", [("number", "Số thứ tự"), ("text", "Nhiệm vụ và giải pháp")]),
    "awards": (
        "Khen thưởng",
        [("code", "Mã"), ("name", "Hình thức"), ("subjects", "Đối tượng (cách nhau bởi ;)"), ("authority", "Thẩm quyền")],
    ),
    "clusters": ("Cụm khối", [("code", "Mã"), ("name", "Tên cụm, khối thi đua")]),
    "units": (
        "Đơn vị",
        [
            ("code", "Mã"),
            ("name", "Tên đơn vị"),
            ("kind", "Loại"),
            ("cluster", "Cụm, khối"),
            ("editors", "Tài khoản được sửa (cách nhau bởi ;)"),
        ],
    ),
}
KEY_VALUE = ("campaign", "scoring")


def load_default() -> Campaign:
    return load_campaign(None)


def toml_text(path: str | Path | None) -> tuple[str, str]:
    """(text, label) of a TOML definition; the shipped 2026 plan when `path` is None."""
    if path is None:
        return resources.files("xl_addin.data").joinpath(DEFAULT_CAMPAIGN).read_text("utf-8"), DEFAULT_CAMPAIGN
    try:
        return Path(path).read_text("utf-8"), Path(path).name
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path}: không đọc được tệp định nghĩa ({exc})."]) from None


def load_campaign(path: str | Path | None) -> Campaign:
    """The shipped 2026 plan when `path` is None; else a .toml or a campaign .xlsx."""
    if path is not None and Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return campaign_from_workbook(Path(path))
    return campaign_from_toml(*toml_text(path))


def campaign_from_toml(text: str, label: str) -> Campaign:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError([f"{label}: tệp định nghĩa sai cú pháp ({exc})."]) from None
    sections: dict[str, list[Record]] = {}
    for section in SECTIONS:
        value = data.get(section, {} if section in KEY_VALUE else [])
        rows = [value] if section in KEY_VALUE else value
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DefinitionError([f"{label}: mục [{section}] sai cấu trúc."])
        sections[section] = [
            (f"{label}, [{section}]" if section in KEY_VALUE else f"{label}, [[{section}]] thứ {i}", row)
            for i, row in enumerate(rows, 1)
        ]
    return build_campaign(sections)


def _cell_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool):
        return "Có" if value else ""
    return value


def write_campaign_workbook(campaign_toml: str, dest: Path) -> None:
    """The workbook form of a TOML definition, for staff to edit in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from workbooks.atomic import save_atomic

    data = tomllib.loads(campaign_toml)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(name="Times New Roman", bold=True)
    body = Font(name="Times New Roman")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for section, (sheet, fields) in SECTIONS.items():
        ws = wb.create_sheet(sheet)
        if section in KEY_VALUE:
            ws.append(["Thông số", "Giá trị"])
            for key, label in fields:
                ws.append([label, _cell_value(data.get(section, {}).get(key))])
            ws.column_dimensions["A"].width = 45
            ws.column_dimensions["B"].width = 60
        else:
            ws.append([label for _, label in fields])
            for row in data.get(section, []):
                ws.append([_cell_value(row.get(key)) for key, _ in fields])
            for i, (key, _) in enumerate(fields, 1):
                ws.column_dimensions[ws.cell(1, i).column_letter].width = 60 if key in ("name", "text", "inputs") else 16
        for c in ws[1]:
            c.font, c.fill = bold, fill
        for row in ws.iter_rows(min_row=2):
            for c in row:
                c.font = body
                c.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(c.value, (dt.date, dt.datetime)):
                    c.number_format = "dd/mm/yyyy"
        ws.freeze_panes = "A2"
    notes = wb.create_sheet("Loại quy tắc")
    notes.append(["Mã quy tắc", "Ý nghĩa"])
    for kind in RULE_KINDS.values():
        notes.append([kind.code, kind.label])
    save_atomic(wb, dest)


def campaign_from_workbook(path: Path) -> Campaign:
    from workbooks.grid_reader import read_grids
    from xl_addin.unit_report import WorkbookRefused

    try:
        grids = read_grids(path)
    except WorkbookRefused as exc:
        raise DefinitionError([str(exc)]) from None
    sections: dict[str, list[Record]] = {}
    problems = []
    for section, (sheet, fields) in SECTIONS.items():
        grid = grids.get(sheet)
        if grid is None:
            problems.append(f"{path.name}: thiếu trang '{sheet}'.")
            continue
        by_label = {label: key for key, label in fields}
        if section in KEY_VALUE:
            record: dict[str, Any] = {}
            for row in grid[1:]:
                if row and isinstance(row[0], str) and row[0].strip() in by_label:
                    record[by_label[row[0].strip()]] = row[1] if len(row) > 1 else None
            sections[section] = [(f"trang '{sheet}'", record)]
            continue
        header = [str(v).strip() if v is not None else "" for v in (grid[0] if grid else [])]
        missing = [label for _, label in fields if label not in header]
        if missing:
            problems.append(f"trang '{sheet}', dòng 1: thiếu cột {', '.join(missing)}.")
            continue
        cols = {by_label[h]: i for i, h in enumerate(header) if h in by_label}
        records = []
        for r, row in enumerate(grid[1:], 2):
            if not any(v not in (None, "") for v in row):
                continue
            rec = {k: _from_cell(row[i]) if i < len(row) else None for k, i in cols.items()}
            records.append((f"trang '{sheet}', dòng {r}", {k: v for k, v in rec.items() if v is not None}))
        sections[section] = records
    if problems:
        raise DefinitionError(problems)
    return build_campaign(sections)


def _from_cell(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
