"""Where the report sheet's formulas belong: every campaign target row (campaign/formulas.py)
and, since template 2026.3, every own-target row and its hidden helper row
(campaign/own_formulas.py), placed by where the report's keys are now."""

from __future__ import annotations

from campaign import layout as L
from campaign.definition import Campaign
from campaign.formulas import Formula, expected_formulas, report_places
from campaign.own_formulas import HELPER, OwnRefs, helper_formulas, helper_key, own_formulas
from campaign.unit_report import UnitReport, cell_ref

OWN_FORMULA_TEMPLATES = ("2026.3",)  # template versions whose own-target rows compute themselves
# a formula no cell can hold: an own row whose helper row is gone is said at its cells
MISSING_HELPER = Formula("=#dòng phụ bị xóa")

Placed = dict[tuple[int, int], tuple[str, str, Formula]]


def report_formulas(campaign: Campaign, report: UnitReport) -> Placed:
    """{(row, col): (target code, column key, formula)} of the report sheet."""
    out = expected_formulas(campaign, report)
    if str(report.meta.get("template_version") or "") in OWN_FORMULA_TEMPLATES:
        out.update(_own_rows(campaign, report))
    return out


def _own_rows(campaign: Campaign, report: UnitReport) -> Placed:
    places = report_places(campaign, report)
    if places is None:
        return {}
    rep, col, period_ref = places
    rows = {}
    for row in rep.rows:
        rows.setdefault(row.key, row.number)
    own = tuple((key, r, rows.get(helper_key(key))) for key, r in rows.items() if key.startswith(L.OWN_PREFIX))
    # kept with the campaign by where the rows and columns are: most workbooks have not moved them
    where = ("own rows", own, tuple(col.items()), period_ref)
    return campaign.cached(where, lambda: _own_rows_at(campaign, own, col, period_ref))


def _own_rows_at(
    campaign: Campaign, own: tuple[tuple[str, int, int | None], ...], col: dict[str, int], period_ref: str
) -> Placed:
    """The formulas of own rows (key, row, its helper's row or None) placed in those rows."""
    out: Placed = {}
    for key, r, h in own:
        refs = OwnRefs(
            {k: cell_ref(r, c) for k, c in col.items()},
            {name: cell_ref(h or r, col[c]) for name, c in HELPER.items()},
            period_ref,
        )
        own_row, helper = _formulas_at(campaign, refs)
        for k, formula in own_row.items():
            out[(r, col[k])] = (key, k, formula if h else MISSING_HELPER)
        if h:
            for name, formula in helper.items():
                out[(h, col[HELPER[name]])] = (key, name, formula)
    return out


def _formulas_at(campaign: Campaign, refs: OwnRefs):
    """An own row's and its helper's formulas, kept with the campaign (as campaign rows' are):
    every workbook of a shape asks for the same rows, and Tổng hợp asks for each unit."""
    key = ("own formulas", tuple(refs.row.items()), tuple(refs.helper.items()), refs.period)
    return campaign.cached(key, lambda: (own_formulas(campaign, refs), helper_formulas(refs)))
