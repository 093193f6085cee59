"""PDF through LibreOffice, when it is installed (it is optional for users)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def to_pdf(path: Path, out_dir: Path, timeout: int = 180) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    # a private profile: a user's open LibreOffice window must not block or receive the job
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(path),
            ],
            check=False,
            timeout=timeout,
            capture_output=True,
            # LibreOffice formats numbers by the process locale: 97,5 and 1.234 as in Vietnam
            env={**os.environ, "LANG": "vi_VN.UTF-8", "LC_ALL": "vi_VN.UTF-8"},
        )
    pdf = Path(out_dir) / (Path(path).stem + ".pdf")
    return pdf if pdf.exists() else None
