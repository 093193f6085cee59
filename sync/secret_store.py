"""The campaign secret, kept with the consolidator's own settings and never on the share.

`thidua sheet setup` on the shared folder makes it once (`ensure_secret`), in the consolidator's
settings folder: `%USERPROFILE%\\.thidua` on Windows, `~/.thidua` elsewhere, or the folder named by
THIDUA_HOME (tests and the demo point it elsewhere). The file is readable by its owner only
(0600, in a 0700 folder), made with O_EXCL and never replaced: a new secret would make every
unit's key in every workbook wrong. A second consolidator's PC gets a copy of the file by hand
(USB stick), never through the share, a workbook, a mail or a log.

Tổng hợp's receipts (when it first saw each revision) live in the same folder, where no unit's
PC can reach them (sync/receipts.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from campaign.refusals import RC, SyncError
from campaign.signing import SECRET_BYTES, new_secret
from workbooks.atomic import this_host

SETTINGS_ENV = "THIDUA_HOME"


def settings_dir() -> Path:
    """The consolidator's own settings folder (THIDUA_HOME, else ~/.thidua)."""
    return Path(os.environ.get(SETTINGS_ENV) or Path.home() / ".thidua")


def secret_path(campaign_id: str, folder: Path | None = None) -> Path:
    return Path(folder or settings_dir()) / f"bi-mat-{campaign_id}.key"


def load_secret(campaign_id: str, folder: Path | None = None) -> bytes | None:
    """The campaign secret on this PC, or None when this PC has none (a unit's PC)."""
    try:
        raw = secret_path(campaign_id, folder).read_text("ascii").strip()
        secret = bytes.fromhex(raw)
    except (OSError, ValueError):
        return None
    return secret if len(secret) == SECRET_BYTES else None


def ensure_secret(campaign_id: str, folder: Path | None = None) -> tuple[bytes, bool]:
    """The campaign secret, made now if this PC has none; (secret, made now)."""
    found = load_secret(campaign_id, folder)
    if found is not None:
        return found, False
    path = secret_path(campaign_id, folder)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = new_secret()
    tmp = path.with_name(f".{path.name}.{this_host()}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(fd, secret.hex().encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # a link never replaces: a secret another run made meanwhile wins, ours is dropped
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    kept = load_secret(campaign_id, folder)
    if kept is None:  # a damaged file is there: never overwrite it, say so
        raise SyncError(RC.KHOA_HONG, path=path)
    return kept, kept == secret
