"""Hostile variants of a real, filled unit workbook: what a careless or dishonest unit could send.

Each variant edits the package's bytes the way a hand-made or tool-made file can: values far
outside the report area, a `<dimension>` that lies, strings and XML that inflate to gigabytes, a
zip whose sizes lie, shared-string indexes that point nowhere, thousands of styled empty rows,
hundreds of sheets. The sheets are found through the package's own relationships, as Excel
would find them.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

FAR_ROW = '<row r="1048576"><c r="XFD1048576"><v>5</v></c></row>'
FAR_STYLED = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def sheet_parts(data: bytes) -> dict[str, str]:
    """{sheet name: part name} through workbook.xml and its relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    targets = {m[1]: m[0].lstrip("/") for m in re.findall(r'Target="([^"]+)" Id="([^"]+)"', rels)}
    return {m[0]: targets[m[1]] for m in re.findall(r'<sheet\b[^>]*?\bname="([^"]+)"[^>]*r:id="([^"]+)"', book)}


def rebuild(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The package with each part passed through `change` (None drops it), plus `extra` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in src.infolist():
            new = change(info.filename, src.read(info.filename))
            if new is not None:
                dest.writestr(info.filename, new)
        for name, body in (extra or {}).items():
            dest.writestr(name, body)
    return out.getvalue()


def in_sheet(data: bytes, sheet: str, edit: Callable[[bytes], bytes]) -> bytes:
    part = sheet_parts(data)[sheet]
    return rebuild(data, lambda name, body: edit(body) if name == part else body)


def _before_end(xml: str) -> Callable[[bytes], bytes]:
    return lambda body: body.replace(b"</sheetData>", xml.encode() + b"</sheetData>", 1)


def _lie_about_dimension(body: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', body)


def _inline_text(n: int) -> Callable[[bytes], bytes]:
    return _before_end(f'<row r="40"><c r="B40" t="inlineStr"><is><t>{"a" * n}</t></is></c></row>')


def _styled_rows(body: bytes, n: int = 20000) -> bytes:
    rows = "".join(f'<row r="{r}" ht="20" customHeight="1"><c r="A{r}" s="1"/></row>' for r in range(200, 200 + n))
    return _before_end(rows)(body)


def _bloated(data: bytes, sheet: str, megabytes: int) -> bytes:
    """A sheet padded with empty rows until its XML inflates to `megabytes` (zip ~1/1000)."""
    part = sheet_parts(data)[sheet]
    pad = b"<row/>" * (megabytes * 1024 * 1024 // 6)
    return rebuild(
        data, lambda name, body: body.replace(b"<sheetData>", b"<sheetData>" + pad, 1) if name == part else body
    )


def lie_about_size(data: bytes, part: str) -> bytes:
    """The zip's local and central headers claim `part` inflates to 1 KB; it inflates to more."""
    buf = bytearray(data)
    name = part.encode()
    for sig, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (i := buf.find(sig, start)) >= 0:
            (n,) = struct.unpack_from("<H", buf, i + name_len_at)
            if bytes(buf[i + name_at : i + name_at + n]) == name:
                struct.pack_into("<I", buf, i + size_at, 1024)
            start = i + 4
    return bytes(buf)


def _unpointed_shared_string(data: bytes, with_table: bool) -> bytes:
    body = _before_end('<row r="41"><c r="I41" t="s"><v>99999</v></c></row>')
    out = in_sheet(data, "Báo cáo", body)
    if not with_table:
        return out
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>x</t></si></sst>"
    )

    def add_refs(name: str, part: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return part.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(
                b"</Relationships>",
                b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'sharedStrings" Target="/xl/sharedStrings.xml" Id="rIdSst"/></Relationships>',
            )
        return part

    return rebuild(out, add_refs, {"xl/sharedStrings.xml": sst})


def _many_sheets(data: bytes, n: int = 300) -> bytes:
    sheets = "".join(f'<sheet name="Trang {i}" sheetId="{100 + i}" state="visible" r:id="rIdX{i}"/>' for i in range(n))
    rels = "".join(
        f'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="/xl/worksheets/extra{i}.xml" Id="rIdX{i}"/>'
        for i in range(n)
    )
    types = "".join(
        f'<Override PartName="/xl/worksheets/extra{i}.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(n)
    )
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    )

    def change(name: str, part: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return part.replace(b"</sheets>", sheets.encode() + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            return part.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
        if name == "[Content_Types].xml":
            return part.replace(b"</Types>", types.encode() + b"</Types>")
        return part

    return rebuild(data, change, {f"xl/worksheets/extra{i}.xml": sheet for i in range(n)})


def variants(data: bytes) -> dict[str, bytes]:
    """{name: bytes} of every hostile variant of one real unit workbook."""
    out: dict[str, bytes] = {}
    for sheet in sheet_parts(data):
        out[f"far value in {sheet}"] = in_sheet(data, sheet, _before_end(FAR_ROW))
        out[f"far styled cell in {sheet}"] = in_sheet(data, sheet, _before_end(FAR_STYLED))
    out["dimension lies in every sheet"] = rebuild(
        data, lambda name, body: _lie_about_dimension(body) if "worksheets/" in name else body
    )
    out["text over Excel's 32767 characters"] = in_sheet(data, "Báo cáo", _inline_text(40_000))
    out["string bomb of 40 MB"] = in_sheet(data, "Báo cáo", _inline_text(40 * 1024 * 1024))
    out["entity expansion bomb in the report sheet"] = rebuild(
        data, lambda name, body: LAUGHS if name == sheet_parts(data)["Báo cáo"] else body
    )
    out["200 MB of XML in the report sheet"] = _bloated(data, "Báo cáo", 200)
    out["200 MB of XML in the unread list sheet"] = _bloated(data, "Danh mục", 200)
    out["zip lies about the report sheet's size"] = lie_about_size(
        _bloated(data, "Báo cáo", 30), sheet_parts(data)["Báo cáo"]
    )
    out["shared string index without a table"] = _unpointed_shared_string(data, with_table=False)
    out["shared string index past the table"] = _unpointed_shared_string(data, with_table=True)
    out["twenty thousand styled empty rows"] = in_sheet(data, "Báo cáo", _styled_rows)
    out["three hundred sheets"] = _many_sheets(data)
    return out


def write_variants(source: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, body) in enumerate(variants(source.read_bytes()).items()):
        path = folder / f"hostile-{i:02d}.xlsx"
        path.write_bytes(body)
        out[name] = path
    return out
