"""The values of a unit's blank workbook as plain grids: the one source of what goes where.

The builder writes these values and then styles them; a Google tab or a shared-folder
submission is turned back into a unit report by placing its entries into these grids, so
every source is checked against exactly the cells the unit's workbook has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from campaign import layout as L
from campaign.dates import vietnam_now
from campaign.definition import Campaign, Target, Unit

Grid = list[list[Any]]
NONE_LABEL = "—"
AGGREGATE_TEXT = {
    "lead": "Lấy số của đơn vị chủ trì",
    "sum": "Cộng số của các đơn vị",
    "ratio_of_sums": "Tỷ lệ của tổng tử số trên tổng mẫu số",
}


def target_row_values(t: Target) -> dict[str, Any]:
    """The locked text of a target's report row; the validator compares against it."""
    labels = list(t.inputs) + [NONE_LABEL] * (2 - len(t.inputs))
    return {
        "code": t.code,
        "name": t.name,
        "unit": t.unit,
        "rule": t.kind.label,
        "goal": t.goal_text(),
        "input_a_label": labels[0],
        "input_b_label": labels[1],
    }


def targets_sheet_values(t: Target) -> dict[str, Any]:
    """A row of the locked 'Chỉ tiêu' sheet: the plan's own words, for the unit to read."""
    return target_row_values(t) | {
        "reporters": ", ".join(r.removeprefix("kind:") for r in t.reporters),
        "aggregate": AGGREGATE_TEXT[t.aggregate],
    }


def _sheet(spec: L.SheetLayout, year: int, subtitle: str, rows: list[tuple[str, dict[str, Any]]]) -> Grid:
    width = len(spec.columns) + 1
    grid: Grid = [[spec.marker] + [c.key for c in spec.columns]]
    grid.append([None, spec.title.format(year=year)] + [None] * (width - 2))
    grid.append([None, subtitle] + [None] * (width - 2))
    grid.append([L.HEADER_MARKER] + [c.header for c in spec.columns])
    for key, values in rows:
        grid.append([key] + [values.get(c.key) for c in spec.columns])
    grid.append([L.END_MARKER] + [None] * (width - 1))
    return grid


def fixed_info(campaign: Campaign, unit: Unit) -> dict[str, Any]:
    """The values the template fills on the "Thông tin" sheet (by row key): all that differs
    between the blank grids of two units that report the same targets."""
    cluster = campaign.cluster(unit.cluster)
    return {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "unit_kind": unit.kind,
        "cluster": cluster.name if cluster else unit.cluster,
        "period": campaign.periods[-1].name,
    }


def blank_grids(
    campaign: Campaign,
    unit: Unit,
    generated_at: dt.datetime | None = None,
    model_rows: int = L.MODEL_ROWS,
    proposal_rows: int = L.PROPOSAL_ROWS,
) -> dict[str, Grid]:
    fixed = fixed_info(campaign, unit)
    info = [(key, {"label": label, "value": fixed.get(key)}) for key, label, _ in L.INFO_ROWS]
    targets = [(t.code, targets_sheet_values(t)) for t in campaign.targets]
    report = [(t.code, target_row_values(t) | {"stt": i}) for i, t in enumerate(campaign.targets_for(unit), 1)]
    report += [(f"{L.OWN_PREFIX}{i}", {"stt": f"R{i}"}) for i in range(1, L.OWN_TARGET_ROWS + 1)]
    # the own rows' helper rows (hidden; their formulas read each own row's goal)
    report += [(f"{L.OWN_HELPER_PREFIX}{L.OWN_PREFIX}{i}", {}) for i in range(1, L.OWN_TARGET_ROWS + 1)]
    tasks = [(f"NV{g.number}", {"number": g.number, "text": g.text}) for g in campaign.task_groups]
    models = [(f"{L.LIST_PREFIX['models']}{i}", {"stt": i}) for i in range(1, max(model_rows, L.MODEL_ROWS) + 1)]
    proposals = [
        (f"{L.LIST_PREFIX['proposals']}{i}", {"stt": i}) for i in range(1, max(proposal_rows, L.PROPOSAL_ROWS) + 1)
    ]
    own = f"Đơn vị: {unit.name}"
    grids = {
        L.INFO.name: _sheet(L.INFO, campaign.year, unit.name, info),
        L.TARGETS.name: _sheet(
            L.TARGETS,
            campaign.year,
            f"Theo Kế hoạch phát động phong trào thi đua năm {campaign.year} của UBND xã {campaign.place}",
            targets,
        ),
        L.REPORT.name: _sheet(L.REPORT, campaign.year, own, report),
        L.TASKS.name: _sheet(L.TASKS, campaign.year, own, tasks),
        L.MODELS.name: _sheet(L.MODELS, campaign.year, own, models),
        L.PROPOSALS.name: _sheet(L.PROPOSALS, campaign.year, own, proposals),
    }
    meta = {
        "template_version": L.TEMPLATE_VERSION,
        "campaign_id": campaign.id,
        "campaign_version": campaign.version,
        "unit_code": unit.code,
        "definition_hash": campaign.definition_hash(),
        # a space, not "T": xlwings' remote engine mistakes "...T12:00:00" text for a date and fails
        "generated_at": (generated_at or vietnam_now()).replace(microsecond=0).isoformat(sep=" "),
        "sync_revision": 0,
    }
    grids[L.META_NAME] = [[k, meta.get(k)] for k in L.META_KEYS]
    return grids


def place_entries(grids: dict[str, Grid], entries: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Write entries into grids by keys; returns the row keys that have no place (not dropped
    silently: the caller reports them)."""
    from campaign.unit_report import parse_report

    report = parse_report(grids, any_version=True)
    homeless = []
    for layout_key, rows in entries.items():
        sheet = report.sheets.get(layout_key)
        if sheet is None:
            homeless.extend(f"{layout_key}:{k}" for k in rows)
            continue
        grid = grids[sheet.name]
        for row_key, cols in rows.items():
            row = next((r for r in sheet.rows if r.key == row_key), None)
            if row is None:
                homeless.append(f"{layout_key}:{row_key}")
                continue
            for col_key, value in cols.items():
                col = sheet.columns.get(col_key)
                if col is not None:
                    grid[row.number - 1][col - 1] = value
    return homeless
