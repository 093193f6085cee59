"""Makes docs/so-bao-cao-kiem-tra.png: KT's workbook filled as a unit without the add-in fills it,
with statuses and checks computed by the workbook's own formulas in LibreOffice (nothing run by
thidua after the entries). Run from the project root:

    .venv/bin/python docs/picture_so_bao_cao.py /tmp/pic
"""

import subprocess
import sys
from pathlib import Path

from campaign.sample_data import clean_entries
from workbooks.builder import write_unit_workbook
from workbooks.campaign_workbook import load_default
from workbooks.recalc import profile, soffice
from workbooks.writer import fill_entries

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
c = load_default()
unit = c.unit("KT")
path = out / "KT.xlsx"
write_unit_workbook(c, unit, path)
entries = clean_entries(c, unit, 3)
entries["info"]["period"] = {"value": "9 tháng đầu năm"}
entries["report"]["CT01"] = {"input_a": 10_000, "input_b": 10_499.98}  # 104,9998 %: Không đạt, 104,99
entries["report"]["CT02b"] = {"input_a": 1_892_680, "input_b": 2_157_655.2}  # exactly 14 %: Đạt
entries["report"]["CT03"] = {"input_a": 156, "input_b": "182"}  # a number typed as text
entries["report"]["CT05"] = {"input_a": 101}  # above the 95 - 100 band: Vượt
fill_entries(path, entries)
prof = profile(out / "lo", "vi-VN")
subprocess.run(
    [
        soffice(),
        f"-env:UserInstallation={prof.resolve().as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(path),
    ],
    check=True,
    capture_output=True,
)
pdf = out / "KT.pdf"
pages = int(
    next(
        x
        for x in subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()
        if x.startswith("Pages:")
    ).split()[1]
)
page = next(
    p
    for p in range(1, pages + 1)
    if "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"
    in subprocess.run(
        ["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
)
# the table only, at 200 dpi (A4 landscape, fitted to the page width)
crop = ["-r", "200", "-x", "90", "-y", "200", "-W", "2160", "-H", "440", "-png", "-singlefile"]
subprocess.run(
    ["pdftoppm", "-f", str(page), "-l", str(page), *crop, str(pdf), str(out / "so-bao-cao-kiem-tra")], check=True
)
print(out / "so-bao-cao-kiem-tra.png")
