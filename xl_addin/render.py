"""Text and JSON renderings of assessments for the CLI: a table per unit, findings listed."""

from __future__ import annotations

import json
import textwrap
import unicodedata
from typing import Any

from campaign.assessment import Assessment
from campaign.dates import show_time
from campaign.figures import displayed
from campaign.findings import CANH_BAO, LOI, THONG_TIN, count, sort_findings
from campaign.numbers import display, vn_number


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return vn_number(round(v, 2))
    return str(v)


def text_width(text: str) -> int:
    """Columns a text takes in a terminal: a combining mark (a tone mark typed apart) none, a
    wide East Asian character two, anything else one; Vietnamese in NFC is one per letter."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - text_width(text))
    return space + text if right else text + space


def _lines(text: str, width: int | None) -> list[str]:
    if width is None or text_width(text) <= width:
        return [text]
    return textwrap.wrap(text, width) or [""]


def table(
    headers: list[str],
    rows: list[list[Any]],
    wrap: dict[int, int] | None = None,
    right: tuple[int, ...] = (),
) -> str:
    """Rows under headers, columns aligned by what the terminal shows. Nothing is cut: a column
    in `wrap` (index: width) continues on the next lines, so a long name stays whole."""
    wrap = wrap or {}
    cells = [[_lines(_cell(v), wrap.get(i)) for i, v in enumerate(r)] for r in rows]
    widths = [max([text_width(h)] + [text_width(line) for r in cells for line in r[i]]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(_pad(v, w, i in right) for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    for r in cells:
        for k in range(max(len(c) for c in r)):
            out.append(line([c[k] if k < len(c) else "" for c in r]))
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
                r.target.name,
                r.target.goal_text(),
                *displayed(r.target, r.outcome),  # rounded toward the status's side
                r.outcome.status,
                r.outcome.on_track or "",
            ]
            for r in a.results
        ]
        headers = ["Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả", "% KH", "Đánh giá", "Tiến độ"]
        parts.append(table(headers, rows, wrap={1: 45}, right=(3, 4)))
        counts = ", ".join(f"{k}: {v}" for k, v in a.status_counts().items())
        if a.score:
            parts.append(f"   {counts}. {score_line(a)}")
    shown = sort_findings(a.findings)
    for f in shown[:max_findings]:
        parts.append(f"   [{f.severity}] {f.where}: {f.message} → {f.fix}")
    if len(shown) > max_findings:
        parts.append(f"   … và {len(shown) - max_findings} mục khác (xem cột 'Kiểm tra' trong sổ, hoặc dùng --json).")
    return "\n".join(parts)


def review_table(campaign: Any, statuses: list[Any]) -> str:
    """`thidua review list`: one row per unit, whole names, the last action and its reasons."""
    rows = []
    for s in statuses:
        unit = campaign.unit(s.unit_code)
        review = s.review if s.review and s.review.seq else None
        reasons = "; ".join(f"{r.where}: {r.text}" if r.where else r.text for r in s.review.reasons) if s.review else ""
        rows.append(
            [
                s.unit_code,
                unit.name if unit else "",
                s.state,
                s.revision or "",
                show_time(s.pushed_at),
                f"{show_time(review.at)} {review.by}" if review else "",
                reasons,
            ]
        )
    headers = ["Mã", "Đơn vị", "Trạng thái", "Lần gửi", "Lúc gửi", "Duyệt gần nhất", "Lý do"]
    return table(headers, rows, right=(3,))


def log_table(records: list[dict[str, str]]) -> str:
    """`thidua log`: what was done, by whom, when, oldest first."""
    rows = [
        [
            show_time(r["lúc"]),
            r["đơn vị"],
            r["việc"],
            r["lần gửi"],
            r["tài khoản"] + (f" [{r['máy']}]" if r["máy"] else ""),
            f"{r['từ']} → {r['sang']}" if r["từ"] else "",
            r["lý do"],
        ]
        for r in records
    ]
    return table(["Lúc", "Đơn vị", "Việc", "Lần gửi", "Tài khoản [máy]", "Trạng thái", "Lý do"], rows, right=(3,))


def score_line(a: Assessment) -> str:
    """The score and its parts. A deduction is named only when there is one: "trừ lỗi 0" beside
    ten errors reads as if the errors were not counted (most campaigns deduct nothing for them)."""
    s = a.score
    parts = [f"chỉ tiêu {vn_number(s.targets)}", f"nhiệm vụ {vn_number(s.tasks)}"]
    if s.bonus:
        parts.append(f"cộng {vn_number(s.bonus)}")
    if s.late_penalty:
        parts.append(f"trừ {vn_number(s.late_penalty)} vì nộp muộn")
    if s.error_penalty:
        parts.append(f"trừ {vn_number(s.error_penalty)} vì {count(a.findings, LOI)} lỗi")
    return f"Điểm: {vn_number(s.total)} ({', '.join(parts)})."


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
