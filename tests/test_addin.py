"""The .xlam add-in: reproducible, every module decodes to its source, strict compound-file
check, ribbon wiring resolves end to end, and LibreOffice opens it and lists our modules."""

from __future__ import annotations

import re
import subprocess
import zipfile
from xml.etree import ElementTree as ET

import pytest
from conftest import soffice

from macros.addin_build import MODULE, build_addin, install_addin, macro_source, skeleton_path, xlwings_module_source
from xl_addin import handlers

# Office 2010+ ribbon XML (customUI14): the 2009/07 namespace goes with the 2007 relationship
# type; the 2006/01 namespace would need the 2006 relationship type. Excel 2016+ is the target.
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory):
    return build_addin(tmp_path_factory.mktemp("addin") / "thidua.xlam")


def _norm(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.replace("\r\n", "\n").strip().split("\n"))


def _modules(path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_building_twice_gives_identical_bytes(xlam, tmp_path):
    assert build_addin(tmp_path / "again.xlam").read_bytes() == xlam.read_bytes()


def test_every_module_decodes_back_to_its_source(xlam):
    from pyopenvba import ExcelFile

    mods = _modules(xlam)
    assert _norm(mods[MODULE]) == _norm(macro_source(f"{MODULE}.bas"))
    with ExcelFile(skeleton_path()) as skel:
        expected_xlwings = xlwings_module_source(skel.get_module("xlwings"))
    assert _norm(mods["xlwings"]) == _norm(expected_xlwings)
    assert "RibbonMyAddin" not in mods
    assert 'PROJECT_NAME As String = "thidua"' in mods["xlwings"]


def test_strict_compound_file_and_package_check_passes(xlam):
    import olefile
    from pyopenvba import check_file

    report = check_file(xlam)
    assert report.complete and report.issues == ()
    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
        version = ole.openstream("VBA/_VBA_PROJECT").read()
    # version 0xFFFF and no performance cache: Excel recompiles the project from source
    assert version[2:4] == b"\xff\xff" and len(version) == 7


def test_content_types_relationships_and_ribbon_namespace(xlam):
    with zipfile.ZipFile(xlam) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = ET.fromstring(z.read("_rels/.rels"))
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
        workbook = z.read("xl/workbook.xml").decode()
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types
    targets = {r.get("Type"): r.get("Target") for r in rels}
    assert targets.get(UI_REL) == "customUI/customUI.xml"  # the relationship type that matches the namespace
    assert ui.tag == f"{{{CUSTOMUI_NS}}}customUI"
    assert "_thidua.conf" in workbook and "felix" not in workbook


def test_every_button_resolves_to_a_vba_callback_and_a_python_handler(xlam):
    with zipfile.ZipFile(xlam) as z:
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
    code = _modules(xlam)[MODULE]
    buttons = {b.get("id"): b for b in ui.iter(f"{{{CUSTOMUI_NS}}}button")}
    tab = next(ui.iter(f"{{{CUSTOMUI_NS}}}tab"))
    assert tab.get("label") == "Thi đua"
    assert set(buttons) == set(handlers.BUTTONS)
    cases = dict(re.findall(r'Case "(\w+)": handler = "(\w+)"', code))
    for bid, b in buttons.items():
        module, sub = b.get("onAction").split(".")
        assert module == MODULE
        assert re.search(rf"Public Sub {sub}\(control As IRibbonControl\)", code)
        assert b.get("label") == handlers.BUTTONS[bid][0]
        assert cases[bid] == handlers.BUTTONS[bid][1]
        assert callable(getattr(handlers, cases[bid]))
    assert 'RunPython "import xl_addin.handlers as h; h." & handler & "()"' in code


@pytest.mark.slow
def test_libreoffice_opens_the_addin_and_lists_our_modules(xlam, tmp_path):
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    out = tmp_path / "lo"
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "xlsm:Calc MS Excel 2007 VBA XML",
            "--outdir",
            str(out),
            str(xlam),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    mods = _modules(out / "thidua.xlsm")
    assert (
        _norm(mods[MODULE]).split("Option Explicit", 1)[1]
        == _norm(macro_source(f"{MODULE}.bas")).split("Option Explicit", 1)[1]
    )
    assert "xlwings" in mods


def test_install_copies_the_addin_and_points_it_at_python(xlam, tmp_path):
    target, conf = install_addin(xlam, r"C:\Python311\python.exe", tmp_path / "AppData", tmp_path / "home")
    assert target.read_bytes() == xlam.read_bytes() and target.name == "thidua.xlam"
    assert conf.read_text(encoding="utf-8").startswith('"INTERPRETER_WIN","C:\\Python311\\python.exe"')
    assert '"USE UDF SERVER","True"' in conf.read_text(encoding="utf-8")  # buttons run in the warm COM server


def test_the_vba_project_is_named_thidua_and_its_project_stream_follows_ms_ovba(xlam):
    import zipfile

    from pyopenvba import ExcelFile
    from pyopenvba.cfb import CFB

    with ExcelFile(xlam) as wb:
        assert wb.vba_project().name == "thidua"
    cfb = CFB.from_bytes(zipfile.ZipFile(xlam).read("xl/vbaProject.bin"))
    text = cfb.get_stream("PROJECT").decode("cp1252")
    assert 'Name="thidua"\r\n' in text and "MyAddin" not in text
    workspace = text.partition("[Workspace]\r\n")[2]
    records = workspace.split("\r\n")
    assert records[-1] == "" and all(r for r in records[:-1])  # one record a line, no blank line among them
    assert "ThiDuaRibbon=0, 0, 0, 0, C" in records


def test_addin_build_into_a_folder_writes_thidua_xlam_readable_by_others(tmp_path):
    import os
    import stat

    from xl_addin.cli import main

    old = os.umask(0o022)
    try:
        assert main(["addin", "build", "--out", str(tmp_path)]) == 0
    finally:
        os.umask(old)
    built = tmp_path / "thidua.xlam"
    assert built.exists() and stat.S_IMODE(built.stat().st_mode) == 0o644
