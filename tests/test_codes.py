"""Refusal and finding codes are enum members wherever they are written, so a mistyped code
cannot reach a user.

The scan reads the packages' source with `ast`: a branch merged late that raises a refusal or
makes a finding with a bare string, writes a code as a string anywhere else (a comparison, a
default, a table), or names a member the catalogue does not have, fails here before it ships.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from campaign.finding_codes import FindingCode
from campaign.findings import MESSAGES, Finding
from campaign.refusals import REFUSALS, Refusal, RefusalCode

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("campaign", "workbooks", "sync", "macros", "xl_addin")


def _refusal_classes() -> set[str]:
    for pkg in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / pkg)], prefix=f"{pkg}."):
            importlib.import_module(info.name)
    found, todo = set(), [Refusal]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


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


def test_no_finding_is_made_with_a_bare_string_code():
    bare = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            made = isinstance(node, ast.Call) and _called_name(node) == "make" and node.args
            if made and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare


# Where the members are defined; everywhere else a code is written as a member.
CATALOGUES = {ROOT / "campaign" / "finding_codes.py", ROOT / "campaign" / "refusals.py"}
FAMILIES = {code.split(".")[0] for code in [*FindingCode, *RefusalCode]}
FILE_SUFFIXES = {"xlam", "xlsx", "xlsm", "json", "log", "txt", "pem", "exe", "cmd", "zip", "conf"}  # addin.xlam


def _looks_like_a_code(text: str) -> bool:
    family, dot, rest = text.partition(".")
    shaped = rest.replace("_", "").isalnum() and rest.islower() and rest not in FILE_SUFFIXES
    return bool(dot) and family in FAMILIES and shaped


def test_no_code_is_written_as_a_string_anywhere():
    """A code typed as a string (`f.code == "van_ban.qua_dai"`, a set of codes, a field's default)
    passes a typo silently; only a member fails at import."""
    written = []
    for path in _sources():
        if path in CATALOGUES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _looks_like_a_code(node.value):
                written.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert not written


@pytest.mark.parametrize("text", ["so.khong_phai_so", "so.khong_phai_s", "chi_tieu.mau_so_bang_0", "tep.rong"])
def test_the_scan_sees_a_code_and_a_typo_of_one(text):
    assert _looks_like_a_code(text)


@pytest.mark.parametrize(
    "text", ["campaign.data", "workbooks.read_guard", "thidua.xlam", "addin.xlam", "files.list", "so."]
)
def test_the_scan_leaves_module_and_file_names_alone(text):
    assert not _looks_like_a_code(text)


def test_every_code_member_named_in_the_source_exists():
    enums = {"RC": RefusalCode, "RefusalCode": RefusalCode, "FC": FindingCode, "FindingCode": FindingCode}
    unknown = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if named and node.value.id in enums and not hasattr(enums[node.value.id], node.attr):
                unknown.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.attr}")
    assert not unknown


def test_codes_keep_their_strings_and_all_have_a_text():
    assert set(REFUSALS) == set(RefusalCode)
    assert RefusalCode.TEP_RONG == "tep.rong" and Refusal(RefusalCode.TEP_RONG, name="a").code == "tep.rong"
    with pytest.raises(KeyError):
        Refusal("tep.khong_co_ma_nay")


def test_finding_codes_keep_their_strings_and_all_have_a_message():
    assert set(MESSAGES) == set(FindingCode)
    made = Finding.make(FindingCode.RIENG_THIEU, "Báo cáo", "B5", detail="mục tiêu")
    assert made.code == "rieng.thieu" and made.as_dict()["code"] == "rieng.thieu"
    assert Finding.make(FindingCode.TONG_HOP_BAN_NOP, detail="Hai tệp của T01.").message == "Hai tệp của T01."
    with pytest.raises(KeyError):
        Finding.make("rieng.khong_co_ma_nay")
