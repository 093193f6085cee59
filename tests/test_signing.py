"""The shared folder knows who wrote what: signed pushes, signed reviews, receipts, no secret.

Any PC that can write to the share can write any file in it. These tests do what such a PC
would do (edit T01.json, plant an acceptance in duyet/, copy an old revision back, backdate a
file) and check that Tổng hợp refuses it without losing the file, while a unit's own PC still
pushes, pulls and sees its review.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from campaign import signing as S
from campaign.consolidation import LATE, NOT_FROM_UNIT, ON_TIME, UNSIGNED, consolidate
from campaign.consolidation_tables import findings_table
from campaign.dates import VIETNAM
from campaign.refusals import SyncError
from campaign.review import ACCEPT, DA_DUYET, REOPEN, RETURN, TRA_LAI
from sync.collect import TIME_OF_RECEIPT
from sync.folder import FolderBackend
from sync.seals import office_keyring, unit_keyring
from sync.secret_store import ensure_secret, load_secret, secret_path
from sync.tab import content_hash
from workbooks.unit_files import read_report, upgrade_file
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_backend
from xl_addin.pull import pull_file
from xl_addin.push import push_file
from xl_addin.review import Ask, act

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.datetime(2026, 12, 3, 9)  # before the deadline (results due before 7/12, unsigned until 6/12)


@pytest.fixture
def share(tmp_path, campaign):
    root = tmp_path / "share"
    FolderBackend(root, campaign.id).setup([u.code for u in campaign.units])
    return root


def unit(share, campaign, code):
    return FolderBackend(share, campaign.id, code, account=campaign.unit(code).editors[0])


def office(share, campaign):
    return FolderBackend(share, campaign.id, account=campaign.consolidators[0])


def tab_file(share, campaign, code) -> Path:
    return share / campaign.id / "don-vi" / f"{code}.json"


def tong_hop(share, campaign, when=DAY):
    subs = from_backend(campaign, office(share, campaign), now=when)
    return consolidate(campaign, subs, as_of=when.date())


def finding_codes(c, code):
    return {row[-1] for row in findings_table(c).rows if row[0] == code}  # the code is the last column


def sent(workbook, campaign, share, code="T01", **cells):
    path = workbook(code, filled=True)
    if cells:
        fill_entries(path, {"report": cells})
    push_file(campaign, path, unit(share, campaign, code), when=DAY)
    return path


def forge_ct07(path: Path, value) -> None:
    """What someone at another PC does: CT07's numerator changed, and the hash the file carries
    recomputed so the edit does not show as an edit."""
    grid = json.loads(path.read_text("utf-8"))
    for line in grid:
        if line[:3] == ["report", "CT07", "input_a"]:
            line[3] = value
    rows = [tuple(line) for line in grid[9:]]
    for line in grid:
        if line[:1] == ["content_hash"]:
            line[1] = content_hash(rows)
    path.write_text(json.dumps(grid, ensure_ascii=False), "utf-8")


# ---- forged grids


def test_a_grid_edited_on_the_share_is_not_counted_named_and_kept(campaign, workbook, share):
    sent(workbook, campaign, share, CT07={"input_a": 300, "input_b": 400})
    assert tong_hop(share, campaign).unit_row("T01").status == ON_TIME
    forge_ct07(tab_file(share, campaign, "T01"), 399)  # 300/400 becomes 399/400 = 99,75 %
    c = tong_hop(share, campaign, DAY + dt.timedelta(hours=1))
    assert c.unit_row("T01").status == NOT_FROM_UNIT
    assert "T01" not in c.target("CT07").contributors
    assert "chu_ky.sai" in finding_codes(c, "T01")
    row = next(r for r in findings_table(c).rows if r[0] == "T01")
    assert row[1] == "lỗi" and row[6]  # with what to do
    assert '"CT07", "input_a", 399' in tab_file(share, campaign, "T01").read_text("utf-8")  # kept as it is


def test_a_grid_signed_with_another_units_key_is_refused(campaign, workbook, share):
    sent(workbook, campaign, share, CT07={"input_a": 300, "input_b": 400})
    path = tab_file(share, campaign, "T01")
    forge_ct07(path, 399)
    # a rival unit re-signs T01's file with the key its own workbook carries
    rival = FolderBackend(share, campaign.id, "T02")
    rival.hold_unit_key("T02", read_report(workbook("T02")).meta["unit_key"])
    from sync.seals import sign_tab

    tab = office(share, campaign).read_tab("T01")
    grid = json.loads(path.read_text("utf-8"))
    grid[0][2] = sign_tab(tab, rival.keyring.own_key).extra["signature"]
    path.write_text(json.dumps(grid, ensure_ascii=False), "utf-8")
    assert tong_hop(share, campaign).unit_row("T01").status == NOT_FROM_UNIT


def test_the_units_own_pc_replaces_a_forged_file_and_the_forgery_is_kept(campaign, workbook, share):
    path = sent(workbook, campaign, share, CT07={"input_a": 300, "input_b": 400})
    forge_ct07(tab_file(share, campaign, "T01"), 399)
    with pytest.raises(SyncError) as err:
        pull_file(campaign, path, unit(share, campaign, "T01"))
    assert err.value.code == "lay_ve.bi_sua"
    fill_entries(path, {"report": {"CT07": {"note": "gửi lại"}}})
    result = push_file(campaign, path, unit(share, campaign, "T01"), when=DAY)
    assert result.revision == 2 and result.warning
    kept = list((share / campaign.id / "bi-sua").iterdir())
    assert len(kept) == 1 and '"CT07", "input_a", 399' in kept[0].read_text("utf-8")
    c = tong_hop(share, campaign)
    assert c.unit_row("T01").status == ON_TIME and "T01" in c.target("CT07").contributors


def test_a_consolidator_cannot_accept_a_forged_report(campaign, workbook, share):
    sent(workbook, campaign, share)
    forge_ct07(tab_file(share, campaign, "T01"), 399)
    with pytest.raises(SyncError) as err:
        act(campaign, office(share, campaign), "T01", ACCEPT)
    assert err.value.code == "duyet.bi_sua"


# ---- forged reviews


def plant_acceptance(share, campaign, code, signatures=None):
    tab = office(share, campaign).read_tab(code)
    record = {
        "unit_code": code,
        "state": DA_DUYET,
        "seq": 1,
        "at": "2026-12-03 10:00:00",
        "by": campaign.consolidators[0],
        "content_hash": tab.data_hash(),
        "reasons": [],
    }
    if signatures:
        record["chu_ky"] = signatures
    path = share / campaign.id / "duyet" / f"{code}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return path


@pytest.mark.parametrize("signed_by", ["nobody", "the unit itself"])
def test_an_acceptance_planted_in_duyet_is_not_counted(campaign, workbook, share, signed_by):
    path = sent(workbook, campaign, share)
    signatures = None
    if signed_by == "the unit itself":
        # the unit's own key is all a unit holds: it signs both places with it
        from sync.seals import review_message

        key = S.key_from_text(read_report(path).meta["unit_key"])
        tab = office(share, campaign).read_tab("T01")
        from campaign.review import Review

        review = Review("T01", DA_DUYET, 1, "2026-12-03 10:00:00", campaign.consolidators[0], tab.data_hash())
        sig = S.sign(key, review_message(review, campaign.id))
        signatures = {"phong": sig, "don_vi": sig}
    planted = plant_acceptance(share, campaign, "T01", signatures)
    c = tong_hop(share, campaign)
    assert c.unit_row("T01").review_state != DA_DUYET
    assert "chu_ky.duyet_bi_sua" in finding_codes(c, "T01")
    assert planted.exists()


def test_a_rivals_planted_acceptance_does_not_block_the_units_push(campaign, workbook, share):
    path = sent(workbook, campaign, share)
    plant_acceptance(share, campaign, "T01")  # would refuse every push of T01 if believed
    fill_entries(path, {"report": {"CT07": {"note": "bổ sung"}}})
    assert push_file(campaign, path, unit(share, campaign, "T01"), when=DAY).revision == 2


def test_a_real_acceptance_still_stops_the_units_push(campaign, workbook, share):
    path = sent(workbook, campaign, share)
    act(campaign, office(share, campaign), "T01", ACCEPT)
    fill_entries(path, {"report": {"CT07": {"note": "bổ sung"}}})
    with pytest.raises(SyncError) as err:
        push_file(campaign, path, unit(share, campaign, "T01"), when=DAY)
    assert err.value.code == "gui.da_duyet"
    assert tong_hop(share, campaign).unit_row("T01").review_state == DA_DUYET


# ---- replayed revisions


def test_an_old_revision_copied_back_is_refused_and_kept(campaign, workbook, share, tmp_path):
    path = sent(workbook, campaign, share, CT07={"input_a": 300, "input_b": 400})
    old = tmp_path / "T01-lan-1.json"
    shutil.copy(tab_file(share, campaign, "T01"), old)
    tong_hop(share, campaign)  # sees revision 1
    fill_entries(path, {"report": {"CT07": {"input_a": 250}}})
    push_file(campaign, path, unit(share, campaign, "T01"), when=DAY)
    tong_hop(share, campaign, DAY + dt.timedelta(hours=1))  # sees revision 2
    shutil.copy(old, tab_file(share, campaign, "T01"))  # genuine, signed, and old
    c = tong_hop(share, campaign, DAY + dt.timedelta(hours=2))
    assert c.unit_row("T01").status == NOT_FROM_UNIT and "chu_ky.ban_cu" in finding_codes(c, "T01")
    assert tab_file(share, campaign, "T01").read_bytes() == old.read_bytes()
    # the unit's next push goes past both: revision 3, counted again
    fill_entries(path, {"report": {"CT07": {"note": "gửi lại"}}})
    assert push_file(campaign, path, unit(share, campaign, "T01"), when=DAY).revision == 3
    assert tong_hop(share, campaign, DAY + dt.timedelta(hours=3)).unit_row("T01").status == ON_TIME


def test_an_old_acceptance_copied_back_after_a_reopen_is_not_counted(campaign, workbook, share, tmp_path):
    sent(workbook, campaign, share)
    act(campaign, office(share, campaign), "T01", ACCEPT)
    record = share / campaign.id / "duyet" / "T01.json"
    accepted = record.read_bytes()
    tong_hop(share, campaign)
    act(campaign, office(share, campaign), "T01", REOPEN, [Ask("Thiếu minh chứng")])
    assert tong_hop(share, campaign).unit_row("T01").review_state == TRA_LAI
    record.write_bytes(accepted)  # the signed acceptance, put back
    c = tong_hop(share, campaign)
    assert c.unit_row("T01").review_state != DA_DUYET and "chu_ky.duyet_bi_sua" in finding_codes(c, "T01")


# ---- arrival times


def test_a_backdated_file_counts_from_when_tong_hop_first_saw_it(campaign, workbook, share):
    deadline_day = dt.datetime(2026, 12, 6, 17)
    tong_hop(share, campaign, deadline_day)  # the office runs Tổng hợp at the deadline: no T01
    late = dt.datetime(2026, 12, 8, 9)
    path = workbook("T01", filled=True)
    push_file(campaign, path, unit(share, campaign, "T01"), when=dt.datetime(2026, 12, 5, 9))  # its PC's clock
    stamp = dt.datetime(2026, 12, 5, 9).timestamp()
    os.utime(tab_file(share, campaign, "T01"), (stamp, stamp))  # and the file's time set back
    row = tong_hop(share, campaign, late).unit_row("T01")
    assert row.status == LATE and row.received_at == late and row.time_source == TIME_OF_RECEIPT


def test_between_two_runs_the_files_time_stands(campaign, workbook, share):
    tong_hop(share, campaign, dt.datetime(2026, 12, 2, 17))
    sent(workbook, campaign, share)
    stamp = dt.datetime(2026, 12, 4, 9, tzinfo=VIETNAM).timestamp()  # file times are read in Vietnam time
    os.utime(tab_file(share, campaign, "T01"), (stamp, stamp))
    row = tong_hop(share, campaign, dt.datetime(2026, 12, 8, 9)).unit_row("T01")
    assert row.status == ON_TIME and row.received_at == dt.datetime(2026, 12, 4, 9)


# ---- workbooks made before signing


def test_an_unsigned_push_counts_with_a_warning_until_the_deadline(campaign, share, keyless):
    result = push_file(campaign, keyless, unit(share, campaign, "T03"), when=DAY)
    assert result.warning and "06/12/2026" in result.said("thư mục chung")
    c = tong_hop(share, campaign)
    assert c.unit_row("T03").status == ON_TIME and "chu_ky.chua_ky_con_han" in finding_codes(c, "T03")


def test_an_unsigned_push_after_the_deadline_is_refused_at_push_and_at_tong_hop(campaign, share, keyless):
    with pytest.raises(SyncError) as err:
        push_file(campaign, keyless, unit(share, campaign, "T03"), when=dt.datetime(2026, 12, 7, 8))
    assert err.value.code == "gui.chua_co_khoa"
    # written unsigned by hand after the deadline: seen first after it, not counted
    push_file(campaign, keyless, unit(share, campaign, "T03"), when=DAY)
    stamp = dt.datetime(2026, 12, 7, 8).timestamp()
    os.utime(tab_file(share, campaign, "T03"), (stamp, stamp))
    c = tong_hop(share, campaign, dt.datetime(2026, 12, 8, 8))
    assert c.unit_row("T03").status == UNSIGNED and "chu_ky.chua_ky" in finding_codes(c, "T03")


def test_upgrade_gives_an_old_workbook_its_key_and_its_next_push_is_signed(campaign, share, keyless):
    push_file(campaign, keyless, unit(share, campaign, "T03"), when=DAY)  # unsigned, revision 1
    upgrade_file(campaign, keyless, secret=load_secret(campaign.id))
    meta = read_report(keyless).meta
    assert S.key_from_text(meta["unit_key"]) == office_keyring(campaign.id).key_for("T03")
    result = push_file(campaign, keyless, unit(share, campaign, "T03"), when=DAY)
    assert result.revision == 2 and not result.unchanged and not result.warning
    c = tong_hop(share, campaign)
    assert c.unit_row("T03").status == ON_TIME and "chu_ky.chua_ky_con_han" not in finding_codes(c, "T03")


# ---- the unit's own PC


def test_a_units_pc_pushes_pulls_and_sees_its_return(campaign, workbook, share, tmp_path):
    path = sent(workbook, campaign, share)
    act(campaign, office(share, campaign), "T01", RETURN, [Ask("Ghi rõ nguồn số liệu", target="CT07")])
    fresh = tmp_path / "may-moi.xlsx"
    shutil.copy(path, fresh)
    pull_file(campaign, fresh, unit(share, campaign, "T01"), force=True)
    meta = read_report(fresh).meta
    assert meta["review_state"] == TRA_LAI and "Ghi rõ nguồn" in meta["review_reasons"]
    assert meta["unit_key"] == read_report(path).meta["unit_key"]  # the key survives a pull


def test_tong_hop_on_a_pc_without_the_secret_says_so(campaign, workbook, share, tmp_path, monkeypatch):
    sent(workbook, campaign, share)
    monkeypatch.setenv("THIDUA_HOME", str(tmp_path / "may-khac"))
    with pytest.raises(SyncError) as err:
        from_backend(campaign, office(share, campaign), now=DAY)
    assert err.value.code == "khoa.chua_co"


def test_setup_keeps_the_secret_private_and_never_replaces_it(campaign, tmp_path):
    folder = tmp_path / "cai-dat"
    secret, made = ensure_secret(campaign.id, folder)
    assert made and ensure_secret(campaign.id, folder) == (secret, False)
    if os.name == "posix":
        assert secret_path(campaign.id, folder).stat().st_mode & 0o777 == 0o600
        assert folder.stat().st_mode & 0o077 == 0


def test_keys_differ_by_unit_and_campaign_and_a_unit_checks_only_its_own():
    secret = S.new_secret()
    keys = {S.unit_key(secret, c, u) for c in ("a-2026", "a-2027") for u in ("T01", "T02")}
    assert len(keys) == 4 and S.review_key(secret, "a-2026") not in keys
    ring = unit_keyring("a-2026", "T01", S.key_text(S.unit_key(secret, "a-2026", "T01")))
    assert ring.key_for("T01") == S.unit_key(secret, "a-2026", "T01") and ring.key_for("T02") is None
    assert unit_keyring("a-2026", "T01", "not hex").key_for("T01") is None


def test_a_signature_is_hmac_sha256_as_rfc_4231_gives_it():
    # test case 2 of RFC 4231, and a derived key pinned: signatures already made must verify
    assert S.sign(b"Jefe", b"what do ya want for nothing?") == (
        "v1:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert S.unit_key(bytes(32), "a-2026", "T01").hex() == _UNIT_KEY


_UNIT_KEY = "f99d21a3d24d64fdc68d91373f7381c458005dabccae587e940e502cf829d76f"  # as the first code derived it


def test_a_signature_covers_every_field_and_value():
    key = S.new_secret()
    msg = S.canonical("tab", {"revision": 1, "unit_code": "T01"}, [("report", "CT07", "input_a", 300, "")])
    sig = S.sign(key, msg)
    assert S.verify(key, msg, sig)
    for other in (
        S.canonical("tab", {"revision": 2, "unit_code": "T01"}, [("report", "CT07", "input_a", 300, "")]),
        S.canonical("tab", {"revision": 1, "unit_code": "T02"}, [("report", "CT07", "input_a", 300, "")]),
        S.canonical("tab", {"revision": 1, "unit_code": "T01"}, [("report", "CT07", "input_a", 399, "")]),
        S.canonical("tab", {"revision": 1, "unit_code": "T01"}, [("report", "CT07", "input_a", "300", "")]),
    ):
        assert not S.verify(key, other, sig)
    assert not S.verify(key, msg, "") and not S.verify(key, msg, None)


def test_the_signed_bytes_stay_what_signatures_already_in_workbooks_and_stores_were_made_over():
    rows = [
        ("report", "CT07", "input_a", 300, ""),
        ("info", "ky", "value", "Năm 2026", ""),
        ("report", "CT07", "input_b", 400.5, ""),
    ]
    fields = {"revision": 2, "unit_code": "T01", "pushed_by": "thôn@x.vn"}
    assert (
        S.canonical("tab", fields, rows)
        == (
            '["tab",[["pushed_by","thôn@x.vn"],["revision",2],["unit_code","T01"]],'
            '[["info","ky","value","Năm 2026",""],["report","CT07","input_a",300,""],["report","CT07","input_b",400.5,""]]]'
        ).encode()
    )


def _canonical_as_first_written(kind, fields, rows) -> bytes:
    body = [
        kind,
        sorted([str(k), v] for k, v in fields.items()),
        sorted([list(r) for r in rows], key=lambda r: json.dumps(r, ensure_ascii=False, default=str)),
    ]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


@pytest.mark.parametrize("seed", range(20))
def test_canonical_bytes_equal_the_formula_they_were_first_made_by(seed):
    import random

    rng = random.Random(seed)
    # ",[" and a nested list are what the rows are cut apart at when encoded together
    atoms = ["", "a", "a,", "a, b", 'a"b', "Năm", "Năm 2026", "ả", "\\", 3, 30, 300, -3, 0.5, 3.25, 1e21, True, None]
    atoms += [",[", "a],[b", ["a", 1]] if seed % 2 else []
    shape = tuple if seed % 3 else list
    rows = [shape(rng.choice(atoms) for _ in range(rng.randrange(4, 6))) for _ in range(rng.randrange(0, 40))]
    rows += rows[: rng.randrange(0, 3)]  # equal rows too
    fields = {rng.choice(["revision", "unit_code", "b", "a"]): rng.choice(atoms) for _ in range(4)}
    assert S.canonical("tab", fields, rows) == _canonical_as_first_written("tab", fields, rows)
    assert S.canonical("receipts", fields) == _canonical_as_first_written("receipts", fields, ())


# ---- honest cost


def _writes_during(fn) -> list[str]:
    """Files opened for writing, made or renamed while fn runs (Python's audit events)."""
    seen: list[str] = []
    active = [True]

    def hook(event, args):
        if not active[0]:
            return
        if (
            event == "open"
            and args[1] is not None
            and isinstance(args[1], str)
            and set(args[1]) & set("wax+")
            or event == "open"
            and isinstance(args[2], int)
            and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        ):
            seen.append(str(args[0]))
        elif event in ("os.rename", "os.replace", "os.link"):
            seen.append(f"{event} {args[1]}")

    sys.addaudithook(hook)
    try:
        fn()
    finally:
        active[0] = False
    return seen


def test_a_signed_push_writes_no_more_files_than_an_unsigned_one(campaign, share, workbook, keyless):
    signed = workbook("T03", filled=True)
    on_share = lambda paths: [p for p in paths if str(share) in p]
    unsigned_writes = on_share(_writes_during(lambda: push_file(campaign, keyless, unit(share, campaign, "T03"))))
    shutil.rmtree(share / campaign.id / "don-vi")
    (share / campaign.id / "don-vi").mkdir()
    signed_writes = on_share(_writes_during(lambda: push_file(campaign, signed, unit(share, campaign, "T03"))))
    assert len(signed_writes) == len(unsigned_writes) and signed_writes


# ---- no secret where it does not belong


def _texts_of(path: Path) -> str:
    if path.suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def _unit_of(path: Path) -> str | None:
    from campaign.refusals import WorkbookRefused

    if path.suffix != ".xlsx":
        return None
    try:
        return read_report(path).unit_code
    except WorkbookRefused:
        return None  # Tổng hợp's workbook


@pytest.mark.slow
def test_no_secret_in_any_workbook_the_share_a_log_or_the_repository(campaign, tmp_path):
    """The whole flow through the CLI; then every file it made is scanned for the secret and the
    keys derived from it: only a unit's own key, and only in its own workbook."""
    env = {**os.environ, "THIDUA_HOME": str(tmp_path / "home"), "THIDUA_SHARE": str(tmp_path / "share")}
    env["THIDUA_ACCOUNT"] = campaign.consolidators[0]
    run = lambda *a: subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", *a],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run("sheet", "setup").returncode == 0
    assert run("workbook", "new", "--unit", "T01", "--unit", "T02", "--out", "so").returncode == 0
    from campaign.sample_data import clean_entries

    books = sorted((tmp_path / "so").glob("*.xlsx"))
    for book in books:
        code = read_report(book).unit_code
        fill_entries(book, clean_entries(campaign, campaign.unit(code)))
        assert run("push", str(book)).returncode == 0
    assert run("review", "return", "T01", "--reason", "Ghi rõ nguồn").returncode == 0
    assert run("pull", str(books[0]), "--force").returncode == 0
    assert run("consolidate", "--out", "tong-hop.xlsx").returncode == 0
    log = run("log")
    assert log.returncode == 0 and "T01" in log.stdout
    secret = load_secret(campaign.id, tmp_path / "home")
    assert_no_secret_but_own_keys(campaign, secret, tmp_path, books, [log.stdout])


def assert_no_secret_but_own_keys(campaign, secret: bytes, tmp_path: Path, books: list[Path], texts: list[str]):
    """Every file the flow made under tmp_path (but the office's settings, `home`), and `texts`
    (what the commands said, what a store holds): none has the secret or a key derived from it,
    except a unit's workbook its own unit key; and the repository has no secret."""
    units = {c: S.key_text(S.unit_key(secret, campaign.id, c)) for c in ("T01", "T02")}
    forbidden = {secret.hex(), S.review_key(secret, campaign.id).hex(), S.receipt_key(secret, campaign.id).hex()}
    made = [p for p in tmp_path.rglob("*") if p.is_file() and "home" not in p.relative_to(tmp_path).parts]
    for p in made:
        text = _texts_of(p).lower()
        assert not any(f in text for f in forbidden), p
        own = {c for c, k in units.items() if k in text}
        assert own <= ({_unit_of(p)} - {None}), p  # a unit's workbook (or its backup): its own key only
    for book in books:  # and each workbook does carry its own
        assert units[read_report(book).unit_code] in _texts_of(book).lower()
    for text in texts:
        assert not any(f in text.lower() for f in forbidden | set(units.values()))
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        f = ROOT / name
        if f.is_file():
            assert secret.hex() not in f.read_bytes().decode("utf-8", "replace"), name
