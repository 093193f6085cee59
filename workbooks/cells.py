"""Putting one value into one openpyxl cell safely, and sizing the row it sits in.

Shared by the builder, the writer and the consolidated workbooks, so it sits below all three.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from campaign.formulas import Formula


def set_value(cell, value: Any) -> None:
    """Write a value as data: openpyxl would turn a string starting with '=' into a formula.
    Only a `Formula` (the workbook's own, generated from the definition) is written as one."""
    if isinstance(value, Formula):
        cell.value = str(value)
        return
    if isinstance(value, str):
        # control characters are invalid in OOXML; a pasted one must not cost the whole save
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def needs_cell(value: Any) -> bool:
    """A value `set_value` would change or mark: one a streamed row cannot take as it is."""
    return isinstance(value, str) and (value.startswith("=") or ILLEGAL_CHARACTERS_RE.search(value) is not None)


def row_height(values: list, widths: list[float]) -> float:
    """openpyxl cannot measure text: estimate the wrapped lines so a row prints whole."""
    lines = 1
    for v, w in zip(values, widths):
        if v is not None:
            text = str(v)
            per_line = max(int(w * 1.25), 1)
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in text.split("\n")))
    return 15.5 * lines + 3
