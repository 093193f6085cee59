"""The bounded reader's fast paths give what its careful paths give: a sheet whose tags carry a
namespace prefix (taken cell by cell) and the same sheet without (taken from each formula back
to its cell) hold the same formulas; XML text is unescaped as the standard library does it;
the stored zip handed to calamine is one zipfile reads back whole; what calamine is handed (the
sheets without their formulas' text) reads as the whole file does; every kind of part is read whole
or refused."""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile

import pytest
from conftest import CORPUS
from hostile import in_sheet, sheet_parts

from workbooks.sheet_xml import _xml_text, bound_sheet, cell_formulas, excel_errors, split_formulas
from workbooks.xlsx_bounds import bound_xlsx, stored_zip

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


def _with_cached_values(body: bytes) -> bytes:
    """Every formula given the cached value a program that calculated it would store."""
    return re.sub(rb"(<f(?:\s[^>]*)?(?:/>|>[^<]*</f>))(?:<v\s*/>|<v>\s*</v>)?", rb"\1<v>12.5</v>", body)


def test_the_report_sheet_reads_the_same_values_as_calamine_gives_for_the_whole_file(workbook, tmp_path):
    """The formulas' text is left out of what calamine reads (nine tenths of the report sheet):
    the values and the formulas read are those of the file itself."""
    from python_calamine import CalamineWorkbook

    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    data = workbook("T01", filled=True).read_bytes()
    for sheet in ("Báo cáo", "Chỉ tiêu"):
        data = in_sheet(data, sheet, _with_cached_values)
    path = tmp_path / "da-tinh.xlsx"
    path.write_bytes(data)
    grids = read_grids(path, set(CONTRACT_SHEETS))
    whole = CalamineWorkbook.from_path(str(path))
    for name in CONTRACT_SHEETS:
        rows = whole.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert grids[name] == [[None if v == "" else v for v in row] for row in rows], name
    assert sum(row.count(12.5) for row in grids["Báo cáo"]) > 50  # what the file cached, formula by formula
    # the formulas as another reader finds them: openpyxl, formula text behind its "="
    from openpyxl import load_workbook

    sheet = load_workbook(path)["Báo cáo"]
    by_openpyxl = {(c.row, c.column): c.value[1:] for row in sheet.iter_rows() for c in row if c.data_type == "f"}
    assert grids.formulas["Báo cáo"] == by_openpyxl and len(by_openpyxl) > 50


def test_calamine_is_handed_the_cells_without_their_formulas():
    formulas, lean, placed = split_formulas(SHEET.encode())
    assert placed and formulas == cell_formulas(prefixed(SHEET).encode())  # cut here, read cell by cell there
    assert b"<v>97.5</v>" in lean and b"<v>#DIV/0!</v>" in lean and b'<c r="S5"></c>' in lean
    assert lean.count(b"<f") == 1  # P5's, after its value: not a formula of the cell's, left as it is
    formulas, lean, placed = split_formulas(prefixed(SHEET).encode())
    assert not placed and lean == prefixed(SHEET).encode()  # only tags of no prefix are cut here


# a comment or an instruction inside a formula's text, whose end a formula's pattern can match,
# and a value's text in CDATA that looks like a formula: cut by the pattern, each would make the
# rest of the sheet read differently
ODD_MARKUP = (
    '<row r="40"><c r="B40"><f>1+1<!-- <c r="A40"><f>--></f><v>2</v></c><c r="C40"><v>7</v></c></row>'
    '<row r="41"><c r="D41"><f>5<!-- x --></f><v>8</v></c></row>'
    '<row r="42"><c r="B42" t="inlineStr"><is><t><![CDATA[<f>x</f>]]></t></is></c></row>'
    '<row r="43"><c r="B43"><f>1+1<?p <c r="A43"><f>?></f><v>3</v></c><c r="C43"><v>4</v></c></row>'
)


def test_a_sheet_with_comments_cdata_or_instructions_reads_as_xml_reads_it(workbook, tmp_path):
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    data = in_sheet(workbook("T01", filled=True).read_bytes(), "Nhiệm vụ", _before(ODD_MARKUP))
    path = tmp_path / "la.xlsx"
    path.write_bytes(data)
    grids = read_grids(path, set(CONTRACT_SHEETS))
    tasks = grids["Nhiệm vụ"]
    assert [tasks[39][:3], tasks[40][3], tasks[41][1], tasks[42][:3]] == [[None, 2, 7], 8, "<f>x</f>", [None, 3, 4]]
    found = {place: f for place, f in grids.formulas["Nhiệm vụ"].items() if place[0] >= 40}
    assert found == {(40, 2): "1+1", (41, 4): "5", (43, 2): "1+1"}
    assert read_grids(path, set(CONTRACT_SHEETS) - {"Nhiệm vụ"})["Báo cáo"] == grids["Báo cáo"]


def _set_crc(data: bytes, part: str, crc: int) -> bytes:
    buf = bytearray(data)
    for sig, crc_at, name_len_at, name_at in ((b"PK\x03\x04", 14, 26, 30), (b"PK\x01\x02", 16, 28, 46)):
        start = 0
        while (i := buf.find(sig, start)) >= 0:
            (n,) = struct.unpack_from("<H", buf, i + name_len_at)
            if bytes(buf[i + name_at : i + name_at + n]) == part.encode():
                struct.pack_into("<I", buf, i + crc_at, crc)
            start = i + 4
    return bytes(buf)


@pytest.mark.parametrize("how", ["stored", "deflated", "bzip2", "wrong crc", "cut short"])
def test_each_kind_of_part_is_read_whole_or_refused(workbook, tmp_path, how):
    """Stored and deflated parts are inflated here; another method goes through zipfile; a part
    whose bytes do not match its CRC, or end early, is a broken file, never a short sheet."""
    from campaign.refusals import WorkbookRefused
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    original = workbook("T01", filled=True)
    data = original.read_bytes()
    report_part = sheet_parts(data)["Báo cáo"]
    method = {"stored": zipfile.ZIP_STORED, "bzip2": zipfile.ZIP_BZIP2}.get(how, zipfile.ZIP_DEFLATED)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dest:
        for info in src.infolist():
            dest.writestr(info.filename, src.read(info.filename))
    data = out.getvalue()
    if how == "wrong crc":
        data = _set_crc(data, report_part, 12345)
    if how == "cut short":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(report_part)
        name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
        body = info.header_offset + 30 + name_len + extra_len
        half = info.compress_size // 2  # the second half of the deflated sheet zeroed
        data = data[: body + half] + bytes(info.compress_size - half) + data[body + info.compress_size :]
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    if how in ("wrong crc", "cut short"):
        with pytest.raises(WorkbookRefused) as refused:
            read_grids(path, set(CONTRACT_SHEETS))
        assert "x.xlsx" in str(refused.value) and "hỏng" in str(refused.value)
        return
    assert read_grids(path, set(CONTRACT_SHEETS)) == read_grids(original, set(CONTRACT_SHEETS))


@pytest.mark.parametrize("length", [32767, 32768])
def test_a_cell_longer_than_excel_holds_is_refused_at_its_cell_inline_or_shared(workbook, tmp_path, length):
    """The text check is passed over only where no part handed to calamine is long enough to
    hold such a text: one over the limit is said at its cell, one at the limit is read."""
    from campaign.refusals import WorkbookRefused
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    data = workbook("T01", filled=True).read_bytes()
    text = "ạ" * length  # one character, three bytes of UTF-8
    inline = in_sheet(
        data, "Báo cáo", _before(f'<row r="40"><c r="B40" t="inlineStr"><is><t>{text}</t></is></c></row>')
    )
    strings = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{text}</t></si></sst>'
    shared = in_sheet(data, "Nhiệm vụ", _before('<row r="40"><c r="C40" t="s"><v>0</v></c></row>'))
    shared = _with_shared_strings(shared, strings.encode())
    for name, body, sheet, cell in (("a.xlsx", inline, "Báo cáo", "B40"), ("b.xlsx", shared, "Nhiệm vụ", "C40")):
        path = tmp_path / name
        path.write_bytes(body)
        if length <= 32767:
            assert read_grids(path, set(CONTRACT_SHEETS))[sheet][39][_col(cell)] == text
            continue
        with pytest.raises(WorkbookRefused) as refused:
            read_grids(path, set(CONTRACT_SHEETS))
        assert f"trang '{sheet}', ô {cell} có {length} ký tự" in str(refused.value)


def _before(xml: str):
    return lambda body: body.replace(b"</sheetData>", xml.encode() + b"</sheetData>", 1)


def _col(cell: str) -> int:
    return ord(cell[0]) - ord("A")


def _with_shared_strings(data: bytes, sst: bytes) -> bytes:
    """The package with a shared-strings part, known to the workbook and the content types."""
    out = io.BytesIO()
    rel = (
        '<Relationship Id="rIdSst" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    kind = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        assert "xl/sharedStrings.xml" not in src.namelist()
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", kind.encode() + b"</Types>")
            dest.writestr(info, body)
        dest.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


REAL_WORKBOOKS = sorted((CORPUS / "xlsx").glob("*.xls[xm]")) or [CORPUS / "xlsx" / "missing.xlsx"]


@pytest.mark.parametrize("path", REAL_WORKBOOKS, ids=[p.name for p in REAL_WORKBOOKS])
def test_a_real_world_workbook_reads_as_calamine_reads_it_whole(path):
    """Workbooks other programs wrote (calamine's own test files: shared formulas, rich text,
    CDATA, 1904 dates, `xl\\workbook.xml` named with backslashes...) read through the bounds as
    calamine reads the file itself; the one difference meant is an error cell, which is shown."""
    from python_calamine import CalamineWorkbook

    from campaign.refusals import WorkbookRefused
    from workbooks.grid_reader import read_grids

    try:
        whole = CalamineWorkbook.from_path(str(path))
        expected = {
            name: [
                [None if v == "" else v for v in row]
                for row in whole.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in whole.sheet_names
        }
    except BaseException:  # noqa: BLE001 - calamine cannot read it either: then it is refused, clearly
        with pytest.raises(WorkbookRefused, match=path.name):
            read_grids(path)
        return
    grids = read_grids(path)
    for name, errors in bound_xlsx(str(path), None, 64).errors.items():
        for (row, col), text in errors.items():
            assert grids[name][row - 1][col - 1] == text and text.startswith("#")
            grids[name][row - 1][col - 1] = None
    assert dict(grids) == expected


def _set_local(data: bytes, part: str, edit) -> bytes:
    """The package with the local header of `part` passed through `edit(buffer, at)`."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at = zf.getinfo(part).header_offset
    buf = bytearray(data)
    edit(buf, at)
    return bytes(buf)


@pytest.mark.parametrize("how", ["inflates past what it declares", "another name in its header", "patched-data flag"])
def test_a_part_whose_headers_do_not_agree_is_refused(workbook, tmp_path, how):
    """What zipfile's own reader refuses stays refused now that parts are inflated here."""
    from hostile import _bloated, lie_about_size

    from campaign.refusals import WorkbookRefused
    from workbooks.grid_reader import read_grids
    from workbooks.unit_files import CONTRACT_SHEETS

    data = workbook("T01", filled=True).read_bytes()
    report = sheet_parts(data)["Báo cáo"]
    if how == "inflates past what it declares":
        data, said = lie_about_size(_bloated(data, "Báo cáo", 20), report), "giải nén ra hơn 16 MB"
    elif how == "another name in its header":
        data, said = _set_local(data, report, lambda b, at: b.__setitem__(at + 30, ord("X"))), "hỏng"
    else:
        data = _set_local(data, report, lambda b, at: struct.pack_into("<H", b, at + 6, 0x20))
        data, said = _set_central_flag(data, report, 0x20), "hỏng"  # the directory says so too
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    with pytest.raises(WorkbookRefused) as refused:
        read_grids(path, set(CONTRACT_SHEETS))
    assert "x.xlsx" in str(refused.value) and said in str(refused.value)


def _set_central_flag(data: bytes, part: str, flag: int) -> bytes:
    buf = bytearray(data)
    start = 0
    while (i := buf.find(b"PK\x01\x02", start)) >= 0:
        (n,) = struct.unpack_from("<H", buf, i + 28)
        if bytes(buf[i + 46 : i + 46 + n]) == part.encode():
            struct.pack_into("<H", buf, i + 8, flag)
        start = i + 4
    return bytes(buf)
