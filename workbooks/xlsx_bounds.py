"""Bounding an .xlsx before a parser sees it: sizes checked, sheets cut to the contract's extent.

A parser builds what a file describes. calamine (Rust) turns a sheet into a dense rectangle from
A1 to the last cell holding a value, so one value in XFD1048576 asks for 512 GB and aborts the
process; a 1.5 MB zip can inflate to gigabytes of XML. Nothing here trusts what the file says
about itself: the zip's declared sizes are checked and then the actual inflated bytes are
counted; the `<dimension>` element is ignored; each wanted sheet is scanned for its real extent
and, when a cell lies outside the area a unit workbook can use, the sheet is rewritten without
it. Only the parts that passed (the package's XML, the wanted sheets) reach calamine, as a new
in-memory zip, stored, the sheets without their formulas' text (read here, for the tamper
check; calamine reads values). Sheets that are not wanted are never inflated, so a bomb in a
sheet we do not read costs nothing.

XML is read with expat, with document type declarations refused, so no entity can expand.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from campaign.refusals import RC
from workbooks.sheet_xml import local_name, read_sheet, xml_parser
from workbooks.xlsx_limits import (
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_TOTAL_BYTES,
    UNIT_WORKBOOK,
    Limits,
    NotXlsx,
    TooBig,
    megabytes,
)

_XML_SUFFIXES = (".xml", ".rels")
_REL_OFFICE_DOCUMENT = "/officeDocument"


@dataclass
class Bounded:
    """An .xlsx cut to its wanted sheets: `data` is a zip calamine may read safely."""

    data: bytes
    sheet_names: list[str]
    outside: dict[str, list[str]] = field(default_factory=dict)  # sheet -> cells with values cut off
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # sheet -> (row, col) -> "#DIV/0!"
    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # sheet -> (row, col) -> text
    # bytes of the largest part handed on: no text calamine reads from them can be longer (a
    # character takes at least one byte, an XML reference several, and no entity is expanded)
    largest_part: int = 0


class _Reader:
    """Reads parts of one zip with the size limits applied to declared and actual bytes. The
    zip's directory is zipfile's; a part stored or deflated is taken from the file's bytes
    here and inflated by zlib straight into the limit (zipfile's reader, with its file objects
    and a CRC kept as it goes, cost a third of the check); any other kind goes through zipfile."""

    def __init__(self, zf: zipfile.ZipFile, raw: bytes, limits: Limits = UNIT_WORKBOOK):
        self.zf = zf
        self.raw = raw
        self.limits = limits
        self.total = 0
        self.by_lower: dict[str, zipfile.ZipInfo] = {}
        for i in zf.infolist():
            lower = _part_name(i).lower()
            if lower in self.by_lower:
                # two parts of one name: which one a reader takes is up to the reader
                raise NotXlsx(f"hai phần cùng tên '{i.filename}'")
            self.by_lower[lower] = i

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_lower.get(name.lstrip("/").lower())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        most = self.limits.part_bytes
        if info.file_size > most:
            raise TooBig(RC.GIOI_HAN_PHAN, part=info.filename, size=megabytes(info.file_size))
        data = self._inflate(info, most + 1)
        if len(data) > most:  # the header lied about the size
            raise TooBig(RC.GIOI_HAN_PHAN_HON, part=info.filename, size=megabytes(most))
        self.total += len(data)
        if self.total > self.limits.total_bytes:
            raise TooBig(RC.GIOI_HAN_NOI_DUNG_HON, size=megabytes(self.limits.total_bytes))
        return data

    def _inflate(self, info: zipfile.ZipInfo, most: int) -> bytes:
        """At most `most` bytes of the part, checked against its CRC-32 once whole."""
        plain = info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & _NOT_PLAIN
        head = self.raw[info.header_offset : info.header_offset + 30]
        if not plain or len(head) < 30 or head[:4] != b"PK\x03\x04":
            with self.zf.open(info) as fh:  # encrypted, another method, or a header zipfile explains
                return fh.read(most)
        name_len, extra_len = struct.unpack_from("<HH", head, 26)
        name_at = info.header_offset + 30
        if self.raw[name_at : name_at + name_len] != _raw_name(info):
            # as zipfile refuses it: a directory entry pointing at another part's header
            raise zipfile.BadZipFile(f"tên phần '{info.filename}' trong mục lục và ở phần khác nhau")
        start = name_at + name_len + extra_len
        body = self.raw[start : start + info.compress_size]
        try:
            data = (
                body[:most]
                if info.compress_type == zipfile.ZIP_STORED
                else zlib.decompressobj(-15).decompress(body, most)
            )
        except zlib.error:
            raise zipfile.BadZipFile(f"phần '{info.filename}' nén hỏng") from None
        if len(data) < most and (len(data) != info.file_size or zlib.crc32(data) != info.CRC):
            raise zipfile.BadZipFile(f"phần '{info.filename}' sai CRC-32")
        return data


# flag bits zipfile reads itself or refuses: encrypted (0), patched data (5), strong encryption (6)
_NOT_PLAIN = 0x01 | 0x20 | 0x40


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    """The part's name as its local header must hold it (UTF-8 where flag bit 11 says so)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")


def _part_name(info: zipfile.ZipInfo) -> str:
    """A part's name with forward slashes: some tools write `xl\\workbook.xml`, which zipfile
    turns into `xl/workbook.xml` on Windows only, and Excel and calamine read either way."""
    return info.filename.replace("\\", "/")


def _elements(data: bytes) -> tuple[tuple[str, dict[str, str]], ...]:
    """(local name, attributes) of every element of a small XML part, in order, read by expat
    with document type declarations refused. The caller must not change what it is given: the
    package's relationships and sheet list are the same bytes in every workbook of a template,
    and one read of them is kept (for parts of up to 64 KB: a cache of 256 holds 16 MB at most)."""
    return _elements_kept(data) if len(data) <= 64 * 1024 else _parsed_elements(data)


@lru_cache(maxsize=256)
def _elements_kept(data: bytes) -> tuple[tuple[str, dict[str, str]], ...]:
    return _parsed_elements(data)


def _parsed_elements(data: bytes) -> tuple[tuple[str, dict[str, str]], ...]:
    found: list[tuple[str, dict[str, str]]] = []
    p = xml_parser()
    p.StartElementHandler = lambda name, attrs: found.append((local_name(name), dict(zip(attrs[::2], attrs[1::2]))))
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise NotXlsx(f"XML hỏng ({expat.ErrorString(exc.code)})") from None
    return tuple(found)


def _rels(reader: _Reader, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, target part)} of a part's relationships."""
    folder, name = posixpath.split(part)
    info = reader.info(posixpath.join(folder, "_rels", name + ".rels"))
    if info is None:
        return {}
    out = {}
    for tag, attrs in _elements(reader.read(info)):
        if tag == "Relationship":
            target = attrs.get("Target", "")
            if attrs.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs.get("Id", "")] = (attrs.get("Type", ""), path)
    return out


def _sheets(reader: _Reader) -> tuple[str, list[tuple[str, str]]]:
    """(workbook part, [(sheet name, sheet part)]) from the package's own relationships."""
    root = _rels(reader, "")
    book = next((p for t, p in root.values() if t.endswith(_REL_OFFICE_DOCUMENT)), None)
    info = reader.info(book) if book else None
    if info is None:
        raise NotXlsx("không có phần workbook")
    rels = _rels(reader, book)
    sheets = []
    for tag, attrs in _elements(reader.read(info)):
        if tag != "sheet":
            continue
        rid = next((v for k, v in attrs.items() if local_name(k) == "id"), "")
        sheets.append((attrs.get("name", ""), rels.get(rid, ("", ""))[1]))
    return book, sheets


def check_sizes(path: str | Path) -> None:
    """Raise TooBig unless every part of the zip, as declared, fits the limits (for a reader
    that inflates whole parts, like openpyxl; zipfile stops at the declared size, so a part that
    inflates to more than it declares fails its CRC instead of growing)."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise TooBig(RC.GIOI_HAN_SO_PHAN, count=len(infos))
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise TooBig(RC.GIOI_HAN_PHAN, part=info.filename, size=megabytes(info.file_size))
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise TooBig(RC.GIOI_HAN_NOI_DUNG, size=megabytes(total))


# parts calamine does not need for values: not inflated, not passed on
_UNREAD_PREFIXES = ("docprops/", "xl/theme/", "customxml/", "xl/printersettings/")


def bound_xlsx(path: str, wanted: set[str] | None, max_sheets: int, limits: Limits = UNIT_WORKBOOK) -> Bounded:
    """The file as a zip calamine may read: wanted sheets only (all when None), each cut to
    `limits` (a unit workbook's unless said), every part calamine may read inflated here within
    the limits and passed on stored, so calamine inflates nothing itself. Raises TooBig,
    NotXlsx, zipfile.BadZipFile."""
    with open(path, "rb") as fh:
        raw = fh.read()  # the caller has checked the file's size
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        if len(zf.infolist()) > MAX_PARTS:
            raise TooBig(RC.GIOI_HAN_SO_PHAN, count=len(zf.infolist()))
        reader = _Reader(zf, raw, limits)
        _, sheets = _sheets(reader)
        chosen = [(n, p) for n, p in sheets if wanted is None or n in wanted]
        if len(chosen) > max_sheets:
            raise TooBig(RC.GIOI_HAN_SO_TRANG, count=len(sheets))
        bounded = Bounded(b"", [n for n, _ in sheets])
        parts = _read_parts(reader, {p.lower() for _, p in sheets})
        for name, part in chosen:
            info = reader.info(part)
            if info is None:
                continue  # calamine reports the missing sheet part itself
            sheet = read_sheet(reader.read(info), limits)
            bounded.formulas[name] = sheet.formulas
            if sheet.outside:
                bounded.outside[name] = sheet.outside
            if sheet.errors:
                bounded.errors[name] = sheet.errors
            parts[_part_name(info)] = sheet.data
    bounded.data = stored_zip(parts)
    bounded.largest_part = max(map(len, parts.values()), default=0)
    return bounded


def _read_parts(reader: _Reader, sheet_parts: set[str]) -> dict[str, bytes]:
    """{name: bytes} of the XML parts calamine may read besides the sheets, inflated within the
    limits; pictures, VBA, other binaries and the parts calamine never opens are left out."""
    return {
        _part_name(info): reader.read(info)
        for lower, info in reader.by_lower.items()
        if lower not in sheet_parts and lower.endswith(_XML_SUFFIXES) and not lower.startswith(_UNREAD_PREFIXES)
    }


def stored_zip(parts: dict[str, bytes]) -> bytes:
    """A zip of `parts`, stored (not compressed), as APPNOTE 6.3 lays it out: a local header
    before each part, the central directory, its end record. Written here rather than through
    zipfile, whose per-part machinery cost more than checking the part (zipfile reads it back
    in the tests); names UTF-8 (flag bit 11), times 1980-01-01, sizes far below zip64's."""
    out, central = [], []
    offset = 0
    for name, data in parts.items():
        raw_name = name.encode("utf-8")
        crc = zlib.crc32(data)
        fixed = (20, 0x800, 0, 0, 0x21, crc, len(data), len(data), len(raw_name))
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + raw_name
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset) + raw_name)
        out += (local, data)
        offset += len(local) + len(data)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(out) + directory + end
