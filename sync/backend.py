"""What every backend does, and the push rules they share.

A backend stores one tab per unit and appends to a log. The rules live here once: a unit
writes only its own tab; a push whose base revision is older than the tab's, or whose tab
was edited since it was last pushed, is refused with a cell-by-cell difference and nothing
is overwritten.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from campaign.dates import show_time, vietnam_now
from campaign.refusals import RC, Conflict, SyncError
from campaign.review import DA_DUYET, Review, effective_state
from campaign.signing import SEAL_BAD, SEAL_OK
from sync.seals import SEAL, Keyring, sign_tab, unit_keyring
from sync.secret_store import ensure_secret, secret_path
from sync.tab import Tab, diff, stamped


@dataclass(frozen=True)
class PushResult:
    unit_code: str
    revision: int
    content_hash: str
    pushed_at: str
    unchanged: bool = False  # the share already held exactly this report: nothing was written
    warning: str = ""  # said after the result (an unsigned push accepted until the deadline)

    def said(self, where: str) -> str:
        """What the unit reads after Gửi báo cáo."""
        if self.unchanged:
            text = (
                f"Báo cáo {self.unit_code} đã có trên {where} (bản gửi lần {self.revision}, lúc {show_time(self.pushed_at)}); "
                "không có gì thay đổi nên không gửi lại."
            )
        else:
            text = (
                f"Đã gửi báo cáo {self.unit_code} (lần {self.revision}, lúc {show_time(self.pushed_at)}) vào {where}."
            )
        return f"{text} {self.warning}" if self.warning else text


REPLACED_FORGED = (
    "Bản cũ trên {store} không do sổ này gửi (có người khác đã sửa): đã thay bằng bản của đơn vị; "
    "bản bị sửa được giữ lại {kept} để phòng Văn hóa - Xã hội xem."
)


def newer_on_share(local: Tab, remote: Tab, base_revision: int) -> Conflict:
    """The refusal when the share holds a revision this push was not based on."""
    return Conflict(
        RC.GUI_BAN_MOI_HON,
        diff(local.rows, remote.rows),
        unit=local.unit_code,
        revision=remote.revision,
        pushed_at=show_time(remote.pushed_at),
        pushed_by=remote.pushed_by,
        base=base_revision,
    )


class Backend(ABC):
    """One tab per unit. `acting_unit` is who this client is: None for a consolidator.
    `keyring`: the keys this PC holds, to sign what it writes and check what it reads (`signed`:
    each tab carries its unit's signature, so an edit by anyone without the unit's workbook shows).
    `guarded`: the store itself stops a unit writing another's tab and times each push (Google),
    so Tổng hợp takes the push's time as it is; on an unguarded store (the shared folder) its
    receipts (sync/receipts.py) also bound a file's time, and review records are signed."""

    name = "backend"
    store = "bản chung"  # the store as a sentence names it ("trên {store}")
    signed = False
    guarded = False

    def __init__(self, acting_unit: str | None = None, account: str = "", keyring: Keyring | None = None):
        self.acting_unit = acting_unit
        self.account = account
        self.keyring = keyring

    def hold_unit_key(self, unit_code: str, key_text: object) -> None:
        """A unit's PC: the key its workbook carries signs its push and checks its tab."""
        if self.keyring is None or not self.keyring.is_office:
            campaign_id = self.keyring.campaign_id if self.keyring else ""
            self.keyring = unit_keyring(campaign_id, unit_code, key_text)

    def ensure_office_keys(self) -> list[str]:
        """Setup on a consolidator's PC: the campaign secret, made once in this PC's own settings
        and never written to the store; what was made, for setup to say."""
        settings = self.keyring.settings if self.keyring else None
        campaign_id = self.keyring.campaign_id if self.keyring else ""
        secret, new = ensure_secret(campaign_id, settings)
        if self.keyring is None or not self.keyring.is_office:
            self.keyring = Keyring(campaign_id, secret=secret, settings=settings)
        return [f"khóa bí mật của đợt (chỉ trên máy này: {secret_path(campaign_id, settings)})"] if new else []

    def tab_place(self, unit_code: str) -> str:
        """Where a unit's report sits on the store, as a message names it."""
        return f"tab {unit_code}"

    def kept_place(self, unit_code: str, revision: int) -> str:
        """Where the store keeps a tab its unit did not sign once a push replaces it."""
        return ""

    @abstractmethod
    def read_tab(self, unit_code: str) -> Tab | None: ...

    @abstractmethod
    def read_all(self, unit_codes: list[str]) -> dict[str, Tab]:
        """Every unit's tab in a constant number of requests."""

    def iter_tabs(self, unit_codes: list[str]) -> Iterator[tuple[str, Tab]]:
        """Every unit's tab as `read_all` finds it, one at a time: a store that can hand them
        out singly (the shared folder) does, so Tổng hợp holds one tab, not all of them."""
        yield from self.read_all(unit_codes).items()

    @abstractmethod
    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        """Replace the whole tab in one request: it ends either as it was or fully new."""

    @abstractmethod
    def append_log(self, fields: list[str]) -> None: ...

    # -- review (duyệt): records only consolidators write (xl_addin/review.py) --
    @abstractmethod
    def read_reviews(self, unit_codes: list[str]) -> dict[str, Review]: ...

    def read_review(self, unit_code: str) -> Review | None:
        return self.read_reviews([unit_code]).get(unit_code)

    @abstractmethod
    def commit_review(self, old: Review | None, new: Review, revision: int, log_row: list[str]) -> None:
        """Store `new` only if the stored record is still `old` and the tab still has the hash
        `new` applied to; else refuse (duyet.nguoi_khac, duyet.ban_moi). The log row goes with it."""

    @abstractmethod
    def read_log(self) -> list[list[str]]: ...

    def evidence_state(self, unit_code: str, item: str) -> str:
        """What the store says of one piece of evidence a unit named (a link or a file name)."""
        from campaign.evidence import is_link, well_formed_link

        if is_link(item):
            return "đường dẫn hợp lệ" if well_formed_link(item) else "đường dẫn không hợp lệ"
        return "tên tệp (chưa kiểm tra được)"

    def review_for_push(self, unit_code: str) -> Review | None:
        """The review record as the push's own read saw it (a backend may read both at once)."""
        return self.read_review(unit_code)

    def read_for_push(self, unit_code: str) -> Tab | None:
        """The tab as a push sees it before writing (a backend may read more in the same go)."""
        return self.read_tab(unit_code)

    def _commit(self, new: Tab, remote: Tab | None, log_row: list[str]) -> None:
        """Write the new revision and its log row. Here: the tab (whole, under the lock), then
        the log as a courtesy. A backend that can do both in one conditional write overrides
        this and raises Conflict when another push took the revision first."""
        self._write_tab(new, remote)
        try:
            self.append_log(log_row)
        except SyncError:
            pass  # the submission itself is whole

    def lock(self, unit_code: str):
        """Serialise pushes of one unit where the store allows it (a no-op context by default)."""
        from contextlib import nullcontext

        return nullcontext()

    def check_own_tab(self, unit_code: str) -> None:
        if self.acting_unit is not None and unit_code != self.acting_unit:
            raise SyncError(RC.GUI_SAI_TAB, acting=self.acting_unit, unit=unit_code)

    def store_clock(self) -> dt.datetime | None:
        """The store's own time as its last answer gave it (Vietnam time), where it has one: a
        push is then timed by the server, not by a PC whose clock may be wrong."""
        return None

    def push(self, tab: Tab, base_revision: int, when: dt.datetime | None = None) -> PushResult:
        self.check_own_tab(tab.unit_code)
        key = self.keyring.key_for(tab.unit_code) if self.keyring else None
        with self.lock(tab.unit_code):
            remote = self.read_for_push(tab.unit_code)
            if remote is not None and remote.extra.get(SEAL) == SEAL_BAD:
                # written by someone without this unit's key: not the unit's, so it neither
                # blocks the push nor counts as its base; the store keeps it aside (_write_tab)
                remote, forged = None, remote
            else:
                forged = None
            when = when or self.store_clock() or vietnam_now()
            review = self.review_for_push(tab.unit_code)
            if remote is not None and effective_state(review, remote.data_hash()) == DA_DUYET:
                raise SyncError(RC.GUI_DA_DUYET, unit=tab.unit_code, at=show_time(review.at), by=review.by)
            if self._already_there(tab, remote, key):
                # Already there: this push, or one whose answer never reached the workbook (a
                # kill between the share write and the workbook update). The workbook takes
                # the revision the share holds; nothing is written twice.
                return PushResult(remote.unit_code, remote.revision, remote.content_hash, remote.pushed_at, True)
            if remote is not None:
                if remote.revision > base_revision:
                    raise newer_on_share(tab, remote, base_revision)
                if remote.edited_since_push:
                    raise Conflict(
                        RC.GUI_SUA_TREN_BAN_CHUNG,
                        diff(tab.rows, remote.rows),
                        unit=tab.unit_code,
                        revision=remote.revision,
                    )
            floor = self._revision_floor(base_revision, remote, forged)
            new = stamped(tab, max(floor, remote.revision if remote else 0) + 1, self.account or tab.pushed_by, when)
            if key is not None:
                new = sign_tab(new, key)
            log_row = [new.pushed_at, "gửi", new.unit_code, str(new.revision), new.content_hash, new.pushed_by]
            self._commit(new, remote or forged, log_row)
        kept = self.kept_place(new.unit_code, new.revision)
        warning = REPLACED_FORGED.format(store=self.store, kept=kept) if forged is not None else ""
        return PushResult(new.unit_code, new.revision, new.content_hash, new.pushed_at, warning=warning)

    def _revision_floor(self, base_revision: int, remote: Tab | None, forged: Tab | None) -> int:
        """What the new revision must pass besides the tab's own. On a signed store the revision
        never goes back: an older revision put back over a newer one (or, on the folder, a
        deleted file) must not make a second "revision 2", and over a replaced forgery neither
        the workbook's revision nor the forgery's is used again (on Google a revision's claim is
        taken once: sync/google/claims.py). A Google tab pushed for the first time is revision 1,
        whatever the workbook last had elsewhere, as before signing."""
        if not self.signed:
            return 0
        if forged is not None:
            return max(base_revision, forged.revision)
        return 0 if self.guarded and remote is None else base_revision

    @staticmethod
    def _already_there(tab: Tab, remote: Tab | None, key: bytes | None) -> bool:
        """The store holds exactly this report, as this push would write it (signed, where this
        PC can sign: a report pushed unsigned before the workbook had its key is pushed again)."""
        if remote is None or remote.data_hash() != tab.data_hash() or remote.edited_since_push:
            return False
        return key is None or remote.extra.get(SEAL) in (SEAL_OK, None)
