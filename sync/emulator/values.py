"""Cell values as Sheets stores, renders and parses them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


def as_double(v: Any) -> Any:
    """Sheets stores every number as an IEEE double: an integer past 2**53 comes back rounded
    (a whole double is still answered as a JSON integer by UNFORMATTED_VALUE)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    d = float(v)
    return int(d) if d.is_integer() and isinstance(v, int) else d


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def unformatted(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Formula):
        return v.cached
    return v


def formatted(v: Any, locale: str) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, Formula):
        return formatted(v.cached, locale) if v.cached is not None else ""
    if _is_number(v):
        text = repr(float(v)) if isinstance(v, float) and not v.is_integer() else str(int(v))
        if locale.startswith(("vi", "de", "fr", "id")):
            text = text.replace(".", ",")
        return text
    return "" if v is None else str(v)


@dataclass
class Formula:
    text: str
    cached: Any = None


_EN_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
_VI_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def user_entered(v: Any, locale: str) -> Any:
    if not isinstance(v, str):
        return v
    if v.startswith("="):
        return Formula(v, _arithmetic(v[1:], locale))
    s = v.strip()
    if locale.startswith("vi"):
        if _VI_NUMBER.match(s):
            return _num(s.replace(".", "").replace(",", "."))
    elif _EN_NUMBER.match(s):
        return _num(s.replace(",", ""))
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE"
    return v


def _arithmetic(expr: str, locale: str) -> Any:
    """Evaluate a formula of plain numbers and + - * / ( ); anything else has no value here."""
    import ast
    import operator

    ops = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.USub: operator.neg,
    }

    def ev(node):
        if isinstance(node, ast.Constant) and _is_number(node.value):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in ops:
            return ops[type(node.op)](ev(node.operand))
        raise ValueError(expr)

    try:
        if locale.startswith("vi"):
            expr = expr.replace(",", ".")
        return ev(ast.parse(expr, mode="eval").body)
    except (ValueError, SyntaxError, ZeroDivisionError):
        return None


def _num(s: str) -> int | float:
    f = float(s)
    return int(f) if f.is_integer() and "." not in s else f
