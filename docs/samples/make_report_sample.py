"""Photograph docs/samples/report-2026-02.html into docs/img/report-sample.png.

    .venv/bin/python docs/samples/make_report_sample.py

The HTML sample itself is written by `FZJJ_UPDATE_SAMPLES=1 pytest tests/test_report_docs.py`.
The headless-Chromium set-up (a private fontconfig file for the CJK fonts fzjj installs, the
trimming and the 64-colour palette) is the one docs/img/make_samples.py uses for the article
samples, loaded from there. Chromium is needed only here, never by the tests or CI.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "samples" / "report-2026-02.html"
TARGET = ROOT / "docs" / "img" / "report-sample.png"


def main() -> None:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "docs/img/make_samples.py")
    assert spec is not None and spec.loader is not None
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    browser = next((b for b in map(shutil.which, samples.CHROMIUM) if b), None)
    if browser is None:
        sys.exit("needs Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copyfile(SAMPLE, work / "preview.html")
        samples._screenshot(browser, work)
        with Image.open(work / "shot.png") as shot:
            samples.save_small(samples._trim(shot), TARGET)


if __name__ == "__main__":
    main()
