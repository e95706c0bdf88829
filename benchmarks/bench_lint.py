"""Time `fzjj.rules.check_content` over 10,800 drafts of 1–2 KB.

Usage:
    python benchmarks/bench_lint.py            # drafts generated in memory
    python benchmarks/bench_lint.py REPO       # the drafts under REPO/content/

Drafts are parsed first (not timed); then every content rule — category, whitelist,
attribution and the lint — runs over all of them. One in twenty generated drafts carries
personal data or an un-anonymised party name, and one in ten is a forward, so the
matcher's slow paths are exercised too. Prints the seconds on the last line.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _corpus
from fzjj.draft import Draft, parse_draft
from fzjj.policy import Policy, parse_policy
from fzjj.rules import check_content

ROOT = Path(__file__).resolve().parents[1]
DRAFTS = 10_800
_LEAKS = [
    "\n\n被告人{name}在庭审中表示认罪悔罪。\n",
    "\n\n如有疑问请联系13800138000。\n",
    "\n\n当事人身份证号350582199003071238已登记。\n",
    "\n\n涉案银行卡6222021234567890128已冻结。\n",
]
_FORWARD_URLS = [
    "https://www.moj.gov.cn/pub/sfbgw/zwxxgk/202401/t20240102_492001.html",
    "http://legal.people.com.cn/n1/2024/0105/c42510-40152001.html",
    "https://mp.weixin.qq.com/s/Ab3dEfGhIjKlMnOpQrStUv",
]


def generated_drafts(policy: Policy, count: int = DRAFTS) -> list[Draft]:
    """`count` realistic drafts, deterministic for a fixed seed."""
    rng = random.Random(20181224)
    drafts = []
    for index in range(count):
        year, month, day = 2016 + index % 10, 1 + index % 12, 1 + index % 28
        unit = rng.choice(policy.units)
        category = rng.choice(policy.categories)
        body = _corpus.body_for(rng, unit.name, year, month, day)
        if index % 20 == 7:
            body += rng.choice(_LEAKS).format(name=_corpus.person_name(rng))
        front = [
            f"id: {year}-{month:02d}-{unit.id}-{index:05d}",
            f"title: {_corpus.title_for(rng, category, unit.name, year, month)}",
            f"unit: {unit.id}",
            f"category: {category}",
        ]
        if index % 10 == 3:
            front += ["kind: forward", "source:", "  name: 司法部", "  title: 原标题"]
            front += [f"  url: '{rng.choice(_FORWARD_URLS)}'", "  type: 新规政策"]
        else:
            front.append("kind: original")
        text = "---\n" + "\n".join(front) + "\n---\n" + body
        path = f"content/{year}/{month:02d}/{unit.id}-{index:05d}.md"
        drafts.append(parse_draft(text.encode(), path))
    return drafts


def repository_drafts(repo: Path) -> list[Draft]:
    paths = sorted((repo / "content").rglob("*.md"))
    return [parse_draft(p.read_bytes(), p.relative_to(repo).as_posix()) for p in paths]


def main(argv: list[str]) -> int:
    repo = Path(argv[0]) if argv else None
    policy_file = repo / "policies.yaml" if repo and (repo / "policies.yaml").exists() else None
    policy = parse_policy((policy_file or ROOT / "policies.yaml").read_text("utf-8"))
    drafts = repository_drafts(repo) if repo else generated_drafts(policy)
    size = sum(len(d.body.encode()) for d in drafts)

    start = time.perf_counter()
    found = [v for d in drafts for v in check_content(d, policy)]
    seconds = time.perf_counter() - start

    blocking = sum(v.severity == "block" for v in found)
    print(f"drafts: {len(drafts)}, body text: {size / 1e6:.1f} MB")
    print(f"findings: {len(found)} ({blocking} blocking)")
    print(f"check_content: {seconds:.3f} s ({len(drafts) / seconds:,.0f} drafts/s)")
    print(f"{seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
