"""Property-based robustness: whatever the bytes, a run ends with findings or a clean result,
exit code 0 or 1, no traceback, no rule crash, within a time bound.

The default profile runs a bounded number of examples (fast, for CI); set
PERSONALIZE_LINT_FUZZ=long for a longer run.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalize_lint.config import Config
from personalize_lint.engine import CheckOptions, run_check
from personalize_lint.plugins import collect_reporters, make_plugin_manager

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("long" if os.environ.get("PERSONALIZE_LINT_FUZZ") == "long" else "ci")

TIME_BOUND = 10.0  # seconds for one small file, whatever is in it
SUFFIXES = (".json", ".yaml", ".yml", ".template", ".csv", ".jsonl")
PM = make_plugin_manager(autoload=False)
REPORTERS = collect_reporters(PM)


def lint_bytes(name: str, content: bytes) -> list[Any]:
    """Lint one file in a fresh folder, render every format, return the findings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / name
        path.write_bytes(content)
        start = time.perf_counter()
        report = run_check(Config(path=None, root=root), PM, CheckOptions(paths=[path]))
        for reporter in REPORTERS.values():
            reporter().render(report)
        elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"{name} took {elapsed:.1f}s"
    assert report.exit_code in (0, 1)
    crashes = [f for f in report.findings if "internal error" in f.message]
    assert not crashes, crashes[0].message
    for finding in report.findings:
        if finding.rule_id in ("PL001", "PL002") and finding.location.path:
            assert finding.location.line is None or finding.location.line >= 1
    return report.findings


def corpus_files() -> list[Path]:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not corpus.is_dir():
        return []
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


CORPUS = corpus_files()
needs_corpus = pytest.mark.skipif(not CORPUS, reason="../shared/corpus is absent")


def truncate(raw: bytes, n: int) -> bytes:
    return raw[: n % (len(raw) + 1)]


def flip(raw: bytes, n: int) -> bytes:
    if not raw:
        return b"\xff"
    i = n % len(raw)
    return raw[:i] + bytes([raw[i] ^ (1 + n % 255)]) + raw[i + 1:]


def utf16(raw: bytes, n: int) -> bytes:
    return raw.decode("utf-8", "replace").encode("utf-16" if n % 2 else "utf-16-be")


def latin1(raw: bytes, n: int) -> bytes:
    return raw.decode("utf-8", "replace").encode("latin-1", "replace")


def deep(raw: bytes, n: int) -> bytes:
    depth = 50 + n % 5000
    return b"[" * depth + raw + b"]" * depth


def huge_string(raw: bytes, n: int) -> bytes:
    return b'{"Statement": [{"Sid": "' + b"A" * (10_000 + n % 2_000_000) + b'"}]}'


def huge_number(raw: bytes, n: int) -> bytes:
    return b'{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", ' \
           b'"Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": ' + \
           b"9" * (100 + n % 100_000) + b"}}}}"


def duplicate_keys(raw: bytes, n: int) -> bytes:
    return raw.replace(b'"Effect"', b'"Effect": "Allow", "Effect"', 1 + n % 3)


def insert_bom(raw: bytes, n: int) -> bytes:
    return b"\xef\xbb\xbf" + raw


MUTATIONS: list[Callable[[bytes, int], bytes]] = [
    truncate, flip, utf16, latin1, deep, huge_string, huge_number, duplicate_keys, insert_bom,
]


@needs_corpus
@given(index=st.integers(min_value=0), mutation=st.sampled_from(MUTATIONS),
       n=st.integers(min_value=0, max_value=10**9))
def test_mutated_corpus_files_never_crash(index: int, mutation: Callable[[bytes, int], bytes],
                                          n: int) -> None:
    source = CORPUS[index % len(CORPUS)]
    lint_bytes(source.name, mutation(source.read_bytes(), n))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.sampled_from(["Version", "Statement", "Effect", "Action", "NotAction",
                                       "Resource", "Principal", "Condition", "Sid", "fields",
                                       "type", "name", "metrics", "eventList", "schema",
                                       "metricsOutputConfig", "Resources", "Type"])
                      | st.text(max_size=10), children, max_size=6),
    max_leaves=40,
)


@given(value=json_values)
def test_random_json_documents_never_crash(value: Any) -> None:
    lint_bytes("random.json", json.dumps(value).encode())


@given(value=json_values)
def test_random_policy_shaped_documents_never_crash(value: Any) -> None:
    policy = {"Version": "2012-10-17", "Statement": value}
    lint_bytes("policy.json", json.dumps(policy).encode())


@given(text=st.text(max_size=300))
def test_random_yaml_text_never_crashes(text: str) -> None:
    lint_bytes("random.yaml", text.encode("utf-8", "surrogatepass"))


@given(rows=st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=8), max_size=20))
def test_random_csv_never_crashes(rows: list[list[str]]) -> None:
    header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
    body = "\n".join(",".join(r) for r in rows)
    lint_bytes("interactions.csv", (header + body).encode("utf-8", "surrogatepass"))


def _alias_bomb(levels: int) -> Iterator[str]:
    yield 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        yield f"a{i}: &a{i} [{refs}]"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bomb.yaml", "\n".join(_alias_bomb(9)).encode()),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("deep.yaml", b"- " * 5_000 + b"x"),
        ("big.json", b'{"a": "' + b"x" * (11 * 1024 * 1024) + b'"}'),
        ("long-line.csv", b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + b"u" * 5_000_000 + b"\n"),
    ],
)
def test_adversarial_inputs_are_pl001_quickly_and_in_bounded_memory(name: str,
                                                                   content: bytes) -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        findings = lint_bytes(name, content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 400 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    if not name.endswith(".csv"):
        assert any(f.rule_id == "PL001" for f in findings), [f.message for f in findings]
