"""Minh chứng: the evidence a claim carries, and which claims the campaign says must carry it.

An award obtained with a false declaration is revoked (Law 06/2022/QH15, Chapter VII), so a
claim names its evidence where the unit writes it: the "Ghi chú, minh chứng" cell of a target,
or anywhere in a proposal's row. Evidence is a link (https, e.g. a Google Drive file) or a file
name (bien-ban.pdf) that the unit puts in the share's minh-chung/UNIT/ folder. Here: whether
evidence is named and well formed; whether a named file is on the share is the backend's to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from campaign.definition import STATUS_VUOT, Campaign, nfc
from campaign.findings import FC, Finding
from campaign.unit_report import Row, UnitReport

_LINK = re.compile(r"\bhttps?://[^\s,;()<>\"']+", re.IGNORECASE)
_FILE = re.compile(r"[\w\-.]+\.(?:pdf|jpe?g|png|docx?|xlsx?|odt|zip)\b", re.IGNORECASE)
ABOVE = STATUS_VUOT


@dataclass(frozen=True)
class Claim:
    """One claim that needs evidence, and what the unit named for it."""

    sheet: str  # layout key
    row_key: str
    what: str  # "CT15", "DN1: Giấy khen…"
    evidence: tuple[str, ...]
    required: bool  # an award proposal (an error without it) rather than a target (a warning)


def named(text: str) -> list[str]:
    """Links and file names in a cell's text, in order."""
    links = _LINK.findall(text or "")
    rest = _LINK.sub(" ", text or "")
    return links + _FILE.findall(rest)


def well_formed_link(link: str) -> bool:
    parts = urlparse(link)
    return parts.scheme == "https" and "." in parts.netloc


def is_link(item: str) -> bool:
    return item.lower().startswith(("http://", "https://"))


def _row_text(row: Row, cols: tuple[str, ...]) -> str:
    return nfc(" ".join(str(row.value(c) or "") for c in cols))


def _cell_text(row: Row, col: str) -> str:
    """A cell's text in NFC: Unikey's "Unicode tổ hợp" and some phone keyboards type NFD, where
    "Vượt" is other code points than the campaign's own word."""
    return nfc(str(row.value(col) or ""))


def claims(campaign: Campaign, report: UnitReport) -> list[Claim]:
    """Every claim of the report that the campaign says needs evidence."""
    out = []
    if "report" in report.sheets:
        for row in report.sheets["report"].rows:
            if not row.key or row.is_blank(("input_a", "input_b", "self_status")):
                continue
            above = campaign.evidence_above and _cell_text(row, "self_status") == ABOVE
            if row.key in campaign.evidence_targets or above:
                out.append(Claim("report", row.key, row.key, tuple(named(_cell_text(row, "note"))), False))
    if campaign.evidence_proposals and "proposals" in report.sheets:
        for row in report.sheets["proposals"].rows:
            if row.is_blank(("award", "subject", "name")):
                continue
            text = _row_text(row, ("award", "subject", "name", "position", "achievement"))
            what = f"{row.key}: {_cell_text(row, 'award')}".strip()
            out.append(Claim("proposals", row.key, what, tuple(named(text)), True))
    return out


def check_evidence(campaign: Campaign, report: UnitReport) -> list[Finding]:
    found = []
    for claim in claims(campaign, report):
        data = report.sheets[claim.sheet]
        row = next(r for r in data.rows if r.key == claim.row_key)
        cell = row.cells.get("note") or row.cells.get("achievement") or next(iter(row.cells.values()))
        if not claim.evidence:
            code = FC.MINH_CHUNG_DE_NGHI if claim.required else FC.MINH_CHUNG_THIEU
            found.append(Finding.make(code, cell.sheet, cell.ref, target=claim.row_key if not claim.required else ""))
        for link in (e for e in claim.evidence if is_link(e) and not well_formed_link(e)):
            found.append(Finding.make(FC.MINH_CHUNG_LIEN_KET, cell.sheet, cell.ref, detail=link[:80]))
    if "proposals" in report.sheets:
        for row in report.sheets["proposals"].rows:
            award = _cell_text(row, "award")
            needs = any(nfc(a).lower() in award.lower() for a in campaign.initiative_awards)
            if award and needs and "sáng kiến" not in _row_text(row, ("achievement",)).lower():
                cell = row.cells["achievement"]
                found.append(Finding.make(FC.MINH_CHUNG_SANG_KIEN, cell.sheet, cell.ref, award=award))
    return found
