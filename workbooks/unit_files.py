"""Unit workbooks on disk: create, read, upgrade (checking one is `xl_addin/check.py`).

The file-level operations the CLI runs and that sync and consolidation reuse. Each reads a
file once (calamine), works on plain data, and writes back atomically (openpyxl).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign import layout as L
from campaign.dates import vietnam_now
from campaign.definition import Campaign
from campaign.refusals import RC, WorkbookRefused
from campaign.signing import key_text, unit_key
from campaign.unit_report import UnitReport, entries_of, last_index, parse_report

CONTRACT_SHEETS = frozenset({s.name for s in L.DATA_SHEETS} | {L.META_NAME})


def read_report(path: Path, any_version: bool = False, reader: Any = None) -> UnitReport:
    """A unit workbook file as plain data; only the sheets of the contract are read, unless one
    was renamed, then every sheet, to find it by its marker. `reader`: a `GuardedReader` that
    reads in a child process (Tổng hợp), else this process reads (bounded by `xlsx_bounds`)."""
    from workbooks.read_guard import read_safely

    read = reader.read if reader is not None else read_safely
    grids = read(path, set(CONTRACT_SHEETS))
    if not CONTRACT_SHEETS <= set(grids):
        grids = read(path)
    return parse_report(grids, Path(path).name, any_version=any_version)


def unit_key_text(campaign: Campaign, unit_code: str, secret: bytes | None) -> str:
    """The key a unit's workbook carries, from the campaign secret ("" on a PC without it)."""
    return key_text(unit_key(secret, campaign.id, unit_code)) if secret else ""


def new_workbooks(
    campaign: Campaign, unit_codes: list[str] | None, out_dir: Path, secret: bytes | None = None
) -> list[Path]:
    """One workbook per unit (all units when unit_codes is None); with the campaign secret, each
    carries its own unit's signing key."""
    from workbooks.builder import workbook_filename, write_unit_workbook

    units = campaign.units if unit_codes is None else [campaign.unit(c) for c in unit_codes]
    unknown = [c for c, u in zip(unit_codes or [], units) if u is None]
    if unknown:
        raise WorkbookRefused(RC.SO_BAO_CAO_DON_VI_LA, codes=unknown, known=", ".join(u.code for u in campaign.units))
    now = vietnam_now()
    return [
        write_unit_workbook(
            campaign, u, Path(out_dir) / workbook_filename(campaign, u), now, unit_key_text(campaign, u.code, secret)
        )
        for u in units
    ]


def is_current(campaign: Campaign, path: Path, secret: bytes | None = None) -> bool:
    """On the current template and this campaign's definition, and (given the campaign secret)
    carrying its unit's key: an upgrade would change nothing."""
    meta = read_report(Path(path), any_version=True).meta
    keyed = not secret or meta.get("unit_key") == unit_key_text(campaign, str(meta.get("unit_code") or ""), secret)
    return (
        meta.get("template_version") == L.TEMPLATE_VERSION
        and meta.get("campaign_id") == campaign.id
        and meta.get("definition_hash") == campaign.definition_hash()
        and keyed
    )


def upgrade_file(campaign: Campaign, path: Path, dest: Path | None = None, secret: bytes | None = None) -> Path:
    """Rebuild a workbook on the current template and definition, keeping every entered value;
    with the campaign secret it gets its unit's signing key (a workbook made before signing)."""
    from workbooks.writer import backup

    path = Path(path)
    old = read_report(path, any_version=True)
    unit = campaign.unit(old.unit_code)
    if unit is None:
        raise WorkbookRefused(
            RC.SO_BAO_CAO_NANG_CAP_DON_VI_LA, name=path.name, unit=old.unit_code, campaign=campaign.id
        )
    entries = entries_of(old)
    # campaign rows of targets no longer assigned, and own rows beyond the template, are kept as own rows
    assigned = {t.code for t in campaign.targets_for(unit)}
    report_rows = entries.get("report", {})
    dropped = [k for k in report_rows if not k.startswith(L.OWN_PREFIX) and k not in assigned]
    if dropped:
        raise WorkbookRefused(RC.SO_BAO_CAO_NANG_CAP_BO_CHI_TIEU, name=path.name, targets=dropped)
    own = sum(1 for k in report_rows if k.startswith(L.OWN_PREFIX))
    if own > L.OWN_TARGET_ROWS:
        raise WorkbookRefused(RC.SO_BAO_CAO_NANG_CAP_QUA_NHIEU_RIENG, name=path.name, count=own, rows=L.OWN_TARGET_ROWS)
    dest = Path(dest or path)
    if dest == path:
        backup(path)
    keep = {k: old.meta.get(k) for k in ("sync_revision", "sync_hash", "pushed_at", "pushed_by", "unit_key")}
    if secret:
        keep["unit_key"] = unit_key_text(campaign, unit.code, secret)
    return write_entries_workbook(campaign, unit, dest, entries, keep)


def write_entries_workbook(campaign: Campaign, unit, dest: Path, entries: dict, meta: dict | None = None) -> Path:
    """A fresh workbook on the current template holding exactly `entries` (upgrade, pull)."""
    from workbooks.atomic import write_atomic
    from workbooks.builder import write_unit_workbook
    from workbooks.writer import fill_entries, set_meta

    def build(tmp: Path) -> None:
        # staged in the temporary file itself and swapped in whole: a crash leaves the old file
        write_unit_workbook(
            campaign,
            unit,
            tmp,
            model_rows=last_index(entries.get("models", {}), L.LIST_PREFIX["models"]),
            proposal_rows=last_index(entries.get("proposals", {}), L.LIST_PREFIX["proposals"]),
        )
        fill_entries(tmp, entries)
        if meta:
            set_meta(tmp, {k: v for k, v in meta.items() if v is not None})

    write_atomic(Path(dest), build)
    return Path(dest)
