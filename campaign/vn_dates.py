"""Dates as a Vietnamese user types them: dd/mm/yyyy (also d/m/yyyy, with - or . between),
and the ISO yyyy-mm-dd that scripts write."""

from __future__ import annotations

import datetime as dt
import re

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_vn_date(text: str) -> dt.date | None:
    """The date in `text`, or None when it is not a date (the caller says what to type)."""
    m = _DMY.match(text or "")
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
