"""Who wrote a report on the shared folder: keys derived from one campaign secret, and signatures
over a canonical serialisation of what a push, a review or a receipt wrote.

A shared folder has no server to say who wrote a file: any PC that can write to the share can
write any unit's file. So every write carries an HMAC-SHA256 (RFC 2104, the standard library's
`hmac`) that only its rightful writer can compute. A Google tab carries the same signature: Google
stops other units, but not someone with edit rights changing the tab by hand.

- the consolidators hold one random campaign secret, outside the share (`sheet setup` makes it);
- each unit's key is derived from it (`unit_key`) and travels in that unit's workbook only, so a
  unit can sign its own report and check its own tab, and nothing of any other unit;
- review records and Tổng hợp's receipts are signed with keys only the secret gives
  (`review_key`, `receipt_key`), so no unit can plant an acceptance.

Plain data in and out: the secret is read and kept by `sync/secret_store.py`.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

SCHEME = "v1"  # the prefix of every signature: a later scheme can be told apart
SECRET_BYTES = 32

# what a check of a signature finds
SEAL_OK = "đúng chữ ký"
SEAL_NONE = "chưa ký"  # written by a workbook made before signing (or by hand)
SEAL_BAD = "sai chữ ký"  # changed by someone who does not hold the writer's key
SEAL_UNCHECKED = "chưa kiểm tra"  # this PC holds no key to check it with


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _derive(secret: bytes, *labels: str) -> bytes:
    # NUL-separated labels: no two label lists give the same input
    return hmac.digest(secret, "\0".join(("thidua", *labels)).encode("utf-8"), "sha256")


def unit_key(secret: bytes, campaign_id: str, unit_code: str) -> bytes:
    """The key one unit signs its pushes with; a different campaign or unit gives another key."""
    return _derive(secret, "unit-key", SCHEME, campaign_id, unit_code)


def review_key(secret: bytes, campaign_id: str) -> bytes:
    """The consolidators' key for review records (return, accept, reopen)."""
    return _derive(secret, "review-key", SCHEME, campaign_id)


def receipt_key(secret: bytes, campaign_id: str) -> bytes:
    """The key of Tổng hợp's receipts (when it first saw each revision)."""
    return _derive(secret, "receipt-key", SCHEME, campaign_id)


def key_text(key: bytes) -> str:
    """A key as it is stored in a workbook's hidden sheet: hex, so no cell turns it into a number."""
    return key.hex()


def key_from_text(text: Any) -> bytes | None:
    """A stored key back; None for an empty or mangled cell (such a workbook signs nothing)."""
    try:
        key = bytes.fromhex(str(text or "").strip())
    except ValueError:
        return None
    return key if len(key) == SECRET_BYTES else None


def canonical(kind: str, fields: dict[str, Any], rows: list | tuple = ()) -> bytes:
    """One byte string per content: fields by name, rows sorted, JSON without spaces. Anything
    signed is signed over this, so a reordered file still verifies and a changed value does not.

    The bytes are those of `json.dumps([kind, sorted fields, sorted rows], ensure_ascii=False,
    separators=(",", ":"), default=str)` with the rows sorted by their `json.dumps` with default
    separators. Rows are encoded compactly and those texts sorted: they sort as the spaced ones
    do (the two differ only by a space after each separator, at the same place in two rows up to
    where they first differ), and JSON of a list is its items' JSON joined. A test holds the two
    equal; a Tổng hợp checking hundreds of tabs spends most of its check here."""
    head = _COMPACT([kind, sorted([str(k), v] for k, v in fields.items())])
    return f"{head[:-1]},[{_sorted_rows(rows)}]]".encode()


def _sorted_rows(rows: list | tuple) -> str:
    """The rows' compact JSON texts, sorted, joined by commas. All rows are encoded in one call
    and cut apart at the `,[` between them: a row's text starts with `[` and ends with `]`, and
    the `,[` between two rows cannot overlap another, so when cutting gives as many pieces as
    there are rows, each piece is one row's text without its `[`. A string or a nested list
    holding `,[` gives more, and those rows are encoded one by one."""
    if not rows:
        return ""
    if set(map(type, rows)) <= _LISTS:
        pieces = _ROWS(rows)[2:-1].split(",[")  # each `row...]`: they sort as `[row...]` do
        if len(pieces) == len(rows):
            pieces.sort()
            return "[" + ",[".join(pieces)
    return ",".join(sorted(_COMPACT(r) for r in rows))


# encoders made once: json.dumps builds a new encoder per call when given options
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
# the same bytes; a row read from a store holds no container it is inside of, so the check
# for one (a dictionary entry per list encoded) is left out
_ROWS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False).encode
_LISTS = {list, tuple}


def sign(key: bytes, message: bytes) -> str:
    return f"{SCHEME}:{hmac.digest(key, message, 'sha256').hex()}"  # hmac.new's hexdigest, in one call


def verify(key: bytes, message: bytes, signature: Any) -> bool:
    """The signature is this key's over this message (compared in constant time)."""
    if not isinstance(signature, str) or not signature:
        return False
    return hmac.compare_digest(sign(key, message), signature.strip())
