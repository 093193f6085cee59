"""How much of an .xlsx thidua reads: a unit workbook's bounds, a master's (they grow with the
campaign), and the refusals a file past them gets."""

from __future__ import annotations

from dataclasses import dataclass

from campaign.refusals import Refusal

# What a unit workbook can use: the widest sheet has 19 columns and the longest a few dozen
# rows; reporters insert rows and columns, so the bounds leave room for that many times over.
MAX_ROWS = 2000
MAX_COLS = 64
MAX_PARTS = 2000  # parts in the zip (a 300-sheet workbook has ~650)
MAX_PART_BYTES = 16 * 1024 * 1024  # one inflated XML part (a unit's sheet is ~20 KB)
MAX_TOTAL_BYTES = 64 * 1024 * 1024  # every part inflated for one file
MAX_OUTSIDE_SHOWN = 5

# A master workbook thidua wrote (Tổng hợp) grows with the campaign. The sheets read back from
# it (the consolidator's words and the units sheet with the reasons typed into it) hold one row
# per unit and a few per target; thidua writes about 1 KB of sheet XML per such row (every
# Vietnamese letter is a 6-8 byte character reference), so 16 KB a row leaves room for long
# typed reasons and names.
MASTER_ROW_BYTES = 16 * 1024
MASTER_EXTRA_ROWS = 64  # titles, headers and the narrative's fixed sections


@dataclass(frozen=True)
class Limits:
    """How much of a file is read: rows and columns of a sheet, bytes of one part and of all."""

    rows: int = MAX_ROWS
    cols: int = MAX_COLS
    part_bytes: int = MAX_PART_BYTES
    total_bytes: int = MAX_TOTAL_BYTES


UNIT_WORKBOOK = Limits()


def master_limits(units: int, targets: int) -> Limits:
    """The bound for reading back a master of a campaign with `units` and `targets`, never
    below a unit workbook's: rows = units + targets + MASTER_EXTRA_ROWS; one part may hold
    that many rows of MASTER_ROW_BYTES; the file four such parts."""
    rows = max(MAX_ROWS, units + targets + MASTER_EXTRA_ROWS)
    part = max(MAX_PART_BYTES, rows * MASTER_ROW_BYTES)
    return Limits(rows, MAX_COLS, part, max(MAX_TOTAL_BYTES, 4 * part))


class TooBig(Refusal):
    """A limit a file is past (here: more than a unit workbook can hold; the readers: a cell's
    text, the guarded reader's time and memory): a `gioi_han.*` code and its figures, said as
    the `why` of the file's tep.vuot_gioi_han."""


class NotXlsx(Exception):
    """The zip is not an Excel package we can follow: no workbook part, or broken XML."""


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB".replace(".", ",")
