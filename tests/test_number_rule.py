"""One rule for typing numbers: the Hướng dẫn sheet, the cells' prompts and the findings say
the same thing, and the parser does what they say."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from campaign import layout as L
from campaign.findings import LOI, MESSAGES
from campaign.numbers import NUMBER_RULE, NUMBER_RULE_DOTS, WHOLE_RULE, parse_number

# what the rule's words promise, as (typed, cell is a count, value read, refused)
PROMISED = [
    ("1234567", False, D(1234567), False),  # "gõ số liền"
    ("97,5", False, D("97.5"), False),  # "phần thập phân dùng dấu phẩy"
    ("1.234.567", False, D(1234567), False),  # "dấu chấm ngăn cách hàng nghìn vẫn được hiểu"
    ("1.300", True, D(1300), False),  # "ô số nguyên hiểu là 1300"
    ("1.300", False, None, True),  # "ô có thể có phần thập phân thì phần mềm hỏi lại"
    ("1,3", False, D("1.3"), False),  # "cũng có thể là 1,3"
    ("1234", True, D(1234), False),  # WHOLE_RULE's example
    ("1300", True, D(1300), False),  # what 1.300 is read as, typed as it should be
]


@pytest.mark.parametrize("typed, whole, value, refused", PROMISED)
def test_the_parser_does_what_the_rule_says(typed, whole, value, refused):
    p = parse_number(typed, whole=whole)
    assert p.value == value
    assert (p.code is not None and MESSAGES[p.code][0] == LOI) == refused


def test_every_example_in_the_rule_is_in_the_table():
    examples = set(re.findall(r"\d[\d.,]*\d", NUMBER_RULE + NUMBER_RULE_DOTS + WHOLE_RULE))
    assert examples <= {typed for typed, *_ in PROMISED}


def test_the_guide_sheet_states_the_rule_and_no_other(workbook):
    wb = load_workbook(workbook("T01"))
    text = "\n".join(str(c.value) for row in wb[L.GUIDE_NAME].iter_rows() for c in row if c.value)
    assert NUMBER_RULE in text and NUMBER_RULE_DOTS in text
    assert text.count("dấu phẩy") == (NUMBER_RULE + NUMBER_RULE_DOTS).count("dấu phẩy")


def test_whole_number_cells_never_ask_for_a_decimal_comma(workbook):
    wb = load_workbook(workbook("T01"))
    numbers = [
        dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation if dv.type in ("whole", "decimal")
    ]
    assert {dv.type for dv in numbers} == {"whole", "decimal"}
    for dv in numbers:
        prompt = dv.prompt
        assert ("số nguyên" in prompt) == (dv.type == "whole"), prompt
        if "số nguyên" in prompt:
            assert WHOLE_RULE in prompt and "thập phân" not in prompt, prompt
        else:
            assert NUMBER_RULE in prompt, prompt


def test_number_findings_say_it_in_vietnamese_only():
    english = re.compile(r"\b(Number|Format|Cells|General|Text|Decimal)\b")
    for code, (_, message, fix) in MESSAGES.items():
        if code.startswith("so."):
            assert not english.search(message + fix), code
    assert NUMBER_RULE in MESSAGES["so.khong_phai_so"][2] and NUMBER_RULE in MESSAGES["so.la_ngay"][2]
    assert WHOLE_RULE in MESSAGES["so.khong_nguyen"][2]
