"""The trailer parser runs for every commit of the history, so it is hand-tuned; here it is
held to the plain line-by-line definition on generated messages."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from fzjj.records import MalformedRecord, parse_trailers

KEYS = ["Action", "Draft", "Path", "Stage", "Opinion", "URL", "Bogus", "Prev"]
_LINE = re.compile(r"^Fzjj-([A-Za-z0-9]+): ?(.*)$")


def reference(message: str) -> dict[str, str] | str | None:
    """The definition: the last paragraph's `Fzjj-Key: value` lines, continued by lines
    that start with a space; unknown or repeated keys are malformed."""
    if "Fzjj-" not in message:
        return None
    block = message.rstrip("\n").split("\n\n")[-1].split("\n")
    out: dict[str, str] = {}
    key = None
    for line in block:
        if line.startswith(" ") and key is not None:
            out[key] += "\n" + line[1:]
            continue
        match = _LINE.match(line)
        if not match:
            key = None
            continue
        key = match.group(1)
        if key not in {"Action", "Draft", "Path", "Stage", "Decision", "SHA256", "Blob", "Prev",
                       "Policy", "URL", "Opinion"}:  # fmt: skip
            return "malformed"
        if key in out:
            return "malformed"
        out[key] = match.group(2)
    return out or None


def actual(message: str) -> dict[str, str] | str | None:
    try:
        return parse_trailers(message)
    except MalformedRecord:
        return "malformed"


line = st.one_of(
    st.builds(lambda k, sep, v: f"Fzjj-{k}{sep}{v}", st.sampled_from(KEYS),
              st.sampled_from([": ", ":", " :", ":  "]), st.text("ab 同意\r:", max_size=8)),
    st.builds(lambda v: " " + v, st.text("xy 意见", max_size=6)),
    st.text("Fzjj-: abc", max_size=12),
    st.just(""),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(line, max_size=8), st.sampled_from(["fzjj approve x\n\n", "", "subject\n"]))
def test_parser_matches_the_definition(lines: list[str], subject: str) -> None:
    message = subject + "\n".join(lines) + "\n"
    assert actual(message) == reference(message)


def test_continuation_and_known_cases() -> None:
    text = "fzjj approve d (unit_head)\n\nFzjj-Action: approve\nFzjj-Opinion: 同意。\n 第二行\n"
    assert parse_trailers(text) == {"Action": "approve", "Opinion": "同意。\n第二行"}
    assert actual("s\n\nFzjj-Action: a\nFzjj-Action: b\n") == "malformed"
    assert actual("s\n\nFzjj-Nope: a\n") == "malformed"
    assert parse_trailers("no trailers here\n") is None
