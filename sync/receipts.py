"""Tổng hợp's receipts: when this consolidator's PC first saw each revision of each unit's report.

On a shared folder every time a unit could point to is its own: the file's modification time is
set by whoever writes the file (and can be set back), the pushed_at in it by the unit's PC clock.
What the writer cannot reach is this PC: each Tổng hợp records here, signed with a key only the
campaign secret gives, every run's time and every revision it saw for the first time. So:

- a revision older than one already seen is a replay (an old genuine file copied back);
- a claimed arrival before an earlier run that did not see the revision is false: the report
  arrived after that run, and counts from when Tổng hợp first saw it. Between two runs, the
  folder cannot prove anything more: the claim stands (README, "What the shared folder proves").

On Google Sheets, whose clock times each push, the same receipts serve for replays only: an
older genuine tab pasted back by someone with edit rights still carries its valid signature.

The file sits in the consolidator's settings folder beside the secret (sync/secret_store.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from campaign import signing as S
from campaign.refusals import RC, SyncError
from sync.seals import Keyring
from workbooks.atomic import write_bytes_atomic


def receipts_path(keyring: Keyring, store: str) -> Path:
    """One file per campaign and share (`store`: the share's folder as this PC reaches it)."""
    digest = hashlib.sha256(store.encode("utf-8")).hexdigest()[:12]
    return keyring.settings_dir() / f"bien-nhan-{keyring.campaign_id}-{digest}.json"


def _iso(when: dt.datetime) -> str:
    return when.replace(microsecond=0).isoformat(sep=" ")


@dataclass
class Receipts:
    path: Path
    key: bytes
    runs: list[str] = field(default_factory=list)  # each Tổng hợp's time, oldest first
    seen: dict[str, list[list]] = field(default_factory=dict)  # unit -> [revision, hash, first seen, signed]
    reviews: dict[str, int] = field(default_factory=dict)  # unit -> the highest signed review seq seen

    @classmethod
    def load(cls, keyring: Keyring, store: str) -> Receipts:
        """This PC's receipts (none yet: empty); a file changed by hand is refused, not trusted."""
        path, key = receipts_path(keyring, store), S.receipt_key(keyring.secret, keyring.campaign_id)
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls(path, key)
        except (OSError, ValueError):
            raise SyncError(RC.BIEN_NHAN_HONG, path=path) from None
        body = {k: data.get(k) for k in ("runs", "seen", "reviews")}
        if not S.verify(key, S.canonical("receipts", body), data.get("chu_ky")):
            raise SyncError(RC.BIEN_NHAN_HONG, path=path)
        return cls(path, key, list(body["runs"] or []), dict(body["seen"] or {}), dict(body["reviews"] or {}))

    def save(self) -> None:
        body = {"runs": self.runs, "seen": self.seen, "reviews": self.reviews}
        record = {**body, "chu_ky": S.sign(self.key, S.canonical("receipts", body))}
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_bytes_atomic(self.path, json.dumps(record, ensure_ascii=False).encode("utf-8"))

    def newest_signed(self, unit: str) -> tuple[int, str] | None:
        signed = [(rev, digest) for rev, digest, _, ok in self.seen.get(unit, []) if ok]
        return max(signed) if signed else None

    def replayed(self, unit: str, revision: int, digest: str) -> int | None:
        """The newer revision already seen when this signed one is older (or the same revision
        with other content); None when it is not a replay."""
        newest = self.newest_signed(unit)
        if newest is None:
            return None
        if revision < newest[0] or (revision == newest[0] and digest != newest[1]):
            return newest[0]
        return None

    def note(self, unit: str, revision: int, digest: str, signed: bool, now: dt.datetime) -> dt.datetime:
        """When this revision was first seen (now, if never before)."""
        for rev, known, first, _ in self.seen.get(unit, []):
            if rev == revision and known == digest:
                return dt.datetime.fromisoformat(first)
        self.seen.setdefault(unit, []).append([revision, digest, _iso(now), signed])
        return now.replace(microsecond=0)

    def arrival(self, claimed: dt.datetime | None, first_seen: dt.datetime) -> tuple[dt.datetime, bool]:
        """(when the report arrived, whether that is the receipt rather than the claim): the claim
        unless a run after it did not see the report, or it is after the report was seen."""
        before = [dt.datetime.fromisoformat(t) for t in self.runs if dt.datetime.fromisoformat(t) < first_seen]
        if claimed is None or claimed > first_seen or (before and claimed <= max(before)):
            return first_seen, True
        return claimed, False

    def review_replayed(self, unit: str, seq: int) -> int | None:
        highest = self.reviews.get(unit, 0)
        if seq < highest:
            return highest
        self.reviews[unit] = seq
        return None

    def end_run(self, now: dt.datetime) -> None:
        self.runs.append(_iso(now))
        self.save()
