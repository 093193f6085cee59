"""One findings model for every front end: CLI table, JSON, Excel check columns, the export.

A finding has a severity (lỗi / cảnh báo / thông tin), a stable code to filter and test on,
the sheet and cell it is about, the target code when there is one, a Vietnamese message and a
suggested fix. Every message a user reads about their entries is written in `MESSAGES`, in
one place for review, keyed by a `FindingCode` member (`finding_codes.py`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from campaign.finding_codes import FC, FindingCode
from campaign.numbers import NUMBER_RULE, WHOLE_RULE, vn_number

LOI, CANH_BAO, THONG_TIN = "lỗi", "cảnh báo", "thông tin"
SEVERITY_ORDER = {LOI: 0, CANH_BAO: 1, THONG_TIN: 2}

# code: (severity, message, fix). Placeholders are filled from `Finding.make(**fields)`.
MESSAGES: dict[FindingCode, tuple[str, str, str]] = {
    # award criteria (Law 06/2022/QH15 and its decrees)
    FC.KHEN_THUONG_CAN_LDTT: (
        LOI,
        "'{award}' chỉ xét cho người đạt danh hiệu Lao động tiên tiến; tóm tắt thành tích chưa nêu.",
        "Ghi rõ năm đạt Lao động tiên tiến (và sáng kiến được công nhận) vào Tóm tắt thành tích.",
    ),
    FC.KHEN_THUONG_TRUNG: (
        CANH_BAO,
        "'{detail}' được đề nghị hai lần (đã đề nghị '{other}'); một thành tích chỉ được khen một hình thức.",
        "Giữ một đề nghị cho mỗi thành tích, hoặc ghi rõ thành tích khác nhau.",
    ),
    FC.KHEN_THUONG_TY_LE: (
        CANH_BAO,
        (
            "'{award}': {detail} đề nghị, quá tỷ lệ {limit}% số đề nghị '{other}' ({value}), tối đa {expected}"
            " (căn cứ: {basis})."
        ),
        "Bớt đề nghị từ dòng này trở xuống, hoặc thêm đề nghị '{other}' cho người đủ tiêu chuẩn.",
    ),
    # evidence (minh chứng)
    FC.MINH_CHUNG_THIEU: (
        CANH_BAO,
        "Chỉ tiêu {target} cần minh chứng nhưng chưa ghi.",
        "Ghi tên tệp (ví dụ bien-ban.pdf, trong thư mục minh-chung của đơn vị) hoặc đường dẫn https vào Ghi chú.",
    ),
    FC.MINH_CHUNG_DE_NGHI: (
        LOI,
        "Đề nghị khen thưởng chưa có minh chứng.",
        "Ghi tên tệp (ví dụ bao-cao-thanh-tich.pdf) hoặc đường dẫn https của hồ sơ thành tích vào cột 'Tóm tắt thành tích' của dòng đề nghị.",
    ),
    FC.MINH_CHUNG_LIEN_KET: (
        CANH_BAO,
        "Đường dẫn minh chứng '{detail}' không hợp lệ.",
        "Dùng đường dẫn đầy đủ bắt đầu bằng https:// (ví dụ đường dẫn chia sẻ của Google Drive).",
    ),
    FC.MINH_CHUNG_SANG_KIEN: (
        LOI,
        "Đề nghị '{award}' cần nêu sáng kiến đã được công nhận.",
        "Ghi tên sáng kiến và quyết định công nhận (kèm minh chứng) vào Tóm tắt thành tích.",
    ),
    FC.MINH_CHUNG_KHONG_CO_TEP: (
        CANH_BAO,
        "Không thấy tệp minh chứng '{detail}' trong thư mục chung ({folder}).",
        "Chép tệp vào thư mục minh-chung của đơn vị trên thư mục chung, hoặc sửa lại tên tệp.",
    ),
    # signatures on the shared folder (who wrote a report)
    FC.CHU_KY_SAI: (
        LOI,
        "Báo cáo của {unit} trên {store} ({detail}) không khớp chữ ký của đơn vị: đã bị người khác sửa. Không tính.",
        "Bản bị sửa được giữ nguyên để xem. Đề nghị đơn vị gửi lại từ sổ của mình; xem nhật ký và hỏi ai đã sửa {store}.",
    ),
    FC.CHU_KY_BAN_CU: (
        LOI,
        (
            "Báo cáo của {unit} trên {store} là bản gửi lần {value}, cũ hơn lần {expected} Tổng hợp đã thấy: "
            "có người chép bản cũ đè lên. Không tính."
        ),
        "Tệp được giữ nguyên để xem. Đề nghị đơn vị gửi lại từ sổ của mình.",
    ),
    FC.CHU_KY_CHUA_KY: (
        LOI,
        "Báo cáo của {unit} trên {store} chưa được ký, và đến sau hạn nhận bản chưa ký ({detail}). Không tính.",
        "Nâng cấp sổ của đơn vị ('thidua workbook upgrade', trên máy có khóa bí mật) rồi đề nghị đơn vị gửi lại.",
    ),
    FC.CHU_KY_CHUA_KY_CON_HAN: (
        CANH_BAO,
        "Báo cáo gửi từ sổ chưa có khóa ký: {store} không chứng minh được ai đã ghi. Vẫn tính đến hết ngày {detail}.",
        "Nâng cấp sổ của đơn vị ('thidua workbook upgrade', trên máy có khóa bí mật) rồi đề nghị đơn vị gửi lại.",
    ),
    FC.CHU_KY_DUYET_BI_SUA: (
        LOI,
        "Bản ghi duyệt của {unit} (duyet/{unit}.json) không do phòng Văn hóa - Xã hội ghi ({detail}): không tính.",
        "Tệp được giữ nguyên để xem. Nếu cần, duyệt hoặc trả lại báo cáo này lần nữa.",
    ),
    # review: a reason of a return, shown at its row until the next push
    FC.DUYET_TRA_LAI: (
        CANH_BAO,
        "Phòng Văn hóa - Xã hội trả lại ({when}): {detail}{fixed}",
        "Sửa theo ý kiến này rồi Gửi báo cáo lại.",
    ),
    # numbers as typed
    FC.SO_KHONG_PHAI_SO: (
        LOI,
        "'{detail}' không phải là số.",
        NUMBER_RULE + " Ghi chú thì ghi ở cột Ghi chú.",
    ),
    FC.SO_LA_NGAY: (
        LOI,
        "Ô cần số nhưng Excel đã hiểu thành ngày {detail}.",
        "Chọn ô, bấm chuột phải > Định dạng Ô > Số > Chung, rồi gõ lại. " + NUMBER_RULE,
    ),
    FC.SO_LOI_EXCEL: (
        LOI,
        "Ô đang báo lỗi Excel ({detail}).",
        "Sửa công thức, hoặc xóa công thức và gõ trực tiếp số liệu.",
    ),
    FC.SO_CO_PHAN_TRAM: (
        LOI,
        "Ô này cần số lượng, không phải tỷ lệ '{detail}'.",
        "Nhập số lượng (tử số, mẫu số); phần mềm tự tính tỷ lệ %.",
    ),
    FC.SO_KHONG_NGUYEN: (LOI, "'{detail}' phải là số nguyên (đếm được).", WHOLE_RULE),
    FC.SO_MO_HO: (
        LOI,
        "'{detail}' không rõ là số nghìn hay số thập phân.",
        "Nếu là số nghìn, gõ liền không có dấu chấm (1300); nếu là số thập phân, dùng dấu phẩy (1,3).",
    ),
    FC.SO_DA_HIEU_HANG_NGHIN: (
        THONG_TIN,
        "'{detail}' được hiểu là số nghìn, vì ô này là số nguyên (đếm được).",
        "Không cần sửa nếu đúng. " + WHOLE_RULE,
    ),
    FC.SO_PHAN_SO_THAY_PHAN_TRAM: (
        CANH_BAO,
        "'{detail}' có vẻ là phân số; tỷ lệ phần trăm là {suggestion}.",
        "Gõ {suggestion} nếu đúng là {suggestion} %.",
    ),
    FC.SO_LUU_DANG_CHU: (
        THONG_TIN,
        "Số '{detail}' đang lưu dạng chữ; phần mềm vẫn hiểu là {value}.",
        "Không cần sửa để gửi báo cáo; để bảng tính tự tính được ô này, gõ lại số vào ô, không có dấu ' ở đầu.",
    ),
    FC.SO_CHU_CHI_TIEN: (
        LOI,
        "'{detail}': chữ nghìn, triệu, tỷ chỉ dùng cho ô tiền; ô này không tính bằng tiền.",
        "Gõ số theo đúng đơn vị tính của ô, ví dụ 12 hoặc 12000000.",
    ),
    FC.SO_NGOAI_KHOANG: (
        CANH_BAO,
        "'{label}' của chỉ tiêu {target} là {value}, lớn bất thường với một đơn vị (thường không quá {limit}).",
        "Kiểm tra lại số liệu (có thể thừa chữ số 0 hoặc nhầm đơn vị tính).",
    ),
    FC.CHI_TIEU_THANH_PHAN_VUOT_TONG: (
        CANH_BAO,
        "'{label}' của chỉ tiêu {target} là {value}, nhỏ hơn tổng các chỉ tiêu thành phần {parts} ({summed}).",
        "Kiểm tra lại số liệu của {target} và các chỉ tiêu thành phần: tổng các phần không được lớn hơn toàn bộ.",
    ),
    FC.SO_AM: (LOI, "Số liệu không được âm ({value}).", "Gõ số từ 0 trở lên."),
    # what the workbook's own formulas say (campaign/formulas.py) and what they cannot do
    FC.CONG_THUC_O_CHU: (
        CANH_BAO,
        "Ô số liệu của chỉ tiêu {target} đang lưu chữ '{detail}', không phải số: bảng tính không tự tính được.",
        "Gõ lại số vào ô (không có dấu ' ở đầu); khi gửi báo cáo, phần mềm vẫn đọc số đã gõ.",
    ),
    FC.CONG_THUC_KHONG_TINH: (
        THONG_TIN,
        "Bảng tính không tự tính được chỉ tiêu {target}: {detail}.",
        "Bấm Kiểm tra (có add-in) hoặc gửi báo cáo: phần mềm sẽ tính chính xác.",
    ),
    FC.CONG_THUC_BI_SUA: (
        LOI,
        "Ô tính sẵn của chỉ tiêu {target} đã bị gõ đè hoặc sửa công thức (đang là '{detail}').",
        "Không gõ vào ô màu xám; chạy 'thidua workbook upgrade' để đặt lại công thức, số liệu đã nhập được giữ nguyên.",
    ),
    # target rows
    FC.CHI_TIEU_THIEU_SO_LIEU: (LOI, "Chưa nhập '{label}' của chỉ tiêu {target}.", "Nhập số liệu vào ô màu vàng."),
    FC.CHI_TIEU_MAU_SO_BANG_0: (
        LOI,
        "'{label}' của chỉ tiêu {target} phải lớn hơn 0.",
        "Nhập tổng số (mẫu số) lớn hơn 0.",
    ),
    FC.CHI_TIEU_TU_SO_LON_HON_MAU_SO: (
        LOI,
        "Chỉ tiêu {target}: tử số {num} lớn hơn mẫu số {den}.",
        "Kiểm tra lại: số đạt không thể lớn hơn tổng số.",
    ),
    FC.CHI_TIEU_THU_HANG: (
        LOI,
        "Thứ hạng {value} của chỉ tiêu {target} phải từ 1 đến {localities}.",
        "Nhập thứ hạng trong thành phố, 1 là cao nhất.",
    ),
    FC.CHI_TIEU_MUC_DO: (
        LOI,
        "Mức '{detail}' của chỉ tiêu {target} không có trong danh sách.",
        "Chọn một mức: {levels}.",
    ),
    FC.CHI_TIEU_TANG_BAT_THUONG: (
        CANH_BAO,
        "Chỉ tiêu {target} tăng {value} % so với năm trước, ngoài khoảng ±{band} % thường gặp.",
        "Kiểm tra lại số năm trước và năm nay.",
    ),
    FC.CHI_TIEU_TU_DANH_GIA: (
        CANH_BAO,
        "Đơn vị tự đánh giá '{detail}' nhưng kết quả tính là '{status}'.",
        "Sửa cột tự đánh giá hoặc kiểm tra lại số liệu.",
    ),
    FC.CHI_TIEU_BI_SUA: (
        LOI,
        "Ô khóa của chỉ tiêu {target} đã bị sửa thành '{detail}'.",
        "Khôi phục nội dung gốc: '{expected}'.",
    ),
    FC.CHI_TIEU_TRANG_BI_SUA: (
        CANH_BAO,
        "Trang Chỉ tiêu đã bị sửa: chỉ tiêu {target} ghi '{detail}'.",
        "Khôi phục nội dung gốc '{expected}'; trang này chỉ để xem, phần mềm đánh giá theo kế hoạch.",
    ),
    FC.CHI_TIEU_TRUNG_DONG: (
        LOI,
        "Chỉ tiêu {target} xuất hiện nhiều lần (dòng {rows}).",
        "Xóa dòng thừa, giữ một dòng cho mỗi chỉ tiêu.",
    ),
    FC.CHI_TIEU_THIEU_DONG: (
        LOI,
        "Thiếu dòng của chỉ tiêu {target} (đơn vị phải báo cáo chỉ tiêu này).",
        "Tạo lại sổ báo cáo bằng 'thidua workbook upgrade' để khôi phục dòng.",
    ),
    FC.CHI_TIEU_KHONG_GIAO: (
        CANH_BAO,
        "Chỉ tiêu {target} không giao cho đơn vị này.",
        "Xóa số liệu ở dòng này hoặc liên hệ phòng Văn hóa - Xã hội.",
    ),
    FC.CHI_TIEU_LA: (
        CANH_BAO,
        "Dòng có mã '{detail}' không thuộc chiến dịch.",
        "Đưa vào dòng 'Chỉ tiêu riêng' nếu là chỉ tiêu của đơn vị.",
    ),
    # own targets
    FC.RIENG_THIEU: (
        LOI,
        "Chỉ tiêu riêng chưa đủ thông tin: thiếu {detail}.",
        "Điền đủ mã, tên, cách đánh giá, mục tiêu và số liệu.",
    ),
    FC.RIENG_TRUNG_MA: (LOI, "Mã chỉ tiêu riêng '{detail}' trùng với chỉ tiêu khác.", "Đặt mã khác, ví dụ R-{detail}."),
    FC.RIENG_CACH_DANH_GIA: (
        LOI,
        "Cách đánh giá '{detail}' không có trong danh sách.",
        "Chọn cách đánh giá trong danh sách thả xuống.",
    ),
    FC.RIENG_MUC_TIEU: (
        LOI,
        "Mục tiêu '{detail}' không đọc được cho cách đánh giá '{rule}'.",
        "Ghi mục tiêu dạng {example}.",
    ),
    # information sheet and metadata
    FC.THONG_TIN_DON_VI: (
        LOI,
        "Mã đơn vị '{detail}' khác với mã trong sổ ({expected}).",
        "Dùng đúng sổ báo cáo của đơn vị; không chép số liệu sang sổ của đơn vị khác.",
    ),
    FC.THONG_TIN_DON_VI_LA: (
        LOI,
        "Đơn vị '{detail}' không có trong danh sách đơn vị của chiến dịch.",
        "Liên hệ phòng Văn hóa - Xã hội để được cấp sổ đúng.",
    ),
    FC.THONG_TIN_CHIEN_DICH: (
        LOI,
        "Sổ thuộc chiến dịch '{detail}', không phải '{expected}'.",
        "Dùng sổ báo cáo của chiến dịch năm nay.",
    ),
    FC.THONG_TIN_DINH_NGHIA_DOI: (
        CANH_BAO,
        "Định nghĩa chỉ tiêu đã thay đổi kể từ khi tạo sổ.",
        "Chạy 'thidua workbook upgrade' để cập nhật, số liệu được giữ nguyên.",
    ),
    FC.THONG_TIN_KY: (LOI, "Kỳ báo cáo '{detail}' không hợp lệ.", "Chọn kỳ trong danh sách: {expected}."),
    FC.THONG_TIN_THIEU: (CANH_BAO, "Chưa ghi '{label}'.", "Điền vào trang Thông tin."),
    FC.THONG_TIN_EMAIL: (
        CANH_BAO,
        "Thư điện tử '{detail}' không đúng dạng.",
        "Ghi một địa chỉ dạng ten@vinhbao.haiphong.gov.vn.",
    ),
    FC.THONG_TIN_NGAY: (
        LOI,
        "Ngày báo cáo '{detail}' không hợp lệ hoặc ngoài năm {year}.",
        "Gõ ngày dạng dd/mm/yyyy trong năm {year}.",
    ),
    # task groups, models, proposals
    FC.NHIEM_VU_THIEU_MUC: (
        CANH_BAO,
        "Nhóm nhiệm vụ {detail} chưa chọn mức độ thực hiện.",
        "Chọn mức độ trong danh sách.",
    ),
    FC.NHIEM_VU_MUC_LA: (LOI, "Mức độ '{detail}' không có trong danh sách.", "Chọn: {expected}."),
    FC.NHIEM_VU_PHAN_TRAM: (LOI, "% hoàn thành '{detail}' phải từ 0 đến 100.", "Gõ số từ 0 đến 100, không cần dấu %."),
    FC.NHIEM_VU_MAU_THUAN: (
        CANH_BAO,
        "Nhóm nhiệm vụ {detail} ghi 'Hoàn thành' nhưng % hoàn thành là {value}.",
        "Sửa mức độ hoặc % hoàn thành.",
    ),
    FC.MO_HINH_THIEU: (LOI, "Dòng mô hình, điển hình chưa đủ: thiếu {detail}.", "Điền loại, tên và nội dung."),
    FC.MO_HINH_LOAI: (LOI, "Loại '{detail}' không có trong danh sách.", "Chọn: {expected}."),
    FC.KHEN_THUONG_THIEU: (
        LOI,
        "Dòng đề nghị khen thưởng chưa đủ: thiếu {detail}.",
        "Điền hình thức, đối tượng, tên và tóm tắt thành tích.",
    ),
    FC.KHEN_THUONG_HINH_THUC: (
        LOI,
        "Hình thức khen thưởng '{detail}' không có trong danh sách.",
        "Chọn hình thức trong danh sách thả xuống.",
    ),
    FC.KHEN_THUONG_DOI_TUONG: (LOI, "'{award}' không dành cho đối tượng '{detail}'.", "Chọn đối tượng: {expected}."),
    FC.KHEN_THUONG_VUOT_THAM_QUYEN: (
        THONG_TIN,
        "'{award}' vượt thẩm quyền Chủ tịch UBND xã; xã sẽ trình cấp trên.",
        "Chuẩn bị hồ sơ theo yêu cầu của cấp trên.",
    ),
    FC.VAN_BAN_QUA_DAI: (
        CANH_BAO,
        "Ô có {count} ký tự, quá 32.767 ký tự một ô Excel giữ được; dòng này không đưa vào phụ lục báo cáo.",
        "Rút gọn nội dung, phần chi tiết gửi kèm thành văn bản riêng.",
    ),
    # whole file
    FC.TEP_O_NGOAI_VUNG: (
        CANH_BAO,
        "Ô này có dữ liệu nhưng nằm ngoài vùng của sổ báo cáo, nên không được đọc.",
        "Xóa ô này (Ctrl+End đưa tới ô xa nhất) rồi lưu lại; số liệu báo cáo phải nằm ở ô màu vàng.",
    ),
    FC.TEP_CHUA_DIEN: (
        LOI,
        "Sổ báo cáo chưa điền gì: chưa có số liệu chỉ tiêu, mức độ nhiệm vụ, mô hình hay đề nghị khen thưởng nào.",
        "Nhập số liệu vào các ô màu vàng, bấm Kiểm tra rồi gửi lại (có thể đơn vị đã gửi nhầm sổ trống).",
    ),
    # Tổng hợp: an issue of the files received (two of one unit, a stranger, another campaign) or of
    # the commune's figures (a unit not ranked, parts above their whole); no cell of a unit's own
    FC.TONG_HOP_BAN_NOP: (CANH_BAO, "{detail}", "Xem lại các tệp đã nhận."),
}

assert set(MESSAGES) == set(FindingCode), "every finding code has its message"


@dataclass(frozen=True)
class Finding:
    severity: str
    code: FindingCode
    sheet: str
    cell: str
    target: str
    message: str
    fix: str

    @classmethod
    def make(cls, code: FindingCode, sheet: str = "", cell: str = "", target: str = "", **fields: Any) -> Finding:
        severity, message, fix = MESSAGES[code]
        values = {k: _show(v) for k, v in fields.items()}
        values.setdefault("target", target)
        return cls(severity, FindingCode(code), sheet, cell, target, _fill(message, values), _fill(fix, values))

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
    """A placeholder with no value is left as written, never a KeyError at the user's click."""

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
