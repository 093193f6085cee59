"""A unit's submission as a "tab": a metadata block and its entries in long form.

The same shape is a Google Sheets tab (one per unit, named by unit code) and a file in the
shared folder. Long form (sheet, row key, column key, value, kind) keeps every entry
addressable by stable keys, survives template changes, and diffs cell by cell. Values travel
as typed values: numbers as numbers, text as text (never a formula), dates as ISO text
marked "ngày".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from campaign import layout as L

MARKER = "#thidua:tab"
META_FIELDS = ("revision", "content_hash", "pushed_at", "pushed_by", "template_version", "campaign_id")
HEADER = ["Trang", "Dòng", "Cột", "Giá trị", "Kiểu"]
DATA_START = len(META_FIELDS) + 3  # marker row, meta rows, a blank row, the header row
KIND_DATE = "ngày"
KIND_EXACT = "số chính xác"  # a number stored as its text, exactly
MAX_CELL = 50_000  # Google's limit per cell

Entries = dict[str, dict[str, dict[str, Any]]]
DataRow = tuple[str, str, str, Any, str]


@dataclass(frozen=True)
class Tab:
    unit_code: str
    rows: tuple[DataRow, ...]
    revision: int = 0
    content_hash: str = ""
    pushed_at: str = ""
    pushed_by: str = ""
    template_version: str = L.TEMPLATE_VERSION
    campaign_id: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def data_hash(self) -> str:
        return content_hash(plain_rows(self.rows))

    @property
    def edited_since_push(self) -> bool:
        """The data no longer matches the hash written with it: someone edited the tab."""
        return bool(self.content_hash) and self.data_hash() != self.content_hash


def _plain(value: Any) -> tuple[Any, str]:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" "), KIND_DATE
    if isinstance(value, dt.date):
        return value.isoformat(), KIND_DATE
    if isinstance(value, bool):
        return str(value), ""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            value = int(value)
        elif Decimal(repr(float(value))) == value:
            value = float(value)
        else:
            return str(value), KIND_EXACT  # more digits than a double holds
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value), ""
    if isinstance(value, int) and abs(value) >= 2**53:
        # Sheets keeps numbers as doubles: past 2**53 it would hand back a different integer,
        # the hash would differ, and every later push would look like a web edit
        return str(value), KIND_EXACT
    if isinstance(value, (int, float)):
        return value, ""
    return str(value)[:MAX_CELL], ""


def entries_to_rows(entries: Entries) -> tuple[DataRow, ...]:
    rows = []
    for sheet, by_row in entries.items():
        for row_key, cols in by_row.items():
            for col_key, value in cols.items():
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                v, kind = _plain(value)
                rows.append((sheet, row_key, col_key, v, kind))
    return tuple(rows)


def rows_to_entries(rows: tuple[DataRow, ...] | list) -> Entries:
    out: Entries = {}
    for sheet, row_key, col_key, value, kind in rows:
        if kind == KIND_EXACT and isinstance(value, str):
            try:
                exact = Decimal(value)
                value = int(exact) if exact == exact.to_integral_value() else exact
            except ArithmeticError:
                pass
        elif kind == KIND_DATE and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value[:10])
            except ValueError:
                pass
        out.setdefault(sheet, {}).setdefault(row_key, {})[col_key] = value
    return out


def content_hash(rows: tuple[DataRow, ...] | list) -> str:
    canon = sorted([str(a), str(b), str(c), _plain(d)[0], str(e)] for a, b, c, d, e in rows)
    blob = json.dumps(canon, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def to_grid(tab: Tab) -> list[list[Any]]:
    grid: list[list[Any]] = [[MARKER, tab.unit_code]]
    for name in META_FIELDS:
        grid.append([name, getattr(tab, name)])
    grid.append([])
    grid.append(list(HEADER))
    grid.extend([list(r) for r in tab.rows])
    return grid


def from_grid(unit_code: str, grid: list[list[Any]]) -> Tab | None:
    """A tab read back (Google trims trailing empties); None when the tab holds no submission."""
    if not grid or not grid[0] or grid[0][0] != MARKER:
        return None
    meta: dict[str, Any] = {}
    for row in grid[1 : 1 + len(META_FIELDS)]:
        if len(row) >= 2 and row[0] in META_FIELDS:
            meta[row[0]] = row[1]
    rows = []
    for row in grid[DATA_START:]:
        cells = (*row, "") if len(row) == 4 else tuple(row) if len(row) == 5 else (*row, "", "", "", "", "")[:5]
        sheet, row_key, col_key, value, kind = cells  # (Google trims an empty kind: four cells)
        if not sheet or not row_key or not col_key or value in ("", None):
            continue
        if type(sheet) is str and type(row_key) is str and type(col_key) is str and type(kind) is str:
            rows.append(cells)  # as pushed: no str() of each key
        else:
            rows.append((str(sheet), str(row_key), str(col_key), value, str(kind or "")))
    try:
        revision = int(meta.get("revision") or 0)
    except (TypeError, ValueError):
        revision = 0
    return Tab(
        unit_code=str(grid[0][1]) if len(grid[0]) > 1 else unit_code,
        rows=tuple(rows),
        revision=revision,
        content_hash=str(meta.get("content_hash") or ""),
        pushed_at=str(meta.get("pushed_at") or ""),
        pushed_by=str(meta.get("pushed_by") or ""),
        template_version=str(meta.get("template_version") or ""),
        campaign_id=str(meta.get("campaign_id") or ""),
    )


def plain_rows(rows: tuple[DataRow, ...]) -> tuple[DataRow, ...]:
    """Rows with every value as a tab stores it (a date as ISO text, a number past what a double
    holds as exact text), keeping a kind already given."""
    out = []
    for r in rows:
        sheet, row, col, value, kind = r
        t = type(value)  # what a tab read back holds is kept as it is, without _plain per cell
        stored = (
            (t is str and len(value) <= MAX_CELL)
            or (t is int and -_EXACT < value < _EXACT)
            or (t is float and not value.is_integer())
        )
        if stored and type(r) is tuple:
            out.append(r)
            continue
        v, k = _plain(value)
        out.append((sheet, row, col, v, k or kind))
    return tuple(out)


_EXACT = 2**53  # past it a double no longer holds every integer


def stamped(tab: Tab, revision: int, who: str, when: dt.datetime) -> Tab:
    rows = plain_rows(tab.rows)
    return replace(
        tab,
        rows=rows,
        revision=revision,
        content_hash=content_hash(rows),
        pushed_by=who,
        pushed_at=when.isoformat(sep=" ", timespec="seconds"),
    )


def _label(sheet: str, row: str, col: str) -> str:
    spec = next((s for s in L.DATA_SHEETS if s.key == sheet), None)
    if spec is None:
        return f"{sheet} / {row} / {col}"
    if spec.key == "info":
        label = next((lb for key, lb, _ in L.INFO_ROWS if key == row), row)
        return f"{spec.name} / {label}"
    header = next((c.header for c in spec.columns if c.key == col), col)
    return f"{spec.name} / {row} / {header}"


def diff(local: tuple[DataRow, ...], remote: tuple[DataRow, ...], limit: int = 50) -> list[str]:
    """Cell-by-cell differences, in Vietnamese, for a refused push or pull."""
    a = {(s, r, c): v for s, r, c, v, _ in local}
    b = {(s, r, c): v for s, r, c, v, _ in remote}
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if _plain(va)[0] != _plain(vb)[0]:
            show = lambda v: "(trống)" if v is None else repr(v) if isinstance(v, str) else str(v)
            out.append(f"{_label(*key)}: trong sổ {show(va)}, trên bản chung {show(vb)}")
    if len(out) > limit:
        out = out[:limit] + [f"… và {len(out) - limit} ô khác"]
    return out
