"""Claims: the developer metadata that makes a push (or a review step) conditional.

A push's batch creates metadata under an id derived from (unit, revision), in the same batch as
the tab it writes, so two pushes of one revision collide and one fails whole. The ids are
predictable by design (every PC must derive the same one), so any account that can edit the
spreadsheet can create one ahead of time and block a unit. Such a claim can be told from a
real one: a real claim never runs ahead of what it claims.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sync.google_names import nfc as _nfc
from xl_addin.refusals import SyncError

CLAIM_KEY = "thidua.ban_gui"
CLAIM_SALTS = 4


def claim_id(unit_code: str, revision: int | str, salt: int = 0) -> int:
    """The developer-metadata id that claims `revision` of a unit: the same on every PC, so two
    pushes of one revision collide; positive and 31-bit, as the API requires."""
    digest = hashlib.sha256(f"thidua|{_nfc(unit_code)}|{revision}|{salt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF or 1


def claim_request(mid: int, sheet_id: int, value: dict) -> dict:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": mid,
                "metadataKey": CLAIM_KEY,
                "metadataValue": json.dumps(value, ensure_ascii=False),
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }


def claim_value(text: Any) -> dict:
    """A claim's value as a dict, whatever an editor put there."""
    try:
        value = json.loads(text or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return -1


def forged(unit: str, what: Any) -> SyncError:
    return SyncError("google.muc_chan", unit=unit, what=what)


def forged_claims(claims: list[dict], revisions: dict[str, int], review_seqs: dict[str, int]) -> list[dict]:
    """The claims no push or review of thidua wrote: every real one is written in the same batch
    as what it claims (a tab's revision, a review record's step), so a claim ahead of what it
    claims was put there by hand or by someone blocking a unit. `claims`: the metadata found,
    read *before* the tabs and records; `revisions`, `review_seqs`: per unit, read after."""
    out = []
    for dm in claims:
        value = claim_value(dm.get("metadataValue"))
        unit = value.get("unit")
        if not isinstance(unit, str):
            out.append(dm)
        elif value.get("frozen") or "revision" not in value:
            if review_seqs.get(unit, 0) < as_int(value.get("review_seq")):
                out.append(dm)
        elif revisions.get(unit, 0) < as_int(value.get("revision")):
            out.append(dm)
    return out
