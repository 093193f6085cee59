"""A1 ranges as Google reads and echoes them (see the package docstring for the sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sync.emulator.model import Sheet, Spreadsheet, invalid

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    # written out here, not imported: the emulator stands in for Google and imports nothing of ours
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def needs_quotes(title: str) -> bool:
    # Google quotes names with spaces or non-ASCII, and names that look like a cell or a range
    return not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) or bool(re.fullmatch(r"[A-Za-z]{1,3}\d+", title))


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'" if needs_quotes(title) else title


def split_range(a1: str) -> tuple[str | None, str | None]:
    a1 = a1.strip()
    if a1.startswith("'"):
        i, title = 1, ""
        while i < len(a1):
            if a1[i] == "'":
                if i + 1 < len(a1) and a1[i + 1] == "'":
                    title += "'"
                    i += 2
                    continue
                break
            title += a1[i]
            i += 1
        rest = a1[i + 1 :]
        return title, rest[1:] if rest.startswith("!") else None
    if "!" in a1:
        title, _, cells = a1.rpartition("!")
        return title, cells
    return a1, None  # a bare name: a sheet title, or cells on the first sheet (decided by the caller)


@dataclass
class Box:
    sheet: Sheet
    r0: int
    r1: int  # exclusive
    c0: int
    c1: int

    def a1(self) -> str:
        name = quote_title(self.sheet.title)
        start = f"{col_letters(self.c0 + 1)}{self.r0 + 1}"
        end = f"{col_letters(self.c1)}{self.r1}"
        return f"{name}!{start}" if (self.r1 - self.r0, self.c1 - self.c0) == (1, 1) else f"{name}!{start}:{end}"


def resolve(book: Spreadsheet, a1: str) -> Box:
    title, cells = split_range(a1)
    sheet = book.sheet(title) if title is not None else None
    if sheet is None and cells is None and title is not None and _looks_like_cells(title):
        sheet, cells = book.sheets[0], title
    if sheet is None:
        raise invalid(f"Unable to parse range: {a1}")
    if not cells:
        return Box(sheet, 0, sheet.rows, 0, sheet.cols)
    parts = cells.split(":")
    if len(parts) > 2:
        raise invalid(f"Unable to parse range: {a1}")
    ends = []
    for p in parts:
        m = _CELL.match(p)
        if not m or not (m[1] or m[2]):
            raise invalid(f"Unable to parse range: {a1}")
        ends.append((col_number(m[1]) if m[1] else None, int(m[2]) if m[2] else None))
    (c_a, r_a), (c_b, r_b) = ends[0], ends[-1]
    c0 = min(x for x in (c_a, c_b) if x is not None) if (c_a or c_b) else 1
    c1 = max(x for x in (c_a, c_b) if x is not None) if (c_a or c_b) else sheet.cols
    r0 = min(x for x in (r_a, r_b) if x is not None) if (r_a or r_b) else 1
    r1 = max(x for x in (r_a, r_b) if x is not None) if (r_a or r_b) else sheet.rows
    if len(parts) == 2:
        # open ends reach the grid's edge: A1:C -> A1:C1000, A1:1 -> A1:Z1
        if c_a is None or c_b is None:
            c0, c1 = (
                (c0 if c_a is not None or c_b is not None else 1),
                (c1 if c_a is not None and c_b is not None else sheet.cols),
            )
            if c_a is None and c_b is None:
                c0, c1 = 1, sheet.cols
        if r_a is None or r_b is None:
            r1 = sheet.rows if (r_a is None) != (r_b is None) or r_a is None else r1
            if r_a is None and r_b is None:
                r0, r1 = 1, sheet.rows
    return Box(sheet, r0 - 1, min(r1, sheet.rows), c0 - 1, min(c1, sheet.cols))


def _looks_like_cells(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?", text)) and any(ch.isalnum() for ch in text)
