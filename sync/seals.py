"""The keys a client holds, and the signatures on what it writes: the shared folder's files and
Google's tabs alike.

A consolidator's PC holds the campaign secret (sync/secret_store.py) and so every key; a unit's
PC holds its own key only, read from its workbook's hidden sheet. A tab is signed over its
content and stamp (campaign, unit, revision, time, account, template, every row), a review record
over all its fields, twice: with the consolidators' key, which Tổng hợp checks, and with the
unit's key, so the unit's own PC can tell a real return or acceptance from a planted one.
The derivation and the signing itself are campaign/signing.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from campaign import signing as S
from campaign.review import Review
from sync.secret_store import load_secret, settings_dir
from sync.tab import Tab, plain_rows, to_grid

SIGNATURE = "signature"  # Tab.extra: the signature as the store holds it
SEAL = "seal"  # Tab.extra: what checking it found (campaign.signing.SEAL_*)
BY_OFFICE, BY_UNIT = "phong", "don_vi"  # a review's two signatures


@dataclass(frozen=True)
class Keyring:
    """What this PC can sign and check: every unit (the secret) or one unit (its own key)."""

    campaign_id: str
    secret: bytes | None = None
    unit_code: str | None = None
    own_key: bytes | None = None
    settings: Path | None = None  # where the secret and the receipts are (None: THIDUA_HOME)

    @property
    def is_office(self) -> bool:
        return self.secret is not None

    def key_for(self, unit_code: str) -> bytes | None:
        if self.secret is not None:
            return S.unit_key(self.secret, self.campaign_id, unit_code)
        return self.own_key if unit_code == self.unit_code else None

    def review_key(self) -> bytes | None:
        return S.review_key(self.secret, self.campaign_id) if self.secret is not None else None

    def settings_dir(self) -> Path:
        return Path(self.settings or settings_dir())


def office_keyring(campaign_id: str, settings: Path | None = None) -> Keyring:
    """A consolidator's keys: the secret on this PC (None where it has not been set up)."""
    return Keyring(campaign_id, secret=load_secret(campaign_id, settings), settings=settings)


def unit_keyring(campaign_id: str, unit_code: str, key_text: object) -> Keyring:
    """A unit's PC: the key its workbook carries (none in a workbook made before signing)."""
    return Keyring(campaign_id, unit_code=unit_code, own_key=S.key_from_text(key_text))


def tab_message(tab: Tab) -> bytes:
    fields = {
        "campaign_id": tab.campaign_id,
        "unit_code": tab.unit_code,
        "revision": tab.revision,
        "pushed_at": tab.pushed_at,
        "pushed_by": tab.pushed_by,
        "template_version": tab.template_version,
    }
    return S.canonical("tab", fields, plain_rows(tab.rows))


def sign_tab(tab: Tab, key: bytes) -> Tab:
    return replace(tab, extra={**tab.extra, SIGNATURE: S.sign(key, tab_message(tab)), SEAL: S.SEAL_OK})


def tab_seal(tab: Tab, keyring: Keyring | None) -> str:
    signature = tab.extra.get(SIGNATURE)
    if not signature:
        return S.SEAL_NONE
    key = keyring.key_for(tab.unit_code) if keyring else None
    if key is None:
        return S.SEAL_UNCHECKED
    return S.SEAL_OK if S.verify(key, tab_message(tab), signature) else S.SEAL_BAD


def signed_grid(tab: Tab) -> list[list]:
    """The tab as a store holds it: the signature in the marker row's third cell (C1 on Google),
    beside the marker and the unit code, where a reader of an older version ignores it."""
    grid = to_grid(tab)
    if tab.extra.get(SIGNATURE):
        grid[0].append(tab.extra[SIGNATURE])
    return grid


def note_seal(tab: Tab, grid: list[list], keyring: Keyring | None) -> Tab:
    """`tab` read out of `grid`, with the signature the grid carries and what checking it found."""
    head = grid[0] if grid else []
    if len(head) > 2 and isinstance(head[2], str) and head[2]:
        tab.extra[SIGNATURE] = head[2]
    tab.extra[SEAL] = tab_seal(tab, keyring)
    return tab


def review_message(review: Review, campaign_id: str) -> bytes:
    return S.canonical("review", {"campaign_id": campaign_id, **asdict(review)})


def sign_review(review: Review, keyring: Keyring) -> dict[str, str]:
    """The consolidators' signature and the unit's, for a record this PC writes."""
    office, unit = keyring.review_key(), keyring.key_for(review.unit_code)
    if office is None or unit is None:
        raise ValueError("only a PC holding the campaign secret signs a review")
    message = review_message(review, keyring.campaign_id)
    return {BY_OFFICE: S.sign(office, message), BY_UNIT: S.sign(unit, message)}


def review_seal(review: Review, signatures: dict | None, keyring: Keyring | None) -> str:
    """Whether a consolidator wrote this record: the office's signature where this PC can check
    it, else the unit's own (a unit's PC), else unchecked."""
    if not signatures:
        return S.SEAL_NONE
    message = review_message(review, keyring.campaign_id) if keyring else b""
    if keyring is not None and keyring.is_office:
        return S.SEAL_OK if S.verify(keyring.review_key(), message, signatures.get(BY_OFFICE)) else S.SEAL_BAD
    key = keyring.key_for(review.unit_code) if keyring else None
    if key is None:
        return S.SEAL_UNCHECKED
    return S.SEAL_OK if S.verify(key, message, signatures.get(BY_UNIT)) else S.SEAL_BAD
