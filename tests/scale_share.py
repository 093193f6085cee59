"""A campaign and a shared folder of any number of units, each unit's clean report pushed:
what the scale test and `bench/bench.py consolidate` consolidate."""

from __future__ import annotations

from pathlib import Path


def campaign_toml(n: int) -> str:
    """The shipped campaign with `n` units: its own units first (targets name some of them as
    reporters), then copies cycling through their kinds and clusters, so each copy reports the
    targets its kind reports in the real plan."""
    from campaign.definition_files import toml_text
    from workbooks.campaign_workbook import load_default

    shipped = load_default()
    text, _ = toml_text(None)
    head = text[: text.index("\n[[units]]\n") + 1]  # units come last in the shipped file
    blocks = []
    for i in range(n):
        u = shipped.units[i % len(shipped.units)]
        code, name = (u.code, u.name) if i < len(shipped.units) else (f"D{i:04d}", f"{u.name} {i}")
        blocks.append(f'[[units]]\ncode = "{code}"\nname = "{name}"\nkind = "{u.kind}"\ncluster = "{u.cluster}"\n')
    return head + "\n".join(blocks)


def make_share(n: int, folder: Path) -> tuple[Path, Path]:
    """(campaign file, share) with every one of `n` units' clean report pushed the way a unit
    pushes it (lock, read, write, log row)."""
    from campaign.sample_data import clean_entries
    from sync.folder import FolderBackend
    from sync.tab import Tab, entries_to_rows
    from workbooks.campaign_workbook import load_campaign

    toml = folder / f"chien-dich-{n}.toml"
    toml.write_text(campaign_toml(n), "utf-8")
    camp = load_campaign(toml)
    share = folder / f"share-{n}"
    FolderBackend(share, camp.id).setup([u.code for u in camp.units])
    for i, u in enumerate(camp.units):
        rows = entries_to_rows(clean_entries(camp, u, seed=i % 97))
        FolderBackend(share, camp.id, acting_unit=u.code, account=f"{u.code.lower()}@x.vn").push(
            Tab(u.code, rows, campaign_id=camp.id), 0
        )
    return toml, share
