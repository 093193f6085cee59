"""Nothing a unit sends can crash, fool or stall Tổng hợp: hostile variants of a real workbook.

Each variant (tests/hostile.py) goes through validate, progress, push and consolidate as the CLI
runs them, in a child process whose address space is capped: a native abort, an allocation of
hundreds of gigabytes or a hang ends that process, and the test sees it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import write_variants

from campaign.consolidation import ON_TIME, consolidate
from xl_addin.consolidate import from_folder

MEMORY_CAP = 1024 * 1024 * 1024  # what the CLI may use, its reader included
RUNNER = """
import json, resource, sys
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from xl_addin.cli import main
for name, commands in json.loads(sys.argv[2]):
    codes = [main(argv) for argv in commands]
    print(json.dumps([name, codes]), flush=True)
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, blank_dir, campaign):
    from campaign.sample_data import clean_entries
    from workbooks.writer import fill_entries

    folder = tmp_path_factory.mktemp("hostile")
    source = folder / "source.xlsx"
    shutil.copy(blank_dir / "T01.xlsx", source)
    fill_entries(source, clean_entries(campaign, campaign.unit("T01"), 3))
    return write_variants(source, folder / "variants")


def test_every_hostile_variant_ends_in_exit_0_1_or_2_under_a_memory_cap(hostile, tmp_path):
    jobs = []
    for i, (name, path) in enumerate(hostile.items()):
        work = tmp_path / f"v{i:02d}"
        inbox = work / "hop-thu"
        inbox.mkdir(parents=True)
        unit = inbox / "T01.xlsx"
        shutil.copy(path, unit)
        share = str(work / "chung")
        jobs.append(
            [
                name,
                [
                    ["sheet", "setup", "--share", share],
                    ["validate", str(unit)],
                    ["progress", str(unit)],
                    ["push", str(unit), "--share", share],
                    ["consolidate", "--from-folder", str(inbox), "--out", str(work / "tong-hop.xlsx")],
                ],
            ]
        )
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(MEMORY_CAP), json.dumps(jobs)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    done = dict(json.loads(line) for line in proc.stdout.splitlines() if line.startswith("["))
    died_at = next((name for name in hostile if name not in done), None)
    assert proc.returncode == 0, f"the process died at '{died_at}' ({proc.returncode}): {proc.stderr[-1500:]}"
    assert set(done) == set(hostile)
    for name, codes in done.items():
        assert codes[0] == 0, name  # the share was set up
        assert set(codes[1:]) <= {0, 1, 2}, (name, codes)
    assert "Traceback" not in proc.stderr
    # the ones a parser could not survive are refused, never read
    for name in (
        "string bomb of 40 MB",
        "200 MB of XML in the report sheet",
        "entity expansion bomb in the report sheet",
    ):
        assert done[name][1] == 2, name


def test_a_far_value_is_reported_at_its_cell_and_the_report_still_reads(hostile, campaign, tmp_path):
    from xl_addin.check import check_file

    path = tmp_path / "T01.xlsx"
    shutil.copy(hostile["far value in Báo cáo"], path)
    checked = check_file(campaign, path)
    assert checked.refusal is None
    found = [(f.code, f.sheet, f.cell) for f in checked.assessment.findings if f.code == "tep.o_ngoai_vung"]
    assert found == [("tep.o_ngoai_vung", "Báo cáo", "XFD1048576")]
    assert checked.assessment.errors == 0 and checked.assessment.result("CT07").inputs[1] is not None


def test_consolidation_of_good_files_and_every_hostile_one_counts_each_good_unit(hostile, workbook, campaign, tmp_path):
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    good = ["T02", "T03", "T04", "KT", "CA"]
    for code in good:
        shutil.copy(workbook(code, filled=True, seed=5), inbox / f"{code}.xlsx")
    for i, path in enumerate(hostile.values()):
        shutil.copy(path, inbox / f"T01-{i:02d}.xlsx")
    subs, unreadable = from_folder(campaign, inbox)
    c = consolidate(campaign, subs)
    for code in good:
        assert c.unit_row(code).status == ON_TIME, code
    named = unreadable[1:]  # after the folder's summary line, each unusable file once
    assert len(named) >= 7 and all("'T01-" in line for line in named)
    assert c.unit_row("T01").status == ON_TIME  # a readable variant of T01 is used


def _ods(path: Path, rows: str) -> Path:
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Trang1">{rows}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def test_a_reader_that_dies_costs_one_file_not_the_run(tmp_path):
    """The guard itself. An .ods whose one value sits at row 10 000, column 10 000 stays under
    calamine's own 100-million-cell limit, so calamine allocates the whole grid (~1 GB): over
    the worker's memory cap, the allocation fails and Rust aborts the process."""
    from campaign.refusals import WorkbookRefused
    from workbooks.read_guard import GuardedReader

    value = '<table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell>'
    far = _ods(
        tmp_path / "far.ods",
        f"<table:table-row>{value}</table:table-row>"
        '<table:table-row table:number-rows-repeated="9997"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="9998"/>{value}</table:table-row>',
    )
    small = _ods(tmp_path / "small.ods", f"<table:table-row>{value}</table:table-row>")
    with GuardedReader() as reader:
        assert reader.read(small) == {"Trang1": [[5]]}
        first = reader.proc.pid
        with pytest.raises(WorkbookRefused) as err:
            reader.read(far)
        assert err.value.code == "tep.vuot_gioi_han" and "dừng đột ngột" in err.value.message
        assert reader.read(small) == {"Trang1": [[5]]}  # the next file, by a fresh worker
        assert reader.proc.pid != first
