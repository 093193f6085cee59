"""Opening workbooks in LibreOffice headless, as a unit without the add-in would, and saving what
LibreOffice computed: the proof and the benchmark of the workbook's own formulas.

Each call uses its own LibreOffice profile with the locale set (en-US, vi-VN), so a test shows
that the formulas give the same answer whatever the program's language is, and told to
recalculate every formula on load (an .xlsx from openpyxl carries no cached results). Many
workbooks go through one soffice call: starting LibreOffice costs more than a workbook.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>{locale}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def profile(folder: Path, locale: str) -> Path:
    """A LibreOffice user profile in `folder` with `locale` and recalculation on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_XCU.format(locale=locale), encoding="utf-8")
    return folder


def recalculate(files: list[Path], out_dir: Path, locale: str, work: Path, timeout: int = 600) -> list[Path]:
    """Open each file in LibreOffice (one process for all), recalculate, save as .xlsx in out_dir."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    prof = profile(work / f"lo-{locale}", locale)
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        exe,
        f"-env:UserInstallation={prof.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--calc",
        "--convert-to",
        "xlsx:Calc Office Open XML",
        "--outdir",
        str(out_dir),
        *map(str, files),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    return [out_dir / (Path(f).stem + ".xlsx") for f in files]
