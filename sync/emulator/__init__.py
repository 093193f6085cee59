"""A Google Sheets API v4 emulator (and the few Drive v3 calls thidua makes), over real HTTP on
127.0.0.1, for gspread's real client and google-auth's real sign-in. It ships as
`thidua sheet emulator`, in the manner of Google's own emulators, and the tests use it.

Modules: `model` (state and errors), `a1` (ranges), `values` (typing and rendering),
`service` (access, quotas, and the routing of each request to one endpoint), `sheets_api`
(spreadsheets.get, values.*, developerMetadata.*: one method per endpoint), `batch`
(spreadsheets.batchUpdate, all or nothing, with developer-metadata ids), `drive` (create, find
by app property, share), `fields` (partial responses: the `fields` selector, and Drive's default
fields), `signin` (service-account keys and OAuth refresh tokens at /token), `server` (the
socket, faults, `/__emulator/requests`), `connect` (pointing a client at it). Each module names
its sources for behaviour that no recording establishes. tests/test_google_schema.py checks its
answers against Google's discovery documents.

It behaves like Google where it matters to thidua, as the recorded traffic in
shared/corpus/sheets-api shows: trailing empty cells and rows trimmed, no "values" key for an
empty range, quoted sheet names in returned ranges, range normalisation (A1:C -> A1:C1000),
value render and input options, writes past the grid refused (400), protected ranges enforced
per account (400 "You are trying to edit a protected cell or object", as Google answers, not
403), per-minute read/write quotas answering 429 with Google's RESOURCE_EXHAUSTED body, and
requests applied atomically, and answers cut down to the `fields` asked for. Faults can be injected: 5xx answers, delays, and connections
dropped before or after a request is applied.

Not established by any recording, and so our best reading of Google's documentation:
- FORMATTED_VALUE in locale vi_VN writes a decimal comma and a dot for thousands (97,5; 1.234,5);
  no recording of a vi_VN spreadsheet exists.
- USER_ENTERED parses numbers by the spreadsheet's locale only in the simple forms we use;
  dates and currencies typed as text are kept as text.
- Authentication: a bearer token "fake-token:<email>" names the caller, a shortcut for tests
  that are not about signing in and for `THIDUA_SHEETS_EMULATOR_HOST` (Google's emulators
  likewise take any caller on localhost). The real way is served too: `POST /token` takes google-auth's
  signed JWT (RFC 7523, RS256, the grant Google's token endpoint documents for service
  accounts), checks the signature against the key it registered, the `aud` and the expiry, and
  mints a short-lived token; a revoked or unknown key gets 400 `invalid_grant` ("Invalid JWT
  Signature.", the answer google-auth turns into RefreshError); an expired or unknown token
  gets 401 UNAUTHENTICATED, on which google-auth refreshes and retries once. OAuth refresh
  (`grant_type=refresh_token`, RFC 6749 section 6) serves a person's authorized_user.json;
  `/oauth2/v3/userinfo` answers the signed-in e-mail.
- A JSON null in values leaves the cell as it is (values.update reference). The spreadsheet's
  creator owns it; the owner always may edit protected ranges, as in Google.
"""

from sync.emulator.model import ApiError, Fault
from sync.emulator.server import FakeSheetsServer
from sync.emulator.service import FakeSheets

__all__ = ["ApiError", "FakeSheets", "FakeSheetsServer", "Fault"]
