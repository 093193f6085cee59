"""Sheets' spreadsheets.* endpoints as the emulator serves them: metadata, values read and
written, developer metadata searched. Routed by `SHEETS_ROUTES`, one entry per method of the
API (the discovery document's method ids), each with its quota class and whether it writes."""

from __future__ import annotations

import re
from typing import Any

from sync.emulator.a1 import Box, col_letters, quote_title, resolve
from sync.emulator.batch import matches
from sync.emulator.fields import parse, selects
from sync.emulator.model import ApiError, Protection, Sheet, Spreadsheet, invalid, not_found
from sync.emulator.values import Formula, as_double, formatted, unformatted, user_entered

_SID = r"(?P<sid>[^/:]+)"
# (HTTP method, path after /v4/spreadsheets/, method id, quota class, writes)
SHEETS_ROUTES = tuple(
    (verb, re.compile(pattern), name, quota, writes)
    for verb, pattern, name, quota, writes in (
        ("POST", _SID + ":batchUpdate", "spreadsheets.batchUpdate", "write", True),
        ("GET", _SID, "spreadsheets.get", "read", False),
        ("GET", _SID + r"/developerMetadata/(?P<mid>\d+)", "spreadsheets.developerMetadata.get", "read", False),
        ("POST", _SID + "/developerMetadata:search", "spreadsheets.developerMetadata.search", "read", False),
        ("POST", _SID + "/values:batchGetByDataFilter", "spreadsheets.values.batchGetByDataFilter", "read", False),
        ("GET", _SID + "/values:batchGet", "spreadsheets.values.batchGet", "read", False),
        ("POST", _SID + "/values:batchUpdate", "spreadsheets.values.batchUpdate", "write", True),
        ("POST", _SID + "/values/(?P<a1>.+):append", "spreadsheets.values.append", "write", True),
        ("POST", _SID + "/values/(?P<a1>.+):clear", "spreadsheets.values.clear", "write", True),
        ("GET", _SID + "/values/(?P<a1>.+)", "spreadsheets.values.get", "read", False),
        ("PUT", _SID + "/values/(?P<a1>.+)", "spreadsheets.values.update", "write", True),
    )
)


def route(method: str, rest: str) -> tuple[str, str, bool, dict[str, str]] | None:
    """(method id, quota class, writes, path parameters) for a Sheets request, or None."""
    for verb, pattern, name, quota, writes in SHEETS_ROUTES:
        found = pattern.fullmatch(rest)
        if verb == method and found:
            return name, quota, writes, found.groupdict()
    return None


class SheetsEndpoints:
    """Mixed into the emulated service: `_guard`, `batch_update` and `rng` come from it."""

    def _check_protection(self, book: Spreadsheet, box: Box, account: str) -> None:
        self._guard(book, book.protections, box, account)

    def metadata(self, book: Spreadsheet, ranges: list[str] = (), grid_data: bool = False) -> dict:
        """spreadsheets.get. With `ranges`, only the sheets they touch; with includeGridData,
        each range's cells as CellData (effectiveValue and userEnteredValue), trailing empty
        cells and rows left out as values.get does (reference, spreadsheets.get; GridData)."""
        boxes = [resolve(book, r) for r in ranges]
        wanted = {b.sheet.sheet_id for b in boxes}
        sheets = []
        for s in sorted(book.sheets, key=lambda s: s.index):
            if ranges and s.sheet_id not in wanted:
                continue
            entry: dict[str, Any] = {
                "properties": {
                    "sheetId": s.sheet_id,
                    "title": s.title,
                    "index": s.index,
                    "sheetType": "GRID",
                    "gridProperties": {"rowCount": s.rows, "columnCount": s.cols},
                }
            }
            prs = [self._protection_json(p, book) for p in book.protections if p.sheet_id == s.sheet_id]
            if prs:
                entry["protectedRanges"] = prs
            if grid_data:
                entry["data"] = [_grid_data(b) for b in boxes if b.sheet.sheet_id == s.sheet_id]
            sheets.append(entry)
        return {
            "spreadsheetId": book.sid,
            "properties": {
                "title": book.title,
                "locale": book.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": book.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.sid}/edit",
        }

    @staticmethod
    def _protection_json(p: Protection, book: Spreadsheet) -> dict:
        rng: dict[str, Any] = {"sheetId": p.sheet_id}
        if p.bounds:
            rng.update(dict(zip(("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"), p.bounds)))
        out: dict[str, Any] = {
            "protectedRangeId": p.pid,
            "range": rng,
            "requestingUserCanEdit": True,
            "editors": {"users": sorted(p.editors)},
        }
        if p.description:
            out["description"] = p.description
        if p.warning_only:
            out["warningOnly"] = True
        return out

    def values_get(self, book: Spreadsheet, a1: str, params: dict) -> dict:
        box = resolve(book, a1)
        render = (params.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
        rows = []
        for r in range(box.r0, box.r1):
            row = []
            for c in range(box.c0, box.c1):
                v = box.sheet.cells.get((r, c))
                if render == "FORMATTED_VALUE":
                    v = formatted(v, book.locale) if v is not None else None
                elif render == "FORMULA":
                    v = v.text if isinstance(v, Formula) else unformatted(v)
                else:
                    v = unformatted(v)
                row.append("" if v is None else v)
            while row and row[-1] == "":
                row.pop()  # Google trims trailing empty cells
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()  # and trailing empty rows
        out: dict[str, Any] = {"range": box.a1(), "majorDimension": "ROWS"}
        if rows:
            out["values"] = rows
        return out

    def _write(self, book: Spreadsheet, a1: str, values: list[list[Any]], option: str, account: str) -> dict:
        box = resolve(book, a1)
        nrows = len(values)
        ncols = max((len(r) for r in values), default=0)
        if box.r0 + nrows > box.sheet.rows or box.c0 + ncols > box.sheet.cols:
            raise invalid(
                f"Range ('{box.sheet.title}'!{a1}) exceeds grid limits. Max rows: {box.sheet.rows}, max columns: {box.sheet.cols}"
            )
        target = Box(box.sheet, box.r0, box.r0 + max(nrows, 1), box.c0, box.c0 + max(ncols, 1))
        self._check_protection(book, target, account)
        staged = {}
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if isinstance(v, str) and len(v) > 50000:
                    raise invalid("Your input contains more than the maximum of 50000 characters in a single cell.")
                if option == "USER_ENTERED":
                    v = user_entered(v, book.locale)
                staged[(box.r0 + i, box.c0 + j)] = as_double(v)
        return {"staged": staged, "box": target, "rows": nrows, "cols": ncols}

    @staticmethod
    def _apply(sheet: Sheet, staged: dict) -> None:
        for key, v in staged.items():
            if v is None:
                continue  # a JSON null leaves the cell as it is (values.update reference)
            if v == "":
                sheet.cells.pop(key, None)  # writing "" leaves the cell empty
            else:
                sheet.cells[key] = v

    def values_by_filter(self, book: Spreadsheet, body: dict) -> dict:
        """values:batchGetByDataFilter with a1Range filters (the only kind thidua sends). A range
        naming a missing tab fails the whole read, as values:batchGet does: our reading, the
        reference does not say."""
        params = {k: [body[k]] for k in ("valueRenderOption", "dateTimeRenderOption") if body.get(k)}
        out = []
        for f in body.get("dataFilters") or []:
            if "a1Range" not in f:
                raise invalid("Only a1Range data filters are served by the emulator.")
            out.append({"valueRange": self.values_get(book, f["a1Range"], params), "dataFilters": [f]})
        return {"spreadsheetId": book.sid, "valueRanges": out}

    # -- one method per endpoint: (book, path parameters, query, body, account) -> answer --
    def ep_spreadsheets_batchUpdate(self, book, path, query, body, account) -> dict:
        return self.batch_update(book, body, account)

    def ep_spreadsheets_get(self, book, path, query, body, account) -> dict:
        """ "If a field mask is set, the includeGridData parameter is ignored" (reference,
        spreadsheets.get): the mask says whether the grid comes."""
        selector = (query.get("fields") or [None])[0]
        grid = _true(query.get("includeGridData")) if not selector else selects(parse(selector), "sheets", "data")
        return self.metadata(book, query.get("ranges") or [], grid)

    def ep_spreadsheets_developerMetadata_get(self, book, path, query, body, account) -> dict:
        found = book.developer_metadata.get(int(path["mid"]))
        if found is None:
            raise not_found()
        return found

    def ep_spreadsheets_developerMetadata_search(self, book, path, query, body, account) -> dict:
        lookups = [f.get("developerMetadataLookup") or {} for f in body.get("dataFilters") or []]
        found = []
        for dm in book.developer_metadata.values():
            hit = next((lk for lk in lookups if matches(dm, lk)), None)
            if hit is not None:
                found.append({"developerMetadata": dm, "dataFilters": [{"developerMetadataLookup": hit}]})
        return {"matchedDeveloperMetadata": found} if found else {}

    def ep_spreadsheets_values_batchGetByDataFilter(self, book, path, query, body, account) -> dict:
        return self.values_by_filter(book, body)

    def ep_spreadsheets_values_batchGet(self, book, path, query, body, account) -> dict:
        ranges = query.get("ranges", [])
        return {"spreadsheetId": book.sid, "valueRanges": [self.values_get(book, r, query) for r in ranges]}

    def ep_spreadsheets_values_batchUpdate(self, book, path, query, body, account) -> dict:
        option = body.get("valueInputOption") or "RAW"
        staged = []
        for i, item in enumerate(body.get("data") or []):
            try:
                staged.append(self._write(book, item["range"], item.get("values") or [], option, account))
            except ApiError as err:
                raise ApiError(err.code, f"Invalid data[{i}]: {err.message}", err.status) from None
        for s in staged:
            self._apply(s["box"].sheet, s["staged"])
        return {
            "spreadsheetId": book.sid,
            "totalUpdatedRows": sum(s["rows"] for s in staged),
            "totalUpdatedColumns": max((s["cols"] for s in staged), default=0),
            "totalUpdatedCells": sum(s["rows"] * s["cols"] for s in staged),
            "totalUpdatedSheets": len({id(s["box"].sheet) for s in staged}),
            "responses": [_updated(book, s) for s in staged],
        }

    def ep_spreadsheets_values_append(self, book, path, query, body, account) -> dict:
        box = resolve(book, path["a1"])
        last = max((r for r, c in box.sheet.cells if box.c0 <= c < box.c1), default=-1)
        start = f"{quote_title(box.sheet.title)}!{col_letters(box.c0 + 1)}{last + 2}"
        option = (query.get("valueInputOption") or ["RAW"])[0]
        s = self._write(book, start, body.get("values") or [], option, account)
        self._apply(s["box"].sheet, s["staged"])
        return {"spreadsheetId": book.sid, "tableRange": box.a1(), "updates": _updated(book, s)}

    def ep_spreadsheets_values_clear(self, book, path, query, body, account) -> dict:
        box = resolve(book, path["a1"])
        self._check_protection(book, box, account)
        for key in [k for k in box.sheet.cells if box.r0 <= k[0] < box.r1 and box.c0 <= k[1] < box.c1]:
            del box.sheet.cells[key]
        return {"spreadsheetId": book.sid, "clearedRange": box.a1()}

    def ep_spreadsheets_values_get(self, book, path, query, body, account) -> dict:
        return self.values_get(book, path["a1"], query)

    def ep_spreadsheets_values_update(self, book, path, query, body, account) -> dict:
        option = (query.get("valueInputOption") or ["RAW"])[0]
        s = self._write(book, path["a1"], body.get("values") or [], option, account)
        self._apply(s["box"].sheet, s["staged"])
        return _updated(book, s)


def _updated(book: Spreadsheet, s: dict) -> dict:
    """An UpdateValuesResponse for a staged write."""
    return {
        "spreadsheetId": book.sid,
        "updatedRange": s["box"].a1(),
        "updatedRows": s["rows"],
        "updatedColumns": s["cols"],
        "updatedCells": s["rows"] * s["cols"],
    }


def _true(flag: list[str] | None) -> bool:
    return bool(flag) and str(flag[0]).lower() == "true"


def _cell_json(v: Any) -> dict:
    if v is None:
        return {}
    if isinstance(v, Formula):
        shown = _cell_json(v.cached).get("effectiveValue", {})
        return {"userEnteredValue": {"formulaValue": v.text}, **({"effectiveValue": shown} if shown else {})}
    if isinstance(v, bool):
        value = {"boolValue": v}
    elif isinstance(v, (int, float)):
        value = {"numberValue": unformatted(v)}
    else:
        value = {"stringValue": str(v)}
    return {"userEnteredValue": value, "effectiveValue": value}


def _grid_data(box: Box) -> dict:
    rows = []
    for r in range(box.r0, box.r1):
        cells = [_cell_json(box.sheet.cells.get((r, c))) for c in range(box.c0, box.c1)]
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    return {"startRow": box.r0, "startColumn": box.c0, "rowData": rows}
