"""The campaign definition's two forms as plain data: TOML text, and the grids of its workbook.

The TOML text file is what lives under version control; the campaign workbook is what staff
edit in Excel. Both become the same records and go through `definition_build.build_campaign`, so both
give the same campaign (tested). Column headers in the workbook are Vietnamese; the mapping to
field names is `SECTIONS` below, the one place that knows it.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from campaign.definition import Campaign
from campaign.definition_build import Record, build_campaign
from campaign.refusals import DefinitionError

DEFAULT_CAMPAIGN = "vinh-bao-2026.toml"

# section -> (sheet name, [(field, Vietnamese header)]); key/value sections have one record.
SECTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "campaign": (
        "Chiến dịch",
        [
            ("id", "Mã chiến dịch"),
            ("version", "Phiên bản"),
            ("name", "Tên phong trào"),
            ("theme", "Chủ đề"),
            ("year", "Năm"),
            ("issuer", "Cơ quan ban hành"),
            ("parent_issuer", "Cơ quan cấp trên"),
            ("place", "Địa danh"),
            ("office", "Cơ quan tổng hợp"),
            ("plan_due", "Hạn gửi kế hoạch"),
            ("results_due_before", "Hạn báo cáo (trước ngày)"),
            ("localities", "Số địa phương cấp xã trong thành phố"),
            ("consolidators", "Tài khoản tổng hợp"),
            ("growth_warning_band", "Ngưỡng cảnh báo tăng trưởng bất thường (%)"),
            ("signer_lines", "Thẩm quyền ký (cách nhau bởi ;)"),
            ("signer_name", "Người ký"),
            ("recipients", "Nơi nhận (cách nhau bởi ;)"),
            ("review_figures", "Số liệu tổng hợp từ (tất cả / đã duyệt)"),
            ("report_to", "Kính gửi (báo cáo gửi thành phố)"),
            ("document_number", "Số văn bản báo cáo"),
            ("evidence_targets", "Chỉ tiêu cần minh chứng (cách nhau bởi ;)"),
            ("evidence_above", "Tự đánh giá Vượt cần minh chứng (có / không)"),
            ("evidence_proposals", "Đề nghị khen thưởng cần minh chứng (có / không)"),
            ("initiative_awards", "Danh hiệu cần sáng kiến (cách nhau bởi ;)"),
            ("unsigned_until", "Thư mục chung nhận bản gửi chưa ký đến hết ngày"),
        ],
    ),
    "scoring": (
        "Chấm điểm",
        [
            ("points_vuot", "Điểm chỉ tiêu Vượt"),
            ("points_dat", "Điểm chỉ tiêu Đạt"),
            ("points_khong_dat", "Điểm chỉ tiêu Không đạt"),
            ("points_chua_co", "Điểm chỉ tiêu Chưa có số liệu"),
            ("targets_share", "Tỷ trọng chỉ tiêu (%)"),
            ("tasks_share", "Tỷ trọng nhiệm vụ (%)"),
            ("late_penalty", "Trừ điểm báo cáo muộn"),
            ("error_penalty", "Trừ điểm mỗi lỗi (chỉ khi quyết định quy định)"),
            ("decision", "Quyết định ban hành thang điểm"),
            ("bonuses", "Điểm thưởng (Tên danh hiệu: điểm; cách nhau bởi ;)"),
            ("disqualifiers", "Điều kiện không xét xếp hạng (cách nhau bởi ;)"),
            ("tie_break", "Thứ tự xét khi bằng điểm (cách nhau bởi ;)"),
            ("without_targets", "Đơn vị không có chỉ tiêu xã giao (không xếp hạng / cùng thang)"),
        ],
    ),
    "periods": ("Kỳ báo cáo", [("code", "Mã kỳ"), ("name", "Tên kỳ"), ("months", "Số tháng")]),
    "targets": (
        "Chỉ tiêu",
        [
            ("code", "Mã"),
            ("parent", "Thuộc chỉ tiêu"),
            ("parts", "Gồm các chỉ tiêu thành phần (cách nhau bởi ;)"),
            ("name", "Tên chỉ tiêu"),
            ("unit", "Đơn vị tính"),
            ("rule", "Loại quy tắc"),
            ("threshold", "Ngưỡng"),
            ("low", "Cận dưới"),
            ("high", "Cận trên"),
            ("levels", "Các mức (cách nhau bởi ;)"),
            ("target_level", "Mức mục tiêu"),
            ("inputs", "Số liệu đơn vị nhập (cách nhau bởi ;)"),
            ("integer_inputs", "Số nguyên"),
            ("plausible_max", "Giới hạn hợp lý mỗi số liệu (cách nhau bởi ;)"),
            ("reporters", "Đơn vị báo cáo (mã hoặc kind:loại)"),
            ("aggregate", "Cách tổng hợp"),
            ("weight", "Trọng số"),
        ],
    ),
    "task_groups": ("Nhiệm vụ", [("number", "Số thứ tự"), ("text", "Nhiệm vụ và giải pháp")]),
    "awards": (
        "Khen thưởng",
        [
            ("code", "Mã"),
            ("name", "Hình thức"),
            ("subjects", "Đối tượng (cách nhau bởi ;)"),
            ("authority", "Thẩm quyền"),
            ("basis", "Căn cứ pháp lý"),
            ("basis_confirmed", "Căn cứ đã đối chiếu (có / không)"),
            ("enterprise_may_confer", "Giám đốc doanh nghiệp, HTX quyết định (có / không)"),
            ("cap_percent", "Tỷ lệ tối đa (%)"),
            ("cap_of", "Tỷ lệ so với số đề nghị (mã)"),
            ("cap_basis", "Căn cứ của tỷ lệ"),
        ],
    ),
    "clusters": (
        "Cụm khối",
        [
            ("code", "Mã"),
            ("name", "Tên cụm, khối thi đua"),
            ("confirmed_leader", "Đơn vị dẫn đầu đã được cụm xác nhận"),
            ("confirmed_at", "Ngày hội nghị cụm xác nhận"),
        ],
    ),
    "units": (
        "Đơn vị",
        [
            ("code", "Mã"),
            ("name", "Tên đơn vị"),
            ("kind", "Loại"),
            ("cluster", "Cụm, khối"),
            ("editors", "Tài khoản được sửa (cách nhau bởi ;)"),
            ("system", "Hệ thống khen thưởng riêng (công an / quân sự)"),
            ("bonuses", "Danh hiệu được cộng điểm năm nay (cách nhau bởi ;)"),
            ("disqualified", "Lý do không xét xếp hạng (nếu có)"),
        ],
    ),
}
KEY_VALUE = ("campaign", "scoring")


def toml_text(path: str | Path | None) -> tuple[str, str]:
    """(text, label) of a TOML definition; the shipped 2026 plan when `path` is None."""
    if path is None:
        return resources.files("campaign.data").joinpath(DEFAULT_CAMPAIGN).read_text("utf-8"), DEFAULT_CAMPAIGN
    try:
        return Path(path).read_text("utf-8"), Path(path).name
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([f"{path}: không đọc được tệp định nghĩa ({exc})."]) from None


def campaign_from_toml(text: str, label: str) -> Campaign:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError([f"{label}: tệp định nghĩa sai cú pháp ({exc})."]) from None
    sections: dict[str, list[Record]] = {}
    for section in SECTIONS:
        value = data.get(section, {} if section in KEY_VALUE else [])
        rows = [value] if section in KEY_VALUE else value
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DefinitionError([f"{label}: mục [{section}] sai cấu trúc."])
        sections[section] = [
            (f"{label}, [{section}]" if section in KEY_VALUE else f"{label}, [[{section}]] thứ {i}", row)
            for i, row in enumerate(rows, 1)
        ]
    return build_campaign(sections)


def campaign_from_grids(grids: dict[str, list[list[Any]]], file_name: str) -> Campaign:
    """The campaign that the sheets of a campaign workbook (as grids of values) define."""
    sections: dict[str, list[Record]] = {}
    problems = []
    for section, (sheet, fields) in SECTIONS.items():
        grid = grids.get(sheet)
        if grid is None:
            problems.append(f"{file_name}: thiếu trang '{sheet}'.")
            continue
        by_label = {label: key for key, label in fields}
        if section in KEY_VALUE:
            record: dict[str, Any] = {}
            for row in grid[1:]:
                if row and isinstance(row[0], str) and row[0].strip() in by_label:
                    record[by_label[row[0].strip()]] = row[1] if len(row) > 1 else None
            sections[section] = [(f"trang '{sheet}'", record)]
            continue
        header = [str(v).strip() if v is not None else "" for v in (grid[0] if grid else [])]
        missing = [label for _, label in fields if label not in header]
        if missing:
            problems.append(f"trang '{sheet}', dòng 1: thiếu cột {', '.join(missing)}.")
            continue
        cols = {by_label[h]: i for i, h in enumerate(header) if h in by_label}
        records = []
        for r, row in enumerate(grid[1:], 2):
            if not any(v not in (None, "") for v in row):
                continue
            rec = {k: _from_cell(row[i]) if i < len(row) else None for k, i in cols.items()}
            records.append((f"trang '{sheet}', dòng {r}", {k: v for k, v in rec.items() if v is not None}))
        sections[section] = records
    if problems:
        raise DefinitionError(problems)
    return build_campaign(sections)


def _from_cell(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
