"""Differential test: our IAM evaluator against an independent one, @cloud-copilot/iam-simulate.

5,600 seeded (policy set, request) pairs (iamdiff/pairs.py): identity policies, bucket, key,
trust and other resource policies, permissions boundaries, SCPs and RCPs, conditions,
NotAction/NotResource/NotPrincipal, wildcards, case, same- and cross-account requests, by
the Personalize role or by the service principal. iam-simulate's verdicts are stored in
verdicts.json (scripts/regenerate_iam_differential.py rewrites it), so this compares
without node; with node and the pinned package installed, the last test also asks
iam-simulate again. How "uncertain" and partly known requests compare: iamdiff/compare.py.
Every divergence is a known one (iamdiff/divergences.py), with the AWS sentence that
decides it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import pytest
from iamdiff import compare, divergences, pairs, simulate

REGENERATE = "run scripts/regenerate_iam_differential.py"


@dataclass
class Run:
    pairs: list[pairs.Json]
    ids: list[str]
    stored: dict[str, object]
    comparisons: list[compare.Comparison]


@pytest.fixture(scope="module")
def run() -> Run:
    generated = pairs.generate()
    ids = [pairs.pair_id(p) for p in generated]
    stored = simulate.load_stored()
    verdicts = stored["verdicts"]
    assert isinstance(verdicts, dict)
    comparisons = [
        compare.compare(p, compare.ours_code(compare.ours(p)), verdicts.get(pid, ""))
        for p, pid in zip(generated, ids, strict=True)
    ]
    return Run(generated, ids, stored, comparisons)


def test_the_stored_verdicts_are_for_these_pairs_and_this_simulator(run: Run) -> None:
    verdicts = run.stored["verdicts"]
    assert isinstance(verdicts, dict)
    assert len(run.ids) >= 5000 and len(set(run.ids)) == len(run.ids)
    assert set(verdicts) == set(run.ids), f"the generator changed: {REGENERATE}"
    for pair, pid in zip(run.pairs, run.ids, strict=True):
        assert len(verdicts[pid]) == len(pair["samples"]) and set(verdicts[pid]) <= set("AEI")
    assert run.stored["iam-simulate"] == simulate.pinned_version(), REGENERATE
    package = json.loads((simulate.HERE / "package.json").read_text("utf-8"))
    assert package["dependencies"][simulate.PACKAGE] == simulate.pinned_version()


def test_the_pairs_cover_what_the_brief_asks_for(run: Run) -> None:
    text = [json.dumps(p) for p in run.pairs]
    def count(needle: str) -> int:
        return sum(needle in t for t in text)
    for needle in ("StringEquals", "StringLike", "ArnLike", "IfExists", "ForAnyValue:",
                   "ForAllValues:", '"Null"', '"Bool"', "NotAction", "NotResource",
                   "NotPrincipal", '"scps": [[', '"rcps": [[', '"boundary": {', "?", "KMS:",
                   '"resource_kind": "kms"', '"resource_kind": "s3"', '"resource_kind": "trust"',
                   '"resource_kind": "generic"', '"resource_account": "444455556666"'):
        assert count(needle) >= 100, needle
    modes = Counter(c.mode for c in run.comparisons)
    assert modes["concrete"] > 3000 and modes["partial-resource"] > 300
    assert modes["partial-context"] > 300


def test_every_disagreement_is_a_known_divergence(run: Run) -> None:
    statuses = Counter(c.status for c in run.comparisons)
    unknown = []
    claimed: Counter[str] = Counter()
    for pair, pid, c in zip(run.pairs, run.ids, run.comparisons, strict=True):
        if c.status != "diverge":
            continue
        names = divergences.classify(pair, c)
        claimed.update(names)
        if not names:
            unknown.append(f"{pid}: ours {c.ours}, iam-simulate {c.theirs} ({c.mode})")
    print(f"\n{len(run.pairs)} pairs: " + ", ".join(f"{n} {s}" for s, n in statuses.items()))
    for name, n in claimed.most_common():
        print(f"  {n:3} {name}")
    assert not unknown, "\n".join(unknown)
    # Agreement stays the rule, not the exception.
    assert statuses["agree"] / len(run.pairs) > 0.95


def test_each_known_divergence_still_happens(run: Run) -> None:
    # A class that claims nothing was fixed (as issue 16's was): remove it.
    claimed = set()
    for pair, c in zip(run.pairs, run.comparisons, strict=True):
        if c.status == "diverge":
            claimed.update(divergences.classify(pair, c))
    assert {d.name for d in divergences.KNOWN} == claimed
    for d in divergences.KNOWN:
        assert d.quote and d.source and d.side


def test_uncertain_is_never_counted_as_agreement(run: Run) -> None:
    for c in run.comparisons:
        if c.ours == "?":
            assert c.status != "agree"
    uncertain = [c for c in run.comparisons if c.ours == "?"]
    assert any(c.status == "uncertain-justified" for c in uncertain)


# ours, iam-simulate per sample -> status, for each mode of pair (see iamdiff/compare.py)
STATUS_CASES = [
    ("concrete", "A", "A", "agree"),
    ("concrete", "E", "E", "agree"),
    ("concrete", "I", "I", "agree"),
    ("concrete", "I", "E", "diverge"),  # an explicit deny is compared too
    ("concrete", "E", "I", "diverge"),
    ("concrete", "A", "I", "diverge"),
    ("concrete", "?", "A", "diverge"),  # everything was known: nothing to be unsure of
    ("concrete", "?", "I", "diverge"),
    ("partial-resource", "A", "AAA", "agree"),  # every object allowed
    ("partial-resource", "A", "AIA", "diverge"),
    ("partial-resource", "I", "AIA", "agree"),  # denied as soon as one object is
    ("partial-resource", "E", "AEA", "agree"),
    ("partial-resource", "I", "AEA", "diverge"),  # our Deny would have applied
    ("partial-resource", "I", "AAA", "diverge"),
    ("partial-resource", "?", "AIA", "diverge"),
    ("partial-context", "A", "AAA", "agree"),  # every value of the key allowed
    ("partial-context", "A", "AAI", "diverge"),
    ("partial-context", "I", "IEI", "agree"),  # every value denied
    ("partial-context", "E", "EEE", "agree"),
    ("partial-context", "E", "EIE", "diverge"),
    ("partial-context", "I", "IAI", "diverge"),
    ("partial-context", "?", "AIA", "uncertain-justified"),  # the value decides
    ("partial-context", "?", "AAA", "uncertain-conservative"),  # it did not matter
    ("partial-context", "?", "III", "uncertain-conservative"),
]


@pytest.mark.parametrize(("mode", "ours", "theirs", "status"), STATUS_CASES)
def test_comparison_rules(mode: str, ours: str, theirs: str, status: str) -> None:
    assert compare._status(mode, ours, theirs) == status


def test_live_iam_simulate_still_gives_the_stored_verdicts(run: Run) -> None:
    version = simulate.installed_version()
    if version is None:
        pytest.skip("node or tests/iam/differential/node_modules (npm ci) is not installed")
    if version != run.stored["iam-simulate"]:
        pytest.skip(f"installed iam-simulate {version} is not the pinned one: npm ci")
    # Every seventh pair keeps this a few seconds; the regeneration script runs them all.
    subset = run.pairs[::7]
    raw = simulate.run_node(simulate.simulations(subset))
    live = simulate.verdicts_by_pair(subset, raw)
    verdicts = run.stored["verdicts"]
    assert isinstance(verdicts, dict)
    changed = {pid: (verdicts[pid], v) for pid, v in live.items() if verdicts[pid] != v}
    assert not changed, f"iam-simulate answers differently now: {changed}"
