"""`thidua demo`: the whole year-end flow on the shared-folder default, with sample data.

Generates every unit's workbook, fills most with correct figures, some with typical slips,
pushes them (some after the deadline, a few never), consolidates and exports, then prints
where each file is and a summary table.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

from campaign.consolidation import completeness_line, status_summary
from campaign.definition import Campaign
from campaign.figures import displayed
from campaign.refusals import SyncError, explain
from campaign.sample_data import clean_entries, faulty_entries, written_narrative
from sync.folder import FolderBackend
from sync.seals import office_keyring
from workbooks.consolidated import read_narrative, write_master, write_narrative
from workbooks.unit_files import new_workbooks, read_report
from workbooks.writer import fill_entries
from xl_addin.check import check_file
from xl_addin.consolidate import consolidate_reports
from xl_addin.export import export_report
from xl_addin.push import push_file
from xl_addin.render import table

MISSING = 3
FAULTY = 3
LATE = 4


def run_demo(campaign: Campaign, out: Path, pdf: bool = True, seed: int = 2026, echo=print) -> dict[str, Path]:
    """Every unit's workbook made and (mostly) filled and pushed, then Tổng hợp and the export."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    units_dir, share = out / "don-vi", out / "thu-muc-chung"
    admin = _units_report(campaign, units_dir, share, rng, seed, echo)
    _review(campaign, admin, units_dir, echo)
    files = {"units": units_dir, "share": share, "office": admin.keyring.settings_dir()}
    files.update(_consolidate(campaign, admin, out, pdf, echo))
    return files


def _units_report(
    campaign: Campaign, units_dir: Path, share: Path, rng: random.Random, seed: int, echo
) -> FolderBackend:
    """The units' side: workbooks made, filled (a few with slips), checked and pushed, some late."""
    codes = [u.code for u in campaign.units]
    # the office's PC of the demo keeps its campaign secret in the demo folder, never in the
    # user's own settings (where a real consolidator's secret of the same campaign may be)
    office = office_keyring(campaign.id, units_dir.parent / "may-tong-hop")
    admin = FolderBackend(
        share, campaign.id, account=campaign.consolidators[0] if campaign.consolidators else "", keyring=office
    )
    admin.setup(codes)
    paths = new_workbooks(campaign, None, units_dir, admin.keyring.secret)
    echo(f"1. Đã tạo {len(paths)} sổ báo cáo đơn vị trong {units_dir}")
    # the lead units always report, or the commune figures of their targets would be empty
    leads = {r for t in campaign.targets if t.aggregate == "lead" for r in t.reporters}
    others = [c for c in codes if c not in leads]
    rng.shuffle(others)
    missing = set(others[:MISSING])
    faulty = set(others[MISSING : MISSING + FAULTY])
    late = set(others[MISSING + FAULTY : MISSING + FAULTY + LATE])
    refused = []
    pushed = 0
    for unit, path in zip(campaign.units, paths):
        if unit.code in missing:
            continue
        entries = faulty_entries(campaign, unit, seed) if unit.code in faulty else clean_entries(campaign, unit, seed)
        fill_entries(path, entries)
        check_file(campaign, path, write="progress")
        day = (
            dt.datetime(campaign.year, 12, 9, 8, 30)
            if unit.code in late
            else dt.datetime(campaign.year, 12, rng.randint(1, 6), rng.randint(7, 16))
        )
        account = unit.editors[0] if unit.editors else ""
        _put_evidence(admin, unit.code, entries)
        try:
            push_file(
                campaign, path, FolderBackend(share, campaign.id, acting_unit=unit.code, account=account), when=day
            )
            # the demo plays out December in a second: the report reaches the share on `day`
            os.utime(admin.tab_path(unit.code), (day.timestamp(), day.timestamp()))
            pushed += 1
        except SyncError as exc:
            refused.append((unit.code, explain(exc)[0].splitlines()[0]))
    echo(
        f"2. Đã kiểm tra, tính tiến độ và gửi {pushed} báo cáo vào {share} "
        f"({len(late)} gửi muộn, {len(missing)} đơn vị chưa làm)"
    )
    for code, why in refused:
        echo(f"   - {code}: bị từ chối — {why}")
    return admin


def _put_evidence(admin: FolderBackend, unit_code: str, entries: dict) -> None:
    """The files a unit names as evidence, copied into its minh-chung folder on the share (here
    a one-page placeholder for each)."""
    from campaign.evidence import is_link, named

    texts = [str(v) for rows in entries.values() for cols in rows.values() for v in cols.values() if v]
    files = [n for t in texts for n in named(t) if not is_link(n)]
    if not files:
        return
    folder = admin.evidence_dir(unit_code)
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        (folder / name).write_bytes(b"%PDF-1.4\n% minh chung mau cua ban demo\n%%EOF\n")


def _review(campaign: Campaign, admin: FolderBackend, units_dir: Path, echo) -> None:
    """Duyệt: one report returned with a reason at its row, fixed and sent again, then accepted
    with another one; the states printed."""
    from campaign.review import ACCEPT, CHO_DUYET, RETURN
    from xl_addin.pull import pull_file
    from xl_addin.review import Ask, act, statuses

    waiting = [s.unit_code for s in statuses(campaign, admin) if s.state == CHO_DUYET]
    if len(waiting) < 2 or not campaign.consolidators:
        return
    first, second = waiting[0], waiting[1]
    unit = campaign.unit(first)
    path = next(units_dir.glob(f"*_{first}.xlsx"))
    target = next(iter(read_report(path).sheets["report"].rows)).key
    act(campaign, admin, first, RETURN, [Ask("Đề nghị kiểm tra lại số liệu, ghi rõ nguồn", target=target)])
    mine = FolderBackend(
        admin.root.parent, campaign.id, acting_unit=first, account=unit.editors[0] if unit.editors else ""
    )
    pull_file(campaign, path, mine)  # the unit sees the reason in its Kiểm tra column
    check_file(campaign, path, write="progress")
    fill_entries(path, {"report": {target: {"note": "Số liệu theo sổ theo dõi của thôn"}}})
    arrived = admin.tab_path(first).stat().st_mtime
    push_file(campaign, path, mine)
    os.utime(admin.tab_path(first), (arrived, arrived))  # sent again the same day in the demo's December
    act(campaign, admin, first, ACCEPT)
    act(campaign, admin, second, ACCEPT)
    counts: dict[str, int] = {}
    for s in statuses(campaign, admin):
        counts[s.state] = counts.get(s.state, 0) + 1
    echo(
        f"   Duyệt: trả lại {first} (lý do ở chỉ tiêu {target}), đơn vị sửa và gửi lại, rồi duyệt {first} và {second}; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )


def _consolidate(campaign: Campaign, admin: FolderBackend, out: Path, pdf: bool, echo) -> dict[str, Path]:
    """The office's side: Tổng hợp; the draft export, as the consolidator first sees it; the
    narrative written in the master, as the consolidator would; then the final export."""
    as_of = dt.date(campaign.year, 12, 10)  # after the late reports: the body says it is sent late
    # Tổng hợp runs on the demo's 10 December: its receipts are dated then, like the pushes
    c = consolidate_reports(campaign, admin, as_of=as_of, now=dt.datetime(campaign.year, 12, 10, 8))
    master = write_master(c, out / "tong-hop.xlsx")
    echo(f"3. Tổng hợp: {master}")
    draft = export_report(c, out / "bao-cao-du-thao", as_of, read_narrative(master), draft=True, pdf=pdf)
    echo(f"4. Bản dự thảo (thidua export --du-thao): {draft.document}, còn {len(draft.gaps)} chỗ cần viết")
    write_narrative(master, written_narrative(read_narrative(master).rows))
    final = export_report(c, out / "bao-cao-gui-thanh-pho", as_of, read_narrative(master), pdf=pdf)
    echo(f"5. Báo cáo gửi thành phố (đã viết đủ nội dung): {final.document} (số liệu kèm theo: {final.data.name})")
    files = {"master": master, "export": final.data, "document": final.document, "draft": draft.document}
    if pdf:
        if final.pdf:
            files["pdf"] = final.pdf
            echo(f"   và bản PDF: {final.pdf}")
        else:
            echo("   (không có LibreOffice nên không tạo bản PDF)")
    _summary(campaign, c, echo)
    return files


def _summary(campaign: Campaign, c, echo) -> None:
    rows = [
        [
            ct.target.code,
            ct.target.name[:48],
            ct.target.goal_text(),
            displayed(ct.target, ct.outcome)[0],  # beside its status, rounded toward its side
            ct.outcome.status,
            f"{len(ct.contributors)}/{len(campaign.reporters_of(ct.target))}",
        ]
        for ct in c.targets
    ]
    echo("")
    echo(table(["Mã", "Chỉ tiêu", "Mục tiêu", "Toàn xã", "Đánh giá", "Đơn vị có số liệu"], rows))
    echo("")
    echo(f"Nộp báo cáo: {completeness_line(c)} (hạn: trước {campaign.results_due_before:%d/%m/%Y})")
    echo("Chỉ tiêu: " + ", ".join(f"{k} {v}" for k, v in status_summary(c).items()))
