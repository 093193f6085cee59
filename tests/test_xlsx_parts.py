"""The bounded reader's fast paths give what its careful paths give: a sheet whose tags carry a
namespace prefix (taken cell by cell) and the same sheet without (taken from each formula back
to its cell) hold the same formulas; XML text is unescaped as the standard library does it;
the stored zip handed to calamine is one zipfile reads back whole."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest

from workbooks.xlsx_bounds import _xml_text, bound_sheet, cell_formulas, excel_errors, stored_zip

SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="5"><c r="A5" t="s"><v>0</v></c><c r="I5" s="3"><v>97.5</v></c>'
    '<c r="N5" s="15"><f>IF(Q5="Ch&#432;a c&#243;","",INT(I5*100)/100)</f><v></v></c>'
    '<c r="O5" t="str"><f aca="false">A5&amp;"&lt;x&gt;"</f><v>a</v></c>'
    '<c r="P5"><v>1</v><f>SUM(A1)</f></c>'  # <f> after <v>: not where the schema puts it
    '<c r="Q5" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    '<c r="R5"/><c r="S5"><f t="shared" si="0"/></c>'
    "</row></sheetData></worksheet>"
)


def prefixed(xml: str) -> str:
    return re.sub(r"<(/?)(worksheet|sheetData|row|c|f|v)\b", r"<\1x:\2", xml).replace("xmlns=", "xmlns:x=")


def test_formulas_read_the_same_with_and_without_a_namespace_prefix():
    plain, with_prefix = SHEET.encode(), prefixed(SHEET).encode()
    assert b"<x:c " in with_prefix
    found = cell_formulas(plain)
    assert found == cell_formulas(with_prefix)
    assert found == {
        (5, 14): 'IF(Q5="Chưa có","",INT(I5*100)/100)',
        (5, 15): 'A5&"<x>"',
        (5, 17): "1/0",
        (5, 19): "",
    }  # P5's formula after its value is not taken: Kiểm tra says that cell's formula is gone


def test_errors_and_bounds_read_the_same_with_and_without_a_prefix():
    plain, with_prefix = SHEET.encode(), prefixed(SHEET).encode()
    assert excel_errors(plain) == excel_errors(with_prefix) == {(5, 17): "#DIV/0!"}
    assert bound_sheet(plain) == (plain, [])  # nothing outside: the bytes themselves, not a copy
    assert bound_sheet(with_prefix)[1] == []


@pytest.mark.parametrize(
    "raw",
    [
        b"IF(A1=&quot;x&quot;,1)",
        b"a&amp;quot;b",
        b"&#10;&#x41;&lt;&gt;&amp;amp;",
        b"&#38;amp;",
        b"&amp;#10;",
        b"plain",
        b"x\x00&amp;",
        "Đạt &#224; &#7841;".encode(),
    ],
)
def test_xml_text_is_unescaped_once_as_the_standard_library_does(raw):
    assert _xml_text(raw) == html.unescape(raw.decode())


def test_the_stored_zip_reads_back_whole():
    parts = {"[Content_Types].xml": b"<Types/>", "xl/worksheets/Đạt.xml": SHEET.encode(), "empty.xml": b""}
    with zipfile.ZipFile(io.BytesIO(stored_zip(parts))) as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == parts
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
