"""spreadsheets.batchUpdate: the request kinds thidua sends, applied all or nothing.

Sources, per behaviour:
- All or nothing: "if any request is not valid, the entire request will fail and nothing will
  be applied" (Sheets API reference, spreadsheets.batchUpdate). Errors are prefixed
  "Invalid requests[i].<kind>: " (recorded traffic, corpus/sheets-api).
- updateCells with `range`: cells of the range that `rows` does not cover have the `fields` in
  `fields` cleared; with `start`, a CellData without userEnteredValue clears that cell
  (reference, UpdateCellsRequest). Typing: numberValue, stringValue (never parsed, like RAW),
  boolValue, formulaValue (reference, ExtendedValue).
- appendCells: "Appends new cells after the last row with data in a sheet, inserting new rows
  into the sheet if necessary" (reference, AppendCellsRequest).
- createDeveloperMetadata: `metadataId` "may be specified when metadata is created"; it is "a
  spreadsheet-scoped unique ID" and must be positive (reference, DeveloperMetadata). That a
  second create with the same id fails the whole batch is our reading of those two sentences,
  not a recording: `thidua sheet doctor` checks it against the real service. The error text
  here is ours.
- deleteDeveloperMetadata and developerMetadata.search select by a DeveloperMetadataLookup,
  which "matches all of the specified fields" (reference, DeveloperMetadataLookup). Any editor
  may create or delete metadata here: whether a sheet's protection stops a non-editor from
  adding metadata located on that sheet is not documented, so the emulator assumes the worst.
- 10 000 000 cells per spreadsheet counted over every tab's grid, and the message when a
  request would pass it (Google Sheets help, "Files you can store in Google Drive"; the message
  as users report it).
- updateProtectedRange changes a protection in place (reference, UpdateProtectedRangeRequest);
  the account that creates or updates a protection is always among its editors (Sheets help,
  "Protect, hide and edit sheets").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sync.emulator.a1 import Box
from sync.emulator.model import CELL_LIMIT, CELL_LIMIT_MESSAGE, PROTECTED_MESSAGE, ApiError, Protection, Sheet, invalid
from sync.emulator.values import as_double, user_entered

MAX_CELL_CHARS = 50_000


def no_grid(sheet_id: Any) -> ApiError:
    return invalid(f"No grid with id: {sheet_id}")


@dataclass
class Staged:
    """A copy of the book's mutable parts; committed only when every request succeeded."""

    sheets: list[Sheet]
    protections: list[Protection]
    metadata: dict[int, dict]
    locale: str
    time_zone: str
    copies: set[int] = field(default_factory=set)

    def sheet(self, sheet_id: Any) -> Sheet:
        """The staged copy of a sheet, made on first use: a batch copies only what it touches."""
        for i, s in enumerate(self.sheets):
            if s.sheet_id == sheet_id:
                if id(s) not in self.copies:
                    s = copy.deepcopy(s)
                    self.sheets[i] = s
                    self.copies.add(id(s))
                return s
        raise no_grid(sheet_id)


class BatchUpdates:
    """Mixed into the emulated service: `rng` and `_protection_json` come from it."""

    rng: Any

    def batch_update(self, book, body: dict, account: str) -> dict:
        staged = Staged(
            list(book.sheets),
            copy.deepcopy(book.protections),
            copy.deepcopy(book.developer_metadata),
            book.locale,
            book.time_zone,
        )
        replies = []
        for i, req in enumerate(body.get("requests") or []):
            ((kind, args),) = req.items()
            handler = getattr(self, f"_req_{kind}", None)
            if handler is None:
                raise invalid(f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]'.")
            try:
                replies.append(handler(book, staged, args or {}, account))
            except ApiError as err:
                raise invalid(f"Invalid requests[{i}].{kind}: {err.message}") from None
        book.sheets, book.protections, book.developer_metadata = staged.sheets, staged.protections, staged.metadata
        book.locale, book.time_zone = staged.locale, staged.time_zone
        return {"spreadsheetId": book.sid, "replies": replies}

    # -- the grid --
    @staticmethod
    def _within_limit(staged: Staged) -> None:
        if sum(s.rows * s.cols for s in staged.sheets) > CELL_LIMIT:
            raise invalid(CELL_LIMIT_MESSAGE)

    def _req_addSheet(self, book, staged: Staged, args: dict, account: str) -> dict:
        props = args.get("properties") or {}
        title = props.get("title") or f"Sheet{len(staged.sheets) + 1}"
        if any(s.title == title for s in staged.sheets):
            raise invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
        grid = props.get("gridProperties") or {}
        sid = props.get("sheetId", self.rng.randrange(10**8, 2 * 10**9))
        if any(s.sheet_id == sid for s in staged.sheets):
            raise invalid(f"Sheet with id {sid} already exists.")
        s = Sheet(sid, title, len(staged.sheets), grid.get("rowCount", 1000), grid.get("columnCount", 26))
        staged.sheets.append(s)
        staged.copies.add(id(s))
        self._within_limit(staged)
        return {"addSheet": {"properties": _sheet_properties(s)}}

    def _req_deleteSheet(self, book, staged: Staged, args: dict, account: str) -> dict:
        sheet = staged.sheet(args.get("sheetId"))
        staged.sheets.remove(sheet)
        staged.protections[:] = [p for p in staged.protections if p.sheet_id != sheet.sheet_id]
        return {}

    def _req_updateSheetProperties(self, book, staged: Staged, args: dict, account: str) -> dict:
        props = args.get("properties") or {}
        s = staged.sheet(props.get("sheetId"))
        grid = props.get("gridProperties") or {}
        s.rows, s.cols = grid.get("rowCount", s.rows), grid.get("columnCount", s.cols)
        s.title = props.get("title", s.title)
        self._within_limit(staged)
        return {}

    def _req_updateSpreadsheetProperties(self, book, staged: Staged, args: dict, account: str) -> dict:
        props = args.get("properties") or {}
        staged.locale = props.get("locale", staged.locale)
        staged.time_zone = props.get("timeZone", staged.time_zone)
        return {}

    # -- protections --
    def _req_addProtectedRange(self, book, staged: Staged, args: dict, account: str) -> dict:
        pr = args.get("protectedRange") or {}
        rng = pr.get("range") or {}
        sheet = staged.sheet(rng.get("sheetId", 0))
        editors = set((pr.get("editors") or {}).get("users") or [])
        editors.add(account)  # the account that creates a protection is always an editor
        p = Protection(
            self.rng.randrange(10**8, 2 * 10**9),
            sheet.sheet_id,
            _bounds(rng, sheet),
            editors,
            bool(pr.get("warningOnly")),
            pr.get("description"),
        )
        staged.protections.append(p)
        return {"addProtectedRange": {"protectedRange": self._protection_json(p, book)}}

    def _req_updateProtectedRange(self, book, staged: Staged, args: dict, account: str) -> dict:
        pr = args.get("protectedRange") or {}
        fields = {f.strip() for f in str(args.get("fields") or "").split(",") if f.strip()}
        if not fields:
            raise invalid("'fields' is required.")
        p = next((p for p in staged.protections if p.pid == pr.get("protectedRangeId")), None)
        if p is None:
            raise invalid(f"No protected range with id: {pr.get('protectedRangeId')}")
        every = "*" in fields
        if every or "editors" in fields or "editors.users" in fields:
            p.editors = set((pr.get("editors") or {}).get("users") or []) | {account}
        if every or "description" in fields:
            p.description = pr.get("description")
        if every or "warningOnly" in fields:
            p.warning_only = bool(pr.get("warningOnly"))
        return {}

    def _req_deleteProtectedRange(self, book, staged: Staged, args: dict, account: str) -> dict:
        before = len(staged.protections)
        staged.protections[:] = [p for p in staged.protections if p.pid != args.get("protectedRangeId")]
        if len(staged.protections) == before:
            raise invalid(f"No protected range with id: {args.get('protectedRangeId')}")
        return {}

    @staticmethod
    def _guard(book, protections: list[Protection], box: Box, account: str) -> None:
        """A write by someone outside a protection of the range: Google's 400 (not a 403)."""
        if account == book.owner:
            return
        for p in protections:
            if p.sheet_id != box.sheet.sheet_id or p.warning_only or account in p.editors:
                continue
            r0, r1, c0, c1 = p.bounds or (0, box.sheet.rows, 0, box.sheet.cols)
            if box.r0 < r1 and r0 < box.r1 and box.c0 < c1 and c0 < box.c1:
                raise invalid(PROTECTED_MESSAGE)

    # -- cells --
    def _req_updateCells(self, book, staged: Staged, args: dict, account: str) -> dict:
        fields = str(args.get("fields") or "")
        if not fields:
            raise invalid("At least one field must be specified in 'fields'.")
        rows = args.get("rows") or []
        width = max((len(r.get("values") or []) for r in rows), default=0)
        if "range" in args:
            rng = args["range"]
            sheet = staged.sheet(rng.get("sheetId", 0))
            r0, r1, c0, c1 = _bounds(rng, sheet) or (0, sheet.rows, 0, sheet.cols)
            if len(rows) > r1 - r0 or width > c1 - c0:
                raise invalid("The data in rows exceeds the range.")
        else:
            start = args.get("start") or {}
            sheet = staged.sheet(start.get("sheetId", 0))
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            r1, c1 = r0 + len(rows), c0 + width
        if r1 > sheet.rows or c1 > sheet.cols:
            raise invalid(f"Range exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")
        self._guard(book, staged.protections, Box(sheet, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1)), account)
        if "userEnteredValue" not in fields and fields != "*":
            return {}
        if "range" in args:
            for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
                del sheet.cells[key]
        self._put_rows(sheet, r0, c0, rows, staged.locale)
        return {}

    def _req_appendCells(self, book, staged: Staged, args: dict, account: str) -> dict:
        if not args.get("fields"):
            raise invalid("At least one field must be specified in 'fields'.")
        sheet = staged.sheet(args.get("sheetId", 0))
        rows = args.get("rows") or []
        width = max((len(r.get("values") or []) for r in rows), default=0)
        start = max((r for r, _ in sheet.cells), default=-1) + 1
        if start + len(rows) > sheet.rows:
            sheet.rows = start + len(rows)  # appendCells inserts rows as needed
            self._within_limit(staged)
        if width > sheet.cols:
            raise invalid(f"Range exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")
        self._guard(book, staged.protections, Box(sheet, start, start + max(len(rows), 1), 0, max(width, 1)), account)
        self._put_rows(sheet, start, 0, rows, staged.locale)
        return {}

    @staticmethod
    def _put_rows(sheet: Sheet, r0: int, c0: int, rows: list, locale: str) -> None:
        for i, row in enumerate(rows):
            for j, cell in enumerate(row.get("values") or []):
                value = _extended(cell.get("userEnteredValue"), locale)
                if value is None:
                    sheet.cells.pop((r0 + i, c0 + j), None)
                else:
                    sheet.cells[(r0 + i, c0 + j)] = value

    # -- developer metadata --
    def _req_createDeveloperMetadata(self, book, staged: Staged, args: dict, account: str) -> dict:
        dm = dict(args.get("developerMetadata") or {})
        if not dm.get("metadataKey"):
            raise invalid("metadataKey is required.")
        if dm.get("visibility") not in ("DOCUMENT", "PROJECT"):
            raise invalid("visibility must be DOCUMENT or PROJECT.")
        location = dm.get("location") or {}
        if location.get("spreadsheet"):
            dm["location"] = {"locationType": "SPREADSHEET", "spreadsheet": True}
        elif "sheetId" in location:
            staged.sheet(location["sheetId"])
            dm["location"] = {"locationType": "SHEET", "sheetId": location["sheetId"]}
        else:
            raise invalid("A location is required.")
        mid = dm.get("metadataId")
        if mid is None:
            mid = self.rng.randrange(1, 2**31)
        if not isinstance(mid, int) or not 0 < mid < 2**31:
            raise invalid(f"Invalid metadataId: {mid}. The id must be a positive 32-bit integer.")
        if mid in staged.metadata and getattr(self, "unique_metadata_ids", True):
            raise invalid(f"Developer metadata with id {mid} already exists.")
        dm["metadataId"] = mid
        staged.metadata[mid] = dm
        return {"createDeveloperMetadata": {"developerMetadata": dm}}

    def _req_deleteDeveloperMetadata(self, book, staged: Staged, args: dict, account: str) -> dict:
        lookup = (args.get("dataFilter") or {}).get("developerMetadataLookup")
        if not lookup:
            raise invalid("dataFilter.developerMetadataLookup is required.")
        gone = [dm for dm in staged.metadata.values() if matches(dm, lookup)]
        for dm in gone:
            del staged.metadata[dm["metadataId"]]
        return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": gone}}


def matches(dm: dict, lookup: dict) -> bool:
    """A DeveloperMetadataLookup: every field it gives must match (reference, "Selects
    DeveloperMetadata that matches all of the specified fields")."""
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and dm.get(key) != lookup[key]:
            return False
    return True


def _sheet_properties(s: Sheet) -> dict:
    return {
        "sheetId": s.sheet_id,
        "title": s.title,
        "index": s.index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": s.rows, "columnCount": s.cols},
    }


def _bounds(rng: dict, sheet: Sheet) -> tuple[int, int, int, int] | None:
    keys = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
    if not any(k in rng for k in keys):
        return None
    return (
        rng.get("startRowIndex", 0),
        rng.get("endRowIndex", sheet.rows),
        rng.get("startColumnIndex", 0),
        rng.get("endColumnIndex", sheet.cols),
    )


def _extended(value: dict | None, locale: str) -> Any:
    """An ExtendedValue as the cell stores it; None clears the cell."""
    if not value:
        return None
    if "numberValue" in value:
        return as_double(value["numberValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "stringValue" in value:
        text = str(value["stringValue"])
        if len(text) > MAX_CELL_CHARS:
            raise invalid("Your input contains more than the maximum of 50000 characters in a single cell.")
        return text or None
    if "formulaValue" in value:
        return user_entered(str(value["formulaValue"]), locale)
    raise invalid("Unknown ExtendedValue.")
