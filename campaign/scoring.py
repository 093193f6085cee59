"""A unit's emulation score under the campaign's configurable scoring, with its parts visible."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from campaign.definition import Scoring

TASK_DONE, TASK_ONGOING, TASK_NOT_STARTED, TASK_NOT_APPLICABLE = (
    "Hoàn thành",
    "Đang thực hiện",
    "Chưa thực hiện",
    "Không thuộc chức năng, nhiệm vụ",
)
TASK_CREDIT = {TASK_DONE: Decimal(1), TASK_ONGOING: Decimal("0.5"), TASK_NOT_STARTED: Decimal(0)}
CENT = Decimal("0.01")
NOT_RANKED, SAME_SCALE = "không xếp hạng", "cùng thang"  # Scoring.without_targets
NO_TARGETS_REASON = "không có chỉ tiêu nào được chấm, chỉ chấm điểm nhiệm vụ (thang điểm khác)"


@dataclass(frozen=True)
class ScoreParts:
    targets: Decimal  # points from targets, already weighted by the targets' share
    tasks: Decimal
    late_penalty: Decimal
    error_penalty: Decimal
    total: Decimal
    bonus: Decimal = Decimal(0)


def unit_score(
    scoring: Scoring,
    statuses: list[tuple[str, Decimal]],
    task_levels: list[str | None],
    late: bool = False,
    errors: int = 0,
    bonus: Decimal = Decimal(0),
) -> ScoreParts:
    """statuses: (status, weight) per target; task_levels: the level chosen per task group.

    A unit with no applicable task group is scored on its targets, so that it is not ranked
    down for what the plan does not ask of it. A unit with no targets (a mass organisation) is
    scored on its tasks alone, unless the scoring says "cùng thang": then its tasks count at
    their share, on the same scale as everyone's (the ranking otherwise leaves it out).
    """
    weight = sum((w for _, w in statuses), Decimal(0))
    target_mean = sum((scoring.points(s) * w for s, w in statuses), Decimal(0)) / weight if weight else None
    applicable = [lv for lv in task_levels if lv != TASK_NOT_APPLICABLE]
    task_mean = (
        sum((TASK_CREDIT.get(lv or "", Decimal(0)) for lv in applicable), Decimal(0)) / len(applicable) * 100
        if applicable
        else None
    )
    t_share, k_share = scoring.targets_share / 100, scoring.tasks_share / 100
    if target_mean is None and task_mean is None:
        targets_part = tasks_part = Decimal(0)
    elif target_mean is None:
        same_scale = scoring.without_targets == SAME_SCALE
        targets_part, tasks_part = Decimal(0), task_mean * (k_share if same_scale else t_share + k_share)
    elif task_mean is None:
        targets_part, tasks_part = target_mean * (t_share + k_share), Decimal(0)
    else:
        targets_part, tasks_part = target_mean * t_share, task_mean * k_share
    late_p = scoring.late_penalty if late else Decimal(0)
    error_p = scoring.error_penalty * errors
    total = max(Decimal(0), targets_part + tasks_part + bonus - late_p - error_p)
    return ScoreParts(
        targets_part.quantize(CENT),
        tasks_part.quantize(CENT),
        late_p.quantize(CENT),
        error_p.quantize(CENT),
        total.quantize(CENT),
        bonus.quantize(CENT),
    )
