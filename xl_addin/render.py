"""Text and JSON renderings of assessments for the CLI: a table per unit, findings listed."""

from __future__ import annotations

import json
from typing import Any

from campaign.assessment import Assessment
from campaign.findings import CANH_BAO, LOI, THONG_TIN, count, sort_findings
from campaign.numbers import display, vn_number


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return vn_number(round(v, 2))
    return str(v)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(out)


def assessment_text(a: Assessment, progress: bool, max_findings: int = 12) -> str:
    unit = a.unit.name if a.unit else a.unit_code
    parts = [
        f"== {a.source}: {unit} ({a.unit_code}) — kỳ {a.period.name if a.period else 'không rõ'}",
        f"   {count(a.findings, LOI)} lỗi, {count(a.findings, CANH_BAO)} cảnh báo, {count(a.findings, THONG_TIN)} thông tin",
    ]
    if progress and a.results:
        rows = [
            [
                r.target.code,
                r.target.name[:45],
                r.target.goal_text(),
                display(r.outcome.value),
                display(r.outcome.pct_plan, 1),
                r.outcome.status,
                r.outcome.on_track or "",
            ]
            for r in a.results
        ]
        parts.append(table(["Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả", "% KH", "Đánh giá", "Tiến độ"], rows))
        counts = ", ".join(f"{k}: {v}" for k, v in a.status_counts().items())
        if a.score:
            parts.append(
                f"   {counts}. Điểm: {vn_number(a.score.total)} (chỉ tiêu {vn_number(a.score.targets)}, nhiệm vụ {vn_number(a.score.tasks)}, trừ lỗi {vn_number(a.score.error_penalty)})"
            )
    shown = sort_findings(a.findings)
    for f in shown[:max_findings]:
        parts.append(f"   [{f.severity}] {f.where}: {f.message} → {f.fix}")
    if len(shown) > max_findings:
        parts.append(f"   … và {len(shown) - max_findings} mục khác (xem cột 'Kiểm tra' trong sổ, hoặc dùng --json).")
    return "\n".join(parts)


def assessment_json(a: Assessment) -> dict[str, Any]:
    return {
        "source": a.source,
        "unit": a.unit_code,
        "period": a.period.code if a.period else None,
        "errors": count(a.findings, LOI),
        "warnings": count(a.findings, CANH_BAO),
        "findings": [f.as_dict() for f in sort_findings(a.findings)],
        "targets": [
            {
                "code": r.target.code,
                "own": r.own,
                "value": display(r.outcome.value, 4),
                "pct_plan": display(r.outcome.pct_plan, 2),
                "pct_prev": display(r.outcome.pct_prev, 2),
                "status": r.outcome.status,
                "on_track": r.outcome.on_track,
            }
            for r in a.results
        ],
        "status_counts": a.status_counts(),
        "score": {k: str(v) for k, v in vars(a.score).items()} if a.score else None,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
