"""The shared-folder backend (an office network share, or one PC): the embedded default.

One JSON file per unit holds exactly what a Google tab would; writes are atomic (temporary
file and rename), pushes of one unit are serialised by an exclusive lock file, and the log is
an append-only CSV. No account is needed.

Any PC that can write to the share can write any file in it, so the files say who wrote them:
a unit's file carries its push's signature in its first row (beside the marker and the unit
code), a review record the consolidators' and the unit's (sync/seals.py). What is read is
checked with the keys this PC holds; a file that fails is marked, never removed, and one a push
or a review replaces is first kept in `bi-sua/` for the office to look at.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from campaign.dates import show_time, vietnam_time
from campaign.refusals import RC, SyncError
from campaign.review import Review
from campaign.signing import SEAL_BAD, SEAL_OK, SEAL_UNCHECKED
from sync.backend import Backend
from sync.seals import SEAL, Keyring, note_seal, office_keyring, review_seal, sign_review, signed_grid
from sync.secret_store import secret_path
from sync.tab import Tab, from_grid
from workbooks.atomic import process_alive, this_host, write_bytes_atomic

LOCK_STALE_SECONDS = 120
REVIEW_SIGNATURES = "chu_ky"  # the key of a review file's signatures
KEPT_DIR = "bi-sua"  # files a push or a review replaced that their writer had not signed


class FolderBackend(Backend):
    name = "thư mục chung"
    store = "thư mục chung"
    signed = True

    def __init__(
        self,
        root: Path,
        campaign_id: str,
        acting_unit: str | None = None,
        account: str = "",
        keyring: Keyring | None = None,
    ):
        # a consolidator's client checks with the secret this PC holds; a unit's takes its key
        # from its workbook when it pushes or pulls (Backend.hold_unit_key)
        keyring = keyring or (office_keyring(campaign_id) if acting_unit is None else Keyring(campaign_id))
        super().__init__(acting_unit, account or os.environ.get("USERNAME") or os.environ.get("USER") or "", keyring)
        self.campaign_id = campaign_id
        self.root = Path(root) / campaign_id
        self.units_dir = self.root / "don-vi"
        self.set_aside: dict[str, str] = {}  # unit -> the seal of a review record not counted

    def setup(self, unit_codes: list[str]) -> list[str]:
        """Create what is missing; running it again changes nothing. The campaign secret goes
        to this consolidator's own settings folder, never into the share."""
        made = self.ensure_office_keys()
        if not self.units_dir.exists():
            self.units_dir.mkdir(parents=True)
            made.append(str(self.units_dir))
        evidence = self.root / "minh-chung"
        if not evidence.exists():
            evidence.mkdir(parents=True)
            made.append(str(evidence))
        registry = self.root / "danh-sach-don-vi.csv"
        if not registry.exists():
            write_bytes_atomic(registry, ("Mã đơn vị\n" + "\n".join(unit_codes) + "\n").encode("utf-8-sig"))
            made.append(str(registry))
        return made

    def tab_place(self, unit_code: str) -> str:
        return f"don-vi/{unit_code}.json"

    def kept_place(self, unit_code: str, revision: int) -> str:
        return f"trong thư mục {KEPT_DIR}"

    def store_id(self) -> str:
        """This share as this PC reaches it: Tổng hợp keeps one set of receipts per share."""
        return str(self.root.resolve())

    def tab_path(self, unit_code: str) -> Path:
        if not unit_code or any(ch in unit_code for ch in "/\\:.") or len(unit_code) > 40:
            raise SyncError(RC.THU_MUC_MA_DON_VI, unit=unit_code)
        return self.units_dir / f"{unit_code}.json"

    def read_tab(self, unit_code: str) -> Tab | None:
        path = self.tab_path(unit_code)
        try:
            grid = json.loads(path.read_text("utf-8"))
            arrived = vietnam_time(path.stat().st_mtime)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise SyncError(RC.THU_MUC_KHONG_DOC_DUOC, unit=unit_code, why=exc) from None
        tab = from_grid(unit_code, grid)
        if tab is not None:
            # when the file was written on the share, not the pushed_at the unit's PC wrote in it
            tab.extra["arrived_at"] = arrived
            note_seal(tab, grid, self.keyring)
        return tab

    def _must_exist(self) -> None:
        # reading every unit from a share that is not there (a mistyped --share, a drive not
        # mapped) must not report all units as "Chưa nộp"
        if not self.units_dir.is_dir():
            raise SyncError(RC.THU_MUC_KHONG_THAY, folder=self.root.parent, campaign=self.root.name)

    def _must_be_prepared(self) -> None:
        if self.units_dir.exists():
            return
        if self.acting_unit is not None:
            # a unit pushing: the share is named wrong or not at all; the unit cannot run setup
            raise SyncError(RC.THU_MUC_CHUA_CHON, folder=self.root.parent)
        raise SyncError(RC.THU_MUC_CHUA_CHUAN_BI, folder=self.root)

    def read_all(self, unit_codes: list[str]) -> dict[str, Tab]:
        return dict(self.iter_tabs(unit_codes))

    def iter_tabs(self, unit_codes: list[str]) -> Iterator[tuple[str, Tab]]:
        self._must_exist()
        for code in unit_codes:
            tab = self.read_tab(code)
            if tab is not None:
                yield code, tab

    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        self._must_be_prepared()
        data = json.dumps(signed_grid(tab), ensure_ascii=False, indent=0).encode("utf-8")
        try:
            if previous is not None and previous.extra.get(SEAL) == SEAL_BAD:
                self._keep_aside(self.tab_path(tab.unit_code))
            write_bytes_atomic(self.tab_path(tab.unit_code), data)
        except OSError as exc:
            raise SyncError(RC.THU_MUC_KHONG_GHI_DUOC, folder=self.root, why=exc) from None

    def append_log(self, fields: list[str]) -> None:
        # nobody signs in on a share: the account is what the user said, so the Windows login
        # and the PC's name go beside it, where a borrowed name shows
        row = list(fields) + [""] * (LOG_FIELDS - len(fields)) + [_login()]
        try:
            with open(self.root / "nhat-ky.csv", "a", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerow(row)
        except OSError as exc:
            raise SyncError(RC.THU_MUC_KHONG_GHI_DUOC, folder=self.root, why=exc) from None

    # -- evidence: files a unit puts in minh-chung/UNIT/ --
    def evidence_dir(self, unit_code: str) -> Path:
        return self.root / "minh-chung" / self.tab_path(unit_code).stem

    def evidence_state(self, unit_code: str, item: str) -> str:
        from campaign.evidence import is_link

        if is_link(item):
            return super().evidence_state(unit_code, item)
        return "có tệp" if (self.evidence_dir(unit_code) / Path(item).name).is_file() else "không thấy tệp"

    # -- review --
    def review_path(self, unit_code: str) -> Path:
        return self.root / "duyet" / self.tab_path(unit_code).name

    def _keep_aside(self, path: Path) -> None:
        """A copy of a file about to be replaced whose writer is not who it claims: kept."""
        kept = self.root / KEPT_DIR / f"{path.parent.name}-{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        kept.parent.mkdir(exist_ok=True)
        write_bytes_atomic(kept, path.read_bytes())

    def read_reviews(self, unit_codes: list[str]) -> dict[str, Review]:
        """The review records a consolidator wrote; one this PC finds unsigned or wrongly signed
        is left out (its seal in `set_aside`), as if there were none."""
        self._must_exist()
        out = {}
        for code in unit_codes:
            try:
                review, signatures = _review_file(self.review_path(code).read_text("utf-8"))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SyncError(RC.THU_MUC_KHONG_DOC_DUOC, unit=code, why=exc) from None
            seal = review_seal(review, signatures, self.keyring) if review is not None else SEAL_BAD
            if review is not None and review.unit_code != code:
                seal = SEAL_BAD  # another unit's genuine record copied here
            if seal in (SEAL_OK, SEAL_UNCHECKED):
                out[code] = review
                self.set_aside.pop(code, None)
            else:
                self.set_aside[code] = seal
        return out

    def commit_review(self, old: Review | None, new: Review, revision: int, log_row: list[str]) -> None:
        if not self.keyring.is_office:
            raise SyncError(
                RC.KHOA_CHUA_CO, campaign=self.campaign_id, store=self.store, path=secret_path(self.campaign_id)
            )
        # under the unit's own lock: no push and no other consolidator in between
        with self.lock(new.unit_code):
            stored = self.read_review(new.unit_code)
            if (stored.seq if stored else 0) != (old.seq if old else 0):
                raise SyncError(
                    RC.DUYET_NGUOI_KHAC, unit=new.unit_code, by=stored.by, state=stored.state, at=show_time(stored.at)
                )
            tab = self.read_tab(new.unit_code)
            if tab is None or tab.data_hash() != new.content_hash:
                raise SyncError(RC.DUYET_BAN_MOI, unit=new.unit_code)
            path = self.review_path(new.unit_code)
            record = {**json.loads(new.to_json()), REVIEW_SIGNATURES: sign_review(new, self.keyring)}
            try:
                path.parent.mkdir(exist_ok=True)
                if new.unit_code in self.set_aside and path.exists():
                    self._keep_aside(path)
                write_bytes_atomic(path, json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
            except OSError as exc:
                raise SyncError(RC.THU_MUC_KHONG_GHI_DUOC, folder=self.root, why=exc) from None
            self.append_log(log_row)

    def read_log(self) -> list[list[str]]:
        try:
            with open(self.root / "nhat-ky.csv", newline="", encoding="utf-8") as fh:
                return [row for row in csv.reader(fh) if row]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SyncError(RC.THU_MUC_KHONG_DOC_DUOC, unit="nhật ký", why=exc) from None

    @contextmanager
    def lock(self, unit_code: str):
        self._must_be_prepared()
        path = self.units_dir / f".{unit_code}.lock"
        deadline = time.monotonic() + 30
        while True:
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, f"{this_host()} {os.getpid()}".encode())
                break
            except FileExistsError:
                try:
                    if _stale(path):
                        path.unlink()  # left by a push that was killed
                        continue
                except FileNotFoundError:
                    continue
                if time.monotonic() > deadline:
                    raise SyncError(RC.THU_MUC_DANG_GUI, unit=unit_code) from None
                time.sleep(0.05)
            except OSError as exc:
                raise SyncError(RC.THU_MUC_KHONG_GHI_DUOC, folder=self.root, why=exc) from None
        try:
            os.close(fd)
            yield
        finally:
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def _stale(lock: Path) -> bool:
    """A lock left by a push that died: by a process of this PC that is gone, or old."""
    age = time.time() - lock.stat().st_mtime
    if age > LOCK_STALE_SECONDS:
        return True
    try:
        host, pid = lock.read_text("utf-8").split()
    except (OSError, ValueError):
        # empty: its writer was killed between creating it and naming itself (a live one
        # names itself within microseconds), or a lock of an older version
        return age > 2
    return host == this_host() and pid.isdigit() and not process_alive(int(pid))


def _review_file(text: str) -> tuple[Review | None, dict | None]:
    """A review file: the record, and its signatures (none in a file of an older version)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, None
    signatures = data.pop(REVIEW_SIGNATURES, None) if isinstance(data, dict) else None
    review = Review.from_json(json.dumps(data, ensure_ascii=False))
    return review, signatures if isinstance(signatures, dict) else None


LOG_FIELDS = 9  # the log's columns before the login (xl_addin.review.trail names them)


def _login() -> str:
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = ""
    return f"{user}@{this_host()}"
