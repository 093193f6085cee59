"""`thidua sheet emulator` as a user runs it: a separate process on a port, every `thidua`
command pointed at it by THIDUA_SHEETS_EMULATOR_HOST, acting as THIDUA_EMULATOR_ACCOUNT."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from workbooks.unit_files import read_report

THIDUA = [sys.executable, "-m", "xl_addin.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(*faults: str):
    port = _free_port()
    args = [*THIDUA, "sheet", "emulator", "--port", str(port)]
    for f in faults:
        args += ["--fault", f]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert "127.0.0.1" in proc.stdout.readline()
    return proc, f"127.0.0.1:{port}"


@pytest.fixture
def emulator():
    """An emulator that loses the answer to the first file it creates."""
    proc, host = _start("POST /drive/v3/files=drop_after")
    yield host
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def plain_emulator():
    proc, host = _start()
    yield host
    proc.terminate()
    proc.wait(10)


def _env(host: str, account: str) -> dict:
    env = dict(os.environ, THIDUA_SHEETS_EMULATOR_HOST=host, THIDUA_EMULATOR_ACCOUNT=account)
    env.pop("THIDUA_GOOGLE_SHEET", None)
    return env


def _get(host: str, path: str) -> dict:
    with urllib.request.urlopen(f"http://{host}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def test_the_whole_google_flow_on_the_emulator_from_the_command_line(emulator, campaign, workbook, tmp_path):
    admin = campaign.consolidators[0]

    def create():
        return subprocess.run(
            [*THIDUA, "sheet", "setup", "--create", "Thi đua 2026"],
            env=_env(emulator, admin),
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )

    setup = create()
    assert setup.returncode == 0, setup.stderr
    key = setup.stdout.strip().splitlines()[-1]  # the key alone on the last line, for scripts
    assert len(key) == 44 and " " not in key
    # the create's answer was lost (--fault): found again by its app property, not made twice
    again = create()
    assert again.stdout.strip().splitlines()[-1] == key and "Đã có sẵn" in again.stdout

    # two PCs of unit T05 push different reports in the same second: one lands, one is told
    b = tmp_path / "pc2" / "T05.xlsx"
    b.parent.mkdir()
    shutil.copy(workbook("T05", filled=True, seed=2), b)
    a = tmp_path / "pc1.xlsx"
    shutil.copy(workbook("T05", filled=True, seed=1), a)
    fault = {"match": f"GET /v4/spreadsheets/{key}", "kind": "barrier", "times": 2}
    req = urllib.request.Request(f"http://{emulator}/__emulator/faults", data=json.dumps(fault).encode())
    urllib.request.urlopen(req, timeout=10).read()
    unit = _env(emulator, campaign.unit("T05").editors[0])
    before = _get(emulator, "/__emulator/requests")
    pushes = [
        subprocess.Popen(
            [*THIDUA, "push", str(p), "--google", key],
            env=unit,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in (a, b)
    ]
    outs = [p.communicate(timeout=120) for p in pushes]
    codes = sorted(p.returncode for p in pushes)
    assert codes[0] == 0 and codes[1] != 0, outs
    assert any("Đã gửi báo cáo T05 (lần 1" in out for out, _ in outs)
    assert any("lần 1" in err and "T05" in err for _, err in outs)  # the loser is told who was first
    revisions = sorted(read_report(p).meta.get("sync_revision") or 0 for p in (a, b))
    assert revisions == [0, 1]
    after = _get(emulator, "/__emulator/requests")
    # the winner: one read, one write; the loser: the same, then the claim it collided with and
    # the tab it lost to. The barrier answers both reads only once both were applied (when it
    # released them before applying, a late-scheduled loser once read the winner's write)
    assert (after["read"] - before["read"], after["write"] - before["write"]) == (4, 2)

    # T05's account cannot write T06's tab: the emulator enforces the protection per account
    c = tmp_path / "pc3.xlsx"
    shutil.copy(workbook("T06", filled=True), c)
    wrong = subprocess.run(
        [*THIDUA, "push", str(c), "--google", key], env=unit, check=False, capture_output=True, text=True
    )
    assert wrong.returncode != 0 and "được bảo vệ" in wrong.stderr + wrong.stdout and "Traceback" not in wrong.stderr
    right = _env(emulator, campaign.unit("T06").editors[0])
    ok = subprocess.run(
        [*THIDUA, "push", str(c), "--google", key], env=right, check=False, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr


def test_the_emulator_without_an_account_says_what_to_set(emulator, campaign, workbook):
    env = _env(emulator, "")
    env.pop("THIDUA_EMULATOR_ACCOUNT")
    run = subprocess.run(
        [*THIDUA, "push", str(workbook("T01", filled=True)), "--google", "x"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "THIDUA_EMULATOR_ACCOUNT" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_a_fault_the_emulator_cannot_read_is_refused_in_vietnamese():
    run = subprocess.run(
        [*THIDUA, "sheet", "emulator", "--fault", "khong-co-dau-bang"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "ĐỊA-CHỈ=LOẠI-LỖI" in run.stderr


def _doctor(host, account, *extra):
    return subprocess.run(
        [*THIDUA, "sheet", "doctor", *extra],
        env=_env(host, account),
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_doctor_passes_on_the_emulator_and_cleans_up(plain_emulator, campaign):
    run = _doctor(plain_emulator, campaign.consolidators[0])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ĐẠT") >= 6 and "KHÔNG ĐẠT" not in run.stdout
    assert "giờ của Google" in run.stdout and "lệch" in run.stdout
    assert "Trùng metadataId" in run.stdout and "BỎ QUA" in run.stdout  # no second account given


def test_the_doctor_fails_where_google_would_differ_from_the_emulator(fake_google, campaign, monkeypatch, capsys):
    """An emulator that let a duplicate metadata id through: the doctor's first row fails."""
    from sync.google.doctor import run_doctor

    fake_google.fake.unique_metadata_ids = False
    monkeypatch.setenv("THIDUA_SHEETS_EMULATOR_HOST", fake_google.url.removeprefix("http://"))
    monkeypatch.setenv("THIDUA_EMULATOR_ACCOUNT", campaign.consolidators[0])
    assert run_doctor(campaign, None, quota=True) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Trùng metadataId" in x)
    assert "KHÔNG ĐẠT" in line
    assert "KHÔNG ĐẠT" not in next(x for x in out.splitlines() if "hạn mức" in x)  # the 429 body is Google's
    assert not fake_google.fake.books  # the scratch spreadsheet is gone


def test_tong_hop_memory_stays_bounded_when_a_unit_fills_its_tab_on_the_web(
    plain_emulator, campaign, workbook, monkeypatch
):
    """1 200 cells of 50 000 characters (60 MB) in T03's tab, which its account may edit on the
    web. The emulator runs in its own process, so what is measured here is Tổng hợp alone: it
    stops reading at 16 MB and halves the batch, and never holds the 60 MB answer."""
    import tracemalloc

    from sync.collect import from_backend
    from sync.configure import make_backend
    from sync.emulator.connect import emulator_session
    from sync.google.client import make_client

    admin = campaign.consolidators[0]
    setup = subprocess.run(
        [*THIDUA, "sheet", "setup", "--create", "Thi đua 2026"],
        check=True,
        env=_env(plain_emulator, admin),
        capture_output=True,
        text=True,
        timeout=120,
    )
    key = setup.stdout.strip().splitlines()[-1]
    for code in ("T01", "T03"):
        sent = subprocess.run(
            [*THIDUA, "push", str(workbook(code, filled=True)), "--google", key],
            check=False,
            env=_env(plain_emulator, campaign.unit(code).editors[0]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sent.returncode == 0, sent.stderr
    t03 = make_client(session=emulator_session(f"http://{plain_emulator}", campaign.unit("T03").editors[0]))
    junk = [["report", f"R{i}", "note", "x" * 50_000, "x" * 50_000] for i in range(600)]  # 1 200 cells
    t03.http_client.values_update(key, "'T03'!A20:E619", params={"valueInputOption": "RAW"}, body={"values": junk})
    del junk

    for name, value in _env(plain_emulator, admin).items():
        monkeypatch.setenv(name, value)
    tracemalloc.start()
    try:
        subs = {s.unit_code: s for s in from_backend(campaign, make_backend(campaign, google=key))}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "quá lớn" in subs["T03"].refusal and subs["T01"].refusal is None
    # read whole, the answer would be 60 MB as bytes, again as text, and again parsed
    assert peak < 32 << 20, f"{peak / (1 << 20):.1f} MB"  # 16 MB read, then let go
