"""Shared fixtures: the shipped campaign, and real unit workbooks written to a temp folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from campaign.sample_data import clean_entries
from workbooks.builder import write_unit_workbook
from workbooks.campaign_workbook import load_default
from workbooks.writer import fill_entries

# CI clones the repository with shared/ beside it; a developer's checkout has it one level up too.
SHARED = next(
    (
        p
        for p in (
            Path(os.environ.get("THIDUA_SHARED", "/nonexistent")),
            Path(__file__).resolve().parents[2] / "shared",
            Path("/work/shared"),
        )
        if p.is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared",
)
CORPUS = SHARED / "corpus"


def corpus(*parts: str) -> Path:
    """A path in ../shared/corpus, which the tests need: missing, the test fails and says so
    (a skip would turn the recorded-traffic and real-workbook tests green without running)."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared/corpus beside the checkout (or THIDUA_SHARED)")
    return path


@pytest.fixture(scope="session")
def campaign():
    return load_default()


@pytest.fixture(scope="session", autouse=True)
def office_settings(tmp_path_factory):
    """The consolidator's settings folder (THIDUA_HOME) for the whole session, holding the
    campaign secret: never the developer's own ~/.thidua."""
    folder = tmp_path_factory.mktemp("thidua-home")
    before = os.environ.get("THIDUA_HOME")
    os.environ["THIDUA_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("THIDUA_HOME", None)
    else:
        os.environ["THIDUA_HOME"] = before


@pytest.fixture(scope="session")
def campaign_secret(office_settings, campaign):
    from sync.secret_store import ensure_secret

    return ensure_secret(campaign.id)[0]


@pytest.fixture(scope="session")
def blank_dir(tmp_path_factory, campaign, campaign_secret):
    """One blank workbook per unit, written once per session, each with its unit's own signing
    key (as `workbook new` makes them on the consolidator's PC); tests copy what they change."""
    from workbooks.unit_files import unit_key_text

    folder = tmp_path_factory.mktemp("blank")
    for unit in campaign.units:
        key = unit_key_text(campaign, unit.code, campaign_secret)
        write_unit_workbook(campaign, unit, folder / f"{unit.code}.xlsx", unit_key=key)
    return folder


@pytest.fixture
def workbook(blank_dir, tmp_path):
    """workbook("T01") -> a fresh copy of T01's blank workbook; filled=True adds sample entries."""

    def make(code: str, filled: bool = False, seed: int = 0, campaign=None) -> Path:
        dest = tmp_path / f"{code}.xlsx"
        shutil.copy(blank_dir / f"{code}.xlsx", dest)
        if filled:
            from workbooks.campaign_workbook import load_default

            c = campaign or load_default()
            fill_entries(dest, clean_entries(c, c.unit(code), seed))
        return dest

    return make


@pytest.fixture
def keyless(tmp_path, campaign):
    """T03's filled workbook as `workbook new` made it before signing: no unit key."""
    path = tmp_path / "T03-cu.xlsx"
    write_unit_workbook(campaign, campaign.unit("T03"), path)
    fill_entries(path, clean_entries(campaign, campaign.unit("T03")))
    return path


def soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.environ.get("CI"):
        pytest.fail("LibreOffice is required in CI (.ci/run installs it)")
    return found


def libreoffice_convert(path: Path, fmt: str, out: Path) -> Path:
    """`path` converted by LibreOffice to `fmt` in `out` (skipped where LibreOffice is missing,
    failed in CI)."""
    import subprocess

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice not installed")
    subprocess.run(
        [exe, "--headless", "--convert-to", fmt, "--outdir", str(out), str(path)],
        check=True,
        timeout=180,
        capture_output=True,
    )
    return out / f"{Path(path).stem}.{fmt}"


@pytest.fixture
def fake_google():
    from sync.emulator import FakeSheetsServer

    with FakeSheetsServer() as server:
        yield server


def google_client(server, email):
    from sync.google.client import make_client

    client = make_client(session=server.session(email))
    client.http_client.sleep = lambda seconds: None  # retries are counted, not waited for
    return client


@pytest.fixture
def google_backends(fake_google, campaign):
    """make(unit=None) -> a GoogleBackend acting as that unit's account (None: consolidator)."""
    from sync.google.backend import GoogleBackend

    admin = campaign.consolidators[0]
    fake_google.fake.read_quota = fake_google.fake.write_quota = 10_000
    fake_google.fake.project_quota = 100_000
    sid = fake_google.fake.create(admin, "Thi đua 2026 - Vĩnh Bảo", locale="vi_VN")
    GoogleBackend(google_client(fake_google, admin), sid, campaign, account=admin).setup(
        [u.code for u in campaign.units]
    )

    def make(unit=None):
        account = campaign.unit(unit).editors[0] if unit else admin
        return GoogleBackend(google_client(fake_google, account), sid, campaign, acting_unit=unit, account=account)

    def edit_remote(unit, sheet, row, col, value):
        grid = fake_google.fake.grid(sid, unit)
        r = next(i for i, line in enumerate(grid) if line[:3] == [sheet, row, col])
        fake_google.fake.set_cell(sid, unit, r, 3, value)

    make.kind = "google"
    make.edit_remote = edit_remote
    make.request_count = lambda: len(fake_google.fake.requests)
    make.server = fake_google
    make.sid = sid
    return make


@pytest.fixture(params=["folder", "google"])
def backends(request, tmp_path, campaign):
    """make(unit=None) -> a backend acting as that unit (None: the consolidator)."""
    if request.param == "folder":
        from sync.folder import FolderBackend

        root = tmp_path / "share"
        FolderBackend(root, campaign.id).setup([u.code for u in campaign.units])

        def make(unit=None):
            account = campaign.unit(unit).editors[0] if unit else campaign.consolidators[0]
            return FolderBackend(root, campaign.id, acting_unit=unit, account=account)

        def edit_remote(unit, sheet, row, col, value):
            # what an edit of the shared copy by hand looks like: the value changes, the hash stays
            path = root / campaign.id / "don-vi" / f"{unit}.json"
            grid = json.loads(path.read_text("utf-8"))
            for line in grid:
                if line[:3] == [sheet, row, col]:
                    line[3] = value
            path.write_text(json.dumps(grid, ensure_ascii=False), "utf-8")

        make.kind = "folder"
        make.edit_remote = edit_remote
        make.root = root
        return make
    google = request.getfixturevalue("google_backends")
    return google
