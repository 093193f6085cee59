"""Google's own schema for what the client sends and the emulator answers: the discovery documents
google-api-python-client ships (googleapiclient/discovery_cache/documents/sheets.v4.json and
drive.v3.json, GOOGLE-SHEETS-NOTES.md, "Partial responses and Google's own schema").

`problems(exchange)` lists, for one recorded request and its answer, everything the schema does
not allow: an unknown method, an unknown or mistyped query parameter, a body field that does not
exist or has the wrong JSON type, an enum value outside its list, a `fields` selection naming a
field the answer cannot have, and an error not in Google's shape. Each problem is a short string
that names the method and the JSON path."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from sync.emulator.fields import Mask, parse
from sync.emulator.model import ApiError

# canonical google.rpc.Code names, the `status` of a Sheets error (google/rpc/code.proto)
RPC_STATUSES = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
}  # fmt: skip
# The OpenID Connect userinfo endpoint (the e-mail of who signed in) is in neither document.
USERINFO = "/oauth2/v3/userinfo"


@dataclass(frozen=True)
class Method:
    id: str
    verb: str
    pattern: re.Pattern
    literal: int  # characters of the path template outside its parameters: the most specific wins
    spec: dict
    doc: str


@cache
def document(name: str) -> dict:
    import googleapiclient

    folder = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    return json.loads((folder / f"{name}.json").read_text("utf-8"))


def _methods(resource: dict):
    yield from (resource.get("methods") or {}).values()
    for child in (resource.get("resources") or {}).values():
        yield from _methods(child)


@cache
def methods() -> tuple[Method, ...]:
    out = []
    for name in ("sheets.v4", "drive.v3"):
        doc = document(name)
        for spec in _methods(doc):
            template = "/" + doc["servicePath"] + (spec.get("flatPath") or spec["path"])
            regex = re.sub(r"\{\+?(\w+)\}", lambda m: f"(?P<{m[1]}>{'.+' if m[1] == 'range' else '[^/:]+'})", template)
            literal = len(re.sub(r"\{\+?\w+\}", "", template))
            out.append(Method(spec["id"], spec["httpMethod"], re.compile(regex), literal, spec, name))
    return tuple(out)


def method_of(verb: str, path: str) -> Method | None:
    found = [m for m in methods() if m.verb == verb and m.pattern.fullmatch(path)]
    return max(found, key=lambda m: m.literal) if found else None


def schema(doc: str, ref: str) -> dict:
    return document(doc)["schemas"][ref]


def check_value(doc: str, spec: dict, value: Any, where: str, out: list[str], response: bool) -> None:
    """`value` against a property spec (`type`, `$ref`, `items`, `enum`, `format`)."""
    if value is None:
        return  # JSON null: an unset field (gspread sends "majorDimension": null)
    if "$ref" in spec:
        _check_object(doc, schema(doc, spec["$ref"]), value, where, out, response)
        return
    kind = spec.get("type")
    if kind == "object":
        _check_object(doc, spec, value, where, out, response)
    elif kind == "array":
        if not isinstance(value, list):
            out.append(f"{where}: {type(value).__name__}, not an array")
            return
        for i, item in enumerate(value):
            check_value(doc, spec.get("items") or {}, item, f"{where}[{i}]", out, response)
    elif kind in ("string", "integer", "number", "boolean"):
        _check_scalar(spec, value, where, out, response)
    elif kind != "any":
        out.append(f"{where}: the schema's type {kind!r} is not known to this check")


def _check_scalar(spec: dict, value: Any, where: str, out: list[str], response: bool) -> None:
    kind, fmt = spec["type"], spec.get("format", "")
    ok = {
        # int64 is a JSON string in Google's answers, and either in requests
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }[kind]
    if kind == "string" and fmt in ("int64", "uint64") and not response:
        ok = ok or (isinstance(value, int) and not isinstance(value, bool))
    if not ok:
        out.append(f"{where}: {json.dumps(value)[:40]} is not a {kind}{' (' + fmt + ')' if fmt else ''}")
        return
    if kind == "string" and fmt in ("int64", "uint64") and not str(value).lstrip("-").isdigit():
        out.append(f"{where}: {value!r} is not an {fmt}")
    if "enum" in spec and value not in spec["enum"]:
        out.append(f"{where}: {value!r} is not one of {spec['enum'][:6]}…")


def _check_object(doc: str, spec: dict, value: Any, where: str, out: list[str], response: bool) -> None:
    if not isinstance(value, dict):
        out.append(f"{where}: {type(value).__name__}, not an object")
        return
    props = spec.get("properties") or {}
    extra = spec.get("additionalProperties")
    for key, item in value.items():
        if key in props:
            check_value(doc, props[key], item, f"{where}.{key}", out, response)
        elif extra is not None:
            check_value(doc, extra, item, f"{where}[{key!r}]", out, response)
        else:
            out.append(f"{where}.{key}: no such field in {spec.get('id', 'the schema')}")


def check_mask(doc: str, spec: dict, mask: Mask, where: str, out: list[str]) -> None:
    """Every field a `fields` selection names must exist in the answer's schema (Google refuses
    the request otherwise)."""
    if "$ref" in spec:
        spec = schema(doc, spec["$ref"])
    if spec.get("type") == "array":
        check_mask(doc, spec.get("items") or {}, mask, where, out)
        return
    props = spec.get("properties") or {}
    for name, sub in mask.items():
        if name == "*":
            continue
        if name not in props:
            out.append(f"fields {where}{name}: no such field in {spec.get('id', 'the schema')}")
        elif sub is not None:
            check_mask(doc, props[name], sub, f"{where}{name}.", out)


def check_query(method: Method, query: str, out: list[str], booleans_as_python: bool) -> None:
    """Known parameters only (the method's or the API's own: fields, alt, …), each of its type;
    a parameter given twice must be `repeated`."""
    known = {**document(method.doc)["parameters"], **(method.spec.get("parameters") or {})}
    seen: dict[str, int] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        seen[key] = seen.get(key, 0) + 1
        spec = known.get(key)
        if spec is None or spec.get("location") == "path":
            out.append(f"{method.id}: unknown query parameter {key!r}")
            continue
        if spec.get("type") == "boolean" and value not in ("true", "false"):
            if not (booleans_as_python and value in ("True", "False")):
                out.append(f"{method.id}: {key}={value!r} is not a boolean as the schema writes it (true/false)")
        elif spec.get("type") == "integer" and not value.lstrip("-").isdigit():
            out.append(f"{method.id}: {key}={value!r} is not an integer")
        if "enum" in spec and value not in spec["enum"]:
            out.append(f"{method.id}: {key}={value!r} is not one of {spec['enum']}")
        if key == "fields":
            try:
                mask = parse(value)
            except ApiError:
                out.append(f"{method.id}: fields={value!r} does not parse")
                continue
            if "response" in method.spec:
                check_mask(method.doc, method.spec["response"], mask, "", out)
    out += [
        f"{method.id}: {k} given {n} times, not repeated"
        for k, n in seen.items()
        if n > 1 and not known.get(k, {}).get("repeated")
    ]


def check_error(answer: Any, status: int, where: str, out: list[str]) -> None:
    """Google's error shape: {"error": {"code": the HTTP status, "message", "status"?, "errors"?,
    "details"?}}; Sheets' `status` a google.rpc.Code name."""
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict) or set(answer) != {"error"}:
        out.append(f"{where}: error answer not in Google's shape: {json.dumps(answer)[:80]}")
        return
    if error.get("code") != status or not isinstance(error.get("message"), str):
        out.append(f"{where}: error code {error.get('code')} for HTTP {status}, or no message")
    if set(error) - {"code", "message", "status", "errors", "details"}:
        out.append(
            f"{where}: error has unknown keys {sorted(set(error) - {'code', 'message', 'status', 'errors', 'details'})}"
        )
    if "status" in error and error["status"] not in RPC_STATUSES:
        out.append(f"{where}: error status {error['status']!r} is not a google.rpc.Code")
    for entry in error.get("details") or []:
        if not isinstance(entry, dict) or not str(entry.get("@type", "")).startswith("type.googleapis.com/"):
            out.append(f"{where}: error detail without an @type: {entry}")
    for entry in error.get("errors") or []:
        if not isinstance(entry, dict) or not {"reason", "message"} <= set(entry):
            out.append(f"{where}: Drive error entry without reason and message: {entry}")


def problems(exchange: Any, gspread_quirks: bool = False) -> list[str]:
    """What the schema does not allow in one request and its answer. `gspread_quirks`: accept
    booleans in the query as True/False, which gspread's own calls send (they come from
    `requests` turning Python's bools into text)."""
    if exchange.path == USERINFO:
        return []
    out: list[str] = []
    method = method_of(exchange.method, exchange.path)
    if method is None:
        return [f"{exchange.method} {exchange.path}: no such method in Sheets v4 or Drive v3"]
    check_query(method, exchange.query, out, gspread_quirks)
    if exchange.body is not None:
        if "request" not in method.spec:
            out.append(f"{method.id}: takes no body")
        else:
            check_value(method.doc, method.spec["request"], exchange.body, f"{method.id} request", out, False)
    if exchange.status >= 400:
        check_error(exchange.answer, exchange.status, method.id, out)
    elif exchange.answer is not None and "response" in method.spec:
        check_value(method.doc, method.spec["response"], exchange.answer, f"{method.id} answer", out, True)
    elif exchange.answer is not None:
        out.append(f"{method.id}: answers no body, the emulator sent one")
    return out
