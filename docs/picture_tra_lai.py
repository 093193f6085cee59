"""Makes docs/bao-cao-bi-tra-lai.png: T01's report returned with a reason at CT07 and a general
remark, pulled back (Lấy về) and checked, as the unit sees it. Run from the project root:

    .venv/bin/python docs/picture_tra_lai.py /tmp/pic
    cd /tmp/pic && soffice --headless --convert-to pdf T01.xlsx
    pdftoppm -f 4 -l 4 -r 200 -x 60 -y 190 -W 2240 -H 450 -png T01.pdf crop   # page 4: Báo cáo
"""

import datetime as dt
import sys
from pathlib import Path

from campaign.review import RETURN
from campaign.sample_data import clean_entries
from sync.folder import FolderBackend
from workbooks.builder import write_unit_workbook
from workbooks.campaign_workbook import load_default
from workbooks.writer import fill_entries
from xl_addin.check import check_file
from xl_addin.pull import pull_file
from xl_addin.push import push_file
from xl_addin.review import Ask, act

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
c = load_default()
unit = c.unit("T01")
path = out / "T01.xlsx"
write_unit_workbook(c, unit, path)
fill_entries(path, clean_entries(c, unit, 1))
share = out / "share"
FolderBackend(share, c.id).setup([u.code for u in c.units])
push_file(c, path, FolderBackend(share, c.id, "T01", unit.editors[0]), when=dt.datetime(2026, 12, 2, 9, 0))
reasons = [
    Ask(
        "Số hộ đạt danh hiệu Gia đình văn hóa cao hơn số liệu của Ban công tác Mặt trận; đề nghị kiểm tra lại",
        target="CT07",
    ),
    Ask("Bổ sung quyết định công nhận làng văn hóa (tệp PDF)"),
]
act(
    c,
    FolderBackend(share, c.id, account=c.consolidators[0]),
    "T01",
    RETURN,
    reasons,
    when=dt.datetime(2026, 12, 3, 14, 30),
)
pull_file(c, path, FolderBackend(share, c.id, "T01", unit.editors[0]))
check_file(c, path, write="progress")
print(path)
