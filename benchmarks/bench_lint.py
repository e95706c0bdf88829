"""Time `fzjj.rules.check_content` over 10,800 drafts of 1–2 KB.

Usage:
    python benchmarks/bench_lint.py                 # drafts generated in memory
    python benchmarks/bench_lint.py REPO            # the drafts under REPO/content/
    python benchmarks/bench_lint.py REPO --words 2000 --write DIR

Drafts are parsed first (not timed); then every content rule — category, whitelist,
attribution and the lint — runs over all of them. One in twenty drafts carries personal
data, an un-anonymised party name or a classification marking (for a repository, these are
added in memory to drafts that are clean on disk), and one in ten generated drafts is a
forward, so the matcher's slow paths are exercised too.

`--words N` adds N made-up sensitive words to the policy, the size of a real bureau's
list (three of them are phrases of the added findings, so they are found). `--write DIR`
writes the drafts with their findings and the policy to DIR, for timing `fzjj lint DIR`.
Prints the seconds of the last run on the last line.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yaml

import _corpus
from fzjj.draft import Draft, parse_draft
from fzjj.policy import Policy, parse_policy
from fzjj.rules import check_content

ROOT = Path(__file__).resolve().parents[1]
DRAFTS = 10_800
LEAK_EVERY = 20
_LEAKS = [
    "\n\n被告人{name}在庭审中表示认罪悔罪。\n",
    "\n\n被告人张某、{name}犯盗窃罪，被判处有期徒刑一年。\n",
    "\n\n如有疑问请联系13800138000。\n",
    "\n\n当事人身份证号350582199003071238已登记。\n",
    "\n\n涉案银行卡6222021234567890128已冻结。\n",
    "\n\n秘密★1年\n",
    "\n\n本材料为内部资料，请勿外传。\n",
]
_FORWARD_URLS = [
    "https://www.moj.gov.cn/pub/sfbgw/zwxxgk/202401/t20240102_492001.html",
    "http://legal.people.com.cn/n1/2024/0105/c42510-40152001.html",
    "https://mp.weixin.qq.com/s/Ab3dEfGhIjKlMnOpQrStUv",
]


def _leak(rng: random.Random) -> str:
    return rng.choice(_LEAKS).format(name=_corpus.person_name(rng))


def generated_texts(policy: Policy, count: int = DRAFTS) -> list[tuple[str, str]]:
    """`count` realistic (path, text) drafts, deterministic for a fixed seed."""
    rng = random.Random(20181224)
    drafts = []
    for index in range(count):
        year, month, day = 2016 + index % 10, 1 + index % 12, 1 + index % 28
        unit = rng.choice(policy.units)
        category = rng.choice(policy.categories)
        body = _corpus.body_for(rng, unit.name, year, month, day)
        if index % LEAK_EVERY == 7:
            body += _leak(rng)
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
        drafts.append((f"content/{year}/{month:02d}/{unit.id}-{index:05d}.md", text))
    return drafts


def repository_texts(repo: Path, *, leaks: bool) -> list[tuple[str, str]]:
    """The drafts under REPO/content; with `leaks`, one in twenty gets a finding added."""
    rng = random.Random(5)
    drafts = []
    for index, path in enumerate(sorted((repo / "content").rglob("*.md"))):
        text = path.read_text("utf-8")
        if leaks and index % LEAK_EVERY == 7:
            text += _leak(rng)
        drafts.append((path.relative_to(repo).as_posix(), text))
    return drafts


def sensitive_words(count: int) -> list[str]:
    """`count` words of 2–4 random characters, as rare in the drafts as a real list's, and
    three phrases of the added findings, so that some are found."""
    rng = random.Random(7)
    words = {"认罪悔罪", "已冻结", "如有疑问"}
    while len(words) < count:
        size = rng.randint(2, 4)
        words.add("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(size)))
    return sorted(words)


def with_words(policy_text: str, words: list[str]) -> str:
    """The policy file with `lint.sensitive_words` set to `words`."""
    data = yaml.safe_load(policy_text)
    data.setdefault("lint", {})["sensitive_words"] = words
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def timed(label: str, drafts: list[Draft], policy: Policy) -> float:
    size = sum(len(d.body.encode()) for d in drafts)
    start = time.perf_counter()
    found = [v for d in drafts for v in check_content(d, policy)]
    seconds = time.perf_counter() - start
    blocking = sum(v.severity == "block" for v in found)
    print(f"{label}: {len(drafts)} drafts, {size / 1e6:.1f} MB of body text")
    print(f"  findings: {len(found)} ({blocking} blocking)")
    print(f"  check_content: {seconds:.3f} s ({len(drafts) / seconds:,.0f} drafts/s)")
    return seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", type=Path)
    parser.add_argument("--words", type=int, default=0, help="made-up sensitive words")
    parser.add_argument("--write", type=Path, help="write drafts and policy here")
    args = parser.parse_args(argv)

    repo: Path | None = args.repo
    policy_file = repo / "policies.yaml" if repo and (repo / "policies.yaml").exists() else None
    policy_text = (policy_file or ROOT / "policies.yaml").read_text("utf-8")
    policy = parse_policy(policy_text)
    runs = (
        [("repository as it is", repository_texts(repo, leaks=False)),
         ("repository with findings", repository_texts(repo, leaks=True))]
        if repo
        else [("generated", generated_texts(policy))]
    )  # fmt: skip
    if args.words:
        policy_text = with_words(policy_text, sensitive_words(args.words))
        policy = parse_policy(policy_text)
    seconds = 0.0
    for label, texts in runs:
        drafts = [parse_draft(text.encode(), path) for path, text in texts]
        words = f", {args.words} sensitive words" if args.words else ""
        seconds = timed(label + words, drafts, policy)
    if args.write:
        for path, text in runs[-1][1]:
            target = args.write / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        (args.write / "policies.yaml").write_text(policy_text, "utf-8")
        print(f"wrote {len(runs[-1][1])} drafts and policies.yaml to {args.write}")
    print(f"{seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
