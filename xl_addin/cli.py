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

from campaign.refusals import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, RC
from xl_addin.cli_parser import DEFAULT_MASTER


def _campaign(args: argparse.Namespace):
    from workbooks.campaign_workbook import load_campaign

    args.loaded_campaign = load_campaign(args.campaign or os.environ.get("THIDUA_CAMPAIGN") or None)
    return args.loaded_campaign


def log_context(command: str, campaign=None, source: str | None = None) -> dict[str, str]:
    """What heads a bug's entry in loi.log: the command, this version, the campaign."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("thidua")
    except PackageNotFoundError:
        ours = "không rõ"
    if campaign is not None:
        which = f"{campaign.id} (phiên bản {campaign.version})"
    else:
        which = source or os.environ.get("THIDUA_CAMPAIGN") or "mặc định"
    return {"lệnh": command, "phiên bản thidua": ours, "chiến dịch": which}


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
    from sync.secret_store import load_secret, secret_path
    from workbooks.unit_files import is_current, new_workbooks, upgrade_file

    campaign = _campaign(args)
    # each unit's workbook carries its own signing key, derived from the secret on this PC
    secret = load_secret(campaign.id)
    if secret is None:
        print(
            f"Lưu ý: máy này chưa có khóa bí mật của đợt ({secret_path(campaign.id)}), nên sổ không có khóa ký: "
            f"thư mục chung và bảng tính chung chỉ nhận bản gửi chưa ký đến hết ngày {campaign.unsigned_deadline:%d/%m/%Y}. "
            "Chạy 'thidua sheet setup' trước rồi tạo (hoặc nâng cấp) sổ.",
            file=sys.stderr,
        )
    if args.action == "new":
        if not args.all and not args.unit:
            print("Hãy ghi --unit MÃ-ĐƠN-VỊ (ghi lại cho mỗi đơn vị), hoặc --all cho tất cả đơn vị.", file=sys.stderr)
            return EXIT_UNUSABLE
        paths = new_workbooks(campaign, None if args.all else args.unit, Path(args.out), secret)
        for p in paths:
            print(p)
        print(f"Đã tạo {len(paths)} sổ báo cáo trong {args.out}")
        return EXIT_OK
    for f in args.files:
        if is_current(campaign, Path(f), secret):
            print(f"{f}: sổ đã theo mẫu mới nhất của chiến dịch {campaign.id}, không cần nâng cấp; không sửa gì.")
            continue
        dest = upgrade_file(campaign, Path(f), secret=secret)
        keyed = " và khóa ký của đơn vị" if secret else ""
        print(f"Đã nâng cấp {dest} lên mẫu mới{keyed}, giữ nguyên số liệu (bản cũ trong thư mục .thidua-sao-luu).")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, progress: bool) -> int:
    from campaign.refusals import explain
    from xl_addin.check import check_file
    from xl_addin.render import assessment_json, assessment_text, dumps

    campaign = _campaign(args)
    files = [Path(f) for f in args.files]
    code = EXIT_OK
    results = []
    for i, path in enumerate(files, 1):
        _progress(i - 1, len(files), path.name)
        checked = check_file(campaign, path, write=None if args.no_write else ("progress" if progress else "check"))
        said = explain(checked.refusal)[0] if checked.refusal else ""
        if checked.refusal and checked.assessment is None:
            code = EXIT_UNUSABLE
            results.append({"source": path.name, "refused": said, "code": checked.refusal.code})
            if not args.json:
                print(f"== {path.name}: KHÔNG DÙNG ĐƯỢC\n   {said}")
            continue
        a = checked.assessment
        if checked.refusal:
            code = EXIT_UNUSABLE
            print(said, file=sys.stderr)
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
        from sync.google.doctor import run_doctor

        credentials = args.credentials or os.environ.get("THIDUA_GOOGLE_CREDENTIALS")
        return run_doctor(campaign, credentials, key=args.google, second=args.second, quota=args.quota)
    if args.create:
        from sync.google.backend import GoogleBackend
        from sync.google.client import client_from_credentials
        from sync.google.setup_spreadsheet import capacity_line

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
        from sync.google.setup_spreadsheet import capacity_line

        print(capacity_line(len(campaign.units)))
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from campaign.refusals import SyncError, explain
    from workbooks.unit_files import read_report
    from xl_addin.push import push_file

    campaign = _campaign(args)
    code = EXIT_OK
    for f in args.files:
        unit = read_report(Path(f)).unit_code
        backend = _backend(args, campaign, acting_unit=unit)
        try:
            print(push_file(campaign, Path(f), backend).said(backend.name))
        except SyncError as exc:
            print(f"{Path(f).name}: {explain(exc)[0]}", file=sys.stderr)
            code = EXIT_FINDINGS
    return code


def cmd_pull(args: argparse.Namespace) -> int:
    from campaign.refusals import SyncError, explain
    from workbooks.unit_files import read_report
    from xl_addin.pull import pull_file

    campaign = _campaign(args)
    unit = read_report(Path(args.file)).unit_code
    try:
        tab = pull_file(campaign, Path(args.file), _backend(args, campaign, acting_unit=unit), force=args.force)
    except SyncError as exc:
        print(explain(exc)[0], file=sys.stderr)
        return EXIT_FINDINGS
    print(f"Đã lấy về bản gửi lần {tab.revision} của {tab.unit_code} vào {args.file}.")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from campaign.dates import show_time
    from xl_addin.render import dumps, review_table
    from xl_addin.review import ACCEPT, REOPEN, RETURN, Ask, act, statuses

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
        print(review_table(campaign, rows))
        return EXIT_OK
    action = {"return": RETURN, "accept": ACCEPT, "reopen": REOPEN}[args.action]
    asks = [Ask(a["text"], a.get("target"), a.get("cell")) for a in (getattr(args, "asks", None) or [])]
    for unit in args.units:
        new = act(campaign, backend, unit, action, asks)
        print(f"{new.unit_code}: {new.state} (lúc {show_time(new.at)}, {new.by}).")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    from xl_addin.render import dumps, log_table
    from xl_addin.review import trail

    campaign = _campaign(args)
    records = trail(_backend(args, campaign), args.unit)
    if args.json:
        print(dumps(records))
        return EXIT_OK
    if records:
        print(log_table(records))
    else:
        print("Nhật ký chưa có gì" + (f" về {args.unit}." if args.unit else "."))
    return EXIT_OK


def _consolidation(args: argparse.Namespace):
    from xl_addin.consolidate import consolidate_reports

    campaign = _campaign(args)
    source = Path(args.from_folder) if args.from_folder else _backend(args, campaign)
    return consolidate_reports(campaign, source, as_of=args.as_of)


def cmd_consolidate(args: argparse.Namespace) -> int:
    from campaign.consolidation import completeness_line, review_summary, status_summary
    from workbooks.consolidated import write_master

    c = _consolidation(args)
    dest = write_master(c, Path(args.out))
    print(f"Đã ghi bảng tổng hợp: {dest}")
    if args.csv:
        from workbooks.data_sheet import write_csv

        print(f"Đã ghi dữ liệu chi tiết (CSV): {write_csv(c, Path(args.csv))}")
    print("Nộp báo cáo: " + completeness_line(c))
    print("Chỉ tiêu: " + ", ".join(f"{k} {v}" for k, v in status_summary(c).items()))
    if review_summary(c):
        print("Duyệt: " + ", ".join(f"{k} {v}" for k, v in review_summary(c).items()))
    for issue in c.issues:
        print(f"  - {issue}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from campaign.dates import vietnam_today
    from campaign.refusals import WorkbookRefused
    from workbooks.consolidated import read_narrative
    from xl_addin.export import export_report

    # the words as the consolidator edited them in Tổng hợp: a master named and missing is a
    # mistake; none named, tong-hop.xlsx if it is here
    master = Path(args.master or DEFAULT_MASTER)
    if args.master and not master.exists():
        raise WorkbookRefused(RC.TEP_KHONG_TIM_THAY, path=master)
    when = args.date or vietnam_today()
    c = _consolidation(args)
    narrative = read_narrative(master) if master.exists() else None
    if narrative is None:
        print(f"Chưa có sheet 'Nội dung báo cáo' ({master} chưa có): dùng bản nháp soạn từ số liệu.", file=sys.stderr)
    source = f"thư mục {args.from_folder}" if args.from_folder else "báo cáo đã gửi"
    done = export_report(c, Path(args.out), when, narrative, draft=args.du_thao, pdf=args.pdf, source=source)
    print(f"Đã ghi báo cáo gửi thành phố{' (dự thảo)' if done.draft else ''}: {done.document}")
    if done.late:
        due = c.campaign.results_due_before
        print(
            f"Lưu ý: ngày báo cáo {when:%d/%m/%Y} đã quá hạn (trước ngày {due:%d/%m/%Y}); báo cáo ghi rõ gửi chậm.",
            file=sys.stderr,
        )
    if done.gaps:
        print(f"Bản dự thảo còn {len(done.gaps)} chỗ cần viết (sheet 'Nội dung báo cáo'):", file=sys.stderr)
        for row, heading in done.gaps:
            print(f"  - dòng {row} ({heading})", file=sys.stderr)
    print(f"Số liệu kèm theo (Excel): {done.data}")
    if args.pdf:
        print(f"Bản PDF: {done.pdf}" if done.pdf else "Không tạo được PDF: cần cài LibreOffice.")
    return EXIT_OK


def cmd_addin(args: argparse.Namespace) -> int:
    from campaign.refusals import Refusal
    from macros.addin_build import build_addin, excel_found, install_addin

    dest = build_addin(Path(args.out))
    print(f"Đã tạo add-in: {dest}")
    if args.action == "install":
        if not excel_found():
            raise Refusal(RC.ADDIN_KHONG_CO_EXCEL, path=dest)
        appdata = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        target, conf = install_addin(dest, sys.executable, appdata, Path.home())
        print(f"Đã chép vào {target} và ghi cấu hình Python vào {conf}.")
        print("Trong Excel: Tệp > Tùy chọn > Phần bổ trợ > Phần bổ trợ Excel > Đi tới… > chọn 'thidua'.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from xl_addin.demo import run_demo

    run_demo(_campaign(args), Path(args.out), pdf=not args.no_pdf)
    return EXIT_OK


def cmd_release(args: argparse.Namespace) -> int:
    from macros.release import build_release

    dest = build_release(Path(args.out), Path(args.cache) if args.cache else None)
    print(f"Đã tạo gói cài đặt cho Windows: {dest} ({dest.stat().st_size / 1e6:.1f} MB)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The command line (xl_addin/cli_parser.py), wired to the commands above."""
    from xl_addin.cli_parser import build_parser as build

    return build(
        {
            "campaign": cmd_campaign,
            "workbook": cmd_workbook,
            "validate": lambda a: cmd_check(a, False),
            "progress": lambda a: cmd_check(a, True),
            "sheet": cmd_sheet,
            "review": cmd_review,
            "log": cmd_log,
            "push": cmd_push,
            "pull": cmd_pull,
            "consolidate": cmd_consolidate,
            "export": cmd_export,
            "addin": cmd_addin,
            "demo": cmd_demo,
            "release": cmd_release,
        }
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command as typed; help and usage errors are printed in Vietnamese (and exit)."""
    from xl_addin.help_language import vietnamese

    with vietnamese():
        return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from campaign.refusals import explain

    args = parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader of our output left (`thidua ... | head`): nothing to say, nobody to say it to
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - one function says every refusal and bug
        context = log_context(
            " ".join(["thidua", *(sys.argv[1:] if argv is None else argv)]),
            getattr(args, "loaded_campaign", None),
            args.campaign,
        )
        message, code = explain(exc, context)
        print(message, file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
