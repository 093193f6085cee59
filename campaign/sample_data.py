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
from campaign.parts import wholes
from campaign.report_text import TO_WRITE
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


# what a unit writes in "Kết quả nổi bật", per task group (1-10 in the shipped plan): two or
# three variants each, so that the report's paragraphs draw on several units' words
TASK_RESULTS = {
    1: (
        "Chuyển đổi 12 ha lúa kém hiệu quả sang trồng rau màu hữu cơ.",
        "Duy trì 3 cánh đồng lúa hữu cơ liên kết tiêu thụ với doanh nghiệp.",
        "Tiêm phòng đủ hai đợt cho đàn gia súc, gia cầm; không để dịch bệnh lan rộng.",
    ),
    2: (
        "Rà soát toàn bộ đất công, xử lý dứt điểm 4 trường hợp lấn chiếm.",
        "Thu gom rác thải sinh hoạt hằng ngày, không còn điểm tồn đọng.",
    ),
    3: (
        "Hỗ trợ 6 hộ kinh doanh chuyển lên doanh nghiệp.",
        "Tổ chức 2 phiên chợ đưa hàng nông sản của xã lên sàn thương mại điện tử.",
    ),
    4: (
        "Giải ngân vốn đầu tư công đạt tiến độ thành phố giao.",
        "Quyết toán đúng hạn các công trình hoàn thành trong năm.",
    ),
    5: (
        "Duy trì 100% trường học đạt chuẩn quốc gia.",
        "Tỷ lệ học sinh lên lớp đạt 99,6%, không có học sinh bỏ học.",
    ),
    6: (
        "Chuẩn bị chu đáo điều kiện phục vụ bầu cử, không để xảy ra sai sót.",
        "Tuyên truyền sâu rộng văn kiện Đại hội Đảng đến từng chi bộ.",
    ),
    7: (
        "Tổ chức giải bóng chuyền hơi và hội diễn văn nghệ chào mừng các ngày lễ lớn.",
        "Duy trì hoạt động của 8 câu lạc bộ văn hóa, thể thao ở các thôn.",
    ),
    8: (
        "Chi trả đầy đủ, kịp thời chế độ cho người có công và đối tượng bảo trợ xã hội.",
        "Vận động xây 3 nhà tình nghĩa cho hộ nghèo.",
    ),
    9: (
        "Tiếp 46 lượt công dân, giải quyết dứt điểm 11 đơn thư tại cơ sở.",
        "Không để phát sinh điểm nóng về khiếu nại, tố cáo.",
    ),
    10: (
        "Hoàn thành chỉ tiêu tuyển quân, giao quân đúng quy định.",
        "Duy trì nghiêm chế độ trực sẵn sàng chiến đấu, giữ vững an ninh trật tự địa bàn.",
    ),
}


def _task_result(group: int, rng: random.Random) -> str:
    return rng.choice(TASK_RESULTS.get(group, ("Hoàn thành các nội dung được giao đúng tiến độ.",)))


def _parts_within_whole(campaign: Campaign, report: dict[str, dict[str, Any]], rng: random.Random) -> None:
    """A whole's parts (CT02's sectors) split nine tenths of the whole's last-year value, then
    grow by their own targets' bands, so that they stay within the whole both years."""
    for whole, parts in wholes(campaign):
        if whole.code not in report or any(p.code not in report for p in parts):
            continue
        base = report[whole.code]["input_a"]
        shares = [rng.uniform(0.2, 0.4) for _ in parts]
        for p, share in zip(parts, shares):
            last = round(base * 0.9 * share / sum(shares), 1)
            growth = rng.uniform(float(p.low or 0), float(p.high or 0)) / 100 if p.rule == "growth_range" else 0
            report[p.code] = {"input_a": last, "input_b": round(last * (1 + growth), 1)}


def clean_entries(campaign: Campaign, unit: Unit, seed: int = 0, period: str | None = None) -> Entries:
    rng = random.Random(f"{seed}-{unit.code}")
    report: dict[str, dict[str, Any]] = {}
    for t in campaign.targets_for(unit):
        values = _target_inputs(t, rng, campaign)
        report[t.code] = {"input_a": values[0], **({"input_b": values[1]} if len(values) > 1 else {})}
    # words and parts drawn from their own streams: the figures and levels stay as they were
    words = random.Random(f"{seed}-{unit.code}-words")
    _parts_within_whole(campaign, report, words)
    if unit.kind == "doanh nghiệp":
        report["RIENG1"] = _own_target(rng)
    # one stream drawn in this order (tasks, models, proposals, info): the same seed, the same report
    tasks = _tasks(campaign, rng, words)
    models = _models(rng)
    proposals = _proposals(campaign, unit, rng)
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


def _own_target(rng: random.Random) -> dict[str, Any]:
    """An enterprise's own target: its workers' social insurance."""
    workers = rng.randint(80, 600)
    return {
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


def _tasks(campaign: Campaign, rng: random.Random, words: random.Random) -> dict[str, dict[str, Any]]:
    tasks = {}
    for g in campaign.task_groups:
        level = rng.choices([TASK_DONE, TASK_ONGOING, TASK_NOT_APPLICABLE], [6, 2, 2])[0]
        tasks[f"NV{g.number}"] = {
            "level": level,
            "percent": 100 if level == TASK_DONE else (rng.randrange(50, 95, 5) if level == TASK_ONGOING else None),
            "result": _task_result(g.number, words) if level != TASK_NOT_APPLICABLE else None,
        }
    return tasks


def _models(rng: random.Random) -> dict[str, dict[str, Any]]:
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
    return models


def _proposals(campaign: Campaign, unit: Unit, rng: random.Random) -> dict[str, dict[str, Any]]:
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
    return proposals


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


# what the consolidator writes in the narrative sheet's gaps, by the gap's opening words
WRITTEN = {
    "1. Ưu điểm": (
        "1. Ưu điểm: Phong trào thi đua được triển khai sâu rộng đến từng cơ quan, đơn vị, thôn và doanh "
        "nghiệp; nhiều chỉ tiêu kinh tế - xã hội đạt và vượt kế hoạch; các mô hình mới, cách làm hay được "
        "nhân rộng, tạo khí thế thi đua sôi nổi trong cán bộ và nhân dân."
    ),
    "2. Hạn chế": (
        "2. Hạn chế, nguyên nhân: Một số đơn vị gửi báo cáo chậm, số liệu còn phải chỉnh sửa; nguyên nhân "
        "chủ yếu là cán bộ phụ trách thi đua kiêm nhiệm nhiều việc, việc theo dõi số liệu trong năm chưa thường xuyên."
    ),
    "3. Bài học": (
        "3. Bài học kinh nghiệm: Cấp ủy, chính quyền phải trực tiếp lãnh đạo, chỉ đạo; chỉ tiêu thi đua phải cụ "
        "thể, đo được; theo dõi, đôn đốc và sơ kết kịp thời; khen thưởng đúng người, đúng việc."
    ),
    "phương hướng": (
        "Tiếp tục đổi mới nội dung, hình thức tổ chức các phong trào thi đua gắn với nhiệm vụ chính trị của "
        "xã; tập trung hoàn thành các chỉ tiêu chưa đạt; phát hiện, bồi dưỡng và nhân rộng điển hình tiên tiến; "
        "nâng cao chất lượng công tác khen thưởng, bảo đảm kịp thời, chính xác."
    ),
    "đề xuất": (
        "Đề nghị Ủy ban nhân dân thành phố, Sở Nội vụ quan tâm hướng dẫn thẩm quyền khen thưởng sau khi sắp xếp "
        "đơn vị hành chính cấp xã, và xem xét khen thưởng các tập thể, cá nhân có thành tích tiêu biểu."
    ),
}


def written_narrative(rows: list[list]) -> list[list]:
    """The narrative sheet's rows with every gap written, as a consolidator fills them."""
    out = []
    for row in rows:
        cells = [str(v) if v is not None else "" for v in (list(row) + ["", "", ""])[:3]]
        if TO_WRITE in cells[1]:
            key = next((k for k in WRITTEN if k.lower() in cells[1].lower()), None)
            cells[1] = WRITTEN[key] if key else "Thực hiện theo kế hoạch của Ủy ban nhân dân xã."
        out.append(cells)
    return out
