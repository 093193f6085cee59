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

from campaign.refusals import RC, SyncError
from sync.google.names import nfc as _nfc

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


def as_int(value: Any) -> int | None:
    """A whole number as JSON carries it; None for anything else (text, a float, a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def claim_kind(value: dict) -> str | None:
    """What a claim's value says it is: "push" (unit, revision), "frozen" (an acceptance holding
    the unit's next revision), "step" (a review step); None when it is none of them."""
    if not isinstance(value.get("unit"), str):
        return None
    if "revision" in value:
        if as_int(value["revision"]) is None:
            return None
        if value.get("frozen"):
            return "frozen" if as_int(value.get("review_seq")) is not None else None
        return "push"
    return "step" if as_int(value.get("review_seq")) is not None else None


def forged(unit: str, what: Any) -> SyncError:
    return SyncError(RC.GOOGLE_MUC_CHAN, unit=unit, what=what)


def forged_claims(
    claims: list[dict], units: set[str], revisions: dict[str, int], review_seqs: dict[str, int]
) -> list[dict]:
    """The claims no push or review of thidua wrote: every real one is written in the same batch
    as what it claims (a tab's revision, a review record's step), so a claim ahead of what it
    claims was put there by hand or by someone blocking a unit; so is one that is not a claim
    at all. `claims`: the metadata found, read *before* the tabs and records; `revisions`,
    `review_seqs`: per unit of `units` (the registry), read after. Claims of units no longer in
    the registry are left alone."""
    out = []
    for dm in claims:
        value = claim_value(dm.get("metadataValue"))
        kind = claim_kind(value)
        if kind is None:
            out.append(dm)
        elif value["unit"] not in units:
            continue
        elif kind == "push":
            if revisions.get(value["unit"], 0) < value["revision"]:
                out.append(dm)
        elif review_seqs.get(value["unit"], 0) < value["review_seq"]:
            out.append(dm)
    return out
