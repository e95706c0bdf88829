"""Generate a realistic fzjj content repository for the benchmarks, fast.

    python benchmarks/generate.py                 # 30 units, 10 years, ~3 drafts/unit/month
    python benchmarks/generate.py --small --out /tmp/bench   # 3 units x 2 months

Every record is a real SSH-signed commit (ed25519 keys generated here, private halves kept
in `<out>/keys/`), with trailers made by `fzjj.records.format_message`. Instead of running
`git commit -S` per commit (about 44 commits/s), objects are hashed in Python and written
into one packfile that `git index-pack` indexes once.

Signing cannot be spread over processes: each commit's bytes contain its parent's id, which
depends on the parent's signature, so the history is an inherently serial chain. In-process
ed25519 signing is fast enough that this does not matter (see docs/benchmarks.md).

Output layout (`--out`, default `benchmarks/work/<units>u-<months>m-<per-month>`)::

    repo/             the content repository (branch main, checked out)
    keys/<person>     OpenSSH private keys (and .pub)
    allowed_signers   for `git verify-commit` / `git log %G?`
    manifest.json     parameters, sizes, and the records still pending (for `extend`)

History ends on day NOW_DAY of the last month, so that month is still under way. Re-running
with the same parameters reuses the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fzjj.model import Action, Kind, Stage
from fzjj.policy import Policy, parse_policy
from fzjj.records import RecordFields, format_message

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _corpus
from _gitobj import BLOB, COMMIT, TREE, PackWriter, tree_bytes

GENERATOR_VERSION = 2
ROOT = Path(__file__).resolve().parents[1]
WORK = Path(__file__).resolve().parent / "work"
TZ = ZoneInfo("Asia/Shanghai")
EMAIL_DOMAIN = "bench.fzjj.invalid"
# History stops on this day of the last month at 18:00, so that month is still under way:
# some drafts wait in review (and `extend` has records to continue).
NOW_DAY = 20
WECHAT_BIZ = "MzA4NjM1NzQ2Mg=="
# Sections of the shipped policies.yaml that the benchmark replaces with its own roster.
_ROSTER_KEYS = {"units", "people", "secrecy_office", "principal", "operators", "publicity"}

Signer = Callable[[bytes, Ed25519PrivateKey], bytes]


@dataclass(frozen=True)
class Params:
    units: int = 30
    months: int = 120
    per_month: float = 3.0
    end: str = "2026-11"  # last month of history (YYYY-MM)
    seed: int = 20161201

    def key(self) -> str:
        template = (ROOT / "policies.yaml").read_bytes()
        blob = json.dumps([asdict(self), GENERATOR_VERSION, _template_digest(template)])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def default_out(self) -> Path:
        return WORK / f"{self.units}u-{self.months}m-{self.per_month:g}"

    def month_list(self) -> list[tuple[int, int]]:
        year, month = (int(x) for x in self.end.split("-"))
        out = []
        for _ in range(self.months):
            out.append((year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return out[::-1]


def _template_digest(template: bytes) -> str:
    data = yaml.safe_load(template) or {}
    kept = {k: v for k, v in data.items() if k not in _ROSTER_KEYS}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()


# ---- the roster ---------------------------------------------------------------------------


@dataclass
class Person:
    pid: str
    name: str
    key: Ed25519PrivateKey
    public: str = ""

    def __post_init__(self) -> None:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        self.public = raw.decode()

    @property
    def email(self) -> str:
        return f"{self.pid}@{EMAIL_DOMAIN}"


@dataclass
class Roster:
    people: dict[str, Person]
    policy: Policy
    text: str


def _unit_list(count: int) -> list[tuple[str, str, str]]:
    units = list(_corpus.UNITS[:count])
    for extra in range(len(units), count):
        units.append((f"unit{extra + 1}", f"第{extra + 1}科", "section"))
    return units


def build_roster(params: Params, rng: random.Random) -> Roster:
    """policies.yaml for the benchmark: the shipped file's rules, a generated roster."""
    people: dict[str, Person] = {}

    def person(pid: str) -> str:
        seed = hashlib.sha256(f"{params.seed}:{pid}".encode()).digest()
        key = Ed25519PrivateKey.from_private_bytes(seed)
        people[pid] = Person(pid, _corpus.person_name(rng), key)
        return pid

    deputies = [person(f"deputy_{i}") for i in range(1, 5)]
    units = []
    for index, (uid, name, kind) in enumerate(_unit_list(params.units)):
        units.append(
            {
                "id": uid,
                "name": name,
                "type": kind,
                "info_officer": person(f"{uid}_info"),
                "head": person(f"{uid}_head"),
                "deputy": deputies[index * len(deputies) // params.units],
            }
        )
    template: dict[str, Any] = yaml.safe_load((ROOT / "policies.yaml").read_text("utf-8"))
    data = {k: v for k, v in template.items() if k not in _ROSTER_KEYS}
    data["version"] = 1
    data["roster_admins"] = [person("admin_publicity")]
    data["principal"] = person("principal")
    data["secrecy_office"] = [person(f"secrecy_{i}") for i in range(1, 4)]
    data["operators"] = [person("operator_1"), person("operator_2")]
    data["publicity"] = ["admin_publicity"]
    data["units"] = units
    data["people"] = [
        {"id": p.pid, "name": p.name, "ssh_keys": [f"{p.public} {p.email}"]}
        for p in people.values()
    ]
    header = "# 基准测试用名册：由 benchmarks/generate.py 生成，人员与密钥均为测试数据。\n"
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
    return Roster(people, parse_policy(text), text)


# ---- the plan: every record of every draft, in time order ---------------------------------


@dataclass
class DraftPlan:
    draft_id: str
    path: str
    unit: str
    kind: Kind
    versions: list[bytes] = field(default_factory=list)


@dataclass
class Step:
    when: int
    draft: DraftPlan
    action: Action
    actor: str
    stage: Stage | None = None
    opinion: str = ""
    url: str | None = None
    version: int = 0  # index into draft.versions (submit only)


def _work_time(rng: random.Random, day: datetime) -> datetime:
    """A moment in office hours (08:30-17:45) on `day`, moved off weekends."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 45)
    return day.replace(hour=minutes // 60, minute=minutes % 60, second=rng.randint(0, 59))


def _later(rng: random.Random, when: datetime) -> datetime:
    """The next action on a draft: from an hour to two working days later."""
    nxt = when + timedelta(minutes=rng.randint(40, 36 * 60))
    if nxt.hour < 8 or nxt.hour >= 18 or nxt.weekday() >= 5:
        start = (nxt if nxt.hour >= 8 else nxt - timedelta(days=1)) + timedelta(days=1)
        nxt = _work_time(rng, start.replace(hour=0, minute=0))
    return nxt


def _draft_text(meta: dict[str, Any], body: str) -> bytes:
    lines = ["---"]
    for key, value in meta.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return ("\n".join(lines) + "\n\n" + body).encode()


class Planner:
    def __init__(self, params: Params, roster: Roster, rng: random.Random) -> None:
        self.params = params
        self.roster = roster
        self.policy = roster.policy
        self.rng = rng
        self.mid = 2650000000

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        for year, month in self.params.month_list():
            for unit in self.policy.units:
                count = max(0, round(self.rng.gauss(self.params.per_month, 0.8)))
                for number in range(1, count + 1):
                    steps += self._draft_steps(year, month, unit.id, number)
        steps.sort(key=lambda s: s.when)
        return steps

    def _new_draft(self, year: int, month: int, unit_id: str, number: int) -> DraftPlan:
        rng = self.rng
        draft_id = f"{year}-{month:02d}-{unit_id}-{number:02d}"
        roll = rng.random()
        kind = Kind.FORWARD if roll < 0.07 else Kind.INTERVIEW if roll < 0.15 else Kind.ORIGINAL
        unit = self.policy.unit_by_id[unit_id]
        day = rng.randint(1, 28)
        categories = [c for c in self.policy.categories if c != "转发上级信息"] or list(
            self.policy.categories
        )
        category = rng.choice(categories)
        meta: dict[str, Any] = {
            "id": draft_id,
            "title": _corpus.title_for(rng, category, unit.name, year, month),
            "unit": unit_id,
            "kind": kind.value,
            "category": category,
            "author": self.roster.people[unit.info_officer].name,
        }
        if kind is Kind.FORWARD:
            name, url = rng.choice(_corpus.FORWARD_SOURCES)
            source_title = rng.choice(_corpus.FORWARD_TITLES).format(
                theme=rng.choice(_corpus.THEMES)
            )
            meta["category"] = next(
                (c for c in self.policy.categories if c == "转发上级信息"), category
            )
            meta["title"] = f"转发｜{source_title}"[:64]
            meta["source"] = {
                "name": name,
                "title": source_title,
                "url": url.format(n=f"{year}{month:02d}{rng.randint(1000, 9999)}"),
                "type": rng.choice(_corpus.FORWARD_TYPES),
            }
        body = _corpus.body_for(rng, unit.name, year, month, day)
        plan = DraftPlan(
            draft_id, f"content/{year}/{month:02d}/{unit_id}-{number:02d}.md", unit_id, kind
        )
        plan.versions.append(_draft_text(meta, body))
        plan.versions.append(
            _draft_text(
                meta, body + "\n" + _corpus.body_for(rng, unit.name, year, month, day)[:300] + "\n"
            )
        )
        return plan

    def _approver(self, stage: Stage, unit_id: str) -> str:
        return self.rng.choice(self.policy.signers_for(stage, unit_id))

    def _draft_steps(self, year: int, month: int, unit_id: str, number: int) -> list[Step]:
        rng = self.rng
        plan = self._new_draft(year, month, unit_id, number)
        submitter = rng.choice(self.policy.submitters_for(plan.kind, unit_id))
        chain = self.policy.chains[plan.kind]
        when = _work_time(rng, datetime(year, month, rng.randint(1, 26), tzinfo=TZ))
        out: list[Step] = []

        def add(action: Action, actor: str, **kw: Any) -> None:
            nonlocal when
            if out:
                when = _later(rng, when)
            out.append(Step(int(when.timestamp()), plan, action, actor, **kw))

        def approvals(stages: list[Stage] | tuple[Stage, ...]) -> None:
            for stage in stages:
                opinion = rng.choice(_corpus.OPINIONS[stage.value])
                add(Action.APPROVE, self._approver(stage, unit_id), stage=stage, opinion=opinion)

        roll = rng.random()
        add(Action.SUBMIT, submitter, version=0)
        if roll < 0.09:  # sent back at the first or second stage, edited, submitted again
            reject_at = 0 if roll < 0.06 or len(chain) < 2 else 1
            approvals(chain[:reject_at])
            stage = chain[reject_at]
            add(
                Action.REJECT,
                self._approver(stage, unit_id),
                stage=stage,
                opinion=rng.choice(_corpus.REJECTIONS),
            )
            if roll < 0.085:
                add(Action.SUBMIT, submitter, version=1)
                approvals(chain)
                self._publish(add, submitter)
        elif roll < 0.10:  # stalled somewhere in review
            approvals(chain[: rng.randrange(len(chain))])
        elif roll < 0.17:  # approved, never published
            approvals(chain)
        else:
            approvals(chain)
            self._publish(add, submitter)
        return out

    def _publish(self, add: Callable[..., None], submitter: str) -> None:
        operators = [p for p in self.policy.operators if p != submitter]
        self.mid += self.rng.randint(1, 40)
        url = (
            f"https://mp.weixin.qq.com/s?__biz={WECHAT_BIZ}&mid={self.mid}&idx=1"
            f"&sn={self.rng.getrandbits(128):032x}"
        )
        add(Action.PUBLISH, self.rng.choice(operators), url=url)


# ---- writing the repository ---------------------------------------------------------------


def load_signer() -> Signer:
    """`fzjj.sigverify.sign_commit_payload`: unsigned commit bytes + key -> signed commit."""
    from fzjj.sigverify import sign_commit_payload

    return sign_commit_payload


class Builder:
    """Hashes trees and commits incrementally and appends them to one pack."""

    def __init__(self, pack: PackWriter, roster: Roster, sign: Signer) -> None:
        self.pack = pack
        self.roster = roster
        self.sign = sign
        self.root: dict[str, tuple[bytes, bool]] = {}
        self.months: dict[tuple[str, str], dict[str, tuple[bytes, bool]]] = {}
        self.month_ids: dict[tuple[str, str], bytes] = {}
        self.year_ids: dict[str, dict[str, tuple[bytes, bool]]] = {}
        self.year_trees: dict[str, tuple[bytes, bool]] = {}
        self.tree = b""
        self.head: str | None = None
        self.commits = 0

    def set_file(self, path: str, data: bytes) -> bytes:
        """Put a file into the tree, re-hashing only the trees on its path."""
        blob = self.pack.add(BLOB, data)
        parts = path.split("/")
        if len(parts) == 1:
            self.root[path] = (blob, False)
        else:
            _, year, month, name = parts
            files = self.months.setdefault((year, month), {})
            files[name] = (blob, False)
            month_id = self.pack.add(TREE, tree_bytes(files))
            years = self.year_ids.setdefault(year, {})
            years[month] = (month_id, True)
            self.year_trees[year] = (self.pack.add(TREE, tree_bytes(years)), True)
            self.root["content"] = (self.pack.add(TREE, tree_bytes(self.year_trees)), True)
        self.tree = self.pack.add(TREE, tree_bytes(self.root))
        return blob

    def commit(self, actor: str, when: int, message: str) -> str:
        person = self.roster.people[actor]
        offset = datetime.fromtimestamp(when, TZ).strftime("%z")
        ident = f"{person.name} <{person.email}> {when} {offset}"
        head = f"tree {self.tree.hex()}\n"
        if self.head:
            head += f"parent {self.head}\n"
        head += f"author {ident}\ncommitter {ident}\n"
        raw = self.sign((head + "\n" + message).encode(), person.key)
        self.head = self.pack.add(COMMIT, raw).hex()
        self.commits += 1
        return self.head


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return proc.stdout.strip()


def _record(builder: Builder, step: Step, blob: str, digest: str, prev: str | None) -> str:
    fields = RecordFields(
        action=step.action,
        draft_id=step.draft.draft_id,
        path=step.draft.path,
        digest=digest,
        blob=blob,
        policy_version=1,
        stage=step.stage,
        prev=prev,
        opinion=step.opinion,
        url=step.url,
    )
    return builder.commit(step.actor, step.when, format_message(fields))


def generate(params: Params, out: Path, *, quiet: bool = False) -> dict[str, Any]:
    """Build the repository at `out/repo` (or reuse it) and return the manifest."""
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        repo = out / "repo"
        if manifest.get("key") == params.key() and (repo / ".git").is_dir():
            head = subprocess.run(
                ["git", "rev-parse", "-q", "--verify", "refs/heads/main"],
                cwd=repo,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            if head == manifest["head"]:
                return manifest
    if out.exists():
        if any(out.iterdir()) and not manifest_path.exists():
            raise SystemExit(f"{out} exists and is not a benchmark work dir; refusing to clear it")
        shutil.rmtree(out)
    return _build(params, out, quiet=quiet)


def _build(params: Params, out: Path, *, quiet: bool) -> dict[str, Any]:
    started = time.perf_counter()
    rng = random.Random(params.seed)
    roster = build_roster(params, rng)
    repo = out / "repo"
    repo.mkdir(parents=True)
    _write_keys(out, roster)
    _git(repo, "init", "-q", "-b", "main")
    for key, value in (
        ("gpg.format", "ssh"),
        ("gpg.ssh.allowedSignersFile", str((out / "allowed_signers").resolve())),
        ("core.autocrlf", "false"),
        ("user.name", "benchmark"),
        ("user.email", f"benchmark@{EMAIL_DOMAIN}"),
    ):
        _git(repo, "config", key, value)

    steps = Planner(params, roster, rng).steps()
    end = params.month_list()[-1]
    cutoff = datetime(end[0], end[1], NOW_DAY, 18, tzinfo=TZ).timestamp()
    planned = time.perf_counter()

    pack = PackWriter(repo / ".git")
    builder = Builder(pack, roster, load_signer())
    builder.set_file("policies.yaml", roster.text.encode())
    first = steps[0].when if steps else int(cutoff)
    builder.commit(
        roster.policy.roster_admins[0],
        first - 3 * 86400,
        "Initialize the content repository\n\n建立内容仓库与名册（policies.yaml 第 1 版）。\n",
    )
    last = first - 3 * 86400
    state: dict[str, tuple[str, str, str | None]] = {}  # draft id -> (blob, digest, prev)
    pending: dict[str, dict[str, Any]] = {}
    drafts: set[str] = set()
    for step in steps:
        draft_id = step.draft.draft_id
        if step.when >= cutoff or draft_id in pending:
            _note_pending(pending, step, state)
            continue
        step.when = max(step.when, last + 1)
        last = step.when
        if step.action is Action.SUBMIT:
            data = step.draft.versions[step.version]
            blob = builder.set_file(step.draft.path, data).hex()
            state[draft_id] = (blob, hashlib.sha256(data).hexdigest(), None)
            drafts.add(draft_id)
        blob, digest, prev = state[draft_id]
        commit = _record(builder, step, blob, digest, prev)
        state[draft_id] = (blob, digest, None if step.action is Action.PUBLISH else commit)
    signed = time.perf_counter()
    pack.finish()
    assert builder.head is not None
    _git(repo, "update-ref", "refs/heads/main", builder.head)
    _git(repo, "reset", "-q", "--hard", "main")
    manifest = {
        "key": params.key(),
        "params": asdict(params),
        "head": builder.head,
        "tree": builder.tree.hex(),
        "last_time": last,
        "commits": builder.commits,
        "drafts": len(drafts),
        "objects": pack.count,
        "pending": list(pending.values()),
        "seconds": {
            "plan": round(planned - started, 2),
            "sign_and_pack": round(signed - planned, 2),
            "index_and_checkout": round(time.perf_counter() - signed, 2),
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    if not quiet:
        print(
            f"generated {builder.commits} commits, {len(drafts)} drafts, {pack.count} objects "
            f"in {time.perf_counter() - started:.1f}s -> {repo}"
        )
    return manifest


def _note_pending(
    pending: dict[str, dict[str, Any]], step: Step, state: dict[str, tuple[str, str, str | None]]
) -> None:
    """Remember a record that falls after the end of history, for `extend`."""
    draft_id = step.draft.draft_id
    if draft_id not in state:
        return  # never submitted before the cut-off
    entry = pending.setdefault(draft_id, {"draft": draft_id, "path": step.draft.path, "steps": []})
    entry["state"] = state[draft_id]
    entry["steps"].append(
        {
            "action": step.action.value,
            "actor": step.actor,
            "stage": step.stage.value if step.stage else None,
            "opinion": step.opinion,
            "url": step.url,
            "submit": step.action is Action.SUBMIT,
        }
    )


def _write_keys(out: Path, roster: Roster) -> None:
    keys = out / "keys"
    keys.mkdir()
    lines = []
    for person in roster.people.values():
        private = person.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        path = keys / person.pid
        path.write_bytes(private)
        path.chmod(0o600)
        (keys / f"{person.pid}.pub").write_text(f"{person.public} {person.email}\n")
        lines.append(f'{person.email} namespaces="git" {person.public}')
    (out / "allowed_signers").write_text("\n".join(lines) + "\n")


def extend(out: Path, count: int) -> str:
    """Write `count` more signed records after the generated history; returns the new tip.

    The records continue drafts still in review (approvals and publications only, so the
    tree does not change). The branch is not moved: the caller decides when to point
    refs/heads/main at the returned commit. The result is deterministic and cached.
    """
    manifest = json.loads((out / "manifest.json").read_text())
    cached = manifest.get("extensions", {}).get(str(count))
    if cached:
        return str(cached)
    params = Params(**manifest["params"])
    roster = build_roster(params, random.Random(params.seed))
    pack = PackWriter(out / "repo" / ".git")
    builder = Builder(pack, roster, load_signer())
    builder.head, builder.tree = manifest["head"], bytes.fromhex(manifest["tree"])
    when = manifest["last_time"]
    queues = [(entry, list(_takewhile_not_submit(entry["steps"]))) for entry in manifest["pending"]]
    made = 0
    while made < count and any(q for _, q in queues):
        for entry, queue in queues:
            if not queue or made >= count:
                continue
            raw = queue.pop(0)
            blob, digest, prev = entry["state"]
            when += 300
            step = Step(
                when,
                DraftPlan(entry["draft"], entry["path"], "", Kind.ORIGINAL),
                Action(raw["action"]),
                raw["actor"],
                stage=Stage(raw["stage"]) if raw["stage"] else None,
                opinion=raw["opinion"],
                url=raw["url"],
            )
            entry["state"] = [blob, digest, _record(builder, step, blob, digest, prev)]
            made += 1
    if made < count:
        raise SystemExit(f"only {made} pending records available to extend the history")
    pack.finish()
    assert builder.head is not None
    manifest.setdefault("extensions", {})[str(count)] = builder.head
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return builder.head


def extendable(manifest: dict[str, Any]) -> int:
    """How many records `extend` can add to this repository."""
    return sum(len(_takewhile_not_submit(entry["steps"])) for entry in manifest["pending"])


def _takewhile_not_submit(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for step in steps:
        if step["submit"]:
            break
        out.append(step)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--years", type=float, default=10, help="years of history")
    parser.add_argument("--months", type=int, help="months of history (overrides --years)")
    parser.add_argument("--per-month", type=float, default=3.0, help="drafts per unit per month")
    parser.add_argument("--end", default="2026-11", help="last month of history, YYYY-MM")
    parser.add_argument("--seed", type=int, default=Params.seed)
    parser.add_argument("--small", action="store_true", help="3 units x 2 months (for tests)")
    parser.add_argument("--out", type=Path, help="work dir (default under benchmarks/work/)")
    args = parser.parse_args(argv)
    months = args.months or round(args.years * 12)
    params = Params(args.units, months, args.per_month, args.end, args.seed)
    if args.small:
        params = Params(3, 2, 3.0, args.end, args.seed)
    out = args.out or params.default_out()
    manifest = generate(params, out)
    print(json.dumps({k: manifest[k] for k in ("head", "commits", "drafts")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
