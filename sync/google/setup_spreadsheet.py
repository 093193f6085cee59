"""Preparing the campaign's spreadsheet: safe to run again, and again after any lost answer.

- The spreadsheet is found by a Drive app property (the campaign id) before one is created,
  and a create whose answer was lost is looked for again instead of repeated: one spreadsheet.
- Tabs are added for what is missing; "already exists" (an earlier answer that was lost) is
  read as done. Unit tabs are sized to what they hold, 1 000 x 5 cells, which says how many
  units fit under Google's 10 000 000 cells.
- Each tab keeps one protection, updated in place when the registry's accounts change
  (adding a second would need the old and the new editors at once), duplicates removed.
- Claims (developer metadata) that run ahead of what they claim were not written by thidua:
  someone is blocking a unit's pushes; they are removed.
- Sharing follows the registry: an address that is not a Google account can only be invited
  with a notification, and the output says so per address; writers no longer in the registry
  lose their access.
"""

from __future__ import annotations

from typing import Any

from campaign.refusals import RC, SyncError
from campaign.review import DA_DUYET
from sync.google.cells import grow_rows
from sync.google.claims import CLAIM_KEY, claim_value, forged_claims
from sync.google.errors import GoogleAPIError
from sync.google.names import (
    LOG_TAB,
    REGISTRY_TAB,
    REVIEW_HEADER,
    REVIEW_TAB,
    TAB_COLUMNS,
    TAB_ROWS,
)
from sync.google.names import nfc as _nfc
from sync.google.names import quote as _quote

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
APP_KEY = "thidua_campaign"
INVITATION = "Mời anh/chị gửi báo cáo thi đua vào tab của đơn vị mình trên bảng tính này."
CELL_LIMIT = 10_000_000
# rows, columns at least; the registry and review tabs have a row per unit and a header, grown
# with the registry before they are written; the log is grown by its own appends (appendCells
# "inserts new rows into the sheet if necessary", reference, AppendCellsRequest)
SIDE_TABS = {REGISTRY_TAB: (200, 6), LOG_TAB: (1000, 9), REVIEW_TAB: (200, 6)}
PER_UNIT_ROWS = (REGISTRY_TAB, REVIEW_TAB)


def units_that_fit() -> int:
    """Units one spreadsheet holds under Google's 10 000 000 cells: each takes its tab and a row
    of the registry and of the review tab; the log and the two headers take the rest."""
    per_unit = TAB_ROWS * TAB_COLUMNS + sum(SIDE_TABS[t][1] for t in PER_UNIT_ROWS)
    fixed = SIDE_TABS[LOG_TAB][0] * SIDE_TABS[LOG_TAB][1] + sum(SIDE_TABS[t][1] for t in PER_UNIT_ROWS)
    return (CELL_LIMIT - fixed) // per_unit


def _search(client: Any, campaign_id: str) -> str | None:
    escaped = campaign_id.replace("\\", "\\\\").replace("'", "\\'")
    q = f"appProperties has {{ key='{APP_KEY}' and value='{escaped}' }} and trashed = false"
    files = client.http_client.files_list(q, "files(id,name)").get("files") or []
    return files[0]["id"] if files else None


def find_or_create(backend: Any, title: str) -> bool:
    """Point `backend` (a GoogleBackend without a spreadsheet yet) at this campaign's
    spreadsheet if its account can see one, else at a new one in vi_VN; True if created. A lost
    answer to the create is followed by a search, never a second create."""
    client, campaign = backend.client, backend.campaign
    found = backend._call(lambda: _search(client, campaign.id), "Tìm bảng tính chung")
    if found:
        backend.sid = found
        return False
    body = {"name": title, "mimeType": SPREADSHEET_MIME, "appProperties": {APP_KEY: campaign.id}}
    try:
        answer = backend._call(lambda: client.http_client.files_create(body, "id"), "Tạo bảng tính chung")
        backend.sid = answer["id"]
    except SyncError as err:
        if err.code not in (RC.GOOGLE_MAT_MANG, RC.GOOGLE_MAY_CHU_LOI, RC.GOOGLE_TRA_LOI_LA):
            raise
        found = backend._call(lambda: _search(client, campaign.id), "Tìm bảng tính chung")
        if not found:
            raise
        backend.sid = found
    locale = {
        "updateSpreadsheetProperties": {
            "properties": {"locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
            "fields": "locale,timeZone",
        }
    }
    backend._call(lambda: backend.http.batch_update(backend.sid, {"requests": [locale]}), "Đặt ngôn ngữ bảng tính")
    return True


class SpreadsheetSetup:
    """Mixed into GoogleBackend: `thidua sheet setup`."""

    def setup(self, unit_codes: list[str]) -> list[str]:
        """Make the spreadsheet match the registry; what changed, in Vietnamese."""
        made: list[str] = []
        present = _add_tabs(self, unit_codes, made)
        if _protect(self, unit_codes, present, made):
            # an addProtectedRange repeated after a lost answer adds a second one: look again,
            # and the extra is deleted (adding one is not idempotent, deleting extras is)
            _protect(self, unit_codes, self._titles(self._metadata()), [])
        review_codes = _review_codes(self)
        registry = _registry_rows(self.campaign, unit_codes)
        wanted = {REGISTRY_TAB: len(registry), REVIEW_TAB: len(_review_column(review_codes, unit_codes))}
        _grow(self, present, wanted)
        _write_registry(self, registry, present, made)
        _write_review_codes(self, unit_codes, review_codes, made)
        _remove_forged_claims(self, unit_codes, made)
        _share(self, unit_codes, made)
        return made


def capacity_line(units: int) -> str:
    return (
        f"Mỗi tab đơn vị có {TAB_ROWS} × {TAB_COLUMNS} ô: một bảng tính chứa được tối đa {units_that_fit()} đơn vị "
        f"(giới hạn 10 triệu ô của Google); đợt này có {units}."
    )


def _add_tabs(backend: Any, unit_codes: list[str], made: list[str]) -> dict[str, dict]:
    shapes = {**{c: (TAB_ROWS, TAB_COLUMNS) for c in unit_codes}, **SIDE_TABS}
    for side in PER_UNIT_ROWS:
        shapes[side] = (max(SIDE_TABS[side][0], len(unit_codes) + 1), SIDE_TABS[side][1])
    for _ in range(3):
        present = backend._titles(backend._metadata())
        missing = [t for t in shapes if _nfc(t) not in present]
        if not missing:
            return present
        used = sum(
            sh["properties"]["gridProperties"]["rowCount"] * sh["properties"]["gridProperties"]["columnCount"]
            for sh in present.values()
        )
        cells = used + sum(shapes[t][0] * shapes[t][1] for t in missing)
        if cells > CELL_LIMIT:
            raise _too_many_cells(cells)
        requests = [
            {"addSheet": {"properties": {"title": t, "gridProperties": {"rowCount": r, "columnCount": c}}}}
            for t, (r, c) in ((t, shapes[t]) for t in missing)
        ]
        if backend._call(lambda r=requests: _add_sheets(backend, r), "Tạo tab") is None:
            continue  # an earlier answer was lost after the tabs were made: read again
        made += [f"tab {t}" for t in missing]
    return backend._titles(backend._metadata())


def _add_sheets(backend: Any, requests: list[dict]) -> dict | None:
    """The batch's reply; None when a tab of it exists already (a lost answer's tabs)."""
    try:
        return backend.http.batch_update(backend.sid, {"requests": requests})
    except GoogleAPIError as err:
        if err.status == 400 and "already exists" in err.message:
            return None
        raise


def _protect(backend: Any, unit_codes: list[str], present: dict[str, dict], made: list[str]) -> bool:
    """Each tab's one protection as the registry says; True if any was added."""
    campaign = backend.campaign
    consolidators = set(campaign.consolidators)
    everyone = {e for u in campaign.units for e in u.editors} | consolidators
    wanted: dict[str, tuple[set[str], str]] = {}
    for code in unit_codes:
        unit = campaign.unit(code)
        wanted[code] = (
            set(unit.editors if unit else ()) | consolidators,
            f"Chỉ đơn vị {code} và phòng Văn hóa - Xã hội được sửa",
        )
    # an accepted report's tab stays locked to its unit (review_flow locks it on acceptance)
    accepted = {c for c, r in backend.read_reviews(list(unit_codes)).items() if r.state == DA_DUYET}
    for code in accepted:
        wanted[code] = (set(consolidators), f"Báo cáo {code} đã duyệt: chỉ phòng Văn hóa - Xã hội được sửa")
    wanted[REGISTRY_TAB] = (consolidators, "Chỉ phòng Văn hóa - Xã hội được sửa")
    wanted[REVIEW_TAB] = (consolidators, "Trạng thái duyệt: chỉ phòng Văn hóa - Xã hội được sửa")
    wanted[LOG_TAB] = (everyone, "Nhật ký gửi báo cáo")
    me = {backend.account} if backend.account else set()
    requests: list[dict] = []
    changed = []
    for title, (editors, text) in wanted.items():
        sheet = present[_nfc(title)]
        sheet_id = sheet["properties"]["sheetId"]
        grid = sheet["properties"]["gridProperties"]
        if title in unit_codes and grid.get("columnCount") != TAB_COLUMNS:
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": {"columnCount": TAB_COLUMNS}},
                        "fields": "gridProperties.columnCount",
                    }
                }
            )
        whole = [p for p in sheet.get("protectedRanges", []) if set(p.get("range", {})) <= {"sheetId"}]
        target = {
            "range": {"sheetId": sheet_id},
            "description": text,
            "warningOnly": False,
            "editors": {"users": sorted(editors)},
        }
        if not whole:
            requests.append({"addProtectedRange": {"protectedRange": target}})
            changed.append(title)
            continue
        first, *extra = whole
        have = set((first.get("editors") or {}).get("users") or [])
        if have - me != editors - me:
            target["protectedRangeId"] = first["protectedRangeId"]
            requests.append({"updateProtectedRange": {"protectedRange": target, "fields": "editors,description"}})
            changed.append(title)
        requests += [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}} for p in extra]
    if requests:
        backend._call(lambda: backend.http.batch_update(backend.sid, {"requests": requests}), "Bảo vệ tab")
    if changed:
        made.append(f"bảo vệ {len(changed)} tab")
    return any("addProtectedRange" in r for r in requests)


def _too_many_cells(cells: int) -> SyncError:
    return SyncError(RC.GOOGLE_QUA_GIOI_HAN_O, cells=cells, per_tab=TAB_ROWS * TAB_COLUMNS, fit=units_that_fit())


def _grow(backend: Any, present: dict[str, dict], wanted: dict[str, int]) -> None:
    """Grow the tabs setup owns to the rows the registry needs, in one batch, before anything
    is written into them (a write past a tab's grid is a 400, "exceeds grid limits"). `present`
    is updated to the new sizes."""
    short = {}
    for title, rows in wanted.items():
        props = present[_nfc(title)]["properties"]
        if props["gridProperties"]["rowCount"] < rows:
            short[title] = (props, rows)
    if not short:
        return
    used = sum(_cells(sh["properties"]) for sh in present.values())
    more = sum(
        (rows - props["gridProperties"]["rowCount"]) * props["gridProperties"]["columnCount"]
        for props, rows in short.values()
    )
    if used + more > CELL_LIMIT:
        raise _too_many_cells(used + more)
    requests = [grow_rows(props["sheetId"], rows) for props, rows in short.values()]
    backend._call(lambda: backend.http.batch_update(backend.sid, {"requests": requests}), "Mở rộng các tab")
    for props, rows in short.values():
        props["gridProperties"]["rowCount"] = rows


def _cells(props: dict) -> int:
    return props["gridProperties"]["rowCount"] * props["gridProperties"]["columnCount"]


def _registry_rows(campaign: Any, unit_codes: list[str]) -> list[list[str]]:
    header = ["Mã", "Tên đơn vị", "Loại", "Cụm, khối", "Tài khoản Google được sửa"]
    return [header] + [
        [u.code, u.name, u.kind, u.cluster, "; ".join(u.editors)] for u in campaign.units if u.code in unit_codes
    ]


def _write_registry(backend: Any, registry: list[list[str]], present: dict[str, dict], made: list[str]) -> None:
    height = present[_nfc(REGISTRY_TAB)]["properties"]["gridProperties"]["rowCount"]
    rng = f"{_quote(REGISTRY_TAB)}!A1:E{height}"
    current = backend._call(
        lambda: backend.http.values_get(backend.sid, rng, params={"valueRenderOption": "UNFORMATTED_VALUE"}),
        "Đọc danh sách",
    )
    if current.get("values", []) == registry:
        return
    rows = registry + [[""] * 5 for _ in range(height - len(registry))]  # rows of removed units cleared
    body = {"valueInputOption": "RAW", "data": [{"range": rng, "values": rows}]}
    backend._call(lambda: backend.http.values_batch_update(backend.sid, body), "Ghi danh sách đơn vị")
    made.append("danh sách đơn vị")


def _review_codes(backend: Any) -> list[str]:
    """Column A of the review tab as it is: the header, then a code per row (kept for units
    removed from the registry, whose records stay)."""
    answer = backend._call(
        lambda: backend.http.values_get(backend.sid, f"{_quote(REVIEW_TAB)}!A:A"), "Đọc trạng thái duyệt"
    )
    return [str(row[0]) if row else "" for row in answer.get("values", [])]


def _review_column(have: list[str], unit_codes: list[str]) -> list[str]:
    """Column A as setup leaves it: the header, the rows there are, then the missing units."""
    have = [REVIEW_HEADER[0]] + have[1:]
    return have + [c for c in unit_codes if c not in have]


def _write_review_codes(backend: Any, unit_codes: list[str], have: list[str], made: list[str]) -> None:
    """The review tab's header and column A (a row per unit); the records in B:F are never
    touched by setup."""
    if have[:1] != [REVIEW_HEADER[0]]:
        body = {
            "valueInputOption": "RAW",
            "data": [{"range": f"{_quote(REVIEW_TAB)}!A1:F1", "values": [REVIEW_HEADER]}],
        }
        backend._call(lambda: backend.http.values_batch_update(backend.sid, body), "Ghi trạng thái duyệt")
    column = _review_column(have, unit_codes)
    start = max(len(have), 1) + 1
    missing = column[start - 1 :]
    if not missing:
        return
    rng = f"{_quote(REVIEW_TAB)}!A{start}:A{start + len(missing) - 1}"
    body = {"valueInputOption": "RAW", "data": [{"range": rng, "values": [[c] for c in missing]}]}
    backend._call(lambda: backend.http.values_batch_update(backend.sid, body), "Ghi trạng thái duyệt")
    made.append(f"{len(missing)} dòng trạng thái duyệt")


def _remove_forged_claims(backend: Any, unit_codes: list[str], made: list[str]) -> None:
    """Delete claims that run ahead of what they claim (`google_claims.forged_claims`): a unit
    blocked by one is told to ask for this. The claims are read first, then the tabs and the
    records: a push that lands in between shows its claim and its tab both, never a claim alone."""
    import sys

    body = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": CLAIM_KEY}}]}
    answer = backend._call(lambda: backend.http.developer_metadata_search(backend.sid, body), "Đọc các mục giữ chỗ")
    claims = [m.get("developerMetadata") or {} for m in answer.get("matchedDeveloperMetadata") or []]
    if not claims:
        return
    tabs = backend.read_all(unit_codes)
    # a tab that could not be read is not judged: its claims are left alone
    revisions = {c: (sys.maxsize if t.extra.get("refused") else t.revision) for c, t in tabs.items()}
    seqs = {c: r.seq for c, r in backend.read_reviews(unit_codes).items()}
    bad = forged_claims(claims, set(unit_codes), revisions, seqs)
    if not bad:
        return
    requests = [
        {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": dm["metadataId"]}}}}
        for dm in bad
        if isinstance(dm.get("metadataId"), int)
    ]
    backend._call(lambda: backend.http.batch_update(backend.sid, {"requests": requests}), "Gỡ mục giữ chỗ")
    units = sorted({str(claim_value(dm.get("metadataValue")).get("unit") or "?") for dm in bad})
    made.append(f"gỡ {len(requests)} mục giữ chỗ không do thidua ghi (chặn gửi: {', '.join(units)})")


def _share(backend: Any, unit_codes: list[str], made: list[str]) -> None:
    campaign = backend.campaign
    wanted = {e for u in campaign.units if u.code in unit_codes for e in u.editors} | set(campaign.consolidators)
    perms = backend._call(lambda: backend.http.permissions_list(backend.sid), "Đọc quyền chia sẻ")
    shared = {p.get("emailAddress") for p in perms}

    def invite(email: str) -> str:
        try:
            backend.http.permissions_create(backend.sid, email, "writer", notify=False)
            return f"chia sẻ {email}"
        except GoogleAPIError as err:
            if err.status != 400 or "invalidSharingRequest" not in err.reasons:
                raise
        backend.http.permissions_create(backend.sid, email, "writer", notify=True, message=INVITATION)
        return (
            f"{email} chưa là tài khoản Google: đã gửi thư mời; người này phải tạo tài khoản Google với đúng "
            "địa chỉ này (hoặc báo phòng VH-XH một địa chỉ Gmail) thì mới sửa được tab của đơn vị"
        )

    for email in sorted(wanted - shared):
        made.append(backend._call(lambda e=email: invite(e), f"Chia sẻ bảng tính với {email}"))
    for p in perms:
        email = p.get("emailAddress")
        if p.get("role") == "writer" and p.get("type") == "user" and email not in wanted and email != backend.account:
            backend._call(lambda p=p: backend.http.permissions_delete(backend.sid, p["id"]), "Bỏ quyền chia sẻ")
            made.append(f"bỏ quyền sửa của {email} (không còn trong danh sách đơn vị)")
