"""The campaign definition as files: loading either form, and writing the workbook form.

Staff edit the workbook form in Excel; `campaign.definition_files` turns either form into the same
campaign. openpyxl is imported only when writing, because every button click loads a campaign
and a click must not pay for openpyxl.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from campaign.definition import RULE_KINDS, Campaign
from campaign.definition_files import KEY_VALUE, SECTIONS, campaign_from_grids, campaign_from_toml, toml_text
from campaign.refusals import DefinitionError, WorkbookRefused
from workbooks.atomic import save_atomic
from workbooks.read_guard import read_safely


def load_default() -> Campaign:
    return load_campaign(None)


def load_campaign(path: str | Path | None) -> Campaign:
    """The shipped 2026 plan when `path` is None; else a .toml or a campaign .xlsx."""
    if path is not None and Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return campaign_from_workbook(Path(path))
    return campaign_from_toml(*toml_text(path))


def campaign_from_workbook(path: Path) -> Campaign:
    try:
        grids = read_safely(path)
    except WorkbookRefused as exc:
        raise DefinitionError([str(exc)]) from None
    return campaign_from_grids(grids, path.name)


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
                ws.column_dimensions[ws.cell(1, i).column_letter].width = (
                    60 if key in ("name", "text", "inputs") else 16
                )
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
