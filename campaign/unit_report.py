"""A unit's report as plain data, parsed from the grids of a workbook by its stable keys.

`parse_report(grids)` takes {sheet name: rows of cell values} from any source (a file read by
calamine, Excel through xlwings, a Google Sheets tab) and returns a `UnitReport`. Values stay
as entered: "97,5" stays a string here and the validator interprets it. Every value carries
the sheet and cell it came from, so a finding can point at it even after rows were inserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from campaign import layout as L
from campaign.refusals import RC, WorkbookRefused


def column_letter(col: int) -> str:
    """1 -> A, 28 -> AB."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(letters: str) -> int:
    """A -> 1, AB -> 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


class Cell(NamedTuple):
    """One cell's value and place. A named tuple, not a frozen dataclass: a report makes one
    per cell of every row, and a tuple is made several times faster."""

    value: Any
    sheet: str
    row: int  # 1-based, as Excel shows it
    col: int

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


# a Cell made straight from its tuple: through the class's generated __new__ it costs twice as
# much, and a report makes one for every cell of every row
_new_cell = tuple.__new__


@dataclass(slots=True)  # Tổng hợp keeps the list sheets' rows of thousands of units
class Row:
    key: str  # the hidden row key; "" for a row the reporter inserted
    number: int
    cells: dict[str, Cell]

    def value(self, col: str) -> Any:
        c = self.cells.get(col)
        return None if c is None else c.value

    def is_blank(self, cols: tuple[str, ...] | None = None) -> bool:
        keys = cols if cols is not None else tuple(self.cells)
        return all(self.cells[k].empty for k in keys if k in self.cells)


@dataclass
class SheetData:
    layout_key: str
    name: str  # as the workbook names it now
    key_row: int
    key_col: int
    columns: dict[str, int]  # column key -> 1-based column
    rows: list[Row]
    end_row: int | None  # row of the end marker, if present

    def cell(self, row_key: str, col_key: str) -> Cell | None:
        for r in self.rows:
            if r.key == row_key:
                return r.cells.get(col_key)
        return None


@dataclass
class UnitReport:
    source: str
    meta: dict[str, Any]
    sheets: dict[str, SheetData] = field(default_factory=dict)  # by layout key
    outside: dict[str, list[str]] = field(default_factory=dict)  # sheet -> cells with values left unread
    # sheet -> (row, col) -> formula text, as the file holds them; None when the source cannot
    # tell (Excel through xlwings, a Google tab): then the formulas are not checked
    formulas: dict[str, dict[tuple[int, int], str]] | None = None

    @property
    def unit_code(self) -> str:
        return str(self.meta.get("unit_code") or "")

    def info(self, key: str) -> Cell | None:
        return self.sheets["info"].cell(key, "value")

    def rows(self, layout_key: str) -> list[Row]:
        return self.sheets[layout_key].rows


def _norm(value: Any) -> Any:
    if value is None:  # most cells of a sheet
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


normalised = _norm  # what an entered value becomes in a report; sources placed by key use it too


def _markers(grid: list[list[Any]], wanted: frozenset[str] = L.SHEET_MARKERS) -> dict[str, tuple[int, int]]:
    """{marker: (row, col)} of the `wanted` markers (the sheets') in the first 30 rows and 10
    columns, first place first. A sheet's marker sits in A1 when untouched; a reporter may have
    inserted a few rows or columns."""
    found: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(grid[:30]):
        for c, v in enumerate(row[:10]):
            if isinstance(v, str) and (text := v.strip()) in wanted and text not in found:
                found[text] = (r, c)
    return found


def _find_marker(grid: list[list[Any]], marker: str) -> tuple[int, int] | None:
    return _markers(grid, frozenset((marker,))).get(marker)


def parse_sheet(
    grid: list[list[Any]], sheet_name: str, spec: L.SheetLayout, found: tuple[int, int] | None = None
) -> SheetData:
    """Column and row keys of one sheet; rows run from below the key row to the end marker
    (`found`: where its marker is, when the caller has looked already)."""
    found = found or _find_marker(grid, spec.marker)
    if found is None:
        raise WorkbookRefused(RC.SO_BAO_CAO_THIEU_DAU_KHOA, sheet=sheet_name, marker=spec.marker)
    kr, kc = found
    columns: dict[str, int] = {}
    for c, v in enumerate(grid[kr][kc + 1 :], kc + 1):
        if isinstance(v, str) and v.strip():
            columns.setdefault(v.strip(), c)
    missing = [col.key for col in spec.columns if col.key not in columns]
    if missing:
        headers = ", ".join(f"'{spec.column(k).header}'" for k in missing)
        raise WorkbookRefused(RC.SO_BAO_CAO_THIEU_COT, sheet=sheet_name, headers=headers, row=kr + 1)
    rows: list[Row] = []
    end_row = None
    in_data = False  # titles and the header row sit between the key row and the data
    places = list(columns.items())
    cols = [c for _, c in places]
    # the row's values in the columns' order, at once (itemgetter of one index gives no tuple)
    take = itemgetter(*cols) if len(cols) > 1 else lambda line: (line[cols[0]],)
    last_col = max(columns.values())
    for r in range(kr + 1, len(grid)):
        line = grid[r]
        width = len(line)
        key = _norm(line[kc]) if kc < width else None
        key = str(key).strip() if key is not None else ""
        if key == L.END_MARKER:
            end_row = r + 1
            break
        if not in_data:
            in_data = key == L.HEADER_MARKER
            continue
        # a blank row (the list sheets keep dozens for entry) is passed over before any Cell is made
        if width > last_col:
            values = [v if v is None else _norm(v) for v in take(line)]
        else:  # a short row (a Google tab's, an xlwings range's)
            values = [_norm(line[c]) if c < width else None for _, c in places]
        if key or any(v is not None for v in values):
            number = r + 1
            cells = {ck: _new_cell(Cell, (v, sheet_name, number, c + 1)) for (ck, c), v in zip(places, values)}
            rows.append(Row(key, number, cells))
    return SheetData(spec.key, sheet_name, kr + 1, kc + 1, {k: c + 1 for k, c in columns.items()}, rows, end_row)


def parse_meta(grid: list[list[Any]]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for row in grid:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in L.META_KEYS:
            meta[row[0].strip()] = _norm(row[1])
    return meta


def parse_report(grids: dict[str, list[list[Any]]], source: str = "", any_version: bool = False) -> UnitReport:
    """A unit's report from raw grids; raises WorkbookRefused with a Vietnamese message.

    any_version reads a workbook of another template version by its keys, for upgrade."""
    label = source or "Tệp"
    if L.META_NAME not in grids:
        raise WorkbookRefused(RC.SO_BAO_CAO_KHONG_PHAI_SO_BAO_CAO, label=label, meta=L.META_NAME)
    meta = parse_meta(grids[L.META_NAME])
    version = str(meta.get("template_version") or "")
    if version not in L.KNOWN_TEMPLATE_VERSIONS and not any_version:
        raise WorkbookRefused(
            RC.SO_BAO_CAO_PHIEN_BAN,
            label=label,
            version=version,
            known=L.KNOWN_TEMPLATE_VERSIONS,
            source=source or "TỆP",
        )
    report = UnitReport(
        source, meta, outside=dict(getattr(grids, "outside", {})), formulas=getattr(grids, "formulas", None)
    )
    by_marker: dict[str, tuple[str, tuple[int, int]]] = {}
    for name, grid in grids.items():
        markers = _markers(grid)
        for spec in L.DATA_SHEETS:
            if spec.key not in by_marker and spec.marker in markers:
                by_marker[spec.key] = (name, markers[spec.marker])
    for spec in L.DATA_SHEETS:
        if spec.key not in by_marker:
            raise WorkbookRefused(RC.SO_BAO_CAO_THIEU_TRANG, label=label, sheet=spec.name)
        name, found = by_marker[spec.key]
        report.sheets[spec.key] = parse_sheet(grids[name], name, spec, found)
    return report


FIXED_INFO_ROWS = {key for key, _, entry in L.INFO_ROWS if not entry}  # filled by the builder


def entry_columns(spec: L.SheetLayout, row_key: str) -> tuple[str, ...]:
    """Columns a reporter fills on this row (own-target rows also name their target)."""
    if spec.key == "info" and row_key in FIXED_INFO_ROWS:
        return ()
    cols = tuple(c.key for c in spec.columns if c.entry)
    if spec.key == "report" and row_key.startswith(L.OWN_PREFIX):
        cols = L.OWN_ENTRY_COLUMNS + cols
    return cols


def entries_of(report: UnitReport) -> dict[str, dict[str, dict[str, Any]]]:
    """Everything the reporter typed, by row and column keys: what push sends and upgrade keeps.

    Rows a reporter inserted in the list sheets (models, proposals) have no key; they take
    the next key after the template's own rows so nothing typed is dropped.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in L.DATA_SHEETS:
        sheet = report.sheets.get(spec.key)
        if sheet is None:
            continue
        rows = dict(_typed_rows(spec, sheet))
        if any(c.entry for c in spec.columns):
            out[spec.key] = rows
    return out


def typed_beyond_info(report: UnitReport) -> bool:
    """Whether the reporter typed anything past the information sheet: entries_of's question,
    answered at the first value typed."""
    sheets = ((spec, report.sheets.get(spec.key)) for spec in L.DATA_SHEETS if spec.key != L.INFO.key)
    return any(next(_typed_rows(spec, sheet), None) is not None for spec, sheet in sheets if sheet is not None)


def _typed_rows(spec: L.SheetLayout, sheet: SheetData) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row key, {column: value typed}) of each row of `sheet` holding something typed."""
    extra = 0
    prefix = L.LIST_PREFIX.get(spec.key)
    used = {r.key for r in sheet.rows}
    for row in sheet.rows:
        key = row.key
        if not key:
            if prefix is None:
                continue
            extra += 1
            while f"{prefix}{extra}" in used:
                extra += 1
            key = f"{prefix}{extra}"
            used.add(key)
        values = {c: row.value(c) for c in entry_columns(spec, key) if row.value(c) is not None}
        if values:
            yield key, values


def last_index(rows: dict[str, Any], prefix: str) -> int:
    """The highest number among row keys like MH7 / DN12: how many list rows a template needs."""
    numbers = [int(k[len(prefix) :]) for k in rows if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return max(numbers, default=0)
