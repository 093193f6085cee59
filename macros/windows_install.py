"""The Windows installer and uninstaller that `cai-dat.cmd` and `go-cai-dat.cmd` run, with the
bundle's own Python: for the current user only, no admin rights, no network.

`cai-dat` copies the bundle into %LOCALAPPDATA%\\thidua, the add-in into Excel's AddIns folder,
registers it under HKCU (an OPENn value, so Excel loads it without Options > Add-ins), writes
%USERPROFILE%\\.thidua\\thidua.conf, puts a `thidua` command in a folder it adds to the user's
PATH, and clears the Mark of the Web (the Zone.Identifier stream) of everything it installs.
What it added is written to `cai-dat.json` in the install folder; `go-cai-dat` removes exactly
that and nothing else. Both refuse to start while Excel runs: Excel rewrites its Options key
when it closes, so an OPENn value written meanwhile would be lost, and a loaded add-in is locked.

Settings and sign-in files survive an install over an older version: thidua.conf keeps every
line but the interpreter, and %APPDATA%\\gspread (the Google sign-in) is never touched.
The standard library and the add-in's settings only: this runs before anything is installed.
`winreg` and `ctypes.windll` are imported where they are used, so the module imports on Linux.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from macros.addin_build import conf_text, settings

APP = "thidua"
EXIT_OK, EXIT_FAILED, EXIT_EXCEL_OPEN = 0, 2, 3
OPTIONS_KEY = r"Software\Microsoft\Office\16.0\Excel\Options"
ENVIRONMENT_KEY = "Environment"
BIN_ENTRY = r"%LOCALAPPDATA%\thidua\bin"  # as written into PATH: it follows a renamed profile
MANIFEST = "cai-dat.json"
BUNDLE_ITEMS = ("python", "thidua.xlam", "go-cai-dat.cmd", "HUONG-DAN.txt")
LAUNCHER = '@echo off\r\n"%LOCALAPPDATA%\\thidua\\python\\python.exe" -X utf8 -m xl_addin.cli %*\r\n'
INTERPRETER_KEY = "INTERPRETER_WIN"

MSG_EXCEL_OPEN = "Excel đang mở. Đóng Excel rồi chạy lại. (Chưa thay đổi gì trên máy.)"
MSG_SAME_FOLDER = "Hãy giải nén tệp .zip ra một thư mục khác rồi chạy cai-dat.cmd từ thư mục đó."
MSG_LOCKED = "Không chép được {path}: tệp đang được dùng. Đóng Excel và cửa sổ thidua rồi chạy lại."


def folders() -> dict[str, Path]:
    local = Path(os.environ["LOCALAPPDATA"])
    return {
        "install": local / APP,
        "addins": Path(os.environ["APPDATA"]) / "Microsoft" / "AddIns",
        "conf_dir": Path(os.environ["USERPROFILE"]) / f".{APP}",
    }


def excel_running() -> bool:
    """Is an EXCEL.EXE process running (any session of this user's desktop)?"""
    import ctypes
    from ctypes import wintypes

    class Entry(ctypes.Structure):
        _fields_ = [
            ("dwSize", wintypes.DWORD),
            ("cntUsage", wintypes.DWORD),
            ("th32ProcessID", wintypes.DWORD),
            ("th32DefaultHeapID", ctypes.c_size_t),
            ("th32ModuleID", wintypes.DWORD),
            ("cntThreads", wintypes.DWORD),
            ("th32ParentProcessID", wintypes.DWORD),
            ("pcPriClassBase", ctypes.c_long),
            ("dwFlags", wintypes.DWORD),
            ("szExeFile", ctypes.c_wchar * 260),
        ]

    kernel = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel.CreateToolhelp32Snapshot.restype = wintypes.HANDLE
    snapshot = kernel.CreateToolhelp32Snapshot(0x2, 0)  # TH32CS_SNAPPROCESS
    entry = Entry()
    entry.dwSize = ctypes.sizeof(Entry)
    names = []
    ok = kernel.Process32FirstW(snapshot, ctypes.byref(entry))
    while ok:
        names.append(entry.szExeFile.lower())
        ok = kernel.Process32NextW(snapshot, ctypes.byref(entry))
    kernel.CloseHandle(snapshot)
    return "excel.exe" in names


def clear_mark_of_the_web(path: Path) -> None:
    """Remove the Zone.Identifier stream a downloaded zip passes on to what is extracted from it.
    A file system without streams (FAT, a network share, Wine) has none to remove."""
    try:
        os.remove(f"{path}:Zone.Identifier")
    except OSError:
        pass


def _tree_files(root: Path) -> list[Path]:
    return [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]


def read_manifest(install: Path) -> dict:
    try:
        return json.loads((install / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def copy_bundle(source: Path, install: Path) -> None:
    """The bundle into `install`, replacing an older version whole (its __pycache__ too: the zip
    gives every file the same timestamp, so stale bytecode could pass for current). The old
    copy is first moved aside in one rename, which Windows refuses while any of its files is in
    use (a pythonw.exe still running): then nothing has changed yet."""
    aside = install / "cu-dang-xoa"
    if aside.exists():
        shutil.rmtree(aside)
    old = [name for name in BUNDLE_ITEMS if (install / name).exists()]
    if old:
        aside.mkdir()
        moved = []
        try:
            for name in old:
                (install / name).rename(aside / name)
                moved.append(name)
        except PermissionError:
            for name in moved:
                (aside / name).rename(install / name)
            raise
    for name in BUNDLE_ITEMS:
        if (source / name).is_dir():
            # data only (CopyFile2, copy2's way on 3.13, would carry each file's Zone.Identifier
            # along, and Wine has no CopyFile2 at all)
            shutil.copytree(source / name, install / name, copy_function=shutil.copyfile)
        else:
            shutil.copyfile(source / name, install / name)
    shutil.rmtree(aside, ignore_errors=True)
    (install / "bin").mkdir(exist_ok=True)
    (install / "bin" / f"{APP}.cmd").write_bytes(LAUNCHER.encode("ascii"))
    for path in _tree_files(install):
        clear_mark_of_the_web(path)


def _conf_text(old: str, python: str) -> str:
    kept = [line for line in old.splitlines() if line.strip() and not line.upper().startswith(f'"{INTERPRETER_KEY}"')]
    if kept:
        return conf_text({INTERPRETER_KEY: python}) + "".join(line + "\n" for line in kept)
    return conf_text(settings(python))


def write_conf(conf_dir: Path, python: str, before: dict) -> dict:
    """thidua.conf naming the bundled pythonw.exe, keeping the user's other lines; what was created."""
    created = {"conf_dir": before.get("conf_dir", False), "conf": before.get("conf", False)}
    if not conf_dir.exists():
        conf_dir.mkdir(parents=True)
        created["conf_dir"] = True
    conf = conf_dir / f"{APP}.conf"
    old = conf.read_text("utf-8", errors="replace") if conf.exists() else ""
    created["conf"] = created["conf"] or not conf.exists()
    conf.write_text(_conf_text(old, python), encoding="utf-8")
    return created


def _open_values(key) -> dict[str, str]:
    import winreg

    values, i = {}, 0
    while True:
        try:
            name, data, _ = winreg.EnumValue(key, i)
        except OSError:
            return values
        if name.upper().startswith("OPEN") and isinstance(data, str):
            values[name] = data
        i += 1


def _missing_keys() -> list[str]:
    """The keys of OPTIONS_KEY's path that do not exist yet, outermost first (no Office installed
    yet, or a fresh profile): created by registering, so removed by unregistering."""
    import winreg

    parts = OPTIONS_KEY.split("\\")
    missing = []
    for depth in range(3, len(parts) + 1):  # Software\Microsoft always exists
        path = "\\".join(parts[:depth])
        try:
            winreg.CloseKey(winreg.OpenKeyEx(winreg.HKEY_CURRENT_USER, path))
        except OSError:
            missing.append(path)
    return missing


def remove_empty_keys(created: list[str]) -> None:
    import winreg

    for path in reversed(created):
        try:
            with winreg.OpenKeyEx(winreg.HKEY_CURRENT_USER, path) as key:
                subkeys, values, _ = winreg.QueryInfoKey(key)
            if subkeys or values:  # Excel has written its own settings there since: they stay
                return
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, path)
        except OSError:
            return


def register_addin(xlam: Path) -> str:
    """The OPENn value that loads `xlam` at Excel's start: the one already naming it, else the
    first free name (OPEN, OPEN1, OPEN2…, Excel's own sequence)."""
    import winreg

    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, OPTIONS_KEY, 0, winreg.KEY_ALL_ACCESS) as key:
        values = _open_values(key)
        name = next((n for n, d in values.items() if xlam.name.lower() in d.lower()), None)
        if name is None:
            taken = {n.upper() for n in values}
            name = next(n for n in ["OPEN", *(f"OPEN{i}" for i in range(1, 100))] if n not in taken)
        winreg.SetValueEx(key, name, 0, winreg.REG_SZ, f'"{xlam}"')
    return name


def unregister_addin(xlam_name: str) -> list[str]:
    import winreg

    try:
        key = winreg.OpenKeyEx(winreg.HKEY_CURRENT_USER, OPTIONS_KEY, 0, winreg.KEY_ALL_ACCESS)
    except OSError:
        return []
    with key:
        ours = [n for n, d in _open_values(key).items() if xlam_name.lower() in d.lower()]
        for name in ours:
            winreg.DeleteValue(key, name)
    return ours


def _user_path() -> tuple[list[str], int]:
    import winreg

    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, ENVIRONMENT_KEY, 0, winreg.KEY_ALL_ACCESS) as key:
        try:
            value, kind = winreg.QueryValueEx(key, "Path")
        except OSError:
            return [], winreg.REG_EXPAND_SZ
    return [p for p in value.split(";") if p], kind


def _set_user_path(entries: list[str], kind: int) -> None:
    import winreg

    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, ENVIRONMENT_KEY, 0, winreg.KEY_ALL_ACCESS) as key:
        if entries:
            winreg.SetValueEx(
                key, "Path", 0, winreg.REG_EXPAND_SZ if "%" in ";".join(entries) else kind, ";".join(entries)
            )
        else:
            winreg.DeleteValue(key, "Path")
    _announce_environment()


def _announce_environment() -> None:
    """Tell Explorer the user's environment changed, so a new terminal sees the new PATH."""
    import ctypes

    result = ctypes.c_size_t()
    ctypes.windll.user32.SendMessageTimeoutW(0xFFFF, 0x001A, 0, "Environment", 0x0002, 5000, ctypes.byref(result))


def add_to_path(before: dict) -> dict:
    entries, kind = _user_path()
    if any(e.lower() == BIN_ENTRY.lower() for e in entries):
        return {"path_entry": before.get("path_entry", False), "path_created": before.get("path_created", False)}
    _set_user_path([*entries, BIN_ENTRY], kind)
    return {"path_entry": True, "path_created": not entries}


def remove_from_path() -> None:
    entries, kind = _user_path()
    kept = [e for e in entries if e.lower() != BIN_ENTRY.lower()]
    if kept != entries:
        _set_user_path(kept, kind)


def install(source: Path) -> int:
    where = folders()
    if excel_running():
        print(MSG_EXCEL_OPEN)
        return EXIT_EXCEL_OPEN
    if source.resolve() == where["install"].resolve():
        print(MSG_SAME_FOLDER)
        return EXIT_FAILED
    before = read_manifest(where["install"])
    addins_created = before.get("addins_created", False) or not where["addins"].exists()
    where["install"].mkdir(parents=True, exist_ok=True)
    xlam = where["addins"] / f"{APP}.xlam"
    try:
        copy_bundle(source, where["install"])
        where["addins"].mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / f"{APP}.xlam", xlam)
    except PermissionError as exc:
        print(MSG_LOCKED.format(path=exc.filename or xlam))
        return EXIT_FAILED
    clear_mark_of_the_web(xlam)
    python = str(where["install"] / "python" / "pythonw.exe")
    record = {"version": _version(source), "xlam": str(xlam), "addins_created": addins_created}
    record.update(write_conf(where["conf_dir"], python, before))
    record["created_keys"] = before.get("created_keys") or _missing_keys()
    record["open_value"] = register_addin(xlam)
    record.update(add_to_path(before))
    (where["install"] / MANIFEST).write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    _say_installed(where, record)
    return EXIT_OK


def _version(source: Path) -> str:
    found = list((source / "python" / "Lib" / "site-packages").glob(f"{APP}-*.dist-info"))
    return found[0].name.removesuffix(".dist-info").split("-")[1] if found else ""


def _say_installed(where: dict[str, Path], record: dict) -> None:
    print(f"Đã cài thidua {record['version']} cho người dùng này (không cần quyền quản trị):")
    print(f"  - chương trình và Python riêng: {where['install']}")
    print(f"  - add-in Excel: {record['xlam']}")
    print(f"  - Excel tự mở add-in khi khởi động (HKCU\\{OPTIONS_KEY}, mục {record['open_value']})")
    print(f"  - cấu hình: {where['conf_dir'] / (APP + '.conf')} (giữ nguyên các thiết lập đã có)")
    print(f"  - lệnh 'thidua' trong cửa sổ dòng lệnh mới: {where['install'] / 'bin' / (APP + '.cmd')}")
    print("Mở Excel: thẻ 'Thi đua' xuất hiện trên thanh công cụ. Gỡ cài đặt: chạy go-cai-dat.cmd.")


def uninstall() -> int:
    """Everything `install` added, per its manifest; the install folder itself is left for
    go-cai-dat.cmd to delete once this Python, which runs from it, has exited."""
    where = folders()
    if excel_running():
        print(MSG_EXCEL_OPEN)
        return EXIT_EXCEL_OPEN
    record = read_manifest(where["install"])
    xlam = Path(record.get("xlam") or where["addins"] / f"{APP}.xlam")
    unregister_addin(xlam.name)
    remove_empty_keys(record.get("created_keys", []))
    if xlam.exists():
        xlam.unlink()
    if record.get("addins_created") and xlam.parent.exists() and not any(xlam.parent.iterdir()):
        xlam.parent.rmdir()
    if record.get("path_entry"):
        remove_from_path()
    conf = where["conf_dir"] / f"{APP}.conf"
    if record.get("conf") and conf.exists():
        conf.unlink()
    if record.get("conf_dir") and where["conf_dir"].exists() and not any(where["conf_dir"].iterdir()):
        where["conf_dir"].rmdir()
    print("Đã gỡ thidua: add-in, mục đăng ký trong Excel, lệnh 'thidua' và cấu hình do bộ cài tạo.")
    print("Các tệp đăng nhập Google và sổ báo cáo của bạn vẫn giữ nguyên.")
    return EXIT_OK


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["cai-dat"] and len(argv) == 2:
            return install(Path(argv[1]))
        if argv[:1] == ["go-cai-dat"]:
            return uninstall()
    except Exception as exc:  # noqa: BLE001 - the one line the user reads, never a traceback
        print(f"Lỗi khi cài đặt: {exc}. Hãy chụp màn hình này gửi bộ phận hỗ trợ.")
        return EXIT_FAILED
    print("Cách dùng: python -m macros.windows_install cai-dat THU_MUC | go-cai-dat")
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
