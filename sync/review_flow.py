"""Duyệt / Trả lại / Mở lại against a backend, and the trail of who did what (thidua log).

A consolidator acts on the report as the share holds it now: the action applies to that
content's hash, is refused if another consolidator acted first or the unit pushed meanwhile,
and goes into the same log as the pushes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from campaign.dates import vietnam_now
from campaign.definition import Campaign, identity_key
from campaign.refusals import RC, SyncError
from campaign.review import (
    ACCEPT,
    CHUA_GUI,
    REOPEN,
    RETURN,
    Reason,
    Review,
    effective_state,
    locate,
    may_review,
    transition,
)
from campaign.signing import SEAL_BAD
from sync.backend import Backend
from sync.seals import SEAL
from sync.unit_sync import report_from_tab


@dataclass(frozen=True)
class Ask:
    """A reason as the consolidator gives it: text, and optionally a target or a cell."""

    text: str
    target: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class Status:
    unit_code: str
    state: str
    review: Review | None
    revision: int
    pushed_at: str


def statuses(campaign: Campaign, backend: Backend) -> list[Status]:
    """Every unit's review state, in registry order: the tabs and the records, two reads."""
    codes = [u.code for u in campaign.units]
    tabs = backend.read_all(codes)
    reviews = backend.read_reviews(codes)
    out = []
    for code in codes:
        tab = tabs.get(code)
        review = reviews.get(code)
        state = effective_state(review, tab.data_hash() if tab else None)
        out.append(Status(code, state, review, tab.revision if tab else 0, tab.pushed_at if tab else ""))
    return out


def act(
    campaign: Campaign,
    backend: Backend,
    unit_code: str,
    action: str,
    asks: list[Ask] = (),
    when: dt.datetime | None = None,
) -> Review:
    """Return, accept or reopen one unit's report; the new record."""
    may_review(backend.account, campaign.consolidators)
    unit = campaign.unit(unit_code)
    if unit is None:
        raise SyncError(RC.LAY_VE_DON_VI_LA, unit=unit_code)
    unit_code = unit.code  # as the campaign spells it: 't01' typed is T01
    tab = backend.read_tab(unit_code)
    if tab is None:
        raise SyncError(RC.DUYET_CHUA_GUI, unit=unit_code)
    if tab.extra.get(SEAL) == SEAL_BAD:  # a tab its unit did not write (signed: sync/seals.py)
        raise SyncError(RC.DUYET_BI_SUA, unit=unit_code, store=backend.store, seal=SEAL_BAD)
    old = backend.read_review(unit_code)
    report = report_from_tab(campaign, tab)
    reasons: tuple[Reason, ...] = tuple(locate(report, a.text, a.target, a.cell) for a in asks)
    # on Google, Google's time (its answer to the reads above), not this PC's
    at = (when or backend.store_clock() or vietnam_now()).replace(microsecond=0).isoformat(sep=" ")
    before = effective_state(old, tab.data_hash())
    new = transition(old, unit_code, action, tab.data_hash(), backend.account, at, reasons)
    said = "; ".join(f"{r.where}: {r.text}" if r.where else r.text for r in reasons)
    log_row = [at, action, unit_code, str(tab.revision), new.content_hash, backend.account, before, new.state, said]
    backend.commit_review(old, new, tab.revision, log_row)
    return new


def trail(backend: Backend, unit_code: str | None = None) -> list[dict[str, str]]:
    """The log as records: pushes and review actions, oldest first."""
    # "máy": the Windows login and PC a shared-folder row was written from (empty on Google,
    # where the account is signed in)
    keys = ("lúc", "việc", "đơn vị", "lần gửi", "mã nội dung", "tài khoản", "từ", "sang", "lý do", "máy")
    out = []
    for row in backend.read_log():
        if len(row) < 3 or row[0] in ("", "Lúc"):
            continue
        record = dict(zip(keys, row + [""] * (len(keys) - len(row))))
        if unit_code is None or identity_key(record["đơn vị"]) == identity_key(unit_code):
            out.append(record)
    return out


__all__ = ["ACCEPT", "CHUA_GUI", "REOPEN", "RETURN", "Ask", "Status", "act", "statuses", "trail"]
