"""The samples in docs/reports.md are the real output of `fzjj report` and `fzjj stats import`
on the signed history of `report_history` (January to December 2026).

Each sample in the page sits in the fenced block after a `<!-- sample: NAME -->` line; the
HTML sample is the file docs/samples/report-2026-02.html. Run with FZJJ_UPDATE_SAMPLES=1 to
rewrite them from the current output instead of comparing (then review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import Bureau
from report_history import build_history, extend_for_year, new_bureau, run, write_export

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reports.md"
HTML_SAMPLE = ROOT / "docs" / "samples" / "report-2026-02.html"
UPDATE = bool(os.environ.get("FZJJ_UPDATE_SAMPLES"))

# name → the command's arguments
SAMPLES = {
    "month-table": ["report", "--month", "2026-03"],
    "month-markdown": ["report", "--month", "2026-02", "--format", "markdown"],
    "month-csv": ["report", "--month", "2026-02", "--format", "csv"],
    "month-json": ["report", "--month", "2026-02", "--format", "json"],
    "year-table": ["report", "--year", "2026"],
    "pending-table": ["report", "--pending"],
    "reminders-table": ["report", "--reminders", "--month", "2026-04"],
}
# the marker, the opening fence, the lines up to the closing fence (maybe none), the fence
BLOCK = re.compile(r"(<!-- sample: (?P<name>[\w-]+) -->\n```\w*\n)(?P<body>(?:(?!```).*\n)*)(```)")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, Path]) -> dict[str, str]:
    """What each sample's command prints, on the history with the reads imported."""
    work = tmp_path_factory.mktemp("samples")
    b: Bureau = extend_for_year(build_history(new_bureau(work / "repo", keyring)))
    imported = run(b, "stats", "import", str(write_export(work / "微信统计.csv")))
    assert imported.exit_code == 0, imported.output
    out = {"stats-import": imported.stdout.rstrip("\n")}
    for name, args in SAMPLES.items():
        result = run(b, *args)
        assert result.exit_code == 0, (name, result.output)
        text = result.stdout_bytes.decode("utf-8-sig").replace("\r\n", "\n")
        out[name] = text.rstrip("\n")
    html = run(b, "report", "--month", "2026-02", "--format", "html")
    assert html.exit_code == 0
    out["html"] = html.stdout
    return out


def test_every_sample_in_the_page_is_current(outputs: dict[str, str]) -> None:
    page = PAGE.read_text("utf-8")
    found = {m["name"]: m["body"] for m in BLOCK.finditer(page)}
    if UPDATE:
        page = BLOCK.sub(lambda m: m[1] + outputs[m["name"]] + "\n" + m[4], page)
        PAGE.write_text(page, "utf-8")
        HTML_SAMPLE.parent.mkdir(exist_ok=True)
        HTML_SAMPLE.write_text(outputs["html"], "utf-8")
        return
    assert set(found) == set(SAMPLES) | {"stats-import"}
    for name, body in found.items():
        assert body == outputs[name] + "\n", f"docs/reports.md sample {name} is out of date"
    assert HTML_SAMPLE.read_text("utf-8") == outputs["html"]


def test_samples_show_what_the_page_says(outputs: dict[str, str]) -> None:
    """A few figures the page's prose points at, so a regenerated sample keeps showing them."""
    assert "| **安海司法所** | **0** |" in outputs["month-markdown"]
    assert outputs["month-csv"].startswith("“法治晋江”政务微信公众号 2026年2月 信息报送月报\n")
    assert '"below_quota": [\n    "anhai"\n  ]' in outputs["month-json"]
    assert "2026-03-01 00:30" in outputs["month-table"]  # the midnight submission
    assert re.search(r"│\s+1 │ 青阳司法所 │", outputs["year-table"])
    assert re.search(r"│\s+1 │ 安海司法所 │", outputs["year-table"])  # a tie
    assert "未匹配 2 行" in outputs["stats-import"]
