"""Dates and times as people in a Vietnamese office type and read them.

Typed: day first, `dd/mm/yyyy` or `d/m/yyyy` (10/12/2026, 1/2/2026; a dot or a dash between the
parts works too), or ISO `yyyy-mm-dd` as a script writes it. A cell may also hold a real date or
Excel's day number. Shown: `dd/mm/yyyy`, and times on the 24-hour clock in Vietnam's time
(UTC+7 all year: Vietnam has no daylight saving, so no time-zone database is needed), whatever
the PC's own zone is set to.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from campaign.refusals import RC, Refusal

VIETNAM = dt.timezone(dt.timedelta(hours=7))
DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%d/%m/%Y %H:%M"

_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts the 1900 leap day that never was)


class DateRefused(Refusal):
    """A typed date that is not a date (`ngay.khong_doc_duoc`) or does not exist (`ngay.khong_co`)."""


def _parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) as typed, before checking that such a day exists."""
    m = _DAY_FIRST.fullmatch(text)
    if m:
        return int(m[3]), int(m[2]), int(m[1])
    m = _ISO.fullmatch(text)
    if m:
        return int(m[1]), int(m[2]), int(m[3])
    return None


def date_example(year: int | None = None) -> str:
    """How a date is typed, as help texts and messages say it; the example in `year` (a
    campaign's), else in this year, so that no text carries a year of its own."""
    return f"ngày/tháng/năm, ví dụ 10/12/{year or vietnam_today().year}"


def parse_date(text: str) -> dt.date:
    """A date a person typed (an option, a form field), or a refusal that says how to type it."""
    typed = str(text).strip()
    parts = _parts(typed)
    if parts is None:
        raise DateRefused(RC.NGAY_KHONG_DOC_DUOC, text=typed, example=date_example())
    year, month, day = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        why = f"tháng {month} không có ngày {day}" if 1 <= month <= 12 else "một năm chỉ có 12 tháng"
        raise DateRefused(RC.NGAY_KHONG_CO, text=typed, why=why, example=date_example()) from None


def read_date(value: Any) -> dt.date | None:
    """A date as a cell holds it: Excel's or Google's date, a day number, or typed text; None
    when it is not a date (the caller says so where the cell is)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))  # 1954..2119: a day number, not a count
    if isinstance(value, str):
        try:
            return parse_date(value)
        except DateRefused:
            return None
    return None


def vietnam_now() -> dt.datetime:
    """Now in Vietnam (naive, to the second): the time every record and message carries."""
    return dt.datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


def vietnam_time(timestamp: float) -> dt.datetime:
    """A file's time (seconds since the epoch, as `stat` gives it) in Vietnam (naive, to the second)."""
    return dt.datetime.fromtimestamp(timestamp, VIETNAM).replace(tzinfo=None, microsecond=0)


def vietnam_today() -> dt.date:
    return vietnam_now().date()


def show_date(value: dt.date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def show_time(value: dt.datetime | str | None) -> str:
    """A moment as people read it, 02/12/2026 01:00; a stored ISO text ("2026-12-02 01:00:39")
    is shown the same way, and anything else as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return value.strftime(TIME_FORMAT)
