"""Reading numbers as people type them in a Vietnamese office.

Decimal comma and thousands dot or space ("97,5", "1.234.567", "1 234,5"), a percent sign,
"triệu"/"tr"/"tỷ", numbers stored as text, Excel error values. A separator that could be
either ("1.234": one thousand two hundred thirty-four, or one point two three four?) is
resolved only by what the cell must hold (a whole count cannot have decimals); otherwise it
is reported, never guessed. Results are exact `Decimal`s.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from campaign.finding_codes import FC, FindingCode

# The one rule for typing numbers, said in the same words on the Hướng dẫn sheet, in the cells'
# input prompts and in the findings; it says what `parse_number` below does (tests hold the two
# together): no separator needed, a decimal comma; dot thousands are read when they cannot be
# decimals, and "1.300" is read as 1300 only where the cell is a count.
NUMBER_RULE = "Gõ số liền, không cần dấu ngăn cách hàng nghìn (1234567); phần thập phân dùng dấu phẩy (97,5)."
NUMBER_RULE_DOTS = (
    "Số có dấu chấm ngăn cách hàng nghìn (1.234.567) vẫn được hiểu. Riêng số có một dấu chấm và ba chữ số sau"
    " (1.300): ô số nguyên hiểu là 1300; ô có thể có phần thập phân thì phần mềm hỏi lại, vì cũng có thể là 1,3."
)
WHOLE_RULE = "Gõ số nguyên, liền, không cần dấu ngăn cách hàng nghìn (1234)."

EXCEL_ERRORS = (
    "#DIV/0!",
    "#REF!",
    "#N/A",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)

# Trailing words people add after a number; they carry no value. Compared after NFC and lower().
UNIT_WORDS = (
    "hộ",
    "người",
    "tấn",
    "trường",
    "hồ sơ",
    "vụ",
    "doanh nghiệp",
    "dn",
    "đồng",
    "đ",
    "lao động",
    "hạng",
    "việc",
    "mô hình",
    "triệu đồng",
    "tr đồng",
    "trđ",
    "kg",
    "ha",
)
SCALE_WORDS = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tr": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_SPACES = "\u00a0\u202f\u2009\u2007 "
_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$|^[+-]?[.,][0-9]+$")


@dataclass(frozen=True)
class Parsed:
    """`value` is None when nothing usable was typed; `code` names what was noticed."""

    value: Decimal | None
    code: FindingCode | None = None  # None when the entry is clean
    detail: str = ""  # what exactly was seen, for the message
    suggestion: Decimal | None = None
    percent: bool = False  # the entry carried a % sign

    @property
    def empty(self) -> bool:
        return self.value is None and self.code is None


EMPTY = Parsed(None)


def _exact(x: float) -> Decimal:
    # repr gives the shortest decimal that round-trips: 97.5 stays 97.5, not 97.4999...
    return Decimal(repr(x))


def parse_number(
    raw: Any, *, whole: bool = False, millions: bool = False, percent_ok: bool = False, money: bool = False
) -> Parsed:
    """Interpret one cell.

    whole: the cell holds a count, so "1.234" can only mean 1234.
    millions: the cell is in triệu đồng, so "95 triệu" is 95 and "1,2 tỷ" is 1200.
    money: the cell holds money; only then do "triệu", "tỷ" scale a number ("12 triệu" in a
    cell of tonnes is a slip, not 12 000 000 t).
    percent_ok: the cell holds a percentage, so "97,5%" is 97.5 and 0,975 is likely a slip.
    """
    if raw is None:
        return EMPTY
    if isinstance(raw, bool):
        return Parsed(None, FC.SO_KHONG_PHAI_SO, "TRUE" if raw else "FALSE")  # as Excel shows it
    if isinstance(raw, (dt.date, dt.datetime, dt.time)):
        return Parsed(None, FC.SO_LA_NGAY, raw.strftime("%d/%m/%Y") if isinstance(raw, dt.date) else str(raw))
    if isinstance(raw, int):
        return _finish(Decimal(raw), whole, percent_ok, False, None)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return Parsed(None, FC.SO_LOI_EXCEL, str(raw))
        return _finish(_exact(raw), whole, percent_ok, False, None)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return Parsed(None, FC.SO_LOI_EXCEL, str(raw))
        return _finish(raw, whole, percent_ok, False, None)
    return _parse_text(unicodedata.normalize("NFC", str(raw)).strip(), whole, millions, percent_ok, money)


def _parse_text(text: str, whole: bool, millions: bool, percent_ok: bool, money: bool) -> Parsed:
    """A cell's text (NFC, stripped), as `parse_number` reads it."""
    if not text:
        return EMPTY
    if len(text) > 60:
        return Parsed(None, FC.SO_KHONG_PHAI_SO, text[:40] + "…")
    if text.upper() in EXCEL_ERRORS or (text.startswith("#") and text.endswith(("!", "?", "A"))):
        return Parsed(None, FC.SO_LOI_EXCEL, text)
    body = text.lstrip("'")  # Excel's text prefix
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    scale = Decimal(1)
    lowered = body.lower()
    for word in sorted(UNIT_WORDS + tuple(SCALE_WORDS), key=len, reverse=True):
        if lowered.endswith(word) and (len(lowered) == len(word) or not lowered[-len(word) - 1].isalpha()):
            head = body[: -len(word)].strip()
            if word in SCALE_WORDS:
                if not (money or millions):
                    return Parsed(None, FC.SO_CHU_CHI_TIEN, text)
                factor = Decimal(SCALE_WORDS[word])
                # a cell in triệu đồng: "95 triệu" is 95, "1,2 tỷ" is 1 200
                scale = factor / Decimal(10**6) if millions else factor
            body = head
            break
    compact = "".join(ch for ch in body if ch not in _SPACES)
    spaced = compact != body and re.fullmatch(r"[+-]?\d{1,3}( \d{3})+([.,]\d+)?", re.sub(f"[{_SPACES}]", " ", body))
    if compact.startswith("-"):
        negative, compact = not negative, compact[1:]
    elif compact.startswith("+"):
        compact = compact[1:]
    if not _NUMBER.match(compact):
        return Parsed(None, FC.SO_KHONG_PHAI_SO, text)
    value, code, detail = _separators(compact, whole, bool(spaced))
    if value is None:
        return Parsed(None, code, detail or text)
    if scale != 1:
        with localcontext(prec=60):  # exact: 28 digits would round a long number silently
            value = value * scale
    if negative:
        value = value.copy_negate()
    return _finish(value, whole, percent_ok, percent, code, text)


def _separators(s: str, whole: bool, spaced: bool) -> tuple[Decimal | None, FindingCode | None, str]:
    dots, commas = s.count("."), s.count(",")
    try:
        if dots and commas:
            # both present: the last one is the decimal separator (1.234,5 or 1,234.5)
            dec, thou = (",", ".") if s.rfind(",") > s.rfind(".") else (".", ",")
            whole_part, _, frac = s.rpartition(dec)
            if s.count(dec) > 1 or not _grouped(whole_part, thou):
                return None, FC.SO_KHONG_PHAI_SO, s
            return Decimal(whole_part.replace(thou, "") + "." + frac), None, ""
        sep = "." if dots else "," if commas else ""
        if not sep:
            return Decimal(s), None, ""
        if s.count(sep) > 1:
            # 1.234.567 or 1,234,567: only thousands can repeat
            if not _grouped(s, sep):
                return None, FC.SO_KHONG_PHAI_SO, s
            return Decimal(s.replace(sep, "")), None, ""
        head, _, tail = s.partition(sep)
        if len(tail) == 3 and head and head != "0" and not spaced:
            # 1.234 / 1,234: thousands or decimals? Only a whole-number cell decides.
            if whole:
                return Decimal(head + tail), FC.SO_DA_HIEU_HANG_NGHIN, s
            return None, FC.SO_MO_HO, s
        return Decimal((head or "0") + "." + tail), None, ""
    except InvalidOperation:
        return None, FC.SO_KHONG_PHAI_SO, s


def _grouped(s: str, sep: str) -> bool:
    parts = s.split(sep)
    return bool(parts[0]) and len(parts[0]) <= 3 and all(len(p) == 3 and p.isdigit() for p in parts[1:])


def _finish(
    value: Decimal, whole: bool, percent_ok: bool, percent: bool, code: FindingCode | None, text: str = ""
) -> Parsed:
    if percent and not percent_ok:
        return Parsed(None, FC.SO_CO_PHAN_TRAM, text or vn_number(value), percent=True)
    if whole and value != value.to_integral_value():
        return Parsed(value, FC.SO_KHONG_NGUYEN, text or vn_number(value))
    if percent_ok and not percent and 0 < value <= 1:
        # 0,975 where 97,5 % was meant: keep what was typed, suggest the percentage
        return Parsed(value, FC.SO_PHAN_SO_THAY_PHAN_TRAM, text or vn_number(value), suggestion=value.scaleb(2))
    if text and code is None and not any(ch.isalpha() or ch in "%" for ch in text) and not percent:
        # a plain number that arrived as text: Excel stores it as text, SUM skips it
        return Parsed(value, FC.SO_LUU_DANG_CHU, text)
    return Parsed(value, code, text, percent=percent)


def vn_number(value: Decimal | float | None, places: int | None = None) -> str:
    """A number as Vietnamese documents print it: 1.234.567,5 (dot thousands, decimal comma)."""
    if value is None:
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        with localcontext(prec=max(60, d.adjusted() + places + 2)):  # exact: no silent rounding of big numbers
            d = d.quantize(Decimal(1).scaleb(-places))
    sign = "-" if d < 0 else ""
    text = format(d.copy_abs(), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0") if places is None else frac
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = ".".join(groups)
    return sign + (out + "," + frac if frac else out)


def display(value: Fraction | str | None, places: int = 2) -> Any:
    """A figure as a cell shows it: a float rounded to `places`, an int when whole; words as they are."""
    if value is None or isinstance(value, str):
        return value
    f = round(float(value), places)
    return int(f) if f.is_integer() else f
