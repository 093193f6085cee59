"""One findings model for every front end: CLI table, JSON, Excel check columns, the export.

A finding has a severity (lỗi / cảnh báo / thông tin), a stable code to filter and test on,
the sheet and cell it is about, the target code when there is one, a Vietnamese message and a
suggested fix. Every message a user reads about their entries is written in `MESSAGES`, in
one place for review.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from campaign.numbers import NUMBER_RULE, WHOLE_RULE, vn_number

LOI, CANH_BAO, THONG_TIN = "lỗi", "cảnh báo", "thông tin"
SEVERITY_ORDER = {LOI: 0, CANH_BAO: 1, THONG_TIN: 2}

# code: (severity, message, fix). Placeholders are filled from `Finding.make(**fields)`.
MESSAGES: dict[str, tuple[str, str, str]] = {
    # award criteria (Law 06/2022/QH15 and its decrees)
    "khen_thuong.can_ldtt": (
        LOI,
        "'{award}' chỉ xét cho người đạt danh hiệu Lao động tiên tiến; tóm tắt thành tích chưa nêu.",
        "Ghi rõ năm đạt Lao động tiên tiến (và sáng kiến được công nhận) vào Tóm tắt thành tích.",
    ),
    "khen_thuong.trung": (
        CANH_BAO,
        "'{detail}' được đề nghị hai lần (đã đề nghị '{other}'); một thành tích chỉ được khen một hình thức.",
        "Giữ một đề nghị cho mỗi thành tích, hoặc ghi rõ thành tích khác nhau.",
    ),
    "khen_thuong.ty_le": (
        CANH_BAO,
        (
            "'{award}': {detail} đề nghị, quá tỷ lệ {limit}% số đề nghị '{other}' ({value}), tối đa {expected}"
            " (căn cứ: {basis})."
        ),
        "Bớt đề nghị từ dòng này trở xuống, hoặc thêm đề nghị '{other}' cho người đủ tiêu chuẩn.",
    ),
    # evidence (minh chứng)
    "minh_chung.thieu": (
        CANH_BAO,
        "Chỉ tiêu {target} cần minh chứng nhưng chưa ghi.",
        "Ghi tên tệp (ví dụ bien-ban.pdf, trong thư mục minh-chung của đơn vị) hoặc đường dẫn https vào Ghi chú.",
    ),
    "minh_chung.de_nghi": (
        LOI,
        "Đề nghị khen thưởng chưa có minh chứng.",
        "Ghi tên tệp (ví dụ bao-cao-thanh-tich.pdf) hoặc đường dẫn https của hồ sơ thành tích vào dòng đề nghị.",
    ),
    "minh_chung.lien_ket": (
        CANH_BAO,
        "Đường dẫn minh chứng '{detail}' không hợp lệ.",
        "Dùng đường dẫn đầy đủ bắt đầu bằng https:// (ví dụ đường dẫn chia sẻ của Google Drive).",
    ),
    "minh_chung.sang_kien": (
        LOI,
        "Đề nghị '{award}' cần nêu sáng kiến đã được công nhận.",
        "Ghi tên sáng kiến và quyết định công nhận (kèm minh chứng) vào Tóm tắt thành tích.",
    ),
    "minh_chung.khong_co_tep": (
        CANH_BAO,
        "Không thấy tệp minh chứng '{detail}' trong thư mục chung ({folder}).",
        "Chép tệp vào thư mục minh-chung của đơn vị trên thư mục chung, hoặc sửa lại tên tệp.",
    ),
    # signatures on the shared folder (who wrote a report)
    "chu_ky.sai": (
        LOI,
        "Báo cáo của {unit} trên thư mục chung ({detail}) không khớp chữ ký của đơn vị: đã bị người khác sửa. Không tính.",
        "Tệp được giữ nguyên để xem. Đề nghị đơn vị gửi lại từ sổ của mình; xem nhật ký và hỏi ai đã ghi vào thư mục chung.",
    ),
    "chu_ky.ban_cu": (
        LOI,
        (
            "Báo cáo của {unit} trên thư mục chung là bản gửi lần {value}, cũ hơn lần {expected} Tổng hợp đã thấy: "
            "có người chép bản cũ đè lên. Không tính."
        ),
        "Tệp được giữ nguyên để xem. Đề nghị đơn vị gửi lại từ sổ của mình.",
    ),
    "chu_ky.chua_ky": (
        LOI,
        "Báo cáo của {unit} trên thư mục chung chưa được ký, và đến sau hạn nhận bản chưa ký ({detail}). Không tính.",
        "Nâng cấp sổ của đơn vị ('thidua workbook upgrade', trên máy có khóa bí mật) rồi đề nghị đơn vị gửi lại.",
    ),
    "chu_ky.chua_ky_con_han": (
        CANH_BAO,
        "Báo cáo gửi từ sổ chưa có khóa ký: thư mục chung không chứng minh được ai đã ghi. Vẫn tính đến hết ngày {detail}.",
        "Nâng cấp sổ của đơn vị ('thidua workbook upgrade', trên máy có khóa bí mật) rồi đề nghị đơn vị gửi lại.",
    ),
    "chu_ky.duyet_bi_sua": (
        LOI,
        "Bản ghi duyệt của {unit} (duyet/{unit}.json) không do phòng Văn hóa - Xã hội ghi ({detail}): không tính.",
        "Tệp được giữ nguyên để xem. Nếu cần, duyệt hoặc trả lại báo cáo này lần nữa.",
    ),
    # review: a reason of a return, shown at its row until the next push
    "duyet.tra_lai": (
        CANH_BAO,
        "Phòng Văn hóa - Xã hội trả lại ({when}): {detail}{fixed}",
        "Sửa theo ý kiến này rồi Gửi báo cáo lại.",
    ),
    # numbers as typed
    "so.khong_phai_so": (
        LOI,
        "'{detail}' không phải là số.",
        NUMBER_RULE + " Ghi chú thì ghi ở cột Ghi chú.",
    ),
    "so.la_ngay": (
        LOI,
        "Ô cần số nhưng Excel đã hiểu thành ngày {detail}.",
        "Chọn ô, bấm chuột phải > Định dạng Ô > Số > Chung, rồi gõ lại. " + NUMBER_RULE,
    ),
    "so.loi_excel": (
        LOI,
        "Ô đang báo lỗi Excel ({detail}).",
        "Sửa công thức, hoặc xóa công thức và gõ trực tiếp số liệu.",
    ),
    "so.co_phan_tram": (
        LOI,
        "Ô này cần số lượng, không phải tỷ lệ '{detail}'.",
        "Nhập số lượng (tử số, mẫu số); phần mềm tự tính tỷ lệ %.",
    ),
    "so.khong_nguyen": (LOI, "'{detail}' phải là số nguyên (đếm được).", WHOLE_RULE),
    "so.mo_ho": (
        LOI,
        "'{detail}' không rõ là số nghìn hay số thập phân.",
        "Nếu là số nghìn, gõ liền không có dấu chấm (1300); nếu là số thập phân, dùng dấu phẩy (1,3).",
    ),
    "so.da_hieu_hang_nghin": (
        THONG_TIN,
        "'{detail}' được hiểu là số nghìn, vì ô này là số nguyên (đếm được).",
        "Không cần sửa nếu đúng. " + WHOLE_RULE,
    ),
    "so.phan_so_thay_phan_tram": (
        CANH_BAO,
        "'{detail}' có vẻ là phân số; tỷ lệ phần trăm là {suggestion}.",
        "Gõ {suggestion} nếu đúng là {suggestion} %.",
    ),
    "so.luu_dang_chu": (
        THONG_TIN,
        "Số '{detail}' đang lưu dạng chữ; phần mềm vẫn hiểu là {value}.",
        "Không cần sửa. Nếu muốn Excel cộng được ô này: chọn ô, bấm chuột phải > Định dạng Ô > Số > Chung, rồi gõ lại số.",
    ),
    "so.chu_chi_tien": (
        LOI,
        "'{detail}': chữ nghìn, triệu, tỷ chỉ dùng cho ô tiền; ô này không tính bằng tiền.",
        "Gõ số theo đúng đơn vị tính của ô, ví dụ 12 hoặc 12000000.",
    ),
    "so.ngoai_khoang": (
        CANH_BAO,
        "'{label}' của chỉ tiêu {target} là {value}, lớn bất thường với một đơn vị (thường không quá {limit}).",
        "Kiểm tra lại số liệu (có thể thừa chữ số 0 hoặc nhầm đơn vị tính).",
    ),
    "chi_tieu.thanh_phan_vuot_tong": (
        CANH_BAO,
        "'{label}' của chỉ tiêu {target} là {value}, nhỏ hơn tổng các chỉ tiêu thành phần {parts} ({summed}).",
        "Kiểm tra lại số liệu của {target} và các chỉ tiêu thành phần: tổng các phần không được lớn hơn toàn bộ.",
    ),
    "so.am": (LOI, "Số liệu không được âm ({value}).", "Gõ số từ 0 trở lên."),
    # what the workbook's own formulas say (campaign/formulas.py) and what they cannot do
    "cong_thuc.o_chu": (
        CANH_BAO,
        "Ô số liệu của chỉ tiêu {target} đang lưu chữ '{detail}', không phải số: bảng tính không tự tính được.",
        "Gõ lại số vào ô (không có dấu ' ở đầu); khi gửi báo cáo, phần mềm vẫn đọc số đã gõ.",
    ),
    "cong_thuc.khong_tinh": (
        THONG_TIN,
        "Bảng tính không tự tính được chỉ tiêu {target}: {detail}.",
        "Bấm Kiểm tra (có add-in) hoặc gửi báo cáo: phần mềm sẽ tính chính xác.",
    ),
    "cong_thuc.bi_sua": (
        LOI,
        "Ô tính sẵn của chỉ tiêu {target} đã bị gõ đè hoặc sửa công thức (đang là '{detail}').",
        "Không gõ vào ô màu xám; chạy 'thidua workbook upgrade' để đặt lại công thức, số liệu đã nhập được giữ nguyên.",
    ),
    # target rows
    "chi_tieu.thieu_so_lieu": (LOI, "Chưa nhập '{label}' của chỉ tiêu {target}.", "Nhập số liệu vào ô màu vàng."),
    "chi_tieu.mau_so_bang_0": (
        LOI,
        "'{label}' của chỉ tiêu {target} phải lớn hơn 0.",
        "Nhập tổng số (mẫu số) lớn hơn 0.",
    ),
    "chi_tieu.tu_so_lon_hon_mau_so": (
        LOI,
        "Chỉ tiêu {target}: tử số {num} lớn hơn mẫu số {den}.",
        "Kiểm tra lại: số đạt không thể lớn hơn tổng số.",
    ),
    "chi_tieu.thu_hang": (
        LOI,
        "Thứ hạng {value} của chỉ tiêu {target} phải từ 1 đến {localities}.",
        "Nhập thứ hạng trong thành phố, 1 là cao nhất.",
    ),
    "chi_tieu.muc_do": (
        LOI,
        "Mức '{detail}' của chỉ tiêu {target} không có trong danh sách.",
        "Chọn một mức: {levels}.",
    ),
    "chi_tieu.tang_bat_thuong": (
        CANH_BAO,
        "Chỉ tiêu {target} tăng {value} % so với năm trước, ngoài khoảng ±{band} % thường gặp.",
        "Kiểm tra lại số năm trước và năm nay.",
    ),
    "chi_tieu.tu_danh_gia": (
        CANH_BAO,
        "Đơn vị tự đánh giá '{detail}' nhưng kết quả tính là '{status}'.",
        "Sửa cột tự đánh giá hoặc kiểm tra lại số liệu.",
    ),
    "chi_tieu.bi_sua": (
        LOI,
        "Ô khóa của chỉ tiêu {target} đã bị sửa thành '{detail}'.",
        "Khôi phục nội dung gốc: '{expected}'.",
    ),
    "chi_tieu.trang_bi_sua": (
        CANH_BAO,
        "Trang Chỉ tiêu đã bị sửa: chỉ tiêu {target} ghi '{detail}'.",
        "Khôi phục nội dung gốc '{expected}'; trang này chỉ để xem, phần mềm đánh giá theo kế hoạch.",
    ),
    "chi_tieu.trung_dong": (
        LOI,
        "Chỉ tiêu {target} xuất hiện nhiều lần (dòng {rows}).",
        "Xóa dòng thừa, giữ một dòng cho mỗi chỉ tiêu.",
    ),
    "chi_tieu.thieu_dong": (
        LOI,
        "Thiếu dòng của chỉ tiêu {target} (đơn vị phải báo cáo chỉ tiêu này).",
        "Tạo lại sổ báo cáo bằng 'thidua workbook upgrade' để khôi phục dòng.",
    ),
    "chi_tieu.khong_giao": (
        CANH_BAO,
        "Chỉ tiêu {target} không giao cho đơn vị này.",
        "Xóa số liệu ở dòng này hoặc liên hệ phòng Văn hóa - Xã hội.",
    ),
    "chi_tieu.la": (
        CANH_BAO,
        "Dòng có mã '{detail}' không thuộc chiến dịch.",
        "Đưa vào dòng 'Chỉ tiêu riêng' nếu là chỉ tiêu của đơn vị.",
    ),
    # own targets
    "rieng.thieu": (
        LOI,
        "Chỉ tiêu riêng chưa đủ thông tin: thiếu {detail}.",
        "Điền đủ mã, tên, cách đánh giá, mục tiêu và số liệu.",
    ),
    "rieng.trung_ma": (LOI, "Mã chỉ tiêu riêng '{detail}' trùng với chỉ tiêu khác.", "Đặt mã khác, ví dụ R-{detail}."),
    "rieng.cach_danh_gia": (
        LOI,
        "Cách đánh giá '{detail}' không có trong danh sách.",
        "Chọn cách đánh giá trong danh sách thả xuống.",
    ),
    "rieng.muc_tieu": (
        LOI,
        "Mục tiêu '{detail}' không đọc được cho cách đánh giá '{rule}'.",
        "Ghi mục tiêu dạng {example}.",
    ),
    # information sheet and metadata
    "thong_tin.don_vi": (
        LOI,
        "Mã đơn vị '{detail}' khác với mã trong sổ ({expected}).",
        "Dùng đúng sổ báo cáo của đơn vị; không chép số liệu sang sổ của đơn vị khác.",
    ),
    "thong_tin.don_vi_la": (
        LOI,
        "Đơn vị '{detail}' không có trong danh sách đơn vị của chiến dịch.",
        "Liên hệ phòng Văn hóa - Xã hội để được cấp sổ đúng.",
    ),
    "thong_tin.chien_dich": (
        LOI,
        "Sổ thuộc chiến dịch '{detail}', không phải '{expected}'.",
        "Dùng sổ báo cáo của chiến dịch năm nay.",
    ),
    "thong_tin.dinh_nghia_doi": (
        CANH_BAO,
        "Định nghĩa chỉ tiêu đã thay đổi kể từ khi tạo sổ.",
        "Chạy 'thidua workbook upgrade' để cập nhật, số liệu được giữ nguyên.",
    ),
    "thong_tin.ky": (LOI, "Kỳ báo cáo '{detail}' không hợp lệ.", "Chọn kỳ trong danh sách: {expected}."),
    "thong_tin.thieu": (CANH_BAO, "Chưa ghi '{label}'.", "Điền vào trang Thông tin."),
    "thong_tin.email": (
        CANH_BAO,
        "Thư điện tử '{detail}' không đúng dạng.",
        "Ghi một địa chỉ dạng ten@vinhbao.haiphong.gov.vn.",
    ),
    "thong_tin.ngay": (
        LOI,
        "Ngày báo cáo '{detail}' không hợp lệ hoặc ngoài năm {year}.",
        "Gõ ngày dạng dd/mm/yyyy trong năm {year}.",
    ),
    # task groups, models, proposals
    "nhiem_vu.thieu_muc": (
        CANH_BAO,
        "Nhóm nhiệm vụ {detail} chưa chọn mức độ thực hiện.",
        "Chọn mức độ trong danh sách.",
    ),
    "nhiem_vu.muc_la": (LOI, "Mức độ '{detail}' không có trong danh sách.", "Chọn: {expected}."),
    "nhiem_vu.phan_tram": (LOI, "% hoàn thành '{detail}' phải từ 0 đến 100.", "Gõ số từ 0 đến 100, không cần dấu %."),
    "nhiem_vu.mau_thuan": (
        CANH_BAO,
        "Nhóm nhiệm vụ {detail} ghi 'Hoàn thành' nhưng % hoàn thành là {value}.",
        "Sửa mức độ hoặc % hoàn thành.",
    ),
    "mo_hinh.thieu": (LOI, "Dòng mô hình, điển hình chưa đủ: thiếu {detail}.", "Điền loại, tên và nội dung."),
    "mo_hinh.loai": (LOI, "Loại '{detail}' không có trong danh sách.", "Chọn: {expected}."),
    "khen_thuong.thieu": (
        LOI,
        "Dòng đề nghị khen thưởng chưa đủ: thiếu {detail}.",
        "Điền hình thức, đối tượng, tên và tóm tắt thành tích.",
    ),
    "khen_thuong.hinh_thuc": (
        LOI,
        "Hình thức khen thưởng '{detail}' không có trong danh sách.",
        "Chọn hình thức trong danh sách thả xuống.",
    ),
    "khen_thuong.doi_tuong": (LOI, "'{award}' không dành cho đối tượng '{detail}'.", "Chọn đối tượng: {expected}."),
    "khen_thuong.vuot_tham_quyen": (
        THONG_TIN,
        "'{award}' vượt thẩm quyền Chủ tịch UBND xã; xã sẽ trình cấp trên.",
        "Chuẩn bị hồ sơ theo yêu cầu của cấp trên.",
    ),
    "van_ban.qua_dai": (
        CANH_BAO,
        "Ô có {count} ký tự, quá 32.767 ký tự một ô Excel giữ được; dòng này không đưa vào phụ lục báo cáo.",
        "Rút gọn nội dung, phần chi tiết gửi kèm thành văn bản riêng.",
    ),
    # whole file
    "tep.o_ngoai_vung": (
        CANH_BAO,
        "Ô này có dữ liệu nhưng nằm ngoài vùng của sổ báo cáo, nên không được đọc.",
        "Xóa ô này (Ctrl+End đưa tới ô xa nhất) rồi lưu lại; số liệu báo cáo phải nằm ở ô màu vàng.",
    ),
    "tep.khong_doc_duoc": (LOI, "{detail}", "Sửa theo hướng dẫn trong thông báo."),
}


@dataclass(frozen=True)
class Finding:
    severity: str
    code: str
    sheet: str
    cell: str
    target: str
    message: str
    fix: str

    @classmethod
    def make(cls, code: str, sheet: str = "", cell: str = "", target: str = "", **fields: Any) -> Finding:
        severity, message, fix = MESSAGES[code]
        values = {k: _show(v) for k, v in fields.items()}
        values.setdefault("target", target)
        return cls(severity, code, sheet, cell, target, _fill(message, values), _fill(fix, values))

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        """One line for a check column: "Lỗi: ... → fix"."""
        return f"{self.severity.capitalize()}: {self.message} → {self.fix}"


def _show(v: Any) -> str:
    """A value as a message prints it: numbers the Vietnamese way and exactly as typed; a
    computed ratio that has no end (95,3636…) to two places."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, Fraction):
        d = _terminating(v)
        return vn_number(d) if d is not None else vn_number(Decimal(v.numerator) / Decimal(v.denominator), 2)
    if isinstance(v, float):
        return vn_number(Decimal(repr(v)))
    if isinstance(v, (Decimal, int)):
        return vn_number(Decimal(v))
    return str(v)


def _terminating(f: Fraction) -> Decimal | None:
    """The exact decimal of a fraction whose denominator has no prime but 2 and 5, else None."""
    den, twos, fives = f.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    return Decimal(f.numerator * 10**places // f.denominator).scaleb(-places)


class _Keep(dict):
    """A placeholder with no value stays as it is written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format_map(_Keep(values))


def _cell_order(cell: str) -> tuple[int, int, str]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, len(letters), letters)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then in reading order within a sheet (row 5 before row 10)."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.sheet, _cell_order(f.cell), f.code))


def count(findings: list[Finding], severity: str) -> int:
    return sum(1 for f in findings if f.severity == severity)
