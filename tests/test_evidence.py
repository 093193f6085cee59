"""Minh chứng: which claims need evidence, what Kiểm tra says when it is missing or malformed,
and what Tổng hợp finds on the share."""

from __future__ import annotations

import pytest

from campaign.assessment import assess
from campaign.consolidation import consolidate
from campaign.consolidation_tables import evidence_table, proposals_table
from campaign.findings import CANH_BAO, LOI
from workbooks.unit_files import read_report
from workbooks.writer import fill_entries
from xl_addin.consolidate import from_backend
from xl_addin.push import push_file


def _codes(campaign, path, code):
    return [f for f in assess(campaign, read_report(path)).findings if f.code == code]


PROPOSAL = {
    "award": "Giấy khen của Chủ tịch UBND xã",
    "subject": "Cá nhân",
    "name": "Đỗ Văn C",
    "position": "Trưởng thôn",
}


@pytest.mark.parametrize(
    "achievement,errors,link_warnings",
    [
        ("Hoàn thành xuất sắc nhiệm vụ.", 1, 0),  # nothing named: an error, the push is refused
        ("Hoàn thành xuất sắc nhiệm vụ (hồ sơ: thanh-tich-do-van-c.pdf).", 0, 0),
        ("Xem https://drive.google.com/file/d/1AbC/view", 0, 0),
        ("Xem http://drive.google.com/file/d/1AbC/view", 0, 1),  # named, but not https: a warning
        ("Xem https://localhost", 0, 1),
    ],
)
def test_a_proposal_names_its_evidence(campaign, workbook, achievement, errors, link_warnings):
    path = workbook("T01", filled=True)
    fill_entries(path, {"proposals": {"DN1": {**PROPOSAL, "achievement": achievement}}})
    missing = _codes(campaign, path, "minh_chung.de_nghi")
    assert len(missing) == errors and all(f.severity == LOI for f in missing)
    assert len(_codes(campaign, path, "minh_chung.lien_ket")) == link_warnings


def test_targets_that_need_evidence_warn_without_it(campaign, workbook):
    path = workbook("VP", filled=True)
    fill_entries(path, {"report": {"CT15": {"note": None}}})
    (ct15,) = [f for f in _codes(campaign, path, "minh_chung.thieu") if f.target == "CT15"]
    assert ct15.severity == CANH_BAO and "Ghi chú" in ct15.fix
    fill_entries(path, {"report": {"CT15": {"note": "Quyết định công nhận: qd-cong-nhan-ct15.pdf"}}})
    assert not [f for f in _codes(campaign, path, "minh_chung.thieu") if f.target == "CT15"]
    # a self-assessed "Vượt" needs evidence too, on any target
    rep = read_report(path).sheets["report"]
    other = next(r for r in rep.rows if r.key.startswith("CT") and r.key != "CT15" and not r.is_blank(("input_a",)))
    fill_entries(path, {"report": {other.key: {"self_status": "Vượt", "note": None}}})
    assert [f.target for f in _codes(campaign, path, "minh_chung.thieu")] == [other.key]


def test_chien_si_thi_dua_co_so_must_name_its_initiative(campaign, workbook):
    path = workbook("T02", filled=True)
    row = {**PROPOSAL, "award": "Danh hiệu Chiến sĩ thi đua cơ sở"}
    fill_entries(path, {"proposals": {"DN1": {**row, "achievement": "Lao động tiên tiến 2 năm (ho-so.pdf)."}}})
    (f,) = _codes(campaign, path, "minh_chung.sang_kien")
    assert f.severity == LOI and "sáng kiến" in f.message
    fill_entries(
        path,
        {"proposals": {"DN1": {**row, "achievement": "Sáng kiến 'Sổ hộ khẩu số' được công nhận (qd-sk.pdf)."}}},
    )
    assert not _codes(campaign, path, "minh_chung.sang_kien")


def test_tong_hop_checks_named_files_on_the_share_and_lists_every_claim(campaign, workbook, backends):
    path = workbook("T03", filled=True)
    push_file(campaign, path, backends("T03"))
    c = consolidate(campaign, from_backend(campaign, backends()))
    rows = [r for r in evidence_table(c).rows if r[0] == "T03"]
    assert rows and all(r[2] != "(chưa ghi)" for r in rows)
    named = rows[0][2]
    if backends.kind == "folder":
        assert rows[0][3] == "không thấy tệp"
        assert any(f.code == "minh_chung.khong_co_tep" for f in c.submissions["T03"].assessment.findings)
        folder = backends().evidence_dir("T03")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / named).write_bytes(b"%PDF-1.4\n%%EOF\n")
        c = consolidate(campaign, from_backend(campaign, backends()))
        assert next(r[3] for r in evidence_table(c).rows if r[0] == "T03") == "có tệp"
    else:  # Google holds no files: evidence there is a Drive link
        assert "cần đường dẫn" in rows[0][3]
    cited = [r for r in proposals_table(c).rows if r[0] == "T03"]
    assert cited and named in cited[0][-1]  # the proposals annex cites it
