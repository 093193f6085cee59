"""Choosing a backend from settings: the shared folder by default, Google Sheets when asked."""

from __future__ import annotations

import os
from pathlib import Path

from campaign.definition import Campaign
from sync.backend import Backend

DEFAULT_SHARE = "thu-muc-chung"


def make_backend(
    campaign: Campaign,
    share: str | None = None,
    google: str | None = None,
    credentials: str | None = None,
    acting_unit: str | None = None,
    admin: bool = False,
    account: str | None = None,
) -> Backend:
    """google: a spreadsheet key (or THIDUA_GOOGLE_SHEET); otherwise the folder
    `share` (or THIDUA_SHARE, or ./thu-muc-chung)."""
    google = google or os.environ.get("THIDUA_GOOGLE_SHEET")
    if google:
        from sync.google.backend import GoogleBackend
        from sync.google.client import client_from_credentials

        client, account = client_from_credentials(credentials or os.environ.get("THIDUA_GOOGLE_CREDENTIALS"), admin)
        return GoogleBackend(client, google, campaign, acting_unit=acting_unit, account=account)
    from sync.folder import FolderBackend

    root = Path(share or os.environ.get("THIDUA_SHARE") or DEFAULT_SHARE)
    # on a shared folder nobody signs in: who you are is what you say (--account, THIDUA_ACCOUNT)
    who = campaign.account(account or os.environ.get("THIDUA_ACCOUNT") or "")
    return FolderBackend(root, campaign.id, acting_unit=acting_unit, account=who)
