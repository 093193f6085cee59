"""Builds the `.xlam` add-in reproducibly: xlwings' own add-in skeleton and VBA from the pinned,
installed xlwings package, plus our ribbon XML and one small VBA module from `macros/`.

pyopenvba writes the VBA project the way MS-OVBA prescribes for writers (the `_VBA_PROJECT`
stream at version 0xFFFF with no performance cache, so Excel recompiles from source, as
xlwings' released add-ins are built). The package is then re-zipped with fixed timestamps
and order so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from campaign.refusals import RC, Refusal

SKELETON = "quickstart_addin_ribbon.xlam"
PROJECT_NAME = "thidua"
MODULE = "ThiDuaRibbon"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CONF_SHEET = "xl/worksheets/sheet1.xml"  # the skeleton's one sheet, its settings
CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>Thi đua</dc:title><dc:creator>thidua</dc:creator></cp:coreProperties>"
)


def macro_source(name: str) -> str:
    return resources.files("macros").joinpath(name).read_text("utf-8")


def skeleton_path() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / SKELETON


def xlwings_module_source(original: str) -> str:
    """xlwings' own VBA module, renamed for this add-in: config lives in thidua.conf."""
    new, n = re.subn(r'(Public Const PROJECT_NAME As String = )"myaddin"', rf'\1"{PROJECT_NAME}"', original)
    if n != 1:
        raise RuntimeError("xlwings' add-in module no longer declares PROJECT_NAME; check the pinned xlwings version")
    return new


# The Windows bundle's Python, as the add-in finds it on any user's PC: xlwings expands
# environment variables in every setting it reads (ExpandEnvironmentStrings in its VBA).
BUNDLED_PYTHONW = r"%LOCALAPPDATA%\thidua\python\pythonw.exe"


def settings(python: str) -> dict[str, str]:
    """xlwings' settings for thidua: this interpreter, no console, and "USE UDF SERVER": xlwings'
    RunPython then runs buttons in its persistent COM server (XLPy.Exec, BOOK_CALLER set) instead
    of a new Python per click, so imports and the campaign are paid once, at the first click."""
    return {"INTERPRETER_WIN": python, "SHOW CONSOLE": "False", "USE UDF SERVER": "True"}


def conf_text(values: dict[str, str]) -> str:
    """xlwings' config file format: one `"KEY","value"` line per setting."""
    return "".join(f'"{k}","{v}"\n' for k, v in values.items())


def build_addin(dest: Path, interpreter: str | None = None) -> Path:
    """The .xlam at `dest` (a folder gets `thidua.xlam` inside it); the same bytes every time.
    With `interpreter` (the Windows bundle: `BUNDLED_PYTHONW`) the add-in carries its settings in
    its own `thidua.conf` sheet, which xlwings reads before any config file."""
    from pyopenvba import ExcelFile

    dest = Path(dest)
    if dest.is_dir() or dest.suffix.lower() != ".xlam":
        dest = dest / f"{PROJECT_NAME}.xlam"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "addin.xlam"
        shutil.copy(skeleton_path(), work)
        with ExcelFile(work) as wb:
            project = wb.vba_project()
            wb.set_module("xlwings", xlwings_module_source(wb.get_module("xlwings")))
            project.add_module(MODULE, macro_source(f"{MODULE}.bas"))
            project.delete_module("RibbonMyAddin")
            wb.save()
        data = _repack(work.read_bytes(), settings(interpreter) if interpreter else None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    from workbooks.atomic import write_bytes_atomic

    write_bytes_atomic(dest, data)
    return dest


def _repack(package: bytes, sheet_settings: dict[str, str] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/vbaProject.bin":
                data = _rename_project(data)
            elif item.filename == "customUI/customUI.xml":
                data = macro_source("customUI.xml").encode("utf-8")
            elif item.filename == "xl/workbook.xml":
                # "_thidua.conf" is the disabled settings sheet; without the underscore xlwings reads it
                sheet = f"{PROJECT_NAME}.conf" if sheet_settings else f"_{PROJECT_NAME}.conf"
                text = data.decode("utf-8").replace("_myaddin.conf", sheet)
                # the skeleton remembers the path it was saved from on its author's PC
                text = re.sub(
                    r"<mc:AlternateContent[^>]*><mc:Choice Requires=\"x15\"><x15ac:absPath [^>]*/></mc:Choice></mc:AlternateContent>",
                    "",
                    text,
                )
                data = text.encode("utf-8")
            elif item.filename == CONF_SHEET and sheet_settings:
                data = _settings_sheet(data.decode("utf-8"), sheet_settings).encode("utf-8")
            elif item.filename == "docProps/core.xml":
                data = CORE_XML.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def _settings_sheet(sheet_xml: str, values: dict[str, str]) -> str:
    """The settings sheet holding only `values`, key in A, value in B. Only these rows: xlwings
    takes a key present with an empty value as set to empty, and stops looking further."""
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{escape(k)}</t></is></c>'
        f'<c r="B{i}" t="inlineStr"><is><t>{escape(v)}</t></is></c></row>'
        for i, (k, v) in enumerate(values.items(), 1)
    )
    new, n = re.subn(
        r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{rows}</sheetData>", sheet_xml, flags=re.DOTALL
    )
    new = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:B{len(values)}"', new)
    if n != 1:
        raise RuntimeError("the add-in's settings sheet has no sheetData; check the pinned xlwings version")
    return new


def _rename_project(vba_project: bytes) -> bytes:
    """The VBA project named `thidua`, not the quickstart's `MyAddin` (two add-ins built from
    the same template would clash in Excel's project list): the PROJECTNAME record of the dir
    stream and the PROJECT stream's Name= line, whose [Workspace] section is also written back
    in MS-OVBA's grammar, one ProjectWindowRecord per line and no blank line among them."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    cfb = CFB.from_bytes(vba_project)
    cfb.write_stream_in_storage(
        "VBA", "dir", compress(_dir_with_name(decompress(cfb.get_stream_in_storage("VBA", "dir"))))
    )
    text = cfb.get_stream("PROJECT").decode("cp1252")
    text, n = re.subn(r'^Name="[^"]*"(?=\r?$)', f'Name="{PROJECT_NAME}"', text, flags=re.MULTILINE)
    if n != 1:
        raise RuntimeError("the add-in's PROJECT stream has no single Name= line; check the pinned xlwings version")
    head, mark, workspace = text.partition("[Workspace]\r\n")
    records = [line for line in workspace.split("\r\n") if line.strip()]
    cfb.write_stream("PROJECT", (head + mark + "".join(r + "\r\n" for r in records)).encode("cp1252"))
    return cfb.to_bytes()


def _dir_with_name(dir_stream: bytes) -> bytes:
    """The dir stream with its PROJECTNAME record (id 0x0004) set to PROJECT_NAME ([MS-OVBA] 2.3.4.2.1)."""
    pos = 0
    while pos + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, pos)
        if rid == 0x0004:
            name = PROJECT_NAME.encode("ascii")
            return dir_stream[:pos] + struct.pack("<HI", rid, len(name)) + name + dir_stream[pos + 6 + size :]
        # PROJECTVERSION (0x0009) declares a size of 4 but carries 6 bytes
        pos += 6 + size + (2 if rid == 0x0009 else 0)
    raise RuntimeError("the add-in's dir stream has no PROJECTNAME record")


def excel_found() -> bool:
    """Is Microsoft Excel for Windows installed? It registers the COM class Excel.Application
    (with its current version under CurVer), which is what xlwings' add-in talks to; WPS and
    LibreOffice do not, and cannot run the add-in's macros."""
    if sys.platform != "win32":
        return False
    import winreg

    try:
        winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, r"Excel.Application\CurVer").Close()
    except OSError:
        return False
    return True


def install_addin(xlam: Path, python: str, appdata: Path, home: Path) -> tuple[Path, Path]:
    """Copy the add-in into Excel's AddIns folder and point it at this Python interpreter
    through xlwings' per-user config file (%USERPROFILE%\\.thidua\\thidua.conf)."""
    addins = appdata / "Microsoft" / "AddIns"
    addins.mkdir(parents=True, exist_ok=True)
    target = addins / f"{PROJECT_NAME}.xlam"
    try:
        shutil.copy(xlam, target)
    except PermissionError:
        # Windows locks an add-in Excel has loaded
        raise Refusal(RC.ADDIN_DANG_MO, path=target) from None
    conf = home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(conf_text(settings(python)), encoding="utf-8")
    return target, conf
