"""Partial responses: the `fields` selector, applied as Google applies it.

Sources (GOOGLE-SHEETS-NOTES.md, "Partial responses and Google's own schema"): the selector is
the JSON encoding of a protobuf FieldMask: fields separated by commas, subfields by `.` (Sheets)
or `/` (Drive also), several subfields of one field in parentheses
(`sheets.properties(sheetId,title)`), `*` for every field, names in camelCase or snake_case
(Sheets guide "Use field masks"; Drive guide "Return specific fields"). A selection that does
not parse is a 400 "Invalid field selection …" (Drive guide). A list is selected element by
element; a field the resource does not have is simply absent, as a message field that is unset.

Drive answers with its default fields when `fields` is absent: files.list gives each file's
`kind`, `id`, `name` and `mimeType` only (Drive guide "Return specific fields"); a file
(files.create, files.get) the same four. The guide says only that permissions have a default
set of their own: `kind`, `id`, `type` and `role` here is our reading, and a client that needs
an address asks for it. Sheets answers with every field when `fields` is absent.
"""

from __future__ import annotations

import re
from typing import Any

from sync.emulator.model import invalid

Mask = dict[str, "Mask | None"]  # name -> subfields; None: the whole field
_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*|[(),./])")

DRIVE_FILE_DEFAULT = "kind,id,name,mimeType"
DRIVE_DEFAULTS = {
    "files.list": f"kind,nextPageToken,incompleteSearch,files({DRIVE_FILE_DEFAULT})",
    "files.create": DRIVE_FILE_DEFAULT,
    "files.get": DRIVE_FILE_DEFAULT,
    "permissions.list": "kind,nextPageToken,permissions(kind,id,type,role)",
    "permissions.create": "kind,id,type,role",
    "permissions.get": "kind,id,type,role",
}


def camel(name: str) -> str:
    """snake_case as the camelCase JSON name (`sheet_id` -> `sheetId`); `*` and camelCase as given."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def parse(selector: str) -> Mask:
    """The selector as a tree of names; a 400 "Invalid field selection" when it does not parse."""
    tokens = _tokens(selector)
    mask, end = _paths(tokens, 0, selector)
    if end != len(tokens):
        raise _bad(selector)
    return mask


def _tokens(selector: str) -> list[str]:
    out, at = [], 0
    text = selector.strip()
    while at < len(text):
        found = _TOKEN.match(text, at)
        if not found:
            raise _bad(selector)
        out.append(found[1])
        at = found.end()
    return out


def _paths(tokens: list[str], at: int, selector: str) -> tuple[Mask, int]:
    """Comma-separated paths from `at`, up to a closing parenthesis or the end."""
    mask: Mask = {}
    while True:
        at = _path(tokens, at, mask, selector)
        if at < len(tokens) and tokens[at] == ",":
            at += 1
            continue
        return mask, at


def _path(tokens: list[str], at: int, into: Mask, selector: str) -> int:
    """One path (`a.b/c(d,e)`) merged into `into`; the index after it."""
    names = []
    while True:
        if at >= len(tokens) or not (tokens[at] == "*" or tokens[at][0].isalpha() or tokens[at][0] == "_"):
            raise _bad(selector)
        names.append(camel(tokens[at]))
        at += 1
        if at < len(tokens) and tokens[at] in "./":
            at += 1
            continue
        break
    sub: Mask | None = None
    if at < len(tokens) and tokens[at] == "(":
        sub, at = _paths(tokens, at + 1, selector)
        if at >= len(tokens) or tokens[at] != ")":
            raise _bad(selector)
        at += 1
    _merge(into, names, sub)
    return at


def _merge(into: Mask, names: list[str], sub: Mask | None) -> None:
    node = into
    for name in names[:-1]:
        child = node.get(name, {})
        if child is None:
            return  # the whole field is already selected
        node[name] = child
        node = child
    last = names[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
        return
    node[last] = {**(node.get(last) or {}), **sub}


def select(value: Any, mask: Mask | None) -> Any:
    """`value` with only the fields `mask` selects; lists element by element."""
    if mask is None:
        return value
    if isinstance(value, list):
        return [select(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if key in mask:
            out[key] = select(v, mask[key])
        elif "*" in mask:
            out[key] = select(v, mask["*"])
    return out


def selects(mask: Mask | None, *path: str) -> bool:
    """Does `mask` select the field at `path` (a name, or `*`, or the whole of a parent)?"""
    for name in path:
        if mask is None:
            return True
        if name not in mask and "*" not in mask:
            return False
        mask = mask[name] if name in mask else mask["*"]
    return True


def partial(body: Any, selector: str | None, default: str | None = None) -> Any:
    """The answer as Google sends it for this `fields` (or the method's default selection)."""
    chosen = selector if selector else default
    if not chosen or body is None:
        return body
    return select(body, parse(chosen))


def _bad(selector: str):
    return invalid(f"Invalid field selection {selector}")
