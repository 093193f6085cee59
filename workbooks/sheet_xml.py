"""What one sheet's XML holds, read as bytes: its formulas, its error cells, its cells outside
the bounds, and the sheet as calamine needs it for values (without its formulas' text, cut to
the bounds). Scans in C over the bytes where every program writes a sheet one way; one expat
pass, with document type declarations refused, for any other sheet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from xml.parsers import expat

from campaign.refusals import RC
from campaign.unit_report import cell_ref, column_letter, column_number
from workbooks.xlsx_limits import MAX_OUTSIDE_SHOWN, UNIT_WORKBOOK, Limits, NotXlsx, TooBig


@dataclass
class Sheet:
    """One sheet read: `data` as calamine may read it, its formulas, the cells cut off that held
    a value, the cells showing an Excel error."""

    data: bytes
    formulas: dict[tuple[int, int], str]
    outside: list[str]
    errors: dict[tuple[int, int], str]


def read_sheet(original: bytes, limits: Limits = UNIT_WORKBOOK) -> Sheet:
    """A sheet's XML as calamine may read it within `limits`, and what it holds besides values."""
    formulas, lean, placed = split_formulas(original, limits)
    outside: list[str] = []
    if _beyond_tags(lean):
        # a comment, CDATA, a processing instruction or a DTD, where a formula's pattern may
        # match text: read as expat reads the sheet (a DTD refused, comments and instructions
        # dropped, CDATA as text), then as any sheet
        original, outside = _rewrite(original, limits)
        formulas, lean, placed = split_formulas(original, limits)
    data, cut = bound_sheet(lean, limits, placed)
    return Sheet(data, formulas, outside + cut, excel_errors(data, limits))


def _split_ref(ref: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})", ref.strip().upper())
    if not m:
        return None
    return int(m.group(2)), column_number(m.group(1))


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


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
    after = lean.find(b"?>") + 2 if lean.startswith(b"<?") else 0
    return _opened(lean, ord("!"), after) or _opened(lean, ord("?"), after)


def _opened(data: bytes, mark: int, start: int) -> bool:
    """Whether `<` + `mark` stands in `data` from `start`: the mark is looked for (memchr), then
    the byte before it; '<' itself is everywhere, the marks are few (a validation's 'Sheet'!A1).
    Past a few dozen marks, one search for the pair."""
    at = data.find(mark, start)
    for _ in range(32):
        if at < 0:
            return False
        if at > 0 and data[at - 1] == 60:  # "<"
            return True
        at = data.find(mark, at + 1)
    return data.find(bytes((60, mark)), start) >= 0


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


def _place(row: bytes, letters: bytes, limits: Limits) -> tuple[int, int] | None:
    """(row, col) of a cell's place as its tag spells it, or None outside `limits`."""
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_number(letters.decode())
    r = int(row)
    return (r, col) if r <= limits.rows and col <= limits.cols else None


def _put_formula(out: dict, row: bytes, letters: bytes, text: bytes | None, limits: Limits) -> None:
    place = _place(row, letters, limits)
    if place is not None:
        out[place] = _xml_text(text or b"")


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
        place = _place(ref.group(2), ref.group(1), limits) if ref else None
        if place is not None and value:
            out[place] = value.group(1).decode("utf-8", "replace").strip()[:20]
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


def xml_parser() -> expat.XMLParserType:
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
        local = local_name(name)
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

    p = xml_parser()
    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = text
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise NotXlsx(f"XML của một trang bị hỏng ({expat.ErrorString(exc.code)})") from None
    return "".join(out).encode("utf-8"), outside
