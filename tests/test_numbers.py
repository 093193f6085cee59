"""Numbers as typed in a Vietnamese office: every form the validator must read or flag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaign.numbers import parse_number

D = Decimal

CASES = [
    # raw, kwargs, value, code
    (97.5, {}, D("97.5"), None),
    (1234567, {}, D(1234567), None),
    ("97,5", {}, D("97.5"), "so.luu_dang_chu"),
    ("1.234.567", {}, D(1234567), "so.luu_dang_chu"),
    ("1.234.567,5", {}, D("1234567.5"), "so.luu_dang_chu"),
    ("1,234,567.5", {}, D("1234567.5"), "so.luu_dang_chu"),
    ("1 234,5", {}, D("1234.5"), "so.luu_dang_chu"),
    ("1\u00a0234\u00a0567", {}, D(1234567), "so.luu_dang_chu"),
    ("97.5", {}, D("97.5"), "so.luu_dang_chu"),
    ("0,5", {}, D("0.5"), "so.luu_dang_chu"),
    ("1.234", {"whole": True}, D(1234), "so.da_hieu_hang_nghin"),
    ("1,234", {"whole": True}, D(1234), "so.da_hieu_hang_nghin"),
    ("1.234", {}, None, "so.mo_ho"),
    ("1,234", {}, None, "so.mo_ho"),
    ("97,5%", {"percent_ok": True}, D("97.5"), None),
    ("97,5 %", {}, None, "so.co_phan_tram"),
    (0.975, {"percent_ok": True}, D("0.975"), "so.phan_so_thay_phan_tram"),
    ("0,975", {"percent_ok": True}, D("0.975"), "so.phan_so_thay_phan_tram"),
    ("95 triệu", {"millions": True}, D(95), None),
    ("95tr", {"millions": True}, D(95), None),
    ("1,2 tỷ", {"millions": True}, D(1200), None),
    ("2 triệu", {"money": True}, D(2000000), None),  # a cell in đồng
    ("2 triệu", {}, None, "so.chu_chi_tien"),  # tonnes, households: a scale word is a slip
    ("12 triệu", {"whole": True}, None, "so.chu_chi_tien"),
    ("9" * 30, {"whole": True}, D("9" * 30), "so.luu_dang_chu"),  # exact: 28 digits would round it to 1E+30
    ("-" + "9" * 30, {}, D("-" + "9" * 30), "so.luu_dang_chu"),
    (True, {}, None, "so.khong_phai_so"),
    ("120 hộ", {"whole": True}, D(120), None),
    ("chưa có", {}, None, "so.khong_phai_so"),
    ("12a", {}, None, "so.khong_phai_so"),
    ("#DIV/0!", {}, None, "so.loi_excel"),
    ("#REF!", {}, None, "so.loi_excel"),
    ("#N/A", {}, None, "so.loi_excel"),
    (dt.datetime(2026, 5, 1), {}, None, "so.la_ngay"),
    (True, {}, None, "so.khong_phai_so"),
    (float("nan"), {}, None, "so.loi_excel"),
    ("12,5", {"whole": True}, D("12.5"), "so.khong_nguyen"),
    ("(120)", {}, D(-120), "so.luu_dang_chu"),
    ("-5", {}, D(-5), "so.luu_dang_chu"),
    ("'0012", {}, D(12), "so.luu_dang_chu"),
    ("1.2.3", {}, None, "so.khong_phai_so"),
    ("1,23,4", {}, None, "so.khong_phai_so"),
    ("", {}, None, None),
    ("   ", {}, None, None),
    (None, {}, None, None),
]


@pytest.mark.parametrize("raw,kwargs,value,code", CASES, ids=[repr(c[0])[:20] + str(c[1]) for c in CASES])
def test_numbers_as_typed(raw, kwargs, value, code):
    p = parse_number(raw, **kwargs)
    assert (p.value, p.code) == (value, code)


def test_fraction_slip_suggests_the_percentage():
    assert parse_number(0.975, percent_ok=True).suggestion == D("97.5")


def test_floats_are_read_exactly_as_excel_shows_them():
    # 0.1 + 0.2 style noise must not leak: Excel stores 97.5 and shows 97,5
    assert parse_number(56.8).value == D("56.8")
