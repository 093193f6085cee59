"""Realistic sample entries for the demo and the tests: what a unit would type.

Deterministic from a seed. `clean_entries` gives a report with no errors; `faulty_entries`
adds the slips seen in real e-mailed reports (a % typed into a count, numerator above the
denominator, text where a number belongs, an ambiguous "1.234").
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from campaign.definition import Campaign, Target, Unit
from campaign.scoring import TASK_DONE, TASK_NOT_APPLICABLE, TASK_ONGOING

Entries = dict[str, dict[str, dict[str, Any]]]


def _target_inputs(t: Target, rng: random.Random, campaign: Campaign) -> tuple[Any, ...]:
    r = t.rule
    if r == "ratio_min":
        est = rng.randrange(40_000, 60_000, 500)
        return est, round(est * rng.uniform(1.02, 1.12))
    if r == "growth_range":
        base = rng.randint(100, 200) if t.integer_inputs else rng.randrange(20_000, 2_000_000, 10)
        growth = rng.uniform(float(t.low) - 1.5, float(t.high) + 1.0) / 100
        cur = base * (1 + growth)
        return base, round(cur) if t.integer_inputs else round(cur, 1)
    if r == "rank_max":
        return (rng.randint(8, 40),)
    if r == "value_range":
        return (round(rng.uniform(93, 102), 1),)
    if r == "count_max":
        return (rng.choice([0, 0, 0, 0, 1, 2]),)
    if r in ("rate_min", "rate_strict"):
        den = {"CT07": rng.randint(450, 950), "CT09": rng.randint(1600, 3600), "CT12": rng.randint(1600, 3600)}.get(
            t.code, rng.randint(40, 2000)
        )
        if t.code == "CT08":
            den = 12
        if t.code == "CT13":
            den = round(rng.uniform(250, 700), 1)
        thr = float(t.threshold)
        lo = max(thr - 3, 0)
        rate = min(rng.uniform(lo, min(thr + 3, 100)), 100) / 100
        num = den * rate
        if thr == 100 and rng.random() < 0.6:
            num = den
        return (round(num, 1) if not t.integer_inputs else round(num)), den
    if r == "level":
        return (rng.choice(t.levels[1:]),)
    raise ValueError(r)


def clean_entries(campaign: Campaign, unit: Unit, seed: int = 0, period: str | None = None) -> Entries:
    rng = random.Random(f"{seed}-{unit.code}")
    report: dict[str, dict[str, Any]] = {}
    for t in campaign.targets_for(unit):
        values = _target_inputs(t, rng, campaign)
        report[t.code] = {"input_a": values[0], **({"input_b": values[1]} if len(values) > 1 else {})}
    if unit.kind == "doanh nghiệp":
        workers = rng.randint(80, 600)
        report["RIENG1"] = {
            "code": "R1",
            "name": "Tỷ lệ người lao động được đóng BHXH",
            "unit": "%",
            "rule": "Tỷ lệ, tối thiểu",
            "goal": "≥ 95",
            "input_a_label": "Số lao động được đóng BHXH",
            "input_b_label": "Tổng số lao động",
            "input_a": workers - rng.randint(0, 6),
            "input_b": workers,
        }
    tasks = {}
    for g in campaign.task_groups:
        level = rng.choices([TASK_DONE, TASK_ONGOING, TASK_NOT_APPLICABLE], [6, 2, 2])[0]
        tasks[f"NV{g.number}"] = {
            "level": level,
            "percent": 100 if level == TASK_DONE else (rng.randrange(50, 95, 5) if level == TASK_ONGOING else None),
            "result": f"Đã triển khai các nội dung của nhóm nhiệm vụ {g.number}"
            if level != TASK_NOT_APPLICABLE
            else None,
        }
    models = {}
    if rng.random() < 0.6:
        models["MH1"] = {
            "type": "Mô hình mới",
            "name": rng.choice(
                [
                    "Mô hình “Ngõ xóm xanh - sạch - đẹp”",
                    "Mô hình “Dân vận khéo” trong giải phóng mặt bằng",
                    "Mô hình lúa hữu cơ liên kết tiêu thụ",
                ]
            ),
            "field": rng.choice(["Môi trường", "Dân vận", "Nông nghiệp"]),
            "description": "Vận động nhân dân tham gia, phân công tổ tự quản theo dõi hằng tuần.",
            "effect": "Được nhân rộng ra các thôn lân cận.",
        }
    proposals = {
        "DN1": {
            "award": "Giấy khen của Chủ tịch UBND xã",
            "subject": "Tập thể",
            "name": unit.name,
            "position": "",
            "achievement": f"Hoàn thành xuất sắc các chỉ tiêu thi đua năm {campaign.year} "
            f"(minh chứng: bao-cao-thanh-tich-{unit.code}.pdf).",
        }
    }
    if rng.random() < 0.3:
        proposals["DN2"] = {
            "award": "Bằng khen của Chủ tịch UBND thành phố",
            "subject": "Cá nhân",
            "name": rng.choice(["Nguyễn Thị Hoa", "Trần Văn Nam", "Phạm Thị Lan", "Vũ Đức Thắng"]),
            "position": f"Cán bộ {unit.name}",
            "achievement": "Có nhiều đóng góp trong phong trào thi đua, được nhân dân tín nhiệm "
            f"(minh chứng: thanh-tich-ca-nhan-{unit.code}.pdf).",
        }
    info = {
        "period": period or campaign.periods[-1].name,
        "reporter": rng.choice(["Nguyễn Văn An", "Lê Thị Bình", "Đỗ Minh Châu", "Hoàng Thị Dung"]),
        "position": "Cán bộ phụ trách thi đua",
        "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
        "report_date": dt.date(campaign.year, 12, rng.randint(1, 5)),
    }
    return {
        "info": {k: {"value": v} for k, v in info.items()},
        "report": report,
        "tasks": tasks,
        "models": models,
        "proposals": proposals,
    }


def faulty_entries(campaign: Campaign, unit: Unit, seed: int = 0) -> Entries:
    """Clean entries with the slips real reports carry, one of each kind that fits the unit."""
    entries = clean_entries(campaign, unit, seed)
    rows = entries["report"]
    targets = campaign.targets_for(unit)
    rates = [t for t in targets if t.rule.startswith("rate")]
    counts = [t for t in targets if t.integer_inputs and t.rule != "rank_max"]
    if rates:
        t = rates[0]
        rows[t.code] = {"input_a": rows[t.code]["input_b"] + 5, "input_b": rows[t.code]["input_b"]}  # num > den
    if len(rates) > 1:
        rows[rates[1].code]["input_a"] = "97,5%"  # a percentage typed into a count
    if counts:
        rows[counts[-1].code]["input_b" if counts[-1].kind.n_inputs > 1 else "input_a"] = "chưa có số liệu"
    entries["proposals"]["DN3"] = {"award": "Huân chương Lao động", "subject": "Cá nhân", "name": "Trần Văn B"}
    return entries
