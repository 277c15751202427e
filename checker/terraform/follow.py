"""Following configuration ``references`` from a value to the resource instance it names.

A value known only after apply has no value in the plan, but its configuration expression
lists what it refers to ("Multi-step references will be unwrapped and duplicated for each
significant traversal step"): ``role = aws_iam_role.metrics.id`` gives
``["aws_iam_role.metrics.id", "aws_iam_role.metrics"]``. References through input variables
(``var.x`` inside a module) and module outputs (``module.m.out``) are followed to the
resource they lead to; locals are not in the plan's configuration, so they end the trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .addresses import Key, Reference, key_end, module_calls, parse_reference, steps
from .plan import Instance, Plan

MAX_HOPS = 16  # variables and outputs passed through modules; real trails are short
# Named values Terraform knows while planning (path.module, count.index, each.key ...).
KNOWN_ROOTS = frozenset({"path", "terraform", "count", "each", "self"})


@dataclass(frozen=True)
class Target:
    """The instance a value refers to, and the attribute of it (None: the whole object)."""

    instance: Instance
    attribute: str | None


def is_expression(node: Any) -> bool:
    return isinstance(node, dict) and ("references" in node or "constant_value" in node)


def expression_at(expressions: dict[str, Any] | None, path: tuple[str | int, ...]) -> Any:
    """The expression of an attribute, through nested blocks (lists of block expressions);
    a block index past the configured blocks falls back to a single configured block. Past
    an attribute (an entry of a map, an item of a list) it is the attribute's expression:
    the configuration does not split expressions further."""
    node: Any = expressions
    for token in path:
        if is_expression(node):
            return node
        if isinstance(node, dict) and isinstance(token, str):
            node = node.get(token)
        elif isinstance(node, list) and isinstance(token, int):
            node = node[token] if token < len(node) else (node[0] if len(node) == 1 else None)
        else:
            return None
        if node is None:
            return None
    return node


def references(expression: Any) -> list[str]:
    refs = expression.get("references") if isinstance(expression, dict) else None
    return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


def follow(plan: Plan, instance: Instance, path: tuple[str | int, ...]) -> Target | str:
    """The one resource instance the attribute at ``path`` refers to, or why there is none."""
    key = ("follow", instance.address, path)
    if key not in plan.memo:
        plan.memo[key] = _follow(plan, instance, path)
    found: Target | str = plan.memo[key]
    return found


def _follow(plan: Plan, instance: Instance, path: tuple[str | int, ...]) -> Target | str:
    expression = expression_at(instance.expressions, path)
    refs = references(expression)
    if not refs:
        return ("the plan's configuration shows no reference for it" if instance.expressions
                is not None else "the plan has no configuration section to follow it by")
    whole = len(path) > 1 and isinstance(path[0], str) and is_expression(
        (instance.expressions or {}).get(path[0]))
    if whole:
        # The configuration lists the references of a whole map or list, not by entry. An
        # entry known only after apply comes from a reference known only after apply: when
        # one such reference is all there is, it is the entry's.
        pending = [t for t in refs if _unknown_reference(plan, t, instance)]
        if len({t for t in pending if (p := parse_reference(t)) and p.attribute}) != 1:
            return (f"the configuration lists the references of all of {path[0]} "
                    f"({', '.join(refs[:4])}{', ...' if len(refs) > 4 else ''}), not which "
                    "entry uses which")
        refs = pending
    return _one(plan, refs, instance.module, instance.index, 0)


def blamed_reference(plan: Plan, refs: list[str], instance: Instance) -> str | None:
    """The reference to name for a value known only after apply: the first one known only
    after apply itself, else the first that names a value at all (not ``path.module``,
    ``count.index`` and the like, which are known while planning)."""
    pending = next((t for t in refs if _unknown_reference(plan, t, instance)), None)
    return pending or next((t for t in refs if (r := parse_reference(t)) is not None
                            and r.root not in KNOWN_ROOTS), None)


def _unknown_reference(plan: Plan, text: str, instance: Instance) -> bool:
    """Does the reference name a resource attribute known only after apply?"""
    reference = parse_reference(text)
    if reference is None or reference.root not in ("resource", "data"):
        return reference is not None and reference.root in ("var", "module")
    target = _resolve(plan, reference, instance.module, instance.index, 0)
    if not isinstance(target, Target) or target.attribute is None:
        return False
    mask = target.instance.unknown
    return isinstance(mask, dict) and mask.get(target.attribute) is True


def _one(plan: Plan, refs: list[str], module: str, index: Any, hops: int) -> Target | str:
    found: dict[str, Target] = {}
    trails: list[str] = []
    for text in refs:
        reference = parse_reference(text)
        if reference is None:
            continue
        target = _resolve(plan, reference, module, index, hops)
        if isinstance(target, Target):
            found.setdefault(target.instance.address, target)
        else:
            trails.append(f"{text}: {target}")
    if len(found) == 1:
        return next(iter(found.values()))
    if found:
        return f"it refers to several resources ({', '.join(sorted(found))})"
    return trails[0] if trails else f"it refers to {refs[0]}, which is not a resource"


def _resolve(plan: Plan, ref: Reference, module: str, index: Any, hops: int) -> Target | str:
    if hops > MAX_HOPS:
        return "the references go round in circles"
    if ref.root in ("resource", "data"):
        mode = "data" if ref.root == "data" else "managed"
        candidates = plan.named(module, mode, ref.type, ref.name)
        chosen = _choose(candidates, ref.key, index)
        if chosen is None:
            name = f"{'data.' if mode == 'data' else ''}{ref.type}.{ref.name}"
            return (f"{name} is not in the plan" if not candidates else
                    f"{name} has several instances and the reference does not say which")
        return Target(chosen, ref.attribute)
    if ref.root == "var":
        parent, call = split_module(module)
        if call is None:
            return f"var.{ref.name} is a root module variable without a value in the plan"
        config = plan.module_config(module_calls(parent))
        expressions = config.calls[call][1] if config and call in config.calls else {}
        refs = references(expressions.get(ref.name))
        if not refs:
            return f"var.{ref.name} of module {call} is not set from a reference"
        return _one(plan, refs, parent, index, hops + 1)
    if ref.root == "module" and ref.output:
        child = _module_instance(plan, module, ref.name, ref.key)
        if child is None:
            return f"module.{ref.name} has no single instance in the plan"
        config = plan.module_config(module_calls(child))
        refs = references(config.outputs.get(ref.output) if config else None)
        if not refs:
            return f"module.{ref.name}.{ref.output} is not an output that refers to a resource"
        return _one(plan, refs, child, None, hops + 1)
    return f"{ref.root}.{ref.name} values are not in the plan's configuration"


def _choose(candidates: list[Instance], key: Key | None, index: Any) -> Instance | None:
    if key is not None:
        return next((c for c in candidates if c.index == key.value), None)
    if len(candidates) == 1:
        return candidates[0]
    # aws_iam_role.x[count.index] from an instance of the same count: the same index.
    return next((c for c in candidates if index is not None and c.index == index), None)


def _module_instance(plan: Plan, module: str, name: str, key: Key | None) -> str | None:
    """The address of the one instance of module call ``name`` inside ``module``."""
    prefix = f"{module}.module.{name}" if module else f"module.{name}"
    found: set[str] = set()
    for instance in plan.instances:
        rest = instance.module[len(prefix):] if instance.module.startswith(prefix) else None
        if rest is None:
            continue
        if rest == "" or rest.startswith("."):
            found.add(prefix)
        elif rest.startswith("["):
            end = key_end(rest, 1)
            if end > 0:
                found.add(prefix + rest[:end + 1])
    if key is not None:
        found = {m for m in found if _key_of(m) == key.value}
    return found.pop() if len(found) == 1 else None


def _key_of(module: str) -> Any:
    last = steps(module)[-1:] if module else []
    return last[0].value if last and isinstance(last[0], Key) else None


def split_module(module: str) -> tuple[str, str | None]:
    """``module.a[0].module.b`` -> (``module.a[0]``, ``b``); the root has no call."""
    starts = list(_module_starts(module))
    if not starts:
        return "", None
    start = starts[-1]
    parts = steps(module[start:])
    name = parts[1] if len(parts) >= 2 and isinstance(parts[1], str) else None
    return module[:start].rstrip("."), name


def _module_starts(module: str) -> Iterator[int]:
    """Where each ``module.`` segment of a module address starts (outside quoted keys)."""
    depth, quoted = 0, False
    for i, char in enumerate(module):
        if quoted:
            quoted = char != '"' or module[i - 1] == "\\"
            continue
        if char == '"':
            quoted = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0 and module.startswith("module.", i) and (i == 0 or module[i - 1] == "."):
            yield i
