"""The contract of the standard reporting workbook: sheets, stable keys, headers.

Every data sheet carries a hidden key column (row keys such as "CT07") and a hidden key row
(column keys such as "input_a") that starts with a marker cell "#thidua:<sheet>". Code finds
sheets by their marker and cells by their keys, never by coordinates alone, so a reporter who
renames a sheet, inserts rows or columns, or retitles a header still gets a workbook we can
read. The builder, the readers and the writers all take their keys from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.scoring import TASK_DONE, TASK_NOT_APPLICABLE, TASK_NOT_STARTED, TASK_ONGOING

# 2026.2: the report rows compute themselves by formula (campaign/formulas.py)
# 2026.3: so do the own-target rows, each with a hidden helper row (campaign/own_formulas.py)
TEMPLATE_VERSION = "2026.3"
KNOWN_TEMPLATE_VERSIONS = ("2026.1", "2026.2", TEMPLATE_VERSION)
MARKER_PREFIX = "#thidua:"
END_MARKER = "#hết"
HEADER_MARKER = "#tiêu đề"
FONT = "Times New Roman"

OWN_TARGET_ROWS = 5
MODEL_ROWS = 20
PROPOSAL_ROWS = 20


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    entry: bool = False  # unlocked for the reporter
    computed: bool = False  # written by Kiểm tra / Tính tiến độ


@dataclass(frozen=True)
class SheetLayout:
    key: str  # the marker is MARKER_PREFIX + key
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def marker(self) -> str:
        return MARKER_PREFIX + self.key

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


CHECK = Column("check", "Kiểm tra", 40, computed=True)

INFO = SheetLayout(
    "info",
    "Thông tin",
    "THÔNG TIN ĐƠN VỊ VÀ KỲ BÁO CÁO",
    (Column("label", "Nội dung", 38), Column("value", "Thông tin", 50, entry=True), CHECK),
)
# Row keys of the information sheet, with their labels; entry=False rows are filled by the builder.
INFO_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("unit_code", "Mã đơn vị", False),
    ("unit_name", "Tên đơn vị", False),
    ("unit_kind", "Loại đơn vị", False),
    ("cluster", "Cụm, khối thi đua", False),
    ("period", "Kỳ báo cáo", True),
    ("reporter", "Người báo cáo", True),
    ("position", "Chức vụ", True),
    ("phone", "Số điện thoại", True),
    ("email", "Thư điện tử", True),
    ("report_date", "Ngày báo cáo (dd/mm/yyyy)", True),
    ("head", "Thủ trưởng đơn vị (ký, ghi rõ họ tên)", True),
)

TARGETS = SheetLayout(
    "targets",
    "Chỉ tiêu",
    "CÁC CHỈ TIÊU CHỦ YẾU NĂM {year} CỦA XÃ (không sửa trang này)",
    (
        Column("code", "Mã", 8),
        Column("name", "Chỉ tiêu", 55),
        Column("unit", "Đơn vị tính", 14),
        Column("rule", "Cách đánh giá", 30),
        Column("goal", "Mục tiêu", 16),
        Column("reporters", "Đơn vị báo cáo", 26),
        Column("aggregate", "Cách tổng hợp toàn xã", 26),
    ),
)

REPORT = SheetLayout(
    "report",
    "Báo cáo",
    "BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA NĂM {year}",
    (
        Column("stt", "STT", 5),
        Column("code", "Mã", 8),
        Column("name", "Chỉ tiêu", 40),
        Column("unit", "Đơn vị tính", 10),
        Column("rule", "Cách đánh giá", 20),
        Column("goal", "Mục tiêu", 11),
        Column("input_a_label", "Số liệu thứ nhất", 22),
        Column("input_a", "Nhập số liệu 1", 14, entry=True),
        Column("input_b_label", "Số liệu thứ hai", 22),
        Column("input_b", "Nhập số liệu 2", 14, entry=True),
        Column("self_status", "Đơn vị tự đánh giá", 12, entry=True),
        Column("note", "Ghi chú, minh chứng", 22, entry=True),
        Column("value", "Kết quả tính", 11, computed=True),
        Column("pct_plan", "% so với mục tiêu", 10, computed=True),
        Column("pct_prev", "% so với năm trước / dự toán", 11, computed=True),
        Column("status", "Đánh giá", 12, computed=True),
        Column("on_track", "Tiến độ", 14, computed=True),
        CHECK,
    ),
)
# Columns a unit fills on its own-target rows (on campaign rows these are locked text).
OWN_ENTRY_COLUMNS = ("code", "name", "unit", "rule", "goal", "input_a_label", "input_b_label")
OWN_PREFIX = "RIENG"
OWN_HELPER_PREFIX = "#"  # "#RIENG1": the hidden row under the own rows that reads RIENG1's goal

TASKS = SheetLayout(
    "tasks",
    "Nhiệm vụ",
    "KẾT QUẢ THỰC HIỆN NHIỆM VỤ VÀ GIẢI PHÁP",
    (
        Column("number", "STT", 5),
        Column("text", "Nhiệm vụ và giải pháp", 70),
        Column("level", "Mức độ thực hiện", 18, entry=True),
        Column("percent", "% hoàn thành", 11, entry=True),
        Column("result", "Kết quả nổi bật", 50, entry=True),
        CHECK,
    ),
)
TASK_LEVELS = (TASK_DONE, TASK_ONGOING, TASK_NOT_STARTED, TASK_NOT_APPLICABLE)

MODELS = SheetLayout(
    "models",
    "Mô hình, điển hình",
    "MÔ HÌNH MỚI, CÁCH LÀM HAY, ĐIỂN HÌNH TIÊN TIẾN",
    (
        Column("stt", "STT", 5),
        Column("type", "Loại", 20, entry=True),
        Column("name", "Tên mô hình / Họ và tên", 35, entry=True),
        Column("field", "Lĩnh vực", 20, entry=True),
        Column("description", "Nội dung, cách làm", 50, entry=True),
        Column("effect", "Hiệu quả, sức lan tỏa", 40, entry=True),
        CHECK,
    ),
)
MODEL_TYPES = ("Mô hình mới", "Cách làm hay", "Điển hình tiên tiến")

PROPOSALS = SheetLayout(
    "proposals",
    "Đề nghị khen thưởng",
    "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
    (
        Column("stt", "STT", 5),
        Column("award", "Hình thức khen thưởng", 36, entry=True),
        Column("subject", "Tập thể / Cá nhân", 14, entry=True),
        Column("name", "Tên tập thể / Họ và tên", 32, entry=True),
        Column("position", "Chức vụ, đơn vị công tác", 30, entry=True),
        Column("achievement", "Tóm tắt thành tích", 55, entry=True),
        CHECK,
    ),
)
SUBJECTS = ("Tập thể", "Cá nhân", "Hộ gia đình")
# Row keys of the list sheets are a prefix and a number; rows a reporter inserts get the next ones.
LIST_PREFIX = {"models": "MH", "proposals": "DN"}

DATA_SHEETS = (INFO, TARGETS, REPORT, TASKS, MODELS, PROPOSALS)
SHEET_MARKERS = frozenset(spec.marker for spec in DATA_SHEETS)
SHEET_BY_KEY = {s.key: s for s in DATA_SHEETS}

GUIDE_NAME = "Hướng dẫn"
LISTS_NAME = "Danh mục"
META_NAME = "_thidua"
META_KEYS = (
    "template_version",
    "campaign_id",
    "campaign_version",
    "unit_code",
    "definition_hash",
    "generated_at",
    "sync_revision",
    "sync_hash",
    "pushed_at",
    "pushed_by",
    "review_state",  # Lấy về: the report's review state, when it was set, and a return's reasons
    "review_at",
    "review_reasons",
    "unit_key",  # the unit's own signing key (campaign/signing.py): in this unit's workbook only
)
