"""One way to refuse a whole input: a stable code, its context, and one catalogue of texts.

A finding (`findings.py`) is about one cell and never stops a check. A refusal is about a whole
input that cannot be used at all: a file that is not our workbook, a campaign definition that
does not build, a sync that must not happen. Every refusal is a `Refusal` with a `code` from
`REFUSALS` and the context that fills its text (pyxform's `PyXFormError(code=, context=)`), so
tests assert on the code and the wording is reviewed in one place. `explain` is the one function
that turns any exception into what the user reads and the CLI's exit code; the CLI and the
ribbon handlers both call it.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

SETUP_HINT = "Hãy chạy 'thidua sheet setup' trước"

# code: Vietnamese text; placeholders come from the refusal's context.
REFUSALS: dict[str, str] = {
    # files
    "tep.khong_tim_thay": "Không tìm thấy tệp '{path}'. Hãy kiểm tra lại đường dẫn.",
    "tep.khong_phai_excel": "Tệp '{name}' không phải sổ Excel (.xlsx). Hãy gửi đúng sổ báo cáo.",
    "tep.qua_lon": "Tệp '{name}' quá lớn ({size}), không phải sổ báo cáo thi đua.",
    "tep.rong": "Tệp '{name}' rỗng. Hãy lưu lại sổ báo cáo trong Excel rồi gửi lại.",
    "tep.hong": "Không mở được tệp '{name}': {why}. Hãy mở tệp trong Excel, bỏ mật khẩu nếu có, lưu lại dạng .xlsx rồi gửi lại.",
    "tep.vuot_gioi_han": (
        "Tệp '{name}': {why}. Sổ báo cáo do Excel tạo không như vậy; hãy mở sổ trong Excel, "
        "xóa các ô thừa ở xa vùng báo cáo, lưu lại dạng .xlsx rồi gửi lại."
    ),
    "tep.dinh_dang_cu": (
        "Tệp '{name}' là định dạng {fmt}: phần mềm đọc được để kiểm tra nhưng không ghi kết quả vào được. "
        "Hãy mở trong Excel, chọn Lưu thành (Save As) > Sổ làm việc Excel (.xlsx) rồi dùng tệp .xlsx."
    ),
    "tep.bo_doc_hong": (
        "Không khởi động được bộ đọc tệp của phần mềm. Hãy cài lại thidua (chạy lại cai-dat.cmd trong gói cài đặt tải về) rồi thử lại."
    ),
    "tep.khong_ghi_duoc": "Không ghi được vào tệp '{name}' ({why}). Hãy đóng tệp trong Excel rồi thử lại.",
    "tep.khong_mo_de_ghi": (
        "Không mở được tệp '{name}' để ghi kết quả: tệp bị hỏng. Hãy mở tệp trong Excel, lưu lại dạng .xlsx rồi thử lại."
    ),
    # dates typed by people (campaign/dates.py)
    "ngay.khong_doc_duoc": "'{text}' không phải là ngày. Hãy gõ ngày theo dạng {example}.",
    "ngay.khong_co": "Không có ngày '{text}': {why}. Hãy gõ một ngày có thật, theo dạng {example}.",
    # the unit workbook (so_bao_cao: "sổ báo cáo"; the findings' "so." codes are about numbers, "số")
    "so_bao_cao.khong_phai_so_bao_cao": (
        "{label}: không phải sổ báo cáo thi đua của thidua (thiếu trang ẩn '{meta}'). "
        "Hãy dùng sổ báo cáo do phòng Văn hóa - Xã hội gửi hoặc tạo bằng lệnh 'thidua workbook new'."
    ),
    "so_bao_cao.phien_ban": (
        "{label}: sổ báo cáo theo mẫu phiên bản '{version}', phần mềm này đọc mẫu {known}. "
        "Chạy 'thidua workbook upgrade {source}' để chuyển sang mẫu mới, giữ nguyên mọi số liệu đã nhập."
    ),
    "so_bao_cao.thieu_trang": (
        "{label}: thiếu trang '{sheet}' (đã bị xóa hoặc thay bằng trang khác). "
        "Hãy tạo lại sổ báo cáo bằng lệnh 'thidua workbook new' và nhập lại từ bản sao lưu."
    ),
    "so_bao_cao.thieu_dau_khoa": "Trang '{sheet}': không tìm thấy dấu khóa {marker}.",
    "so_bao_cao.thieu_cot": (
        "Trang '{sheet}': thiếu cột {headers} (hàng khóa ẩn số {row} đã bị sửa hoặc cột bị xóa). "
        "Hãy dán số liệu vào một sổ báo cáo mới tạo bằng lệnh 'thidua workbook new'."
    ),
    "so_bao_cao.o_gop": "Trang '{sheet}', ô {cell} đang bị gộp (merge) nên không ghi được số liệu. Hãy bỏ gộp ô rồi thử lại.",
    "so_bao_cao.don_vi_la": "Không có đơn vị mã {codes} trong danh sách đơn vị của chiến dịch.",
    "so_bao_cao.nang_cap_don_vi_la": "'{name}': đơn vị '{unit}' không có trong chiến dịch {campaign}.",
    "so_bao_cao.nang_cap_bo_chi_tieu": (
        "'{name}': chỉ tiêu {targets} không còn giao cho đơn vị; phòng Văn hóa - Xã hội cần "
        "xem lại trước khi nâng cấp để không mất số liệu."
    ),
    "so_bao_cao.nang_cap_qua_nhieu_rieng": "'{name}': có {count} chỉ tiêu riêng, mẫu mới có {rows} dòng.",
    "so_bao_cao.khong_phai_so_tong_hop": (
        "Nút này dành cho sổ tổng hợp của phòng Văn hóa - Xã hội, không dùng trong sổ báo cáo của đơn vị. "
        "Hãy mở một sổ Excel trống (hoặc sổ tổng hợp) rồi bấm lại."
    ),
    "tab.don_vi_la": "Tab '{unit}' không thuộc đơn vị nào trong danh sách của chiến dịch.",
    "tab.o_la": "Tab '{unit}': có số liệu không thuộc ô nào của mẫu ({cells}).",
    # the campaign definition: its problems are collected lazily, each naming its row
    "dinh_nghia.khong_dung_duoc": "Định nghĩa chiến dịch không dùng được:\n  {problems}",
    # push and pull
    "gui.con_loi": "Chưa gửi được: sổ còn {errors} lỗi. Bấm 'Kiểm tra', sửa các ô báo lỗi rồi gửi lại.\n  {first}",
    "gui.sai_tab": "Đơn vị {acting} chỉ được gửi vào tab của mình, không được ghi vào tab '{unit}'.",
    "gui.ban_moi_hon": (
        "Báo cáo của {unit} đã có bản gửi lần {revision} lúc {pushed_at} ({pushed_by}), mới hơn bản sổ này "
        "đã thấy (lần {base}). Không ghi đè. Hãy 'Lấy về' để xem, sửa trong sổ rồi gửi lại:"
    ),
    "gui.sua_tren_ban_chung": (
        "Báo cáo của {unit} đã bị sửa trực tiếp trên bản chung sau lần gửi {revision}. Không ghi đè. Các ô khác nhau:"
    ),
    "gui.chua_co_khoa": (
        "Sổ báo cáo của {unit} chưa có khóa ký (sổ tạo trước khi có chữ ký); từ ngày {deadline} "
        "thư mục chung không nhận bản gửi chưa ký. Đề nghị phòng Văn hóa - Xã hội chạy "
        "'thidua workbook upgrade' cho sổ này (hoặc gửi sổ mới) rồi gửi lại."
    ),
    "lay_ve.bi_sua": (
        "Bản của {unit} trên thư mục chung không do sổ của đơn vị gửi ({seal}): có người khác đã sửa. "
        "Không lấy về. Hãy gửi lại từ sổ của mình (bản bị sửa được giữ lại cho phòng Văn hóa - Xã hội) "
        "và báo phòng Văn hóa - Xã hội."
    ),
    "lay_ve.chua_co_ban": "Chưa có bản gửi nào của đơn vị {unit} trên {where}.",
    "lay_ve.chua_gui": "Sổ có số liệu chưa gửi; không ghi đè. Gửi báo cáo trước, hoặc {how}. Các ô khác nhau:",
    "lay_ve.don_vi_la": "Đơn vị {unit} không có trong chiến dịch.",
    # the shared folder
    "thu_muc.ma_don_vi": "Mã đơn vị '{unit}' không hợp lệ.",
    "thu_muc.khong_doc_duoc": "Không đọc được bản gửi của {unit} trong thư mục chung ({why}).",
    "thu_muc.chua_chuan_bi": "Chưa có thư mục chung {folder}. " + SETUP_HINT + ".",
    "thu_muc.chua_chon": (
        "Chưa gửi được: không thấy thư mục chung của đợt thi đua tại {folder}. Hãy hỏi phòng Văn hóa - Xã hội"
        " đường dẫn thư mục chung (ví dụ Z:\\thi-dua) rồi chỉ cho phần mềm: với lệnh thidua, thêm --share và"
        " đường dẫn đó; hoặc đặt biến môi trường THIDUA_SHARE là đường dẫn đó (add-in trong Excel cũng đọc"
        " biến này, sau khi mở lại Excel)."
    ),
    "thu_muc.khong_thay": (
        "Không thấy dữ liệu đợt thi đua {campaign} trong thư mục chung {folder}. Kiểm tra đường dẫn"
        " (--share hoặc THIDUA_SHARE) và ổ mạng đã kết nối chưa; nếu đây là lần đầu, " + SETUP_HINT.lower() + "."
    ),
    "thu_muc.khong_ghi_duoc": "Không ghi được vào thư mục chung {folder} ({why}). Bản gửi trước vẫn nguyên vẹn.",
    "thu_muc.dang_gui": "Đơn vị {unit} đang được gửi từ máy khác; hãy thử lại sau ít phút.",
    # the campaign secret (chữ ký trên thư mục chung)
    "khoa.chua_co": (
        "Máy này chưa có khóa bí mật của đợt {campaign}, nên không kiểm tra được ai đã ghi các báo cáo trên "
        "thư mục chung. Trên máy đã chạy 'thidua sheet setup', chép tệp {path} sang đúng chỗ đó trên máy này "
        "(bằng USB, không qua thư mục chung hay thư); nếu đây là lần đầu, " + SETUP_HINT.lower() + "."
    ),
    "khoa.hong": (
        "Tệp khóa bí mật {path} bị hỏng; không tạo khóa mới (mọi sổ đã phát sẽ sai khóa). "
        "Chép lại tệp này từ máy tổng hợp khác hoặc bản sao lưu."
    ),
    "bien_nhan.hong": (
        "Tệp biên nhận {path} của máy này đã bị sửa (sai chữ ký). Chuyển tệp đó sang chỗ khác để xem, "
        "rồi chạy lại Tổng hợp (biên nhận bắt đầu lại từ lần này)."
    ),
    # Google Sheets
    "google.khong_co_khoa": (
        "Không tìm thấy khóa Google. Đặt tệp khóa vào {folder} hoặc chỉ đường dẫn bằng --credentials. "
        "Không gửi khóa qua thư hay Zalo."
    ),
    "google.khoa_hong": "Tệp khóa Google không hợp lệ ({why}). Hãy tải lại khóa từ Google Cloud.",
    "google.khong_tim_thay": "{what}: không tìm thấy bảng tính chung hoặc tab (có thể đã bị xóa). Liên hệ phòng Văn hóa - Xã hội.",
    "google.khong_co_quyen": (
        "{what}: tài khoản {account} không có quyền với bảng tính chung. "
        "Liên hệ phòng Văn hóa - Xã hội để được cấp quyền."
    ),
    "google.het_han": "{what}: khóa Google không hợp lệ hoặc đã hết hạn. Hãy đăng nhập lại hoặc tải khóa mới.",
    "google.dang_nhap_lai": (
        "{what}: Google không nhận đăng nhập này (khóa đã bị thu hồi, bị xóa hoặc phiên đăng nhập đã hết hạn). "
        "Hãy đăng nhập lại: nếu dùng tài khoản Google, phiên cũ đã được cất sang authorized_user.json.cu trong {folder}: bấm lại để mở trang "
        "đăng nhập Google. Nếu dùng khóa dịch vụ, xin khóa mới từ quản trị."
    ),
    "google.gia_lap_thieu_tai_khoan": (
        "Đang dùng máy giả lập Google Sheets tại {host}: hãy đặt biến THIDUA_EMULATOR_ACCOUNT là e-mail "
        "của tài khoản muốn dùng (ví dụ tài khoản của đơn vị trong danh sách)."
    ),
    "google.qua_gioi_han_o": (
        "Bảng tính chung sẽ vượt giới hạn 10 triệu ô của Google ({cells} ô). Mỗi tab đơn vị có {per_tab} ô; "
        "một bảng tính chứa được tối đa {fit} đơn vị. Hãy chia đơn vị ra hai bảng tính."
    ),
    "google.muc_chan": (
        "Bảng tính chung có một mục ẩn (developer metadata) giữ chỗ cho {unit} ({what}) mà không phải"
        " thidua ghi: có người đang chặn đơn vị này gửi. Phòng Văn hóa - Xã hội chạy 'thidua sheet setup'"
        " để gỡ, rồi gửi lại."
    ),
    "google.tab_qua_lon": (
        "Tab {unit} trên bảng tính chung quá lớn ({size}); một báo cáo chỉ vài chục KB, có thể ai đó đã dán"
        " dữ liệu lạ vào tab trên web. Phòng Văn hóa - Xã hội xóa nội dung tab {unit} trên Google Sheets,"
        " rồi đơn vị {unit} bấm Gửi báo cáo lại."
    ),
    "google.tab_chua_co": (
        "{what}: bảng tính chung không có tab của đơn vị {unit} (chưa tạo, hoặc đã bị xóa). "
        "Phòng Văn hóa - Xã hội cần chạy 'thidua sheet setup' để tạo."
    ),
    "google.tra_loi_la": (
        "{what}: mạng trả về một trang web thay cho Google (mạng Wi-Fi cần đăng nhập, hoặc bị chặn). "
        "Hãy mở trình duyệt, đăng nhập mạng rồi thử lại."
    ),
    "google.api_chua_bat": (
        "{what}: Google Sheets API hoặc Google Drive API chưa được bật cho dự án Google Cloud của khóa này. "
        "Quản trị cần bật hai API đó trong Google Cloud Console rồi thử lại."
    ),
    "google.het_dung_luong": (
        "{what}: tài khoản này không còn dung lượng Google Drive (tài khoản dịch vụ không có dung lượng riêng). "
        "Hãy tạo bảng tính bằng tài khoản Google của người quản trị (đăng nhập, không dùng khóa dịch vụ)."
    ),
    "google.han_muc": "{what}: Google đang giới hạn số lần truy cập (hạn mức mỗi phút). Hãy thử lại sau vài phút.",
    "google.mat_tab": (
        "{what}: tab của đơn vị không còn trên bảng tính chung (có thể đã bị xóa). "
        "Phòng Văn hóa - Xã hội cần chạy 'thidua sheet setup' để tạo lại."
    ),
    "google.bi_bao_ve": (
        "{what}: tab này được bảo vệ, tài khoản {account} không được sửa. Mỗi đơn vị chỉ gửi vào tab của mình."
    ),
    "google.may_chu_loi": (
        "{what}: máy chủ Google đang lỗi ({status}); đã thử lại nhiều lần. "
        "Bản chung và sổ của bạn vẫn nguyên vẹn; hãy thử lại sau."
    ),
    "google.tu_choi": "{what}: Google từ chối yêu cầu ({status}: {detail}).",
    "google.mat_mang": (
        "{what}: không kết nối được tới Google (mất mạng?). Sổ của bạn vẫn nguyên vẹn; hãy thử lại khi có mạng."
    ),
    "google.tab_qua_dai": "Báo cáo của {unit} quá dài ({rows} dòng) cho tab {limit} dòng.",
    # review (duyệt)
    "duyet.khong_hop_le": "Không thể {action} báo cáo của {unit}: báo cáo đang ở trạng thái '{state}'.",
    "duyet.thieu_ly_do": 'Cần ghi lý do khi {action} báo cáo của {unit} (--reason "...").',
    "duyet.khong_phai_tong_hop": (
        "Tài khoản {account} không có trong danh sách người tổng hợp của phòng Văn hóa - Xã hội nên không được "
        "duyệt hay trả lại báo cáo. Nếu bạn là người tổng hợp, hãy cho biết e-mail của mình trong danh sách: "
        "thêm --account {example} vào lệnh, hoặc đặt biến THIDUA_ACCOUNT (với Google Sheets: đăng nhập bằng "
        "tài khoản đó)."
    ),
    "duyet.chua_co_tai_khoan": (
        "Chưa biết bạn là ai nên chưa duyệt hay trả lại được. Hãy ghi e-mail của bạn trong danh sách người "
        "tổng hợp: thêm --account {example} vào lệnh, hoặc đặt biến THIDUA_ACCOUNT."
    ),
    "duyet.khong_co_chi_tieu": "Báo cáo của {unit} không có chỉ tiêu {target}; kiểm tra lại mã chỉ tiêu.",
    "duyet.o_khong_hieu": "Không hiểu ô '{cell}'. Ghi theo dạng Báo cáo!I6.",
    "duyet.o_ngoai_bang": "Ô {cell} không thuộc dòng số liệu nào trong báo cáo của {unit}.",
    "duyet.nguoi_khac": (
        "Báo cáo của {unit} vừa được {by} xử lý ({state}, lúc {at}) trong khi bạn đang xem. "
        "Xem lại bằng 'thidua review list' rồi làm lại nếu vẫn cần."
    ),
    "duyet.ban_moi": (
        "Đơn vị {unit} vừa gửi bản mới trong khi bạn đang xem; chưa duyệt hay trả lại gì. "
        "Xem bản mới ('thidua review list') rồi làm lại."
    ),
    "duyet.bi_sua": (
        "Bản của {unit} trên thư mục chung không do đơn vị gửi ({seal}): không duyệt hay trả lại bản này. "
        "Đề nghị đơn vị gửi lại từ sổ của mình; tệp bị sửa vẫn được giữ nguyên để xem."
    ),
    "duyet.chua_gui": "Đơn vị {unit} chưa gửi báo cáo nên chưa có gì để duyệt.",
    "gui.da_duyet": (
        "Báo cáo của {unit} đã được duyệt ({at}, {by}) nên không gửi đè được. "
        "Nếu cần sửa, đề nghị phòng Văn hóa - Xã hội mở lại báo cáo."
    ),
    # the add-in
    "addin.chon_don_vi": (
        "Hãy mở sheet '{sheet}' của sổ tổng hợp, chọn các dòng đơn vị cần duyệt hoặc trả lại, rồi bấm lại."
    ),
    "addin.khong_co_excel": (
        "Máy này không có Microsoft Excel cho Windows nên chưa cài được add-in (WPS và LibreOffice không chạy"
        " được add-in thidua). Tệp add-in đã tạo ở {path}: chép sang máy có Excel rồi chạy 'thidua addin install'"
        " ở đó. Trên máy này vẫn dùng được các lệnh thidua (validate, push, …)."
    ),
    # the report to the city (thidua export, Xuất báo cáo)
    "xuat.con_cho_trong": (
        "Chưa xuất bản chính thức: còn {count} chỗ phòng Văn hóa - Xã hội cần viết trong sheet '{sheet}' "
        "của {master}. Hãy viết vào các dòng dưới đây rồi xuất lại, hoặc xuất bản dự thảo (--du-thao):\n  {where}"
    ),
    "xuat.khac_nguon": (
        "Không xuất: nội dung báo cáo trong {master} được soạn từ một lần tổng hợp khác với số liệu đang xuất "
        "({source}). Hãy chạy lại Tổng hợp từ cùng nguồn rồi xuất, hoặc xuất từ đúng nguồn đã tổng hợp. Khác nhau:\n  {where}"
    ),
    "addin.dang_mo": "Không chép được add-in vào {path}: Excel đang mở add-in này. Đóng Excel rồi chạy lại.",
}


class Refusal(Exception):
    """A whole input that cannot be used: `code` keys `REFUSALS`, `context` fills the text."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, code: str, **context: Any):
        if code not in REFUSALS:
            raise KeyError(f"unknown refusal code {code!r}")
        self.code = code
        self.context = context
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return REFUSALS[self.code].format_map({k: _show(v) for k, v in self.context.items()})


class WorkbookRefused(Refusal):
    """Not a workbook we can read or write."""


class ExportRefused(Refusal):
    """A report to the city that would not be true or not finished; nothing is written."""


class DefinitionError(Refusal):
    """A campaign definition that cannot be used; `problems` name the row of each fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("dinh_nghia.khong_dung_duoc", problems="\n  ".join(self.problems))


class SyncError(Refusal):
    """A push, pull or setup that did not happen; exit 1, like a report with errors."""

    exit_code = EXIT_FINDINGS


class Conflict(SyncError):
    """A sync refused because two versions differ; `differences` are cell-by-cell lines."""

    def __init__(self, code: str, differences: list[str], **context: Any):
        self.differences = list(differences)
        super().__init__(code, **context)

    @property
    def message(self) -> str:
        text = super().message
        return text + ("\n  " + "\n  ".join(self.differences) if self.differences else "")


def _show(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return "không rõ" if v is None or v == "" else str(v)


LOG_LIMIT = 1 << 20  # past this the log becomes loi.log.1: at most about 2 MB on a PC, ever


def log_path() -> Path:
    return Path.home() / ".thidua" / "loi.log"


def bounded_log() -> Path:
    """The bug log, ready to append to: a log grown past LOG_LIMIT is moved to loi.log.1 (the
    one before it is dropped), so a PC that meets the same bug every click does not fill up."""
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        if log.stat().st_size > LOG_LIMIT:
            os.replace(log, log.with_name(log.name + ".1"))
    except FileNotFoundError:
        pass
    return log


def explain(exc: BaseException, context: dict[str, str] | None = None) -> tuple[str, int]:
    """(what the user reads, the CLI's exit code) for any exception; a bug goes to the log,
    headed by when it happened (with the PC's offset from UTC) and `context`: the command, the
    version, the campaign, so that support can read an entry without asking."""
    if isinstance(exc, Refusal):
        return exc.message, exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return "Đã dừng.", EXIT_UNUSABLE
    head = [f"lúc: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}"]
    head += [f"{k}: {v}" for k, v in (context or {}).items()]
    try:
        log = bounded_log()
        with log.open("a", encoding="utf-8") as fh:
            fh.write("=== " + " | ".join(head) + "\n" + "".join(traceback.format_exception(exc)) + "\n")
        where = f"chi tiết đã ghi vào {log}. Hãy gửi tệp này cho bộ phận hỗ trợ."
    except OSError:
        where = "không ghi được nhật ký lỗi."
    return f"Lỗi không mong đợi của phần mềm; {where}", EXIT_UNUSABLE
