"""The shared-folder backend (an office network share, or one PC): the embedded default.

One JSON file per unit holds exactly what a Google tab would; writes are atomic (temporary
file and rename), pushes of one unit are serialised by an exclusive lock file, and the log is
an append-only CSV. No account is needed.
"""

from __future__ import annotations

import csv
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from campaign.dates import show_time, vietnam_time
from campaign.refusals import SyncError
from campaign.review import Review
from sync.backend import Backend
from sync.tab import Tab, from_grid, to_grid
from workbooks.atomic import process_alive, this_host, write_bytes_atomic

LOCK_STALE_SECONDS = 120


class FolderBackend(Backend):
    name = "thư mục chung"

    def __init__(self, root: Path, campaign_id: str, acting_unit: str | None = None, account: str = ""):
        super().__init__(acting_unit, account or os.environ.get("USERNAME") or os.environ.get("USER") or "")
        self.root = Path(root) / campaign_id
        self.units_dir = self.root / "don-vi"

    def setup(self, unit_codes: list[str]) -> list[str]:
        """Create what is missing; running it again changes nothing."""
        made = []
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

    def tab_path(self, unit_code: str) -> Path:
        if not unit_code or any(ch in unit_code for ch in "/\\:.") or len(unit_code) > 40:
            raise SyncError("thu_muc.ma_don_vi", unit=unit_code)
        return self.units_dir / f"{unit_code}.json"

    def read_tab(self, unit_code: str) -> Tab | None:
        path = self.tab_path(unit_code)
        try:
            grid = json.loads(path.read_text("utf-8"))
            arrived = vietnam_time(path.stat().st_mtime)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise SyncError("thu_muc.khong_doc_duoc", unit=unit_code, why=exc) from None
        tab = from_grid(unit_code, grid)
        if tab is not None:
            # when the file was written on the share, not the pushed_at the unit's PC wrote in it
            tab.extra["arrived_at"] = arrived
        return tab

    def _must_exist(self) -> None:
        # reading every unit from a share that is not there (a mistyped --share, a drive not
        # mapped) must not report all units as "Chưa nộp"
        if not self.units_dir.is_dir():
            raise SyncError("thu_muc.khong_thay", folder=self.root.parent, campaign=self.root.name)

    def _must_be_prepared(self) -> None:
        if self.units_dir.exists():
            return
        if self.acting_unit is not None:
            # a unit pushing: the share is named wrong or not at all; the unit cannot run setup
            raise SyncError("thu_muc.chua_chon", folder=self.root.parent)
        raise SyncError("thu_muc.chua_chuan_bi", folder=self.root)

    def read_all(self, unit_codes: list[str]) -> dict[str, Tab]:
        self._must_exist()
        out = {}
        for code in unit_codes:
            tab = self.read_tab(code)
            if tab is not None:
                out[code] = tab
        return out

    def _write_tab(self, tab: Tab, previous: Tab | None) -> None:
        self._must_be_prepared()
        data = json.dumps(to_grid(tab), ensure_ascii=False, indent=0).encode("utf-8")
        try:
            write_bytes_atomic(self.tab_path(tab.unit_code), data)
        except OSError as exc:
            raise SyncError("thu_muc.khong_ghi_duoc", folder=self.root, why=exc) from None

    def append_log(self, fields: list[str]) -> None:
        # nobody signs in on a share: the account is what the user said, so the Windows login
        # and the PC's name go beside it, where a borrowed name shows
        row = list(fields) + [""] * (LOG_FIELDS - len(fields)) + [_login()]
        try:
            with open(self.root / "nhat-ky.csv", "a", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerow(row)
        except OSError as exc:
            raise SyncError("thu_muc.khong_ghi_duoc", folder=self.root, why=exc) from None

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

    def read_reviews(self, unit_codes: list[str]) -> dict[str, Review]:
        self._must_exist()
        out = {}
        for code in unit_codes:
            try:
                review = Review.from_json(self.review_path(code).read_text("utf-8"))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SyncError("thu_muc.khong_doc_duoc", unit=code, why=exc) from None
            if review is not None:
                out[code] = review
        return out

    def commit_review(self, old: Review | None, new: Review, revision: int, log_row: list[str]) -> None:
        # under the unit's own lock: no push and no other consolidator in between
        with self.lock(new.unit_code):
            stored = self.read_review(new.unit_code)
            if (stored.seq if stored else 0) != (old.seq if old else 0):
                raise SyncError(
                    "duyet.nguoi_khac", unit=new.unit_code, by=stored.by, state=stored.state, at=show_time(stored.at)
                )
            tab = self.read_tab(new.unit_code)
            if tab is None or tab.data_hash() != new.content_hash:
                raise SyncError("duyet.ban_moi", unit=new.unit_code)
            path = self.review_path(new.unit_code)
            try:
                path.parent.mkdir(exist_ok=True)
                write_bytes_atomic(path, new.to_json().encode("utf-8"))
            except OSError as exc:
                raise SyncError("thu_muc.khong_ghi_duoc", folder=self.root, why=exc) from None
            self.append_log(log_row)

    def read_log(self) -> list[list[str]]:
        try:
            with open(self.root / "nhat-ky.csv", newline="", encoding="utf-8") as fh:
                return [row for row in csv.reader(fh) if row]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SyncError("thu_muc.khong_doc_duoc", unit="nhật ký", why=exc) from None

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
                    raise SyncError("thu_muc.dang_gui", unit=unit_code) from None
                time.sleep(0.05)
            except OSError as exc:
                raise SyncError("thu_muc.khong_ghi_duoc", folder=self.root, why=exc) from None
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


LOG_FIELDS = 9  # the log's columns before the login (sync.review_flow.trail names them)


def _login() -> str:
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):
        user = ""
    return f"{user}@{this_host()}"
