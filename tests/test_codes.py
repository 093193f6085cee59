"""Refusal codes are enum members at every raise site, so a mistyped code cannot reach a user.

The scan reads the packages' source with `ast`: a branch merged late that raises a refusal with a
bare string, or names a member the catalogue does not have, fails here before it ships.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from campaign.refusals import REFUSALS, Refusal, RefusalCode

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("campaign", "workbooks", "sync", "macros", "xl_addin")
# Refusals with a catalogue of their own (the maintainer's release checks), not REFUSALS.
OWN_CATALOGUE = {"ReleaseRefused"}


def _refusal_classes() -> set[str]:
    for pkg in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / pkg)], prefix=f"{pkg}."):
            importlib.import_module(info.name)
    found, todo = set(), [Refusal]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found - OWN_CATALOGUE


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_no_refusal_is_raised_with_a_bare_string_code():
    classes = _refusal_classes()
    bare = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in classes and node.args:
                first = node.args[0]
                if isinstance(first, (ast.Constant, ast.JoinedStr)):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare


def test_every_code_member_named_in_the_source_exists():
    unknown = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if named and node.value.id in {"RC", "RefusalCode"} and not hasattr(RefusalCode, node.attr):
                unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.attr}")
    assert not unknown


def test_codes_keep_their_strings_and_all_have_a_text():
    assert set(REFUSALS) == set(RefusalCode)
    assert RefusalCode.TEP_RONG == "tep.rong" and Refusal(RefusalCode.TEP_RONG, name="a").code == "tep.rong"
    with pytest.raises(KeyError):
        Refusal("tep.khong_co_ma_nay")
