"""The `thidua` command line: one small builder per command, every word in Vietnamese.

Every command and subcommand has its own description and one example; every option and
argument says what it is for; placeholders say what to type (TỆP, NGÀY, MÃ-ĐƠN-VỊ). argparse's
own words are translated by `help_language` (gettext). Command and option names stay English,
as the top-level help says once. The commands themselves live in `cli.py`, which passes them in.
"""

from __future__ import annotations

import argparse
import textwrap
import unicodedata
from collections.abc import Callable

from campaign.dates import DateRefused, date_example, parse_date

Handlers = dict[str, Callable[[argparse.Namespace], int]]
Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"

DEFAULT_MASTER = "tong-hop.xlsx"  # where `consolidate` writes, and `export` looks for the words
DEFAULT_EXPORT = "bao-cao-gui-thanh-pho.xlsx"

ENGLISH_NAMES = (
    "Tên lệnh và tên tùy chọn giữ tiếng Anh và gõ đúng như vậy (validate, push, --out…); mọi chữ khác là tiếng Việt. "
    "Xem hướng dẫn của từng lệnh bằng --help, ví dụ: thidua validate --help"
)


def date_option(text: str):
    """A date typed in an option: 10/12/2026, 1/2/2026 or 2026-12-10; a clear usage error otherwise."""
    try:
        return parse_date(text)
    except DateRefused as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def port_option(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' không phải số cổng (một số từ 1 đến 65535).")
    return int(text)


def unit_option(text: str) -> str:
    """A unit code as typed: any case, any Unicode composition (the campaign decides the spelling)."""
    return unicodedata.normalize("NFC", text).strip()


def _leaf(sub, name: str, summary: str, description: str, example: str, handler) -> argparse.ArgumentParser:
    """One command: its line in the parent's list, its own description, one example (kept on
    one line, as it is typed: hence the raw formatter, and the description wrapped here)."""
    parser = sub.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 78),
        epilog=f"Ví dụ:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if handler is not None:
        parser.set_defaults(func=handler)
    return parser


def _group(sub, name: str, summary: str, description: str) -> Sub:
    parser = sub.add_parser(name, help=summary, description=description)
    return parser.add_subparsers(dest="action", required=True, title="các việc", metavar="VIỆC")


def _sync_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--share",
        metavar="THƯ-MỤC",
        help="thư mục chung nơi các đơn vị gửi báo cáo (mặc định: biến THIDUA_SHARE, nếu không có thì ./thu-muc-chung)",
    )
    q.add_argument(
        "--google",
        metavar="MÃ-BẢNG-TÍNH",
        help="dùng bảng tính Google Sheets chung có mã này thay cho thư mục chung (hoặc biến THIDUA_GOOGLE_SHEET)",
    )
    q.add_argument(
        "--credentials",
        metavar="TỆP-KHÓA",
        help="tệp khóa Google do quản trị cấp (hoặc biến THIDUA_GOOGLE_CREDENTIALS); không để tệp này trong sổ",
    )
    q.add_argument(
        "--account",
        metavar="E-MAIL",
        help="với thư mục chung: e-mail của bạn, ghi vào nhật ký và dùng khi duyệt (hoặc biến THIDUA_ACCOUNT)",
    )


def _json_option(q: argparse.ArgumentParser) -> None:
    q.add_argument("--json", action="store_true", help="in kết quả dạng dữ liệu cho phần mềm khác đọc, không in bảng")


def _campaign_command(sub, h: Handlers) -> None:
    acts = _group(sub, "campaign", "định nghĩa chiến dịch", "Xem lại và chia sẻ định nghĩa chiến dịch thi đua.")
    _leaf(
        acts,
        "check",
        "kiểm tra định nghĩa chiến dịch",
        "Đọc định nghĩa chiến dịch (--campaign), báo chỗ sai nếu có, và đếm chỉ tiêu, nhóm nhiệm vụ, đơn vị.",
        "thidua --campaign chien-dich.xlsx campaign check",
        h["campaign"],
    )
    w = _leaf(
        acts,
        "workbook",
        "ghi định nghĩa ra sổ Excel để sửa",
        "Ghi định nghĩa chiến dịch (tệp .toml) ra một sổ Excel, để phòng Văn hóa - Xã hội sửa chỉ tiêu, đơn vị "
        "rồi dùng lại bằng --campaign.",
        "thidua campaign workbook chien-dich-2027.xlsx",
        h["campaign"],
    )
    w.add_argument(
        "dest", nargs="?", default="chien-dich.xlsx", metavar="TỆP", help="nơi ghi sổ định nghĩa (mặc định %(default)s)"
    )


def _workbook_command(sub, h: Handlers) -> None:
    acts = _group(
        sub, "workbook", "sổ báo cáo của đơn vị", "Tạo sổ báo cáo cho đơn vị, hoặc chuyển sổ cũ sang mẫu mới."
    )
    new = _leaf(
        acts,
        "new",
        "tạo sổ báo cáo cho đơn vị",
        "Tạo sổ báo cáo trống cho một, vài hoặc tất cả đơn vị, để gửi cho đơn vị điền.",
        "thidua workbook new --unit T01 --unit KT --out so-bao-cao",
        h["workbook"],
    )
    new.add_argument(
        "--unit",
        action="append",
        type=unit_option,
        metavar="MÃ-ĐƠN-VỊ",
        help="mã đơn vị, chữ hoa hay thường đều được; ghi lại --unit cho mỗi đơn vị",
    )
    new.add_argument("--all", action="store_true", help="tạo cho tất cả đơn vị của chiến dịch")
    new.add_argument("--out", default="so-bao-cao", metavar="THƯ-MỤC", help="thư mục ghi sổ (mặc định %(default)s)")
    up = _leaf(
        acts,
        "upgrade",
        "chuyển sổ sang mẫu mới, giữ số liệu",
        "Chuyển sổ báo cáo đã điền sang mẫu mới của chiến dịch, giữ nguyên mọi số liệu; bản cũ được cất vào "
        "thư mục .thidua-sao-luu bên cạnh.",
        "thidua workbook upgrade so-bao-cao/vinh-bao-2026_T01.xlsx",
        h["workbook"],
    )
    up.add_argument("files", nargs="+", metavar="TỆP", help="sổ báo cáo cần chuyển (một hoặc nhiều tệp)")


def _check_commands(sub, h: Handlers) -> None:
    for name, summary, description in (
        (
            "validate",
            "kiểm tra sổ báo cáo",
            "Kiểm tra sổ báo cáo như nút Kiểm tra: ghi lỗi, cảnh báo vào cột Kiểm tra của sổ và in ra màn hình.",
        ),
        (
            "progress",
            "tính tiến độ chỉ tiêu",
            "Như validate, và tính thêm kết quả, % kế hoạch, đánh giá, tiến độ của từng chỉ tiêu (nút Tính tiến độ).",
        ),
    ):
        v = _leaf(sub, name, summary, description, f"thidua {name} so-bao-cao/vinh-bao-2026_T01.xlsx", h[name])
        v.add_argument("files", nargs="+", metavar="TỆP", help="sổ báo cáo cần kiểm tra (một hoặc nhiều tệp)")
        _json_option(v)
        v.add_argument("--no-write", action="store_true", help="chỉ in ra màn hình, không ghi kết quả vào sổ")


def _sheet_command(sub, h: Handlers) -> None:
    acts = _group(
        sub, "sheet", "chuẩn bị nơi gửi báo cáo chung (quản trị)", "Chuẩn bị và tự kiểm tra nơi các đơn vị gửi báo cáo."
    )
    setup = _leaf(
        acts,
        "setup",
        "chuẩn bị thư mục chung hoặc bảng tính Google",
        "Tạo chỗ gửi cho từng đơn vị trong thư mục chung hoặc bảng tính Google Sheets chung; trên Google còn khóa "
        "trang của mỗi đơn vị cho riêng đơn vị đó và chia sẻ cho đúng người. Chạy lại bao nhiêu lần cũng được.",
        "thidua sheet setup --share 'Z:\\thi-dua'",
        h["sheet"],
    )
    setup.add_argument(
        "--create", metavar="TÊN", help="tạo bảng tính Google Sheets mới có tên này (nếu chưa có) rồi chuẩn bị"
    )
    _sync_options(setup)
    _sheet_emulator(acts, h)
    _sheet_doctor(acts, h)


def _sheet_emulator(acts, h: Handlers) -> None:
    emu = _leaf(
        acts,
        "emulator",
        "chạy bản thử của Google Sheets trên máy này",
        "Chạy trên máy này một bản thử của Google Sheets (không cần mạng, không cần tài khoản Google), để tập "
        "dùng và kiểm thử phần mềm. Dừng bằng Ctrl+C.",
        "thidua sheet emulator --port 8765",
        h["sheet"],
    )
    emu.add_argument(
        "--port", type=port_option, default=8765, metavar="SỐ-CỔNG", help="cổng mạng (mặc định %(default)s)"
    )
    emu.add_argument(
        "--fault",
        action="append",
        metavar="ĐỊA-CHỈ=LOẠI-LỖI",
        help="gây lỗi giả cho các yêu cầu có địa chỉ chứa ĐỊA-CHỈ, để thử phần mềm khi mạng hỏng; "
        "ví dụ 'values=503x2' (hai lần lỗi 503); ghi lại --fault cho mỗi lỗi",
    )


def _sheet_doctor(acts, h: Handlers) -> None:
    doc = _leaf(
        acts,
        "doctor",
        "tự kiểm tra với Google thật",
        "Tự kiểm tra với Google Sheets thật trên một bảng tính nháp (tạo rồi xóa): quyền, khóa trang, giờ của "
        "Google so với máy này.",
        "thidua sheet doctor --credentials khoa-google.json",
        h["sheet"],
    )
    doc.add_argument(
        "--second", metavar="TỆP-KHÓA", help="tệp khóa của một tài khoản thứ hai, để thử rằng trang bị khóa thật"
    )
    doc.add_argument(
        "--quota",
        action="store_true",
        help="thử cả khi Google giới hạn số lần truy cập mỗi phút (mất khoảng một phút truy cập của tài khoản)",
    )
    _sync_options(doc)


def _review_command(sub, h: Handlers) -> None:
    acts = _group(
        sub,
        "review",
        "duyệt, trả lại, mở lại báo cáo (phòng Văn hóa - Xã hội)",
        "Duyệt báo cáo các đơn vị đã gửi: xem danh sách, trả lại kèm lý do, duyệt, mở lại.",
    )
    listing = _leaf(
        acts,
        "list",
        "xem trạng thái duyệt của mọi đơn vị",
        "In bảng: đơn vị, trạng thái, lần gửi, việc duyệt gần nhất và lý do.",
        "thidua review list --share 'Z:\\thi-dua'",
        h["review"],
    )
    _json_option(listing)
    _sync_options(listing)
    for name, summary, description, example in (
        (
            "return",
            "trả lại báo cáo kèm lý do",
            (
                "Trả lại báo cáo cho đơn vị sửa. Mỗi --reason là một lý do; --target hoặc --cell ghi ngay sau một "
                "--reason gắn lý do đó vào một chỉ tiêu hay một ô, để đơn vị thấy ngay ở dòng cần sửa."
            ),
            'thidua review return T01 --reason "Thiếu minh chứng" --target CT07 --account vhxh@vinhbao.haiphong.gov.vn',
        ),
        (
            "accept",
            "duyệt báo cáo",
            "Duyệt báo cáo: sau đó đơn vị không gửi đè được nữa, trừ khi báo cáo được mở lại.",
            "thidua review accept T01 T02 --account vhxh@vinhbao.haiphong.gov.vn",
        ),
        (
            "reopen",
            "mở lại báo cáo đã duyệt",
            "Mở lại báo cáo đã duyệt để đơn vị sửa và gửi lại; cần ghi lý do.",
            'thidua review reopen T01 --reason "Sửa số hộ nghèo" --account vhxh@vinhbao.haiphong.gov.vn',
        ),
    ):
        act = _leaf(acts, name, summary, description, example, h["review"])
        act.add_argument(
            "units", nargs="+", type=unit_option, metavar="MÃ-ĐƠN-VỊ", help="mã các đơn vị, hoa hay thường"
        )
        if name != "accept":
            _reason_options(act)
        _sync_options(act)


class _AskAction(argparse.Action):
    """--reason starts a reason; a --target or --cell after it attaches that reason there."""

    def __call__(self, parser, namespace, value, option_string=None):
        asks = list(getattr(namespace, "asks", None) or [])
        if option_string == "--reason":
            asks.append({"text": value})
        elif not asks or ("target" in asks[-1] or "cell" in asks[-1]):
            parser.error(f"{option_string} cần ghi ngay sau một --reason")
        else:
            asks[-1][option_string.lstrip("-")] = value
        namespace.asks = asks


def _reason_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--reason",
        action=_AskAction,
        dest="asks",
        metavar="LÝ-DO",
        help="lý do, trong ngoặc kép; ghi lại cho mỗi lý do",
    )
    q.add_argument(
        "--target",
        action=_AskAction,
        dest="asks",
        metavar="MÃ-CHỈ-TIÊU",
        help="gắn lý do vừa ghi vào chỉ tiêu, ví dụ CT07",
    )
    q.add_argument(
        "--cell", action=_AskAction, dest="asks", metavar="Ô", help="gắn lý do vừa ghi vào ô, ví dụ 'Báo cáo!I6'"
    )


def _log_command(sub, h: Handlers) -> None:
    lg = _leaf(
        sub,
        "log",
        "nhật ký: gửi, trả lại, duyệt, mở lại",
        "In nhật ký của thư mục chung hoặc bảng tính chung: ai gửi, trả lại, duyệt, mở lại báo cáo nào, lúc nào.",
        "thidua log --unit T01 --share 'Z:\\thi-dua'",
        h["log"],
    )
    lg.add_argument("--unit", type=unit_option, metavar="MÃ-ĐƠN-VỊ", help="chỉ in về một đơn vị (hoa hay thường)")
    _json_option(lg)
    _sync_options(lg)


def _push_pull_commands(sub, h: Handlers) -> None:
    pu = _leaf(
        sub,
        "push",
        "gửi báo cáo",
        "Gửi báo cáo như nút Gửi báo cáo: kiểm tra, rồi ghi vào chỗ của đơn vị trong thư mục chung hoặc bảng tính chung.",
        "thidua push vinh-bao-2026_KT.xlsx --share 'Z:\\thi-dua' --account kinhte@vinhbao.haiphong.gov.vn",
        h["push"],
    )
    pu.add_argument("files", nargs="+", metavar="TỆP", help="sổ báo cáo cần gửi (một hoặc nhiều tệp)")
    _sync_options(pu)
    pl = _leaf(
        sub,
        "pull",
        "lấy về bản đã gửi",
        "Lấy về sổ bản đơn vị đã gửi lần gần nhất, cùng ý kiến trả lại nếu có (nút Lấy về).",
        "thidua pull vinh-bao-2026_T01.xlsx --share 'Z:\\thi-dua'",
        h["pull"],
    )
    pl.add_argument("file", metavar="TỆP", help="sổ báo cáo của đơn vị, nơi ghi bản lấy về")
    pl.add_argument(
        "--force", action="store_true", help="ghi đè cả số liệu chưa gửi trong sổ (bản cũ được cất vào .thidua-sao-luu)"
    )
    _sync_options(pl)


def _collect_options(q: argparse.ArgumentParser) -> None:
    _sync_options(q)
    q.add_argument(
        "--from-folder",
        metavar="THƯ-MỤC",
        help="đọc các sổ báo cáo trong thư mục này (nhận qua thư điện tử, Zalo) thay cho thư mục chung",
    )
    q.add_argument(
        "--as-of",
        type=date_option,
        metavar="NGÀY",
        help=f"ngày tính đơn vị nào nộp đúng hạn, trễ hạn, chưa nộp ({date_example()}); mặc định hôm nay",
    )


def _consolidate_export_commands(sub, h: Handlers) -> None:
    co = _leaf(
        sub,
        "consolidate",
        "tổng hợp báo cáo các đơn vị",
        "Tổng hợp như nút Tổng hợp: đọc bản gửi của mọi đơn vị, ghi sổ tổng hợp và in tình hình nộp, chỉ tiêu, duyệt.",
        "thidua consolidate --share 'Z:\\thi-dua' --as-of 10/12/2026",
        h["consolidate"],
    )
    _collect_options(co)
    co.add_argument("--out", default=DEFAULT_MASTER, metavar="TỆP", help="nơi ghi sổ tổng hợp (mặc định %(default)s)")
    co.add_argument(
        "--csv", metavar="TỆP", help="ghi thêm dữ liệu chi tiết ra tệp CSV (dấu ; giữa các cột, dấu phẩy thập phân)"
    )
    ex = _leaf(
        sub,
        "export",
        "xuất báo cáo gửi thành phố",
        "Xuất báo cáo gửi thành phố: văn bản Word (.docx) theo thể thức Nghị định 30, kèm số liệu (.xlsx) và, nếu "
        "muốn, bản PDF. Lời văn lấy từ sheet 'Nội dung báo cáo' của sổ tổng hợp.",
        "thidua export --share 'Z:\\thi-dua' --date 15/12/2026 --pdf",
        h["export"],
    )
    _collect_options(ex)
    ex.add_argument(
        "--out",
        default=DEFAULT_EXPORT,
        metavar="TỆP",
        help="tên tệp báo cáo; .docx, .xlsx, .pdf ghi cạnh nhau (mặc định %(default)s)",
    )
    ex.add_argument("--pdf", action="store_true", help="tạo thêm bản PDF (cần LibreOffice)")
    ex.add_argument(
        "--date", type=date_option, metavar="NGÀY", help=f"ngày ghi trên báo cáo ({date_example()}); mặc định hôm nay"
    )
    ex.add_argument(
        "--du-thao",
        action="store_true",
        help="xuất bản dự thảo: ghi DỰ THẢO ở đầu, giữ nguyên các chỗ còn phải viết để xem trước",
    )
    ex.add_argument(
        "--master",
        metavar="TỆP",
        help=f"sổ tổng hợp có sheet 'Nội dung báo cáo' đã sửa (mặc định {DEFAULT_MASTER} nếu có)",
    )


def _addin_command(sub, h: Handlers) -> None:
    acts = _group(
        sub, "addin", "tạo và cài add-in Excel", "Tạo add-in Excel thidua.xlam, và cài vào Excel trên máy này."
    )
    for name, summary, description, example in (
        ("build", "tạo tệp add-in", "Tạo tệp add-in thidua.xlam để chép sang máy khác.", "thidua addin build"),
        (
            "install",
            "tạo và cài add-in vào Excel",
            "Tạo add-in, chép vào thư mục add-in của Excel trên máy này (Windows) và chỉ cho add-in dùng Python này.",
            "thidua addin install",
        ),
    ):
        ad = _leaf(acts, name, summary, description, example, h["addin"])
        ad.add_argument(
            "--out", default="dist/thidua.xlam", metavar="TỆP", help="nơi ghi tệp add-in (mặc định %(default)s)"
        )


def _demo_command(sub, h: Handlers) -> None:
    d = _leaf(
        sub,
        "demo",
        "chạy thử cả quy trình với số liệu mẫu",
        "Chạy thử cả quy trình trên số liệu mẫu: tạo sổ cho mọi đơn vị, điền, gửi, tổng hợp, xuất báo cáo.",
        "thidua demo --out thu-nghiem",
        h["demo"],
    )
    d.add_argument("--out", default="thidua-demo", metavar="THƯ-MỤC", help="thư mục ghi kết quả (mặc định %(default)s)")
    d.add_argument("--no-pdf", action="store_true", help="không tạo bản PDF (nhanh hơn, không cần LibreOffice)")


def _release_command(sub, h: Handlers) -> None:
    r = _leaf(
        sub,
        "release",
        "tạo gói cài đặt .zip cho máy Windows (người bảo trì)",
        "Tạo thidua-PHIÊN_BẢN-windows-x64.zip: Python nhúng đã kiểm tra chữ ký, các gói phụ thuộc, add-in "
        "thidua.xlam, cai-dat.cmd, go-cai-dat.cmd và HUONG-DAN.txt. Lần đầu cần mạng để tải từ PyPI.",
        "thidua release --out dist",
        h["release"],
    )
    r.add_argument("--out", default="dist", metavar="THƯ-MỤC", help="thư mục ghi tệp .zip (mặc định %(default)s)")
    r.add_argument("--cache", metavar="THƯ-MỤC", help="thư mục giữ các tệp đã tải (mặc định ~/.cache/thidua-release)")


BUILDERS = (
    _campaign_command,
    _workbook_command,
    _check_commands,
    _sheet_command,
    _review_command,
    _log_command,
    _push_pull_commands,
    _consolidate_export_commands,
    _addin_command,
    _demo_command,
    _release_command,
)


def build_parser(handlers: Handlers) -> argparse.ArgumentParser:
    """The whole command line; `handlers` maps a command's name to the function that runs it."""
    p = argparse.ArgumentParser(
        prog="thidua",
        description="Báo cáo phong trào thi đua: kiểm tra, tính tiến độ, gửi, tổng hợp, xuất báo cáo.",
        epilog=ENGLISH_NAMES,
    )
    p.add_argument(
        "--campaign",
        metavar="TỆP",
        help="tệp định nghĩa chiến dịch (.toml hoặc .xlsx; hoặc biến THIDUA_CAMPAIGN); "
        "mặc định: kế hoạch 2026 xã Vĩnh Bảo",
    )
    sub = p.add_subparsers(dest="command", required=True, title="các lệnh", metavar="LỆNH")
    for build in BUILDERS:
        build(sub, handlers)
    return p
