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
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

SKELETON = "quickstart_addin_ribbon.xlam"
PROJECT_NAME = "thidua"
MODULE = "ThiDuaRibbon"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
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


def build_addin(dest: Path) -> Path:
    from pyopenvba import ExcelFile

    dest = Path(dest)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "addin.xlam"
        shutil.copy(skeleton_path(), work)
        with ExcelFile(work) as wb:
            project = wb.vba_project()
            wb.set_module("xlwings", xlwings_module_source(wb.get_module("xlwings")))
            project.add_module(MODULE, macro_source(f"{MODULE}.bas"))
            project.delete_module("RibbonMyAddin")
            wb.save()
        data = _repack(work.read_bytes())
    dest.parent.mkdir(parents=True, exist_ok=True)
    from workbooks.atomic import write_bytes_atomic

    write_bytes_atomic(dest, data)
    return dest


def _repack(package: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "customUI/customUI.xml":
                data = macro_source("customUI.xml").encode("utf-8")
            elif item.filename == "xl/workbook.xml":
                text = data.decode("utf-8").replace("_myaddin.conf", f"_{PROJECT_NAME}.conf")
                # the skeleton remembers the path it was saved from on its author's PC
                text = re.sub(
                    r"<mc:AlternateContent[^>]*><mc:Choice Requires=\"x15\"><x15ac:absPath [^>]*/></mc:Choice></mc:AlternateContent>",
                    "",
                    text,
                )
                data = text.encode("utf-8")
            elif item.filename == "docProps/core.xml":
                data = CORE_XML.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def install_addin(xlam: Path, python: str, appdata: Path, home: Path) -> tuple[Path, Path]:
    """Copy the add-in into Excel's AddIns folder and point it at this Python interpreter
    through xlwings' per-user config file (%USERPROFILE%\\.thidua\\thidua.conf)."""
    addins = appdata / "Microsoft" / "AddIns"
    addins.mkdir(parents=True, exist_ok=True)
    target = addins / f"{PROJECT_NAME}.xlam"
    shutil.copy(xlam, target)
    conf = home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f'"INTERPRETER_WIN","{python}"\n"SHOW CONSOLE","False"\n', encoding="utf-8")
    return target, conf
