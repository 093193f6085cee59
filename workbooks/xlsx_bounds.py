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
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from campaign.refusals import RC, Refusal
from campaign.unit_report import cell_ref, column_letter, column_number

# What a unit workbook can use: the widest sheet has 19 columns and the longest a few dozen
# rows; reporters insert rows and columns, so the bounds leave room for that many times over.
MAX_ROWS = 2000
MAX_COLS = 64
MAX_PARTS = 2000  # parts in the zip (a 300-sheet workbook has ~650)
MAX_PART_BYTES = 16 * 1024 * 1024  # one inflated XML part (a unit's sheet is ~20 KB)
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # every part inflated for one file
MAX_OUTSIDE_SHOWN = 5

# A master workbook thidua wrote (Tổng hợp) grows with the campaign. The sheets read back from
# it (the consolidator's words and the units sheet with the reasons typed into it) hold one row
# per unit and a few per target; thidua writes about 1 KB of sheet XML per such row (every
# Vietnamese letter is a 6-8 byte character reference), so 16 KB a row leaves room for long
# typed reasons and names.
MASTER_ROW_BYTES = 16 * 1024
MASTER_EXTRA_ROWS = 64  # titles, headers and the narrative's fixed sections


@dataclass(frozen=True)
class Limits:
    """How much of a file is read: rows and columns of a sheet, bytes of one part and of all."""

    rows: int = MAX_ROWS
    cols: int = MAX_COLS
    part_bytes: int = MAX_PART_BYTES
    total_bytes: int = MAX_TOTAL_BYTES


UNIT_WORKBOOK = Limits()


def master_limits(units: int, targets: int) -> Limits:
    """The bound for reading back a master of a campaign with `units` and `targets`, never
    below a unit workbook's: rows = units + targets + MASTER_EXTRA_ROWS; one part may hold
    that many rows of MASTER_ROW_BYTES; the file four such parts."""
    rows = max(MAX_ROWS, units + targets + MASTER_EXTRA_ROWS)
    part = max(MAX_PART_BYTES, rows * MASTER_ROW_BYTES)
    return Limits(rows, MAX_COLS, part, max(MAX_TOTAL_BYTES, 4 * part))


_XML_SUFFIXES = (".xml", ".rels")
_REL_OFFICE_DOCUMENT = "/officeDocument"


class TooBig(Refusal):
    """A limit a file is past (here: more than a unit workbook can hold; the readers: a cell's
    text, the guarded reader's time and memory): a `gioi_han.*` code and its figures, said as
    the `why` of the file's tep.vuot_gioi_han."""


class NotXlsx(Exception):
    """The zip is not an Excel package we can follow: no workbook part, or broken XML."""


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


def _split_ref(ref: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})", ref.strip().upper())
    if not m:
        return None
    return int(m.group(2)), column_number(m.group(1))


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
            raise TooBig(RC.GIOI_HAN_PHAN, part=info.filename, size=_mb(info.file_size))
        data = self._inflate(info, most + 1)
        if len(data) > most:  # the header lied about the size
            raise TooBig(RC.GIOI_HAN_PHAN_HON, part=info.filename, size=_mb(most))
        self.total += len(data)
        if self.total > self.limits.total_bytes:
            raise TooBig(RC.GIOI_HAN_NOI_DUNG_HON, size=_mb(self.limits.total_bytes))
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


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB".replace(".", ",")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


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
    p = _parser()
    p.StartElementHandler = lambda name, attrs: found.append((_local(name), dict(zip(attrs[::2], attrs[1::2]))))
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
        rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
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
                raise TooBig(RC.GIOI_HAN_PHAN, part=info.filename, size=_mb(info.file_size))
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise TooBig(RC.GIOI_HAN_NOI_DUNG, size=_mb(total))


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
            original = reader.read(info)
            formulas, lean, placed = split_formulas(original, limits)
            outside: list[str] = []
            if _beyond_tags(lean):
                # a comment, CDATA, a processing instruction or a DTD, where a formula's pattern
                # may match text: read as expat reads the sheet (a DTD refused, comments and
                # instructions dropped, CDATA as text), then as any sheet
                original, outside = _rewrite(original, limits)
                formulas, lean, placed = split_formulas(original, limits)
            bounded.formulas[name] = formulas
            data, cut = bound_sheet(lean, limits, placed)
            outside += cut
            if outside:
                bounded.outside[name] = outside
            errors = excel_errors(data, limits)
            if errors:
                bounded.errors[name] = errors
            parts[_part_name(info)] = data
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


# a cell tag that does not name its place first (`<c r="B7"`, as Excel, LibreOffice, WPS and
# openpyxl write it): a tag without a place or with another attribute first; and what a
# prefixed tag (`<x:c `) must contain. Such a file is right too, and takes the slower rewrite.
# Both patterns start with a literal, which the regex engine finds at C speed.
_UNPLACED_CELL = re.compile(rb"<c(?:[\t\r\n/>]| (?!r=[\"']\$?[A-Z]{1,3}\$?[0-9]{1,7}[\"']))")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")  # also in some text: then only slower, never wrong


def _beyond_tags(lean: bytes) -> bool:
    """Whether a sheet (cut as split_formulas cuts it: the cut spans hold no `<`, so what
    opens a comment, CDATA, an instruction or a DTD is still here) holds any, after its XML
    declaration."""
    # one byte is looked for first (memchr), the pair only where it stands: '<' is everywhere
    if b"!" in lean and b"<!" in lean:
        return True
    after = lean.find(b"?>") + 2 if lean.startswith(b"<?") else 0
    return lean.find(b"?", after) >= 0 and lean.find(b"<?", after) >= 0


def _all_placed(data: bytes) -> bool:
    return _UNPLACED_CELL.search(data) is None and _PREFIXED_CELL.search(data) is None


_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?\bt=[\"']e[\"'][^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_REF_ATTR = re.compile(rb"\br=[\"']\$?([A-Z]{1,3})\$?([0-9]{1,7})[\"']")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


# a cell holding a formula: the schema puts <f> first among a cell's children (CT_Cell: f, v,
# is, extLst), and every program writes it so; a file that puts it later reads as a formula
# removed, which is said at that cell, never passed over
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?<!/)>\s*(<(?:\w+:)?f[\s/>].*?)</(?:\w+:)?c>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)</(?:\w+:)?f>)")
# where a formula's tag may stand: searched as two literals, several times faster than one
# pattern `<(?:\w+:)?f` that tries a prefix at every `<`; `:f` is also in some text (a closer look then)
_PLAIN_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_PREFIXED_FORMULA_TAG = re.compile(rb":f[\s/>]")
# a cell that names its place first and whose first child is a formula of no prefix: its
# column, its row, the <f> element, the formula's text (a tag closed at once holds none)
_CELL_FORMULA = re.compile(
    rb'<c r=["\']\$?([A-Z]{1,3})\$?([0-9]{1,7})["\'][^>]*(?<!/)>\s*(<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>))'
)
_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_CHAR_REF = re.compile(r"&#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@lru_cache(maxsize=2048)  # the same formulas stand in every workbook of one shape
def _xml_text(raw: bytes) -> str:
    """Element text as XML defines it: its five entities and character references (html.unescape
    knows two thousand HTML names, which XML does not have, and is slow at it: a formula is full
    of &quot; and, as openpyxl writes it, of &#224; for every Vietnamese letter). Each reference
    is replaced once: "&amp;" is held aside as NUL (which XML text cannot hold) until the end,
    so "&amp;quot;" stays "&quot;" and "&#38;amp;" stays "&amp;"."""
    text = raw.decode("utf-8", "replace")
    if "&" not in text:
        return text
    if "\0" in text:
        return _REFERENCE.sub(_reference, text)
    text = text.replace("&amp;", "\0").replace("&quot;", '"').replace("&apos;", "'")
    text = text.replace("&lt;", "<").replace("&gt;", ">")
    if "&#" in text:
        text = _CHAR_REF.sub(_char, text)
    return text.replace("\0", "&")


def _reference(m: re.Match) -> str:
    return _NAMED[m.group(1)] if m.group(1) else _char_at(m.group(2), m.group(3))


def _char(m: re.Match) -> str:
    return _char_at(m.group(1), m.group(2))


def _char_at(decimal: str | None, hexa: str | None) -> str:
    code = int(decimal) if decimal else int(hexa or "0", 16)
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def split_formulas(data: bytes, limits: Limits = UNIT_WORKBOOK) -> tuple[dict[tuple[int, int], str], bytes, bool]:
    """(the sheet's formulas as `cell_formulas` reads them; the sheet as calamine needs it for
    values, without those formulas' text; whether every cell tag names its place first).

    calamine would only step over the formulas' text, which in a unit workbook is nine tenths
    of the report sheet's bytes (its check column says every message in full): the scans after
    this one and calamine's own read then go through a tenth as much. Values are untouched: a
    cell's cached value is its `<v>`. Where every cell tag is `<c r=...` (every program writes
    so), one pass finds each cell whose first child is a formula and cuts that formula out;
    else the formulas are read cell by cell. The sheet is read as it is: bound_xlsx first has
    expat rewrite one that holds comments, CDATA or instructions, where a pattern may match text."""
    if _PLAIN_FORMULA_TAG.search(data) is None and _PREFIXED_FORMULA_TAG.search(data) is None:
        return {}, data, _all_placed(data)  # most sheets hold none: a quick look
    formulas: dict[tuple[int, int], str] = {}
    pieces, last = [], 0
    for m in _CELL_FORMULA.finditer(data):
        _put_formula(formulas, m.group(2), m.group(1), m.group(4), limits)
        start, end = m.span(3)
        pieces.append(data[last:start])
        last = end
    pieces.append(data[last:])
    lean = b"".join(pieces)
    placed = _all_placed(lean)
    if not placed:
        formulas = {}
        for attrs, f in _unplaced_formula_cells(data):
            ref = _REF_ATTR.search(attrs)
            if ref:
                _put_formula(formulas, ref.group(2), ref.group(1), f.group(1), limits)
    return formulas, lean, placed


def cell_formulas(data: bytes, limits: Limits = UNIT_WORKBOOK) -> dict[tuple[int, int], str]:
    """{(row, col): formula text} of the cells holding a formula (a shared formula's followers,
    which carry no text of their own, as ""): the workbook's own formulas are checked against it.
    A formula that is not its cell's first child (where the schema puts it: CT_Cell is f, v, is,
    extLst, and every program writes it so) is not read: it is said as a formula removed."""
    return split_formulas(data, limits)[0]


_COLUMNS: dict[bytes, int] = {}  # column letters seen -> number (at most the 18 278 of A to ZZZ)


def _put_formula(out: dict, row: bytes, letters: bytes, text: bytes | None, limits: Limits) -> None:
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_number(letters.decode())
    r = int(row)
    if r <= limits.rows and col <= limits.cols:
        out[(r, col)] = _xml_text(text or b"")


def _unplaced_formula_cells(data: bytes) -> Iterator[tuple[bytes, re.Match]]:
    """(the cell tag's attributes, its <f> element) of each cell holding a formula, cell by cell."""
    for m in _FORMULA_CELL.finditer(data):
        f = _FORMULA.match(m.group(2))
        if f:
            yield m.group(1), f


def excel_errors(data: bytes, limits: Limits = UNIT_WORKBOOK) -> dict[tuple[int, int], str]:
    """{(row, col): "#DIV/0!"} of the cells showing an Excel error. calamine hands such a cell
    over as empty, and an empty input is "not entered" where the truth is "a broken formula"."""
    out: dict[tuple[int, int], str] = {}
    if b'"e"' not in data and b"'e'" not in data:  # t="e" needs one; most sheets have none
        return out
    for m in _ERROR_CELL.finditer(data):
        ref, value = _REF_ATTR.search(m.group(1)), _VALUE.search(m.group(2))
        if ref and value:
            row, col = int(ref.group(2)), column_number(ref.group(1).decode())
            if row <= limits.rows and col <= limits.cols:
                out[(row, col)] = value.group(1).decode("utf-8", "replace").strip()[:20]
    return out


@lru_cache(maxsize=16)
def _far_refs(limits: Limits) -> re.Pattern:
    """Every place attribute that might lie outside `limits`: as many column letters as the last
    column has, or as many row digits as the last row has, or more. Places nearer than that
    cannot be outside, so only these few are looked at one by one. It starts with the literal
    `r=` (a fast search) and so also finds "xr=" or "x:r=": more to look at, never less."""
    letters, digits = len(column_letter(limits.cols)), len(str(limits.rows))
    return re.compile(rb"r=[\"'](\$?[A-Z]{%d,}\$?[0-9]+|\$?[A-Z]+\$?[0-9]{%d,})[\"']" % (letters, digits))


def bound_sheet(data: bytes, limits: Limits = UNIT_WORKBOOK, placed: bool | None = None) -> tuple[bytes, list[str]]:
    """(the sheet's XML with every cell outside `limits` removed, the cut cells that held a
    value). Unchanged when every cell tag names its place first (`placed`, when the caller has
    looked) and no place lies outside: scans of the bytes in C, and a rewrite only when one of
    them finds something."""
    if placed is None:
        placed = _all_placed(data)
    if placed and all(_inside(ref, limits) for ref in _far_refs(limits).findall(data)):
        return data, []
    return _rewrite(data, limits)


def _inside(ref: bytes, limits: Limits) -> bool:
    place = _split_ref(ref.decode("ascii"))
    return place is not None and place[0] <= limits.rows and place[1] <= limits.cols


def _parser() -> expat.XMLParserType:
    p = expat.ParserCreate()
    p.buffer_text = True
    p.ordered_attributes = True

    def refuse(*_: object) -> None:
        raise TooBig(RC.GIOI_HAN_DTD)

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return p


def _escape(text: str, attr: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attr:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return text


def _rewrite(data: bytes, limits: Limits = UNIT_WORKBOOK) -> tuple[bytes, list[str]]:
    """One expat pass that writes the sheet back without the cells outside the bounds (and
    without `<dimension>`), following rows and cells that do not name their place."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']
    outside: list[str] = []
    state = {"row": 0, "col": 0, "skip": 0, "cell": None, "value": False}

    def start(name: str, attrs: list[str]) -> None:
        local = _local(name)
        pairs = dict(zip(attrs[::2], attrs[1::2]))
        if state["skip"]:
            state["skip"] += 1
            if local in ("v", "is"):
                state["value"] = True
            return
        if local == "row":
            state["row"] = int(pairs["r"]) if pairs.get("r", "").isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c":
            place = _split_ref(pairs.get("r", "")) or (state["row"], state["col"] + 1)
            state["row"], state["col"] = place[0], place[1]
            if place[0] > limits.rows or place[1] > limits.cols:
                state["skip"], state["cell"], state["value"] = 1, place, False
                return
        elif local == "dimension":
            state["skip"], state["cell"] = 1, None
            return
        body = "".join(f' {k}="{_escape(v, True)}"' for k, v in pairs.items())
        out.append(f"<{name}{body}>")

    def end(name: str) -> None:
        if state["skip"]:
            state["skip"] -= 1
            done = not state["skip"] and state["cell"] is not None and state["value"]
            if done and len(outside) < MAX_OUTSIDE_SHOWN:
                row, col = state["cell"]
                outside.append(cell_ref(row, col))
            return
        out.append(f"</{name}>")

    def text(content: str) -> None:
        if not state["skip"]:
            out.append(_escape(content))

    p = _parser()
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise NotXlsx(f"XML của một trang bị hỏng ({expat.ErrorString(exc.code)})") from None
    return "".join(out).encode("utf-8"), outside
