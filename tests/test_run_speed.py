"""What makes a run over many files fast, and must not change what it finds.

Results shared between the rules of one pass (``Inventory.shared``), path resolution once
per folder, display paths worked out once, lazily located spans, and the collector's
threshold during a run.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLES
from personalize_lint.cli import main
from personalize_lint.config import load_config
from personalize_lint.engine import RUN_GC_THRESHOLD, CheckOptions, Loader, run_check
from personalize_lint.inventory import Inventory
from personalize_lint.loaders.base import LoadContext
from personalize_lint.loaders.jsonpos import Spans, parse_json
from personalize_lint.plugins import make_plugin_manager


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: int = 1) -> list[int]:
        self.calls += 1
        return [value]


def test_shared_results_live_for_one_rule_pass() -> None:
    inventory = Inventory()
    compute = Counter()
    key = object()
    # Outside a pass nothing is kept: a test may change the inventory between two checks.
    assert inventory.shared("x", key, compute) == [1]
    assert inventory.shared("x", key, compute) == [1]
    assert compute.calls == 2
    with inventory.rule_pass():
        first = inventory.shared("x", key, compute, 7)
        assert inventory.shared("x", key, compute, 7) is first
        assert compute.calls == 3
        inventory.shared("y", key, compute)  # another name
        inventory.shared("x", object(), compute)  # another object
        assert compute.calls == 5
        with inventory.rule_pass():  # nested: the outer pass keeps owning the results
            assert inventory.shared("x", key, compute, 7) is first
        assert inventory.shared("x", key, compute, 7) is first
    assert inventory.shared("x", key, compute) == [1]
    assert compute.calls == 6


def test_a_failed_computation_is_not_kept() -> None:
    inventory = Inventory()
    calls: list[int] = []

    def fail() -> int:
        calls.append(1)
        raise ValueError("boom")

    with inventory.rule_pass():
        for _ in range(2):
            with pytest.raises(ValueError):
                inventory.shared("x", inventory, fail)
    assert len(calls) == 2  # each rule that asks sees the same crash


def test_a_kept_object_is_not_mistaken_for_a_new_one_with_its_id() -> None:
    inventory = Inventory()
    with inventory.rule_pass():
        seen = [inventory.shared("x", object(), Counter()) for _ in range(50)]
    # Each temporary object is kept alive with its result, so no id is reused in the pass.
    assert all(v == [1] for v in seen)


def test_the_rules_share_within_a_run_and_runs_share_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "broken", root)
    monkeypatch.chdir(root)
    outputs = []
    for _ in range(2):
        main(["check", ".", "--format", "json"])
        outputs.append(json.loads(capsys.readouterr().out)["findings"])
    assert outputs[0] == outputs[1]
    # A run that changes a schema between two runs in one process sees the change.
    schema = root / "personalize" / "interactions-schema.json"
    if schema.is_file():
        data = json.loads(schema.read_text())
        data["fields"] = [f for f in data["fields"] if f.get("name") != "ITEM_ID"]
        schema.write_text(json.dumps(data))
        main(["check", ".", "--format", "json"])
        third = json.loads(capsys.readouterr().out)["findings"]
        assert any("ITEM_ID" in f["message"] for f in third)


def test_the_collector_threshold_is_raised_for_a_run_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "p.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    monkeypatch.chdir(tmp_path)
    seen: list[tuple[int, int, int]] = []
    before = gc.get_threshold()

    def spy(self: Loader, path: Path, kind: str | None = None) -> object:
        seen.append(gc.get_threshold())
        return original(self, path, kind)

    original = Loader.load
    monkeypatch.setattr(Loader, "load", spy)
    config = load_config(None, tmp_path)
    run_check(config, make_plugin_manager(), CheckOptions())
    assert seen and seen[0][0] >= RUN_GC_THRESHOLD
    assert gc.get_threshold() == before


def _tree(tmp_path: Path) -> list[Path]:
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "f.json").write_text("{}")
    os.symlink(real, tmp_path / "link")
    os.symlink(real / "f.json", real / "l.json")
    os.symlink("../f.json", real / "sub" / "rel.json")
    os.symlink("nowhere", real / "dangling.json")
    return [
        tmp_path / "link" / "f.json",
        tmp_path / "link" / "l.json",
        real / "sub" / "rel.json",
        tmp_path / "link" / "sub" / "rel.json",
        Path("link/f.json"),
        Path("real/../link/f.json"),
        Path("link/sub/.."),
        Path("f.json"),
        Path("."),
        real / "dangling.json",
        tmp_path / "link" / "missing.json",
    ]


def test_loader_resolution_is_path_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    loader = Loader(make_plugin_manager(), load_config(None, tmp_path), Inventory())
    for path in cases * 2:  # the second round from the folder cache
        assert loader.resolve(path) == path.resolve(), path


def test_display_paths_are_worked_out_once_per_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    ctx = LoadContext(root=tmp_path / "link")

    def plain(path: Path, root: Path) -> str:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    for path in cases * 2:
        assert ctx.display_path(path) == plain(path, tmp_path / "link")
        assert ctx.display_path(path, path.resolve()) == plain(path, tmp_path / "link")
    ctx.root = tmp_path  # another root: answers of the first are not reused
    for path in cases:
        assert ctx.display_path(path) == plain(path, tmp_path)
    assert ctx.display_path(tmp_path) == "."


def test_lazy_spans_are_the_eager_ones() -> None:
    text = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "kms:*"]}],
                       "a/b": {"~": [1, 2.5, None, True]}}, indent=2)
    parsed = parse_json(text, max_depth=64)
    assert isinstance(parsed.spans, Spans)
    eager = {p: parsed.spans[p] for p in parsed.spans}
    again = parse_json(text, max_depth=64)
    pointers = list(again.spans)
    random.Random(3).shuffle(pointers)  # asked for in any order
    assert {p: again.spans[p] for p in pointers} == eager
    assert again.spans == eager and len(again.spans) == len(eager)
    assert again.spans.get("/missing") is None and "/missing" not in again.spans
    with pytest.raises(KeyError):
        again.spans["/missing"]
    assert again.spans.get("/Statement/0/Action/1") == eager["/Statement/0/Action/1"]
