"""Units, e-mail addresses and sheet names the way people type them, and the tables they read."""

from __future__ import annotations

import unicodedata

import pytest

from campaign.refusals import SyncError
from campaign.review import TRA_LAI
from sync.folder import FolderBackend
from xl_addin.cli import main
from xl_addin.push import push_file
from xl_addin.render import table, text_width
from xl_addin.review import act, trail


@pytest.fixture
def pushed(campaign, workbook, tmp_path):
    """T10 and THCSNBK pushed to a prepared share; the consolidator's options."""
    share = tmp_path / "chung"
    FolderBackend(share, campaign.id).setup([u.code for u in campaign.units])
    for code in ("T10", "THCSNBK"):
        push_file(campaign, workbook(code, filled=True), FolderBackend(share, campaign.id, code))
    return share


def test_unit_codes_in_any_case_and_composition(campaign):
    assert campaign.unit("t01") is campaign.unit("T01") is campaign.unit(" T01 ")
    assert campaign.unit(unicodedata.normalize("NFD", "thcsnbk")).code == "THCSNBK"
    assert campaign.unit("T99") is None


def test_email_addresses_in_any_case_are_the_registry_s(campaign):
    first = campaign.consolidators[0]
    assert campaign.account(first.upper()) == first
    assert campaign.account("  Ai.Do@Example.VN ") == "ai.do@example.vn"


def test_workbook_new_takes_a_lower_case_code(tmp_path):
    assert main(["workbook", "new", "--unit", "ca", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["vinh-bao-2026_CA.xlsx"]


def test_review_and_log_take_codes_and_addresses_in_any_case(campaign, pushed, capsys):
    admin = ["--share", str(pushed), "--account", campaign.consolidators[0].upper()]
    args = ["review", "return", "t10", "--reason", "Thiếu minh chứng", "--target", "ct07"]
    assert main(args + admin) == 0
    assert capsys.readouterr().out.startswith(f"T10: {TRA_LAI}")
    # the record is the registry's spelling and the campaign's code
    record = trail(FolderBackend(pushed, campaign.id))[-1]
    assert (record["đơn vị"], record["tài khoản"]) == ("T10", campaign.consolidators[0])
    assert main(["log", "--unit", "t10", *admin]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all("T10" in line for line in lines[2:])


def test_a_cell_named_in_another_composition_and_case_is_found(campaign, pushed):
    backend = FolderBackend(pushed, campaign.id, account=campaign.consolidators[0])
    cell = unicodedata.normalize("NFD", "báo cáo!i6")
    from xl_addin.review import RETURN, Ask

    new = act(campaign, backend, "T10", RETURN, [Ask("Sửa ô này", cell=cell)])
    assert new.reasons[0].sheet == "report"


def test_review_without_an_account_says_how_to_give_one(campaign, pushed, monkeypatch, capsys):
    monkeypatch.delenv("THIDUA_ACCOUNT", raising=False)
    assert main(["review", "accept", "T10", "--share", str(pushed)]) == 1
    err = capsys.readouterr().err
    assert "--account" in err and "THIDUA_ACCOUNT" in err and "Traceback" not in err
    with pytest.raises(SyncError) as refused:
        act(campaign, FolderBackend(pushed, campaign.id, account=""), "T10", "accept")
    assert refused.value.code == "duyet.chua_co_tai_khoan" and "--account" in refused.value.message


def test_review_list_has_headers_whole_names_and_aligned_columns(campaign, pushed, capsys):
    assert main(["review", "list", "--share", str(pushed)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, rule, rows = lines[0], lines[1], lines[2:]
    assert header.startswith("Mã") and "Đơn vị" in header and "Trạng thái" in header
    assert set(rule.replace(" ", "")) == {"-"}
    assert len(rows) == len(campaign.units)
    for unit in campaign.units:
        assert any(unit.name in row for row in rows), unit.name  # never cut
    # every row's state starts in the header's column, counted as the terminal shows it
    column = text_width(header[: header.index("Trạng thái")])
    for row, unit in zip(rows, campaign.units):
        after_name = row.index(unit.name) + len(unit.name)
        state_at = after_name + len(row[after_name:]) - len(row[after_name:].lstrip())
        assert text_width(row[:state_at]) == column, row


def test_a_table_aligns_text_typed_with_combining_marks_and_wide_characters():
    nfd = unicodedata.normalize("NFD", "Trường THCS Nguyễn Bỉnh Khiêm")
    out = table(["Tên", "Số"], [[nfd, 1], ["Chợ", 22], ["東京", 3]], right=(1,)).splitlines()
    widths = {text_width(line) for line in out}
    assert len(widths) == 1  # every line ends in the same column
    assert text_width(nfd) == len("Trường THCS Nguyễn Bỉnh Khiêm") and text_width("東京") == 4


def test_a_long_name_wraps_whole_instead_of_being_cut():
    name = "Trường Trung học cơ sở Nguyễn Bỉnh Khiêm, xã Vĩnh Bảo, thành phố Hải Phòng"
    out = table(["Mã", "Tên"], [["THCSNBK", name]], wrap={1: 30})
    assert " ".join(line[9:].strip() for line in out.splitlines()[2:]) == name
