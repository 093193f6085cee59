"""Duyệt báo cáo: the review states of a unit's report, their transitions, and the reasons of a
return placed at rows of the unit's workbook.

States, per unit and period: Chưa gửi → Đã gửi (chờ duyệt) → Trả lại (with reasons) → Đã gửi
lại → Đã duyệt; from Đã duyệt a consolidator may reopen it, with a reason (it is then Trả lại).

Only consolidators write a review record; a unit never does. What a unit's push changes is its
tab, so "Đã gửi lại" is not stored: it is a returned record whose tab now holds other content
(a different hash). A record keeps the hash it applied to, and a sequence number: a consolidator
acting on an older view than the stored one is refused (two consolidators, one unit: one wins).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from campaign.dates import show_time
from campaign.definition import identity_key
from campaign.findings import FC, Finding
from campaign.refusals import RC, SyncError
from campaign.unit_report import UnitReport, cell_ref, column_number

CHUA_GUI = "Chưa gửi"
CHO_DUYET = "Đã gửi (chờ duyệt)"
TRA_LAI = "Trả lại"
GUI_LAI = "Đã gửi lại"
DA_DUYET = "Đã duyệt"
STATES = (CHUA_GUI, CHO_DUYET, TRA_LAI, GUI_LAI, DA_DUYET)

RETURN, ACCEPT, REOPEN = "trả lại", "duyệt", "mở lại"
_FROM = {RETURN: (CHO_DUYET, GUI_LAI), ACCEPT: (CHO_DUYET, GUI_LAI), REOPEN: (DA_DUYET,)}
_TO = {RETURN: TRA_LAI, ACCEPT: DA_DUYET, REOPEN: TRA_LAI}

_CELL = re.compile(r"^(?:'?(?P<sheet>[^!']+)'?!)?(?P<col>[A-Za-z]{1,3})(?P<row>\d{1,7})$")


@dataclass(frozen=True)
class Reason:
    """A remark on the whole report, or on a target's row or a cell (kept as row and column keys,
    so it stays with its row when the unit inserts rows)."""

    text: str
    sheet: str = ""  # layout key ("report", "models"…); "" for a general remark
    row_key: str = ""
    col_key: str = ""
    where: str = ""  # as the consolidator named it: "CT07", "Báo cáo!I6"
    row_hash: str = ""  # the row's entries when returned: a change marks the reason "đã sửa?"


@dataclass(frozen=True)
class Review:
    unit_code: str
    state: str = CHO_DUYET  # the stored state: CHO_DUYET only before any action
    seq: int = 0  # 0: no consolidator has acted
    at: str = ""
    by: str = ""
    content_hash: str = ""  # the tab's hash the last action applied to
    reasons: tuple[Reason, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Review | None:
        try:
            data = json.loads(text)
            reasons = tuple(Reason(**r) for r in data.pop("reasons", []))
            return Review(**data, reasons=reasons)
        except (TypeError, ValueError, KeyError):
            return None


def effective_state(review: Review | None, tab_hash: str | None) -> str:
    """What the report's state is now, from the stored record and the tab as it is."""
    if not tab_hash:
        return CHUA_GUI
    if review is None or review.seq == 0:
        return CHO_DUYET
    if review.state == TRA_LAI and tab_hash != review.content_hash:
        return GUI_LAI
    return review.state


def transition(
    review: Review | None,
    unit_code: str,
    action: str,
    tab_hash: str | None,
    by: str,
    at: str,
    reasons: tuple[Reason, ...] = (),
) -> Review:
    """The record after `action`, or a refusal saying why the action does not apply."""
    now = effective_state(review, tab_hash)
    if now not in _FROM[action]:
        raise SyncError(RC.DUYET_KHONG_HOP_LE, unit=unit_code, action=action, state=now)
    if action in (RETURN, REOPEN) and not reasons:
        raise SyncError(RC.DUYET_THIEU_LY_DO, unit=unit_code, action=action)
    seq = review.seq if review else 0
    return Review(unit_code, _TO[action], seq + 1, at, by, tab_hash or "", tuple(reasons))


def last_action(review: Review | None) -> str:
    """The last review action and its reasons, as Tổng hợp's units sheet shows them."""
    if review is None or not review.seq:
        return ""
    reasons = "; ".join(f"{r.where}: {r.text}" if r.where else r.text for r in review.reasons)
    return f"{review.state} lúc {show_time(review.at)} ({review.by})" + (f": {reasons}" if reasons else "")


def may_review(account: str, consolidators: tuple[str, ...] | list[str]) -> None:
    example = consolidators[0] if consolidators else "ten@..."
    if not account:
        raise SyncError(RC.DUYET_CHUA_CO_TAI_KHOAN, example=example)
    if identity_key(account) not in {identity_key(c) for c in consolidators}:
        raise SyncError(RC.DUYET_KHONG_PHAI_TONG_HOP, account=account, example=example)


def row_hash(report: UnitReport, sheet: str, row_key: str) -> str:
    data = report.sheets.get(sheet)
    row = next((r for r in data.rows if r.key == row_key), None) if data else None
    if row is None:
        return ""
    values = {k: str(c.value) for k, c in sorted(row.cells.items()) if k != "check" and not c.empty}
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:12]


def locate(report: UnitReport, text: str, target: str | None = None, cell: str | None = None) -> Reason:
    """A reason attached where the consolidator said: a target code, a cell such as
    'Báo cáo!I6' (by the report as the share holds it), or nothing (a general remark)."""
    if target:
        rep = report.sheets["report"]
        # typed in any case ('ct07'), kept as the report spells it
        target = (
            next((r.key for r in rep.rows if r.key and identity_key(r.key) == identity_key(target)), None) or target
        )
        if not any(r.key == target for r in rep.rows):
            raise SyncError(RC.DUYET_KHONG_CO_CHI_TIEU, target=target, unit=report.unit_code)
        return Reason(text, "report", target, "", target, row_hash(report, "report", target))
    if cell:
        m = _CELL.match(cell.strip())
        if not m:
            raise SyncError(RC.DUYET_O_KHONG_HIEU, cell=cell)
        name = (m["sheet"] or report.sheets["report"].name).strip()
        sheet = next((s for s in report.sheets.values() if identity_key(s.name) == identity_key(name)), None)
        number = int(m["row"])
        row = next((r for r in sheet.rows if r.number == number), None) if sheet else None
        if sheet is None or row is None or not row.key:
            raise SyncError(RC.DUYET_O_NGOAI_BANG, cell=cell, unit=report.unit_code)
        col = column_number(m["col"])
        col_key = next((k for k, c in sheet.columns.items() if c == col), "")
        return Reason(
            text, sheet.layout_key, row.key, col_key, cell.strip(), row_hash(report, sheet.layout_key, row.key)
        )
    return Reason(text)


# -- in the unit's workbook, after Lấy về --
META_STATE, META_AT, META_REASONS = "review_state", "review_at", "review_reasons"


def review_meta(review: Review | None, state: str) -> dict[str, Any]:
    """What Lấy về writes into the workbook's hidden meta sheet; a push clears it."""
    reasons = [asdict(r) for r in review.reasons] if review and state in (TRA_LAI, GUI_LAI) else []
    return {
        META_STATE: state,
        META_AT: review.at if review and review.seq else "",
        META_REASONS: json.dumps(reasons, ensure_ascii=False) if reasons else "",
    }


CLEARED = {META_STATE: "", META_AT: "", META_REASONS: ""}


def reasons_in(report: UnitReport) -> list[Reason]:
    text = str(report.meta.get(META_REASONS) or "")
    if not text:
        return []
    try:
        return [Reason(**r) for r in json.loads(text)]
    except (TypeError, ValueError):
        return []


def reason_findings(report: UnitReport) -> list[Finding]:
    """Each reason of a return as a warning on its row (or on the report), marked 'đã sửa?' once
    the row no longer holds what it held when the report was returned."""
    out = []
    when = str(report.meta.get(META_AT) or "")
    for r in reasons_in(report):
        data = report.sheets.get(r.sheet) if r.sheet else None
        row = next((x for x in data.rows if x.key == r.row_key), None) if data else None
        changed = bool(r.row_hash) and row is not None and row_hash(report, r.sheet, r.row_key) != r.row_hash
        sheet_name = data.name if data else report.sheets["report"].name
        col = (data.columns.get(r.col_key) or data.columns.get("check")) if data and row else None
        cell = cell_ref(row.number, col) if row and col else ""
        out.append(
            Finding.make(
                FC.DUYET_TRA_LAI,
                sheet_name,
                cell,
                target=r.row_key if r.sheet == "report" else "",
                detail=r.text,
                when=when[:10],
                fixed=" (đã sửa?)" if changed else "",
            )
        )
    return out


@dataclass
class ReviewCounts:
    accepted: int = 0
    pending: int = 0
    returned: int = 0
    missing: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


def counts(states: dict[str, str]) -> ReviewCounts:
    c = ReviewCounts(by_state={s: 0 for s in STATES})
    for s in states.values():
        c.by_state[s] = c.by_state.get(s, 0) + 1
    c.accepted = c.by_state[DA_DUYET]
    c.pending = c.by_state[CHO_DUYET] + c.by_state[GUI_LAI]
    c.returned = c.by_state[TRA_LAI]
    c.missing = c.by_state[CHUA_GUI]
    return c
