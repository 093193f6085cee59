"""Parts of a whole: targets whose figures make up another's (CT02a + CT02b + CT02c make up
CT02, input by input: last year's value and this year's). The campaign definition declares it
with `parts` on the whole; a unit whose parts add up to more than the whole has slipped a digit
or a unit somewhere, which no single figure shows. A warning, never a refusal: the whole may be
reported on another basis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from campaign.definition import Campaign, Target
from campaign.findings import FC, Finding

INPUT_CELLS = ("input_a", "input_b")  # the report sheet's keys of a target's inputs, in order


def wholes(campaign: Campaign) -> list[tuple[Target, list[Target]]]:
    """(whole, its parts) for every whole the definition declares."""
    out = []
    for t in campaign.targets:
        parts = [p for code in t.parts if (p := campaign.target(code)) is not None]
        if parts:
            out.append((t, parts))
    return out


def excesses(
    whole: Target, parts: Sequence[Target], inputs_of: Callable[[str], Sequence | None]
) -> list[tuple[int, Fraction, Fraction]]:
    """(input index, sum of the parts, the whole) wherever the parts exceed the whole; an input
    any of them lacks is not compared."""
    whole_inputs = inputs_of(whole.code)
    if not whole_inputs:
        return []
    out = []
    for i, total in enumerate(whole_inputs):
        values = [inputs_of(p.code) for p in parts]
        if not isinstance(total, Fraction) or any(
            not v or len(v) <= i or not isinstance(v[i], Fraction) for v in values
        ):
            continue
        summed = sum((v[i] for v in values), Fraction(0))
        if summed > total:
            out.append((i, summed, total))
    return out


def part_findings(campaign: Campaign, results: Sequence, sheet: str) -> list[Finding]:
    """Kiểm tra's warnings, at the whole's cell: `results` are an assessment's target results."""
    by_code = {r.target.code: r for r in results if not r.own}
    findings = []
    for whole, parts in wholes(campaign):
        if whole.code not in by_code:
            continue

        def inputs_of(code: str) -> Sequence | None:
            return by_code[code].inputs if code in by_code else None

        for i, summed, total in excesses(whole, parts, inputs_of):
            row = by_code[whole.code].row
            cell = row.cells[INPUT_CELLS[i]].ref if row is not None else ""
            findings.append(
                Finding.make(
                    FC.CHI_TIEU_THANH_PHAN_VUOT_TONG,
                    sheet,
                    cell,
                    whole.code,
                    label=whole.inputs[i],
                    parts=" + ".join(p.code for p in parts),
                    summed=summed,
                    value=total,
                )
            )
    return findings


def commune_issues(campaign: Campaign, inputs_by_target: dict[str, Sequence]) -> list[str]:
    """Tổng hợp's warnings on the commune figures: the same comparison on the summed inputs."""
    out = []
    for whole, parts in wholes(campaign):
        for i, summed, total in excesses(whole, parts, inputs_by_target.get):
            message = Finding.make(
                FC.CHI_TIEU_THANH_PHAN_VUOT_TONG,
                target=whole.code,
                label=whole.inputs[i],
                parts=" + ".join(p.code for p in parts),
                summed=summed,
                value=total,
            )
            out.append(f"Toàn xã: {message.message} {message.fix}")
    return out
