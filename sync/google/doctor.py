"""`thidua sheet doctor`: check, once, on the real service, what the emulator assumes of Google.

An admin runs it with real credentials. It works in a scratch spreadsheet of its own (created,
then deleted) or in a scratch tab of `--google KEY` (added, then deleted), and prints a table:
each behaviour our tests rely on, and whether Google does it. It is the bridge between the
emulator and the real service; when a row fails, the emulator is wrong and so may be thidua.

What each row checks, and what rides on it:
- a developer-metadata id used twice fails the whole batch: the push's claim (gsheets._commit);
- a sheet id used twice fails the whole batch ("It is an error to specify the ID of a sheet
  that already exists", AddSheetRequest): the documented fallback claim, if the first fails;
- updateCells stores text as text (never a formula) and numbers as doubles: the tab's typing;
- a JSON null leaves a cell as it is, and trailing empty cells are not returned;
- sharing without a notification with an address that has no Google account is refused with
  `invalidSharingRequest`: setup's invitations;
- an edit of a protected range by an account outside it is a 400 (needs a second account,
  `--second KEY`); a 429's body is RESOURCE_EXHAUSTED with RATE_LIMIT_EXCEEDED (only with
  `--quota`, which spends a minute of the account's read quota);
- an answer carries a Date header within minutes of this PC's clock: a push is timed by it
  (gsheets.store_clock), so a PC whose clock is wrong cannot move a report's arrival.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from requests import RequestException

from sync.google.errors import GoogleAPIError
from sync.google.names import quote

DAT, KHONG_DAT, BO_QUA = "ĐẠT", "KHÔNG ĐẠT", "BỎ QUA"


@dataclass
class Row:
    check: str
    result: str
    detail: str = ""


class Scratch:
    """A scratch tab in a scratch (or given) spreadsheet, removed afterwards."""

    def __init__(self, client: Any, key: str | None):
        self.client, self.http = client, client.http_client
        self.made_file = key is None
        if key is None:
            body = {
                "name": f"thidua doctor (nháp) {secrets.token_hex(3)}",
                "mimeType": "application/vnd.google-apps.spreadsheet",
            }
            key = self.http.files_create(body, "id")["id"]
        self.key = key
        self.title = f"thidua-doctor-{secrets.token_hex(4)}"
        reply = self.batch(
            [{"addSheet": {"properties": {"title": self.title, "gridProperties": {"rowCount": 20, "columnCount": 5}}}}]
        )
        self.sheet_id = reply["replies"][0]["addSheet"]["properties"]["sheetId"]

    def batch(self, requests: list[dict]) -> dict:
        return self.http.batch_update(self.key, {"requests": requests})

    def values(self, a1: str) -> list[list]:
        answer = self.http.values_get(
            self.key, f"{quote(self.title)}!{a1}", params={"valueRenderOption": "UNFORMATTED_VALUE"}
        )
        return answer.get("values", [])

    def cell(self, row: int, col: int, value: dict) -> dict:
        return {
            "updateCells": {
                "start": {"sheetId": self.sheet_id, "rowIndex": row, "columnIndex": col},
                "rows": [{"values": [{"userEnteredValue": value}]}],
                "fields": "userEnteredValue",
            }
        }

    def close(self) -> None:
        try:
            if self.made_file:
                self.http.files_delete(self.key)
            else:
                self.batch([{"deleteSheet": {"sheetId": self.sheet_id}}])
        except (GoogleAPIError, RequestException) as exc:  # the scratch stays; the table still prints
            print(f"Không xóa được bảng nháp {self.key} ({type(exc).__name__}); hãy xóa tay.", file=sys.stderr)


def _refused(fn: Callable[[], Any]) -> Any:
    """The GoogleAPIError `fn` raised, or None if it succeeded."""
    try:
        fn()
    except GoogleAPIError as err:
        return err
    return None


def check_metadata_id(s: Scratch) -> Row:
    mid = secrets.randbelow(2**31 - 2) + 1
    claim = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": mid,
                "metadataKey": "thidua.doctor",
                "location": {"sheetId": s.sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }
    s.batch([claim, s.cell(0, 0, {"stringValue": "một"})])
    err = _refused(lambda: s.batch([claim, s.cell(0, 0, {"stringValue": "hai"})]))
    kept = s.values("A1")
    ok = err is not None and err.status == 400 and kept == [["một"]]
    detail = f"lần hai: {err.status if err else 'được nhận'}; A1 = {kept[0][0] if kept else '(trống)'}"
    return Row("Trùng metadataId làm hỏng cả lô (cách gửi có điều kiện)", DAT if ok else KHONG_DAT, detail)


def check_sheet_id(s: Scratch) -> Row:
    sid = secrets.randbelow(2**31 - 2) + 1
    add = {"addSheet": {"properties": {"sheetId": sid, "title": f"{s.title}-x", "hidden": True}}}
    s.batch([add])
    again = {"addSheet": {"properties": {"sheetId": sid, "title": f"{s.title}-y", "hidden": True}}}
    err = _refused(lambda: s.batch([again, s.cell(1, 0, {"stringValue": "không được ghi"})]))
    kept = s.values("A2")
    s.batch([{"deleteSheet": {"sheetId": sid}}])
    ok = err is not None and err.status == 400 and kept == []
    return Row(
        "Trùng sheetId làm hỏng cả lô (cách dự phòng)",
        DAT if ok else KHONG_DAT,
        f"lần hai: {err.status if err else 'được nhận'}",
    )


def check_typing(s: Scratch) -> Row:
    s.batch(
        [
            s.cell(2, 0, {"stringValue": "=1+1"}),
            s.cell(2, 1, {"stringValue": "97,5"}),
            s.cell(2, 2, {"numberValue": 2**53 + 1}),
            s.cell(2, 3, {"numberValue": 0.1}),
        ]
    )
    got = s.values("A3:D3")
    row = got[0] if got else []
    ok = row[:2] == ["=1+1", "97,5"] and len(row) == 4 and row[2] == 2**53 and row[3] == 0.1
    return Row("Chữ giữ là chữ, số lưu dạng double", DAT if ok else KHONG_DAT, json.dumps(row, ensure_ascii=False))


def check_nulls_and_trimming(s: Scratch) -> Row:
    rng = f"{quote(s.title)}!A4:C4"
    s.http.values_update(s.key, rng, params={"valueInputOption": "RAW"}, body={"values": [["giữ", "x", ""]]})
    s.http.values_update(s.key, rng, params={"valueInputOption": "RAW"}, body={"values": [[None, "y", None]]})
    got = s.values("A4:E4")
    ok = got == [["giữ", "y"]]
    return Row(
        "null giữ nguyên ô; ô trống cuối dòng không trả về",
        DAT if ok else KHONG_DAT,
        json.dumps(got, ensure_ascii=False),
    )


def check_sharing(s: Scratch) -> Row:
    stranger = f"thidua-doctor-{secrets.token_hex(6)}@example.com"
    err = _refused(lambda: s.http.permissions_create(s.key, stranger, "writer", notify=False))
    reasons = err.reasons if err else frozenset()
    ok = err is not None and err.status == 400 and "invalidSharingRequest" in reasons
    return Row(
        "Chia sẻ không thông báo với địa chỉ không có tài khoản Google bị từ chối",
        DAT if ok else KHONG_DAT,
        f"{err.status if err else 'được nhận'} {sorted(reasons)}",
    )


def check_clock(s: Scratch) -> Row:
    import datetime as dt

    from sync.google.backend import VIETNAM, server_time

    s.http.spreadsheets_get(s.key, {"fields": "spreadsheetId"})
    google = server_time(s.http.server_date)
    here = dt.datetime.now(VIETNAM).replace(tzinfo=None)
    if google is None:
        return Row("Câu trả lời có giờ của Google (Date)", KHONG_DAT, "không có Date")
    off = (here - google).total_seconds()
    # the check passes on Google's side; a PC far off is worth saying, since the push ignores it
    detail = f"Google: {google:%d/%m/%Y %H:%M:%S}; máy này lệch {off:+.0f} giây"
    return Row("Câu trả lời có giờ của Google (Date)", DAT, detail)


def check_protection(s: Scratch, second: Any | None) -> Row:
    name = "Sửa vùng được bảo vệ bằng tài khoản khác: lỗi 400"
    if second is None:
        return Row(name, BO_QUA, "cần tài khoản thứ hai (--second KHÓA)")
    client, email = second
    s.http.permissions_create(s.key, email, "writer", notify=False)
    s.batch([{"addProtectedRange": {"protectedRange": {"range": {"sheetId": s.sheet_id}, "editors": {"users": []}}}}])
    rng = f"{quote(s.title)}!A5"
    err = _refused(
        lambda: client.http_client.values_update(
            s.key, rng, params={"valueInputOption": "RAW"}, body={"values": [["x"]]}
        )
    )
    ok = err is not None and err.status == 400
    return Row(name, DAT if ok else KHONG_DAT, f"{err.status if err else 'được ghi'}")


def check_quota(s: Scratch, spend: bool) -> Row:
    name = "Quá hạn mức: 429 RESOURCE_EXHAUSTED, RATE_LIMIT_EXCEEDED"
    if not spend:
        return Row(name, BO_QUA, "chạy với --quota (dùng hết hạn mức đọc một phút)")
    s.http.max_attempts = 1
    for _ in range(120):
        try:
            s.http.values_get(s.key, f"{quote(s.title)}!A1")
        except GoogleAPIError as err:
            ok = err.status == 429 and err.rpc_status == "RESOURCE_EXHAUSTED" and "RATE_LIMIT_EXCEEDED" in err.reasons
            return Row(name, DAT if ok else KHONG_DAT, f"{err.status} {err.rpc_status}")
    return Row(name, KHONG_DAT, "120 lần đọc không gặp giới hạn")


def run_checks(client: Any, key: str | None, second: Any | None = None, quota: bool = False) -> list[Row]:
    scratch = Scratch(client, key)
    rows = []
    try:
        for check in (
            check_metadata_id,
            check_sheet_id,
            check_typing,
            check_nulls_and_trimming,
            check_sharing,
            check_clock,
        ):
            try:
                rows.append(check(scratch))
            except (
                GoogleAPIError,
                LookupError,
                TypeError,
                ValueError,
            ) as exc:  # one broken row must not hide the others
                rows.append(Row(check.__name__, KHONG_DAT, f"lỗi: {type(exc).__name__}: {str(exc)[:120]}"))
        rows.append(check_protection(scratch, second))
        rows.append(check_quota(scratch, quota))
    finally:
        scratch.close()
    return rows


def table(rows: list[Row]) -> str:
    width = max(len(r.check) for r in rows)
    lines = [f"{'Kiểm tra'.ljust(width)}  {'Kết quả':10}  Chi tiết", "-" * (width + 40)]
    lines += [f"{r.check.ljust(width)}  {r.result:10}  {r.detail}" for r in rows]
    return "\n".join(lines)


def run_doctor(
    campaign: Any,
    credentials: str | None,
    key: str | None = None,
    second: str | None = None,
    quota: bool = False,
    out=None,
) -> int:
    from sync.google.backend import GoogleBackend
    from sync.google.client import client_from_credentials

    out = out or sys.stdout
    client, account = client_from_credentials(credentials, admin=True)
    other = client_from_credentials(second) if second else None
    backend = GoogleBackend(client, key or "", campaign, account=account)
    rows = backend._call(lambda: run_checks(client, key, other, quota), "Tự kiểm tra với Google")
    print(f"Tự kiểm tra Google Sheets với tài khoản {account or '(không rõ)'}:", file=out)
    print(table(rows), file=out)
    failed = [r for r in rows if r.result == KHONG_DAT]
    if failed:
        print(
            "Có điểm Google làm khác máy giả lập: đừng dựa vào kết quả kiểm thử cho điểm đó; "
            "báo cho nhóm phát triển kèm bảng này.",
            file=out,
        )
        return 1
    return 0
