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

from campaign.refusal_codes import RC, RefusalCode

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

SETUP_HINT = "Hãy chạy 'thidua sheet setup' trước"


# code: Vietnamese text; placeholders come from the refusal's context.
REFUSALS: dict[RefusalCode, str] = {
    # files
    RC.TEP_KHONG_TIM_THAY: "Không tìm thấy tệp '{path}'. Hãy kiểm tra lại đường dẫn.",
    RC.TEP_KHONG_PHAI_EXCEL: "Tệp '{name}' không phải sổ Excel (.xlsx). Hãy gửi đúng sổ báo cáo.",
    RC.TEP_QUA_LON: "Tệp '{name}' quá lớn ({size}), không phải sổ báo cáo thi đua.",
    RC.TEP_RONG: "Tệp '{name}' rỗng. Hãy lưu lại sổ báo cáo trong Excel rồi gửi lại.",
    RC.TEP_HONG: "Không mở được tệp '{name}': {why}. Hãy mở tệp trong Excel, bỏ mật khẩu nếu có, lưu lại dạng .xlsx rồi gửi lại.",
    RC.TEP_VUOT_GIOI_HAN: (
        "Tệp '{name}': {why}. Sổ báo cáo do Excel tạo không như vậy; hãy mở sổ trong Excel, "
        "xóa các ô thừa ở xa vùng báo cáo, lưu lại dạng .xlsx rồi gửi lại."
    ),
    RC.TEP_DINH_DANG_CU: (
        "Tệp '{name}' là định dạng {fmt}: phần mềm đọc được để kiểm tra nhưng không ghi kết quả vào được. "
        "Hãy mở trong Excel, chọn Lưu thành (Save As) > Sổ làm việc Excel (.xlsx); trong LibreOffice hay WPS: "
        "Lưu thành > Excel 2007-365 (.xlsx); rồi dùng tệp .xlsx."
    ),
    RC.TEP_BO_DOC_HONG: (
        "Không khởi động được bộ đọc tệp của phần mềm. Hãy cài lại thidua (chạy lại cai-dat.cmd trong gói cài đặt tải về) rồi thử lại."
    ),
    RC.TEP_KHONG_GHI_DUOC: "Không ghi được vào tệp '{name}' ({why}). Hãy đóng tệp trong Excel rồi thử lại.",
    RC.TEP_KHONG_MO_DE_GHI: (
        "Không mở được tệp '{name}' để ghi kết quả: tệp bị hỏng. Hãy mở tệp trong Excel, lưu lại dạng .xlsx rồi thử lại."
    ),
    # dates typed by people (campaign/dates.py)
    RC.NGAY_KHONG_DOC_DUOC: "'{text}' không phải là ngày. Hãy gõ ngày theo dạng {example}.",
    RC.NGAY_KHONG_CO: "Không có ngày '{text}': {why}. Hãy gõ một ngày có thật, theo dạng {example}.",
    # the unit workbook (so_bao_cao: "sổ báo cáo"; the findings' "so." codes are about numbers, "số")
    RC.SO_BAO_CAO_KHONG_PHAI_SO_BAO_CAO: (
        "{label}: không phải sổ báo cáo thi đua của thidua (thiếu trang ẩn '{meta}'). "
        "Hãy dùng sổ báo cáo do phòng Văn hóa - Xã hội gửi hoặc tạo bằng lệnh 'thidua workbook new'."
    ),
    RC.SO_BAO_CAO_PHIEN_BAN: (
        "{label}: sổ báo cáo theo mẫu phiên bản '{version}', phần mềm này đọc mẫu {known}. "
        "Chạy 'thidua workbook upgrade {source}' để chuyển sang mẫu mới, giữ nguyên mọi số liệu đã nhập."
    ),
    RC.SO_BAO_CAO_THIEU_TRANG: (
        "{label}: thiếu trang '{sheet}' (đã bị xóa hoặc thay bằng trang khác). "
        "Hãy tạo lại sổ báo cáo bằng lệnh 'thidua workbook new' và nhập lại từ bản sao lưu."
    ),
    RC.SO_BAO_CAO_THIEU_DAU_KHOA: "Trang '{sheet}': không tìm thấy dấu khóa {marker}.",
    RC.SO_BAO_CAO_THIEU_COT: (
        "Trang '{sheet}': thiếu cột {headers} (hàng khóa ẩn số {row} đã bị sửa hoặc cột bị xóa). "
        "Hãy dán số liệu vào một sổ báo cáo mới tạo bằng lệnh 'thidua workbook new'."
    ),
    RC.SO_BAO_CAO_O_GOP: "Trang '{sheet}', ô {cell} đang bị gộp (merge) nên không ghi được số liệu. Hãy bỏ gộp ô rồi thử lại.",
    RC.SO_BAO_CAO_DON_VI_LA: "Không có đơn vị mã {codes} trong danh sách đơn vị của chiến dịch. Các mã có: {known}.",
    RC.SO_BAO_CAO_NANG_CAP_DON_VI_LA: "'{name}': đơn vị '{unit}' không có trong chiến dịch {campaign}.",
    RC.SO_BAO_CAO_NANG_CAP_BO_CHI_TIEU: (
        "'{name}': chỉ tiêu {targets} không còn giao cho đơn vị; phòng Văn hóa - Xã hội cần "
        "xem lại trước khi nâng cấp để không mất số liệu."
    ),
    RC.SO_BAO_CAO_NANG_CAP_QUA_NHIEU_RIENG: "'{name}': có {count} chỉ tiêu riêng, mẫu mới có {rows} dòng.",
    RC.SO_BAO_CAO_KHONG_PHAI_SO_TONG_HOP: (
        "Nút này dành cho sổ tổng hợp của phòng Văn hóa - Xã hội, không dùng trong sổ báo cáo của đơn vị. "
        "Hãy mở một sổ Excel trống (hoặc sổ tổng hợp) rồi bấm lại."
    ),
    RC.TAB_DON_VI_LA: "Tab '{unit}' không thuộc đơn vị nào trong danh sách của chiến dịch.",
    RC.TAB_O_LA: "Tab '{unit}': có số liệu không thuộc ô nào của mẫu ({cells}).",
    # the campaign definition: its problems are collected lazily, each naming its row
    RC.DINH_NGHIA_KHONG_DUNG_DUOC: "Định nghĩa chiến dịch không dùng được:\n  {problems}",
    # push and pull
    RC.GUI_CON_LOI: "Chưa gửi được: sổ còn {errors} lỗi. Bấm 'Kiểm tra', sửa các ô báo lỗi rồi gửi lại.\n  {first}",
    RC.GUI_SAI_TAB: "Đơn vị {acting} chỉ được gửi vào tab của mình, không được ghi vào tab '{unit}'.",
    RC.GUI_BAN_MOI_HON: (
        "Báo cáo của {unit} đã có bản gửi lần {revision} lúc {pushed_at} ({pushed_by}), mới hơn bản sổ này "
        "đã thấy (lần {base}). Không ghi đè. Hãy 'Lấy về' để xem, sửa trong sổ rồi gửi lại:"
    ),
    RC.GUI_SUA_TREN_BAN_CHUNG: (
        "Báo cáo của {unit} đã bị sửa trực tiếp trên bản chung sau lần gửi {revision}. Không ghi đè. Các ô khác nhau:"
    ),
    RC.GUI_CHUA_CO_KHOA: (
        "Sổ báo cáo của {unit} chưa có khóa ký (sổ tạo trước khi có chữ ký); từ ngày {deadline} "
        "{store} không nhận bản gửi chưa ký. Đề nghị phòng Văn hóa - Xã hội chạy "
        "'thidua workbook upgrade' cho sổ này (hoặc gửi sổ mới) rồi gửi lại."
    ),
    RC.LAY_VE_BI_SUA: (
        "Bản của {unit} trên {store} không do sổ của đơn vị gửi ({seal}): có người khác đã sửa. "
        "Không lấy về. Hãy gửi lại từ sổ của mình (bản bị sửa được giữ lại cho phòng Văn hóa - Xã hội) "
        "và báo phòng Văn hóa - Xã hội."
    ),
    RC.LAY_VE_CHUA_CO_BAN: "Chưa có bản gửi nào của đơn vị {unit} trên {where}.",
    RC.LAY_VE_CHUA_GUI: "Sổ có số liệu chưa gửi; không ghi đè. Gửi báo cáo trước, hoặc {how}. Các ô khác nhau:",
    RC.LAY_VE_DON_VI_LA: "Đơn vị {unit} không có trong chiến dịch.",
    # the shared folder
    RC.THU_MUC_MA_DON_VI: "Mã đơn vị '{unit}' không hợp lệ.",
    RC.THU_MUC_KHONG_DOC_DUOC: "Không đọc được bản gửi của {unit} trong thư mục chung ({why}).",
    RC.THU_MUC_CHUA_CHUAN_BI: "Chưa có thư mục chung {folder}. " + SETUP_HINT + ".",
    RC.THU_MUC_CHUA_CHON: (
        "Chưa gửi được: không thấy thư mục chung của đợt thi đua tại {folder}. Hãy hỏi phòng Văn hóa - Xã hội"
        " đường dẫn thư mục chung (ví dụ Z:\\thi-dua) rồi chỉ cho phần mềm: với lệnh thidua, thêm --share và"
        " đường dẫn đó; hoặc đặt biến môi trường THIDUA_SHARE là đường dẫn đó (add-in trong Excel cũng đọc"
        " biến này, sau khi mở lại Excel)."
    ),
    RC.THU_MUC_KHONG_THAY: (
        "Không thấy dữ liệu đợt thi đua {campaign} trong thư mục chung {folder}. Kiểm tra đường dẫn"
        " (--share hoặc THIDUA_SHARE) và ổ mạng đã kết nối chưa; nếu đây là lần đầu, " + SETUP_HINT.lower() + "."
    ),
    RC.THU_MUC_KHONG_GHI_DUOC: "Không ghi được vào thư mục chung {folder} ({why}). Bản gửi trước vẫn nguyên vẹn.",
    RC.THU_MUC_DANG_GUI: "Đơn vị {unit} đang được gửi từ máy khác; hãy thử lại sau ít phút.",
    # the campaign secret (chữ ký trên thư mục chung)
    RC.KHOA_CHUA_CO: (
        "Máy này chưa có khóa bí mật của đợt {campaign}, nên không kiểm tra được ai đã ghi các báo cáo trên "
        "{store}. Trên máy đã chạy 'thidua sheet setup', chép tệp {path} sang đúng chỗ đó trên máy này "
        "(bằng USB, không qua thư mục chung hay thư); nếu đây là lần đầu, " + SETUP_HINT.lower() + "."
    ),
    RC.KHOA_HONG: (
        "Tệp khóa bí mật {path} bị hỏng; không tạo khóa mới (mọi sổ đã phát sẽ sai khóa). "
        "Chép lại tệp này từ máy tổng hợp khác hoặc bản sao lưu."
    ),
    RC.BIEN_NHAN_HONG: (
        "Tệp biên nhận {path} của máy này đã bị sửa (sai chữ ký). Chuyển tệp đó sang chỗ khác để xem, "
        "rồi chạy lại Tổng hợp (biên nhận bắt đầu lại từ lần này)."
    ),
    # Google Sheets
    RC.GOOGLE_KHONG_CO_KHOA: (
        "Không tìm thấy khóa Google. Đặt tệp khóa vào {folder} hoặc chỉ đường dẫn bằng --credentials. "
        "Không gửi khóa qua thư hay Zalo."
    ),
    RC.GOOGLE_KHOA_HONG: "Tệp khóa Google không hợp lệ ({why}). Hãy tải lại khóa từ Google Cloud.",
    RC.GOOGLE_KHONG_TIM_THAY: "{what}: không tìm thấy bảng tính chung hoặc tab (có thể đã bị xóa). Liên hệ phòng Văn hóa - Xã hội.",
    RC.GOOGLE_KHONG_CO_QUYEN: (
        "{what}: tài khoản {account} không có quyền với bảng tính chung. "
        "Liên hệ phòng Văn hóa - Xã hội để được cấp quyền."
    ),
    RC.GOOGLE_HET_HAN: "{what}: khóa Google không hợp lệ hoặc đã hết hạn. Hãy đăng nhập lại hoặc tải khóa mới.",
    RC.GOOGLE_DANG_NHAP_LAI: (
        "{what}: Google không nhận đăng nhập này (khóa đã bị thu hồi, bị xóa hoặc phiên đăng nhập đã hết hạn). "
        "Hãy đăng nhập lại: nếu dùng tài khoản Google, phiên cũ đã được cất sang authorized_user.json.cu trong {folder}: bấm lại để mở trang "
        "đăng nhập Google. Nếu dùng khóa dịch vụ, xin khóa mới từ quản trị."
    ),
    RC.GOOGLE_GIA_LAP_THIEU_TAI_KHOAN: (
        "Đang dùng máy giả lập Google Sheets tại {host}: hãy đặt biến THIDUA_EMULATOR_ACCOUNT là e-mail "
        "của tài khoản muốn dùng (ví dụ tài khoản của đơn vị trong danh sách)."
    ),
    RC.GOOGLE_QUA_GIOI_HAN_O: (
        "Bảng tính chung sẽ vượt giới hạn 10 triệu ô của Google ({cells} ô). Mỗi tab đơn vị có {per_tab} ô; "
        "một bảng tính chứa được tối đa {fit} đơn vị. Hãy chia đơn vị ra hai bảng tính."
    ),
    RC.GOOGLE_MUC_CHAN: (
        "Bảng tính chung có một mục ẩn (developer metadata) giữ chỗ cho {unit} ({what}) mà không phải"
        " thidua ghi: có người đang chặn đơn vị này gửi. Phòng Văn hóa - Xã hội chạy 'thidua sheet setup'"
        " để gỡ, rồi gửi lại."
    ),
    RC.GOOGLE_TAB_QUA_LON: (
        "Tab {unit} trên bảng tính chung quá lớn ({size}); một báo cáo chỉ vài chục KB, có thể ai đó đã dán"
        " dữ liệu lạ vào tab trên web. Phòng Văn hóa - Xã hội xóa nội dung tab {unit} trên Google Sheets,"
        " rồi đơn vị {unit} bấm Gửi báo cáo lại."
    ),
    RC.GOOGLE_TAB_CHUA_CO: (
        "{what}: bảng tính chung không có tab của đơn vị {unit} (chưa tạo, hoặc đã bị xóa). "
        "Phòng Văn hóa - Xã hội cần chạy 'thidua sheet setup' để tạo."
    ),
    RC.GOOGLE_TRA_LOI_LA: (
        "{what}: mạng trả về một trang web thay cho Google (mạng Wi-Fi cần đăng nhập, hoặc bị chặn). "
        "Hãy mở trình duyệt, đăng nhập mạng rồi thử lại."
    ),
    RC.GOOGLE_API_CHUA_BAT: (
        "{what}: Google Sheets API hoặc Google Drive API chưa được bật cho dự án Google Cloud của khóa này. "
        "Quản trị cần bật hai API đó trong Google Cloud Console rồi thử lại."
    ),
    RC.GOOGLE_HET_DUNG_LUONG: (
        "{what}: tài khoản này không còn dung lượng Google Drive (tài khoản dịch vụ không có dung lượng riêng). "
        "Hãy tạo bảng tính bằng tài khoản Google của người quản trị (đăng nhập, không dùng khóa dịch vụ)."
    ),
    RC.GOOGLE_HAN_MUC: "{what}: Google đang giới hạn số lần truy cập (hạn mức mỗi phút). Hãy thử lại sau vài phút.",
    RC.GOOGLE_MAT_TAB: (
        "{what}: tab của đơn vị không còn trên bảng tính chung (có thể đã bị xóa). "
        "Phòng Văn hóa - Xã hội cần chạy 'thidua sheet setup' để tạo lại."
    ),
    RC.GOOGLE_BI_BAO_VE: (
        "{what}: tab này được bảo vệ, tài khoản {account} không được sửa. Mỗi đơn vị chỉ gửi vào tab của mình."
    ),
    RC.GOOGLE_MAY_CHU_LOI: (
        "{what}: máy chủ Google đang lỗi ({status}); đã thử lại nhiều lần. "
        "Bản chung và sổ của bạn vẫn nguyên vẹn; hãy thử lại sau."
    ),
    RC.GOOGLE_TU_CHOI: "{what}: Google từ chối yêu cầu ({status}: {detail}).",
    RC.GOOGLE_MAT_MANG: (
        "{what}: không kết nối được tới Google (mất mạng?). Sổ của bạn vẫn nguyên vẹn; hãy thử lại khi có mạng."
    ),
    RC.GOOGLE_TAB_QUA_DAI: (
        "Báo cáo của {unit} có {rows} dòng số liệu, nhiều hơn {limit} dòng một tab Google chứa được. Sổ của bạn vẫn"
        " nguyên vẹn: hãy gửi sổ vào thư mục chung, hoặc qua thư điện tử / Zalo cho phòng Văn hóa - Xã hội."
    ),
    # review (duyệt)
    RC.DUYET_KHONG_HOP_LE: "Không thể {action} báo cáo của {unit}: báo cáo đang ở trạng thái '{state}'.",
    RC.DUYET_THIEU_LY_DO: 'Cần ghi lý do khi {action} báo cáo của {unit} (--reason "...").',
    RC.DUYET_KHONG_PHAI_TONG_HOP: (
        "Tài khoản {account} không có trong danh sách người tổng hợp của phòng Văn hóa - Xã hội nên không được "
        "duyệt hay trả lại báo cáo. Nếu bạn là người tổng hợp, hãy cho biết e-mail của mình trong danh sách: "
        "thêm --account {example} vào lệnh, hoặc đặt biến THIDUA_ACCOUNT (với Google Sheets: đăng nhập bằng "
        "tài khoản đó)."
    ),
    RC.DUYET_CHUA_CO_TAI_KHOAN: (
        "Chưa biết bạn là ai nên chưa duyệt hay trả lại được. Hãy ghi e-mail của bạn trong danh sách người "
        "tổng hợp: thêm --account {example} vào lệnh, hoặc đặt biến THIDUA_ACCOUNT."
    ),
    RC.DUYET_KHONG_CO_CHI_TIEU: "Báo cáo của {unit} không có chỉ tiêu {target}; kiểm tra lại mã chỉ tiêu.",
    RC.DUYET_O_KHONG_HIEU: "Không hiểu ô '{cell}'. Ghi theo dạng Báo cáo!I6.",
    RC.DUYET_O_NGOAI_BANG: "Ô {cell} không thuộc dòng số liệu nào trong báo cáo của {unit}.",
    RC.DUYET_NGUOI_KHAC: (
        "Báo cáo của {unit} vừa được {by} xử lý ({state}, lúc {at}) trong khi bạn đang xem. "
        "Xem lại bằng 'thidua review list' rồi làm lại nếu vẫn cần."
    ),
    RC.DUYET_BAN_MOI: (
        "Đơn vị {unit} vừa gửi bản mới trong khi bạn đang xem; chưa duyệt hay trả lại gì. "
        "Xem bản mới ('thidua review list') rồi làm lại."
    ),
    RC.DUYET_BI_SUA: (
        "Bản của {unit} trên {store} không do đơn vị gửi ({seal}): không duyệt hay trả lại bản này. "
        "Đề nghị đơn vị gửi lại từ sổ của mình; bản bị sửa vẫn được giữ nguyên để xem."
    ),
    RC.DUYET_CHUA_GUI: "Đơn vị {unit} chưa gửi báo cáo nên chưa có gì để duyệt.",
    RC.GUI_DA_DUYET: (
        "Báo cáo của {unit} đã được duyệt ({at}, {by}) nên không gửi đè được. "
        "Nếu cần sửa, đề nghị phòng Văn hóa - Xã hội mở lại báo cáo."
    ),
    # the add-in
    RC.ADDIN_CHON_DON_VI: (
        "Hãy mở sheet '{sheet}' của sổ tổng hợp, chọn các dòng đơn vị cần duyệt hoặc trả lại, rồi bấm lại."
    ),
    RC.ADDIN_KHONG_CO_EXCEL: (
        "Máy này không có Microsoft Excel cho Windows nên chưa cài được add-in (WPS và LibreOffice không chạy"
        " được add-in thidua). Tệp add-in đã tạo ở {path}: chép sang máy có Excel rồi chạy 'thidua addin install'"
        " ở đó. Trên máy này vẫn dùng được các lệnh thidua (validate, push, …)."
    ),
    # the report to the city (thidua export, Xuất báo cáo)
    RC.XUAT_CON_CHO_TRONG: (
        "Chưa xuất bản chính thức: còn {count} chỗ phòng Văn hóa - Xã hội cần viết trong sheet '{sheet}' "
        "của {master}. Hãy viết vào các dòng dưới đây rồi xuất lại, hoặc xuất bản dự thảo (--du-thao):\n  {where}"
    ),
    RC.XUAT_KHAC_NGUON: (
        "Không xuất: nội dung báo cáo trong {master} được soạn từ một lần tổng hợp khác với số liệu đang xuất "
        "({source}). Hãy chạy lại Tổng hợp từ cùng nguồn rồi xuất, hoặc xuất từ đúng nguồn đã tổng hợp (đã tổng hợp "
        "từ thư mục nhận thì xuất cũng với --from-folder THƯ-MỤC đó). Khác nhau:\n  {where}"
    ),
    RC.ADDIN_DANG_MO: "Không chép được add-in vào {path}: Excel đang mở add-in này. Đóng Excel rồi chạy lại.",
    # the Windows bundle (thidua release, macros/release.py): the maintainer reads these
    RC.BAN_PHAT_HANH_THIEU_OSSLSIGNCODE: (
        "Không có lệnh osslsigncode để kiểm tra chữ ký. Hãy cài: apt-get install osslsigncode."
    ),
    RC.BAN_PHAT_HANH_SAI_MA_BAM: (
        "Tệp {name} có mã băm SHA-256 {got}, khác mã đã ghim {pinned}. "
        "Không đóng gói: tệp tải về không phải bản đã kiểm tra."
    ),
    RC.BAN_PHAT_HANH_KHONG_CO_CHU_KY: "Tệp {name} của Python nhúng không có chữ ký Authenticode. Không đóng gói.",
    RC.BAN_PHAT_HANH_SAI_CHU_KY: (
        "Chữ ký Authenticode của {name} không hợp lệ (mã băm khác, chuỗi chứng chỉ không về gốc đã ghim "
        "hoặc dấu thời gian hỏng):\n{detail}\nKhông đóng gói."
    ),
    RC.BAN_PHAT_HANH_SAI_NGUOI_KY: "Tệp {name} do '{signer}' ký, không phải '{expected}'. Không đóng gói.",
    RC.BAN_PHAT_HANH_SAI_GOC: (
        "Tệp chứng chỉ gốc {path} khác danh sách đã ghim (thừa: {extra}; thiếu: {missing}). Không đóng gói."
    ),
    RC.BAN_PHAT_HANH_QUA_LON: "Gói cài đặt {name} nặng {size} MB, quá giới hạn {limit} MB.",
    RC.BAN_PHAT_HANH_PIP_LOI: "pip không cài được các gói phụ thuộc cho Windows:\n{detail}",
    # the limits, each the `why` of tep.vuot_gioi_han ("Tệp 'x.xlsx': {why}. Sổ báo cáo do Excel…")
    RC.GIOI_HAN_SO_PHAN: "tệp có {count} phần",
    RC.GIOI_HAN_SO_TRANG: "sổ có {count} trang",
    RC.GIOI_HAN_PHAN: "phần '{part}' giải nén ra {size}",
    RC.GIOI_HAN_PHAN_HON: "phần '{part}' giải nén ra hơn {size}",
    RC.GIOI_HAN_NOI_DUNG: "nội dung giải nén ra {size}",
    RC.GIOI_HAN_NOI_DUNG_HON: "nội dung giải nén ra hơn {size}",
    RC.GIOI_HAN_DTD: "tệp có khai báo DTD (không có trong sổ Excel)",
    RC.GIOI_HAN_O_CHU: "trang '{sheet}', ô {cell} có {length} ký tự, quá {most} ký tự Excel cho phép",
    # the guarded reader's child process (workbooks/read_guard.py)
    RC.GIOI_HAN_BO_DOC_DUNG: "bộ đọc tệp dừng đột ngột",
    RC.GIOI_HAN_BO_DOC_DUNG_LON: "bộ đọc tệp dừng đột ngột (tệp quá lớn hoặc hỏng)",
    RC.GIOI_HAN_THOI_GIAN: "đọc tệp quá {seconds} giây",
    RC.GIOI_HAN_BO_NHO: "đọc tệp cần quá {mb} MB bộ nhớ",
}


assert set(REFUSALS) == set(RefusalCode), "every refusal code has its text"


class Refusal(Exception):
    """A whole input that cannot be used: `code` keys `REFUSALS`, `context` fills the text."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, code: RefusalCode, **context: Any):
        if code not in REFUSALS:
            raise KeyError(f"unknown refusal code {code!r}")
        self.code = RefusalCode(code)
        self.context = context
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return REFUSALS[self.code].format_map({k: _show(v) for k, v in self.context.items()})

    def __reduce__(self):
        # pickled whole (the guarded reader's child sends a refusal, with a refusal in its
        # context, to its parent): Exception's default would call __init__ with the text
        return _rebuilt, (type(self), self.__dict__)


def _rebuilt(cls: type[Refusal], state: dict[str, Any]) -> Refusal:
    refusal = cls.__new__(cls)
    refusal.__dict__.update(state)
    Exception.__init__(refusal, refusal.message)
    return refusal


class WorkbookRefused(Refusal):
    """Not a workbook we can read or write."""


class ExportRefused(Refusal):
    """A report to the city that would not be true or not finished; nothing is written."""


class DefinitionError(Refusal):
    """A campaign definition that cannot be used; `problems` name the row of each fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(RC.DINH_NGHIA_KHONG_DUNG_DUOC, problems="\n  ".join(self.problems))


class SyncError(Refusal):
    """A push, pull or setup that did not happen; exit 1, like a report with errors."""

    exit_code = EXIT_FINDINGS


class Conflict(SyncError):
    """A sync refused because two versions differ; `differences` are cell-by-cell lines."""

    def __init__(self, code: RefusalCode, differences: list[str], **context: Any):
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
