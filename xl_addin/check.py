"""Kiểm tra / Tính tiến độ, the one use case the buttons, the CLI (validate, progress) and the
demo call: a unit's report assessed, and the results written beside its rows.

The button hands in the report it read from the open workbook and writes the plan back through
xlwings; the CLI and the demo go through `check_file`, which reads a file and writes into it
(with a backup). A file that cannot be used at all keeps its refusal, code and all, for the
front end to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from campaign.assessment import Assessment, assess
from campaign.definition import Campaign
from campaign.refusals import RC, Refusal, WorkbookRefused
from campaign.result_cells import Plan, result_plan
from campaign.unit_report import UnitReport


def check_report(
    campaign: Campaign,
    report: UnitReport,
    write: Callable[[Plan], None] | None = None,
    progress: bool = False,
    when: dt.datetime | None = None,
) -> Assessment:
    """Every entry checked; with `write`, the results (the check column, and with `progress`
    the computed value, % of plan, % of last year, status) handed to it as one plan."""
    a = assess(campaign, report)
    if write is not None:
        write(result_plan(report, a, progress=progress, when=when))
    return a


@dataclass
class Checked:
    path: Path
    report: UnitReport | None
    assessment: Assessment | None
    refusal: Refusal | None = None  # why the file could not be used, or its results not written
    backup: Path | None = None


def check_file(campaign: Campaign, path: Path, write: str | None = None, when: dt.datetime | None = None) -> Checked:
    """Assess one file; write="check" or "progress" writes results into it (with a backup)."""
    from workbooks.unit_files import read_report  # here: a click of Kiểm tra reads no file

    path = Path(path)
    try:
        report = read_report(path)
    except WorkbookRefused as exc:
        return Checked(path, None, None, exc)
    done = Checked(path, report, None)

    def save(plan: Plan) -> None:
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            # read and checked, but openpyxl writes only .xlsx: the findings stand, the format is the problem
            done.refusal = WorkbookRefused(RC.TEP_DINH_DANG_CU, name=path.name, fmt=path.suffix)
            return
        from workbooks.writer import apply_plan

        try:
            done.backup = apply_plan(path, plan)
        except WorkbookRefused as exc:
            done.refusal = exc
        except OSError as exc:
            done.refusal = WorkbookRefused(
                RC.TEP_KHONG_GHI_DUOC, name=path.name, why=exc.strerror or type(exc).__name__
            )

    done.assessment = check_report(campaign, report, save if write else None, progress=write == "progress", when=when)
    return done
