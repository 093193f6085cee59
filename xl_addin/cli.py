"""`thidua`: everything the ribbon buttons do, headless.

Exit codes: 0 clean, 1 the reports have errors (or a sync was refused), 2 an input could not
be used at all. Messages are Vietnamese; a bug is reported in one line with the log file that
holds the details, never as a traceback on screen.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from campaign.refusals import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE

DEFAULT_MASTER = "tong-hop.xlsx"  # where `consolidate` writes, and `export` looks for the words


def _campaign(args: argparse.Namespace):
    from workbooks.campaign_workbook import load_campaign

    return load_campaign(args.campaign or os.environ.get("THIDUA_CAMPAIGN") or None)


def _progress(i: int, n: int, label: str) -> None:
    if n > 1 and sys.stderr.isatty():
        done = int(30 * i / n)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {i}/{n} {label[:40]:<40}")
        if i == n:
            sys.stderr.write("\n")
        sys.stderr.flush()


def cmd_campaign(args: argparse.Namespace) -> int:
    from campaign.definition_files import toml_text
    from workbooks.campaign_workbook import write_campaign_workbook

    campaign = _campaign(args)
    if args.action == "check":
        print(
            f"Chiến dịch {campaign.id} (phiên bản {campaign.version}): {len(campaign.targets)} chỉ tiêu, "
            f"{len(campaign.task_groups)} nhóm nhiệm vụ, {len(campaign.units)} đơn vị trong {len(campaign.clusters)} cụm, khối. Hợp lệ."
        )
        return EXIT_OK
    source = args.campaign or os.environ.get("THIDUA_CAMPAIGN") or None
    if source is not None and Path(source).suffix.lower() != ".toml":
        print("Chỉ tạo được sổ định nghĩa từ tệp .toml.", file=sys.stderr)
        return EXIT_UNUSABLE
    text, _ = toml_text(source)
    write_campaign_workbook(text, Path(args.dest))
    print(f"Đã ghi sổ định nghĩa chiến dịch: {args.dest}")
    return EXIT_OK


def cmd_workbook(args: argparse.Namespace) -> int:
    from workbooks.unit_files import new_workbooks, upgrade_file

    campaign = _campaign(args)
    if args.action == "new":
        if not args.all and not args.unit:
            print("Chọn --unit MÃ (có thể lặp lại) hoặc --all.", file=sys.stderr)
            return EXIT_UNUSABLE
        paths = new_workbooks(campaign, None if args.all else args.unit, Path(args.out))
        for p in paths:
            print(p)
        print(f"Đã tạo {len(paths)} sổ báo cáo trong {args.out}")
        return EXIT_OK
    for f in args.files:
        dest = upgrade_file(campaign, Path(f))
        print(f"Đã nâng cấp {dest} lên mẫu mới, giữ nguyên số liệu (bản cũ trong thư mục .thidua-sao-luu).")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, progress: bool) -> int:
    from workbooks.unit_files import check_file
    from xl_addin.render import assessment_json, assessment_text, dumps

    campaign = _campaign(args)
    files = [Path(f) for f in args.files]
    code = EXIT_OK
    results = []
    for i, path in enumerate(files, 1):
        _progress(i - 1, len(files), path.name)
        checked = check_file(campaign, path, write=None if args.no_write else ("progress" if progress else "check"))
        if checked.refusal and checked.assessment is None:
            code = EXIT_UNUSABLE
            results.append({"source": path.name, "refused": checked.refusal})
            if not args.json:
                print(f"== {path.name}: KHÔNG DÙNG ĐƯỢC\n   {checked.refusal}")
            continue
        a = checked.assessment
        if checked.refusal:
            code = EXIT_UNUSABLE
            print(checked.refusal, file=sys.stderr)
        if a.errors and code == EXIT_OK:
            code = EXIT_FINDINGS
        results.append(assessment_json(a))
        if not args.json:
            print(assessment_text(a, progress))
    _progress(len(files), len(files), "")
    if args.json:
        print(dumps(results))
    return code


def _backend(args: argparse.Namespace, campaign, acting_unit: str | None = None, admin: bool = False):
    from sync.configure import make_backend

    return make_backend(
        campaign,
        share=args.share,
        google=args.google,
        credentials=args.credentials,
        acting_unit=acting_unit,
        admin=admin,
        account=getattr(args, "account", None),
    )


def cmd_sheet(args: argparse.Namespace) -> int:
    if args.action == "emulator":
        from sync.emulator.server import serve

        try:
            serve(args.port, args.fault or [])
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return EXIT_UNUSABLE
        return EXIT_OK
    campaign = _campaign(args)
    if args.action == "doctor":
        from sync.google_doctor import run_doctor

        credentials = args.credentials or os.environ.get("THIDUA_GOOGLE_CREDENTIALS")
        return run_doctor(campaign, credentials, key=args.google, second=args.second, quota=args.quota)
    if args.create:
        from sync.google_client import client_from_credentials
        from sync.google_setup import capacity_line
        from sync.gsheets import GoogleBackend

        client, account = client_from_credentials(
            args.credentials or os.environ.get("THIDUA_GOOGLE_CREDENTIALS"), admin=True
        )
        backend, created = GoogleBackend.find_or_create(client, args.create, campaign, account)
        made = backend.setup([u.code for u in campaign.units])
        print(f"Đã chuẩn bị {backend.name}: " + (", ".join(made) if made else "không có gì cần tạo thêm."))
        print(capacity_line(len(campaign.units)))
        print(
            ("Đã tạo" if created else "Đã có sẵn (không tạo thêm)")
            + f" bảng tính chung của đợt {campaign.id}; mã bảng tính (dùng với --google hoặc THIDUA_GOOGLE_SHEET):"
        )
        print(backend.sid)  # alone on the last line, for scripts
        return EXIT_OK
    backend = _backend(args, campaign, admin=True)
    made = backend.setup([u.code for u in campaign.units])
    print(f"Đã chuẩn bị {backend.name}: " + (", ".join(made) if made else "không có gì cần tạo thêm."))
    if backend.name == "Google Sheets":
        from sync.google_setup import capacity_line

        print(capacity_line(len(campaign.units)))
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from campaign.refusals import SyncError
    from sync.unit_sync import push_file
    from workbooks.unit_files import read_report

    campaign = _campaign(args)
    code = EXIT_OK
    for f in args.files:
        unit = read_report(Path(f)).unit_code
        backend = _backend(args, campaign, acting_unit=unit)
        try:
            print(push_file(campaign, Path(f), backend).said(backend.name))
        except SyncError as exc:
            print(f"{Path(f).name}: {exc}", file=sys.stderr)
            code = EXIT_FINDINGS
    return code


def cmd_pull(args: argparse.Namespace) -> int:
    from campaign.refusals import SyncError
    from sync.unit_sync import pull_file
    from workbooks.unit_files import read_report

    campaign = _campaign(args)
    unit = read_report(Path(args.file)).unit_code
    try:
        tab = pull_file(campaign, Path(args.file), _backend(args, campaign, acting_unit=unit), force=args.force)
    except SyncError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FINDINGS
    print(f"Đã lấy về bản gửi lần {tab.revision} của {tab.unit_code} vào {args.file}.")
    return EXIT_OK


class _AskAction(argparse.Action):
    """--reason starts a reason; a --target or --cell after it attaches that reason there."""

    def __call__(self, parser, namespace, value, option_string=None):
        asks = list(getattr(namespace, "asks", None) or [])
        if option_string == "--reason":
            asks.append({"text": value})
        elif not asks or ("target" in asks[-1] or "cell" in asks[-1]):
            parser.error(f"{option_string} cần đi sau một --reason")
        else:
            asks[-1][option_string.lstrip("-")] = value
        namespace.asks = asks


def cmd_review(args: argparse.Namespace) -> int:
    from sync.review_flow import ACCEPT, REOPEN, RETURN, Ask, act, statuses
    from xl_addin.render import dumps

    campaign = _campaign(args)
    backend = _backend(args, campaign)
    if args.action == "list":
        rows = statuses(campaign, backend)
        if args.json:
            print(
                dumps(
                    [
                        {
                            "don_vi": s.unit_code,
                            "trang_thai": s.state,
                            "lan_gui": s.revision,
                            "luc_gui": s.pushed_at,
                            "duyet_luc": s.review.at if s.review else "",
                            "nguoi": s.review.by if s.review else "",
                            "ly_do": [r.text for r in s.review.reasons] if s.review else [],
                        }
                        for s in rows
                    ]
                )
            )
            return EXIT_OK
        for s in rows:
            unit = campaign.unit(s.unit_code)
            last = f"{s.review.at} {s.review.by}" if s.review and s.review.seq else ""
            reasons = (
                "; ".join(f"{r.where}: {r.text}" if r.where else r.text for r in s.review.reasons) if s.review else ""
            )
            sent = f"lần {s.revision}, {s.pushed_at}" if s.revision else ""
            print(f"{s.unit_code:8} {unit.name[:28]:28} {s.state:20} {sent:28} {last:40} {reasons}".rstrip())
        return EXIT_OK
    action = {"return": RETURN, "accept": ACCEPT, "reopen": REOPEN}[args.action]
    asks = [Ask(a["text"], a.get("target"), a.get("cell")) for a in (args.asks or [])]
    for unit in args.units:
        new = act(campaign, backend, unit, action, asks)
        print(f"{unit}: {new.state} (lúc {new.at}, {new.by}).")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    from sync.review_flow import trail
    from xl_addin.render import dumps

    campaign = _campaign(args)
    records = trail(_backend(args, campaign), args.unit)
    if args.json:
        print(dumps(records))
        return EXIT_OK
    for r in records:
        change = f" {r['từ']} → {r['sang']}" if r["từ"] else ""
        reason = f" — {r['lý do']}" if r["lý do"] else ""
        machine = f" [{r['máy']}]" if r["máy"] else ""
        print(
            f"{r['lúc']}  {r['đơn vị']:8} {r['việc']:8} lần {r['lần gửi']:>3}  {r['tài khoản']}{machine}{change}{reason}"
        )
    if not records:
        print("Nhật ký chưa có gì" + (f" về {args.unit}." if args.unit else "."))
    return EXIT_OK


def _consolidation(args: argparse.Namespace):
    import datetime as dt

    from campaign.consolidation import consolidate
    from sync.collect import from_backend, from_folder

    campaign = _campaign(args)
    unreadable: list[str] = []
    if args.from_folder:
        subs, unreadable = from_folder(campaign, Path(args.from_folder))
    else:
        subs = from_backend(campaign, _backend(args, campaign))
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    c = consolidate(campaign, subs, as_of=as_of)
    c.issues[:0] = unreadable  # what the inbox held, first (sync/collect.py writes it whole)
    return c


def cmd_consolidate(args: argparse.Namespace) -> int:
    from campaign.consolidation import completeness_summary, review_summary, status_summary
    from workbooks.consolidated import write_master

    c = _consolidation(args)
    dest = write_master(c, Path(args.out))
    print(f"Đã ghi bảng tổng hợp: {dest}")
    if args.csv:
        from workbooks.data_sheet import write_csv

        print(f"Đã ghi dữ liệu chi tiết (CSV): {write_csv(c, Path(args.csv))}")
    print("Nộp báo cáo: " + ", ".join(f"{k} {v}" for k, v in completeness_summary(c).items()))
    print("Chỉ tiêu: " + ", ".join(f"{k} {v}" for k, v in status_summary(c).items()))
    if review_summary(c):
        print("Duyệt: " + ", ".join(f"{k} {v}" for k, v in review_summary(c).items()))
    for issue in c.issues:
        print(f"  - {issue}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    import datetime as dt

    from campaign.refusals import WorkbookRefused
    from campaign.report_text import draft_sections, from_rows, gaps
    from workbooks.consolidated import read_narrative, write_export
    from workbooks.render_pdf import to_pdf
    from workbooks.report_document import write_document

    # the document for the city, with the words as the consolidator edited them in Tổng hợp:
    # a master named and missing is a mistake; none named, tong-hop.xlsx if it is here
    master = Path(args.master or DEFAULT_MASTER)
    if args.master and not master.exists():
        raise WorkbookRefused("tep.khong_tim_thay", path=master)
    c = _consolidation(args)
    when = dt.date.fromisoformat(args.date) if args.date else None
    out = Path(args.out)
    rows = read_narrative(master) if master.exists() else None
    if rows is None:
        print(f"Chưa có sheet 'Nội dung báo cáo' ({master} chưa có): dùng bản nháp soạn từ số liệu.", file=sys.stderr)
    sections = from_rows(rows) if rows else draft_sections(c)
    document = write_document(c, sections, out.with_suffix(".docx"), when=when)
    print(f"Đã ghi báo cáo gửi thành phố: {document}")
    left = gaps(sections)
    if left:
        print(
            f"Còn {len(left)} chỗ cần phòng Văn hóa - Xã hội viết (sheet 'Nội dung báo cáo' của {master}):",
            file=sys.stderr,
        )
        for g in left:
            print(f"  - {g}", file=sys.stderr)
    data = write_export(c, out.with_suffix(".xlsx"), when=when)
    print(f"Số liệu kèm theo (Excel): {data}")
    if args.pdf:
        pdf = to_pdf(document, out.parent)
        print(f"Bản PDF: {pdf}" if pdf else "Không tạo được PDF: cần cài LibreOffice.")
    return EXIT_OK


def cmd_addin(args: argparse.Namespace) -> int:
    from macros.addin_build import build_addin, install_addin

    dest = build_addin(Path(args.out))
    print(f"Đã tạo add-in: {dest}")
    if args.action == "install":
        appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        target, conf = install_addin(dest, sys.executable, appdata, Path.home())
        print(f"Đã chép vào {target} và ghi cấu hình Python vào {conf}.")
        print("Trong Excel: Tệp > Tùy chọn > Phần bổ trợ > Phần bổ trợ Excel > Đi tới… > chọn 'thidua'.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from xl_addin.demo import run_demo

    run_demo(_campaign(args), Path(args.out), pdf=not args.no_pdf)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="thidua", description="Báo cáo phong trào thi đua: kiểm tra, tính tiến độ, đồng bộ, tổng hợp."
    )
    p.add_argument(
        "--campaign", help="tệp định nghĩa chiến dịch (.toml hoặc .xlsx); mặc định: kế hoạch 2026 xã Vĩnh Bảo"
    )
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("campaign", help="định nghĩa chiến dịch")
    c.add_argument("action", choices=["check", "workbook"])
    c.add_argument("dest", nargs="?", default="chien-dich.xlsx", help="với 'workbook': nơi ghi sổ định nghĩa")
    c.set_defaults(func=cmd_campaign)

    w = sub.add_parser("workbook", help="sổ báo cáo của đơn vị")
    wsub = w.add_subparsers(dest="action", required=True)
    new = wsub.add_parser("new", help="tạo sổ báo cáo cho đơn vị")
    new.add_argument("--unit", action="append", help="mã đơn vị (lặp lại cho nhiều đơn vị)")
    new.add_argument("--all", action="store_true", help="tất cả đơn vị")
    new.add_argument("--out", default="so-bao-cao", help="thư mục ghi sổ")
    up = wsub.add_parser("upgrade", help="chuyển sổ sang mẫu mới, giữ số liệu")
    up.add_argument("files", nargs="+")
    w.set_defaults(func=cmd_workbook)

    for name, progress, text in (("validate", False, "Kiểm tra"), ("progress", True, "Tính tiến độ")):
        v = sub.add_parser(name, help=text)
        v.add_argument("files", nargs="+")
        v.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        v.add_argument("--no-write", action="store_true", help="không ghi kết quả vào sổ")
        v.set_defaults(func=lambda a, progress=progress: cmd_check(a, progress))

    def sync_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--share", help="thư mục chung (mặc định: ./thu-muc-chung hoặc biến THIDUA_SHARE)")
        q.add_argument("--google", help="mã bảng tính Google Sheets dùng chung (thay cho thư mục chung)")
        q.add_argument("--credentials", help="tệp khóa tài khoản dịch vụ Google (không lưu trong sổ)")
        q.add_argument(
            "--account", help="thư mục chung: e-mail của bạn (hoặc biến THIDUA_ACCOUNT), để ghi nhật ký và duyệt"
        )

    sh = sub.add_parser("sheet", help="chuẩn bị nơi gửi báo cáo chung (quản trị)")
    sh.add_argument(
        "action",
        choices=["setup", "emulator", "doctor"],
        help="setup: tạo tab, bảo vệ, chia sẻ; emulator: chạy máy giả lập Google Sheets trên máy này; "
        "doctor: tự kiểm tra với Google thật trên một bảng tính nháp",
    )
    sh.add_argument("--create", metavar="TÊN", help="tạo bảng tính Google Sheets mới với tên này rồi chuẩn bị")
    sh.add_argument("--port", type=int, default=8765, help="cổng của máy giả lập (mặc định 8765)")
    sh.add_argument("--second", metavar="KHÓA", help="doctor: khóa của tài khoản thứ hai (kiểm tra vùng bảo vệ)")
    sh.add_argument("--quota", action="store_true", help="doctor: kiểm tra cả lỗi quá hạn mức (tốn hạn mức một phút)")
    sh.add_argument(
        "--fault",
        action="append",
        metavar="KHỚP=KIỂU",
        help="máy giả lập: gây lỗi cho yêu cầu khớp, ví dụ ':batchUpdate=drop_after' hoặc 'values=503x2'",
    )
    sync_options(sh)
    sh.set_defaults(func=cmd_sheet)

    rv = sub.add_parser("review", help="Duyệt, trả lại, mở lại báo cáo của đơn vị (phòng Văn hóa - Xã hội)")
    rv.add_argument("action", choices=["list", "return", "accept", "reopen"])
    rv.add_argument("units", nargs="*", metavar="ĐƠN_VỊ")
    rv.add_argument("--reason", action=_AskAction, dest="asks", help="lý do (trả lại, mở lại); lặp lại được")
    rv.add_argument("--target", action=_AskAction, dest="asks", help="gắn lý do vừa ghi vào chỉ tiêu, ví dụ CT07")
    rv.add_argument("--cell", action=_AskAction, dest="asks", help="gắn lý do vừa ghi vào ô, ví dụ 'Báo cáo!I6'")
    rv.add_argument("--json", action="store_true")
    sync_options(rv)
    rv.set_defaults(func=cmd_review)

    lg = sub.add_parser("log", help="nhật ký: gửi, trả lại, duyệt, mở lại")
    lg.add_argument("--unit", help="chỉ một đơn vị")
    lg.add_argument("--json", action="store_true")
    sync_options(lg)
    lg.set_defaults(func=cmd_log)

    pu = sub.add_parser("push", help="Gửi báo cáo")
    pu.add_argument("files", nargs="+")
    sync_options(pu)
    pu.set_defaults(func=cmd_push)

    pl = sub.add_parser("pull", help="Lấy về bản đã gửi của đơn vị")
    pl.add_argument("file")
    pl.add_argument("--force", action="store_true", help="ghi đè số liệu chưa gửi (có sao lưu)")
    sync_options(pl)
    pl.set_defaults(func=cmd_pull)

    for name, func, out, text in (
        ("consolidate", cmd_consolidate, DEFAULT_MASTER, "Tổng hợp"),
        ("export", cmd_export, "bao-cao-gui-thanh-pho.xlsx", "Xuất báo cáo"),
    ):
        q = sub.add_parser(name, help=text)
        sync_options(q)
        q.add_argument("--from-folder", help="thư mục chứa các sổ báo cáo nhận qua thư điện tử")
        q.add_argument("--as-of", help="ngày tính tình trạng nộp (yyyy-mm-dd), mặc định hôm nay")
        q.add_argument("--out", default=out)
        q.set_defaults(func=func)
        if name == "consolidate":
            q.add_argument(
                "--csv", metavar="TỆP", help="ghi thêm dữ liệu chi tiết ra tệp CSV (dấu ; giữa cột, dấu phẩy thập phân)"
            )
        if name == "export":
            q.add_argument("--pdf", action="store_true", help="tạo thêm bản PDF qua LibreOffice")
            q.add_argument("--date", help="ngày ký báo cáo (yyyy-mm-dd)")
            q.add_argument(
                "--master",
                help=f"sổ tổng hợp có sheet 'Nội dung báo cáo' đã sửa (mặc định {DEFAULT_MASTER} nếu có)",
            )

    ad = sub.add_parser("addin", help="tạo (và cài) add-in Excel thidua.xlam")
    ad.add_argument("action", choices=["build", "install"])
    ad.add_argument("--out", default="dist/thidua.xlam")
    ad.set_defaults(func=cmd_addin)

    d = sub.add_parser("demo", help="chạy thử toàn bộ quy trình với số liệu mẫu")
    d.add_argument("--out", default="thidua-demo")
    d.add_argument("--no-pdf", action="store_true")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    from campaign.refusals import explain

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader of our output left (`thidua ... | head`): nothing to say, nobody to say it to
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - one function says every refusal and bug
        message, code = explain(exc)
        print(message, file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
