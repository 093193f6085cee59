"""Names and shapes shared by the Google modules: the tabs, their size, and every URL we call
(gspread keeps its own in gspread/urls.py)."""

from __future__ import annotations

import unicodedata

TAB_COLUMNS = 5
# A unit's tab holds one row per entered row of its report: 34-56 for the shipped plan's units,
# a few hundred for a unit with long lists. 1 000 rows leave room for that and let one
# spreadsheet hold 1 993 units under Google's 10 000 000 cells (2 000 held 997).
TAB_ROWS = 1000
REGISTRY_TAB, LOG_TAB, REVIEW_TAB = "Danh sách đơn vị", "Nhật ký", "Duyệt"
REVIEW_HEADER = ["Mã", "Bản ghi (phần mềm đọc)", "Trạng thái", "Lúc", "Người duyệt", "Lý do"]
SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
USERINFO_URL = "https://www.googleapis.com/oauth2/v3/userinfo"
# what a metadata read needs: the tabs' ids, titles and sizes, and their protections
METADATA_FIELDS = (
    "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),"
    "protectedRanges(protectedRangeId,range,editors,description,warningOnly))"
)
RENDER = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}


def nfc(text: str) -> str:
    """Titles compared as Google stores them: gspread compares with ==, a user may type NFD."""
    return unicodedata.normalize("NFC", text)


def quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
