"""Google's errors, parsed once, and what each says to the user.

An answer that is not 2xx becomes a `GoogleAPIError` in the HTTP client (api.py), the
one place its body is read: `{"error": {"code", "message", "status", "errors"?, "details"?}}`
(Sheets and Drive alike; Drive's reasons sit in `errors[].reason`, Sheets' in
`details[].reason`). Everything else asks the parsed error: `missing_range`, `protected`,
`rate_limited`, `collision`. `refusal` turns one into a coded SyncError in Vietnamese.
"""

from __future__ import annotations

import re
from typing import Any

from gspread.exceptions import APIError

from campaign.refusals import RC, SyncError

# Drive's retryable 403s, and Sheets' 429 detail: "rate limited, try again in a minute"
RATE_LIMITED = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
API_DISABLED = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})
_COLLISION = re.compile(r"requests\[(\d+)\]\.createDeveloperMetadata")


class GoogleAPIError(APIError):
    """gspread's APIError, its body read once: `status` (the HTTP status; the body's `code`
    when the answer has none), `message`, `rpc_status`, `reasons`."""

    def __init__(self, response: Any):
        super().__init__(response)
        self.status = getattr(response, "status_code", None) or self.code
        self.message = str(self.error.get("message", ""))
        self.rpc_status = str(self.error.get("status") or "")  # Sheets': RESOURCE_EXHAUSTED, NOT_FOUND, …
        entries = list(self.error.get("errors") or []) + list(self.error.get("details") or [])
        self.reasons = frozenset(str(e.get("reason")) for e in entries if isinstance(e, dict) and e.get("reason"))

    @property
    def missing_range(self) -> bool:
        """A range naming a tab that does not exist: Google's "Unable to parse range: ..."."""
        return self.status == 400 and "unable to parse range" in self.message.lower()

    @property
    def protected(self) -> bool:
        """An edit of a protected range: a 400, translated into the caller's language, so the
        English word is only a hint (GOOGLE-SHEETS-NOTES); the code decides."""
        return self.status == 400 and "protected" in self.message.lower()

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or (self.status == 403 and bool(self.reasons & RATE_LIMITED))

    @property
    def collision(self) -> int | None:
        """The index of the batch's createDeveloperMetadata whose id is taken, if that is why
        the batch failed (errors inside a batchUpdate start "Invalid requests[i].<kind>: ")."""
        found = _COLLISION.search(self.message)
        return int(found[1]) if self.status == 400 and found else None


def refusal(err: GoogleAPIError, what: str, account: str) -> SyncError:
    """What a Google error means for `what` (a Vietnamese verb phrase), as a coded refusal."""
    code, reasons, who = err.status, err.reasons, account or "này"
    if code == 403 and reasons & RATE_LIMITED:
        return SyncError(RC.GOOGLE_HAN_MUC, what=what)
    if code == 403 and reasons & API_DISABLED:
        return SyncError(RC.GOOGLE_API_CHUA_BAT, what=what)
    if code == 403 and "storageQuotaExceeded" in reasons:
        return SyncError(RC.GOOGLE_HET_DUNG_LUONG, what=what)
    by_status = {
        404: (RC.GOOGLE_KHONG_TIM_THAY, {}),
        403: (RC.GOOGLE_KHONG_CO_QUYEN, {"account": who}),
        401: (RC.GOOGLE_HET_HAN, {}),
        429: (RC.GOOGLE_HAN_MUC, {}),
    }
    if code in by_status:
        key, context = by_status[code]
        return SyncError(key, what=what, **context)
    if err.missing_range:
        return SyncError(RC.GOOGLE_MAT_TAB, what=what)
    if err.protected:
        return SyncError(RC.GOOGLE_BI_BAO_VE, what=what, account=who)
    if code >= 500:
        return SyncError(RC.GOOGLE_MAY_CHU_LOI, what=what, status=code)
    return SyncError(RC.GOOGLE_TU_CHOI, what=what, status=code, detail=err.message[:200])
