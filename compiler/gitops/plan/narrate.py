"""What applying a model's changes will do, in one sentence, from the IR of both sides and its object changes.

`fraud-scorer: canary v12 → v13, 10% → 30% → 60%, 5 min per step, rolled back if error rate > 1% or p99 > 250 ms`.
The words follow what the emitted objects do (see compiler/emit/k8s/rollout.py): a canary holds each step for
`interval` under background analysis; blue-green analyses the preview before switching; ab and shadow update
their Deployments in place while the HTTPRoute splits or mirrors; a brand-new Rollout starts at full traffic.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlops import ir
from mlops.diagnostics.words import duration
from mlops.gitops.plan.manifest_diff import ObjectChange
from mlops.ir import serving


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def version(artifact: str | None) -> str:
    return artifact or "(image only)"


def versions(old: str | None, new: str | None) -> str:
    """`v12 → v13` when only the tag (or the last path segment) differs, else both in full."""
    if old == new:
        return version(new)
    if old is None or new is None:
        return f"{version(old)} → {version(new)}"
    for sep in ("@", ":", "/"):
        head_old, _, tail_old = old.rpartition(sep)
        head_new, _, tail_new = new.rpartition(sep)
        if head_old and head_old == head_new and "/" not in tail_old + tail_new:
            return f"{tail_old} → {tail_new}"
    return f"{old} → {new}"


def analysis_words(analysis: ir.Analysis | None) -> str | None:
    if analysis is None:
        return None
    limits = []
    if analysis.max_error_rate is not None:
        limits.append(f"error rate > {_number(analysis.max_error_rate * 100)}%")
    if analysis.max_latency_p99_ms is not None:
        limits.append(f"p99 > {analysis.max_latency_p99_ms} ms")
    return " or ".join(limits) or None


def _canary(model: ir.Model, change: str) -> str:
    r = model.rollout
    steps = " → ".join(f"{s}%" for s in r.steps)
    limits = analysis_words(r.analysis)
    guard = f"rolled back if {limits}" if limits else "promoted on time, no analysis"
    return f"{model.name}: canary {change}, {steps}, {duration(r.interval_seconds)} per step, {guard}"


def _blue_green(model: ir.Model, change: str, namespace: str) -> str:
    r = model.rollout
    limits = analysis_words(r.analysis)
    checked = (f"analysed for {duration(r.interval_seconds)} (rolled back if {limits})" if limits else "not analysed")
    if r.auto_promote:
        then = "then promoted automatically" + ("" if limits else f" after {duration(r.interval_seconds)}")
    else:
        then = f"then it waits for a person: kubectl argo rollouts promote {model.name} -n {namespace}"
    return (f"{model.name}: blue-green {change}: the new version starts as a preview (header x-mlops-preview: true), "
            f"{checked}, {then}")


def _rolling(model: ir.Model, change: str) -> str:
    if model.rollout.strategy == "recreate":
        return f"{model.name}: recreate {change}: every old pod stops before the new ones start (a short outage)"
    return f"{model.name}: rolling update {change}, up to 25% extra pods, none removed before its replacement is ready"


def _ab(old: ir.Model, new: ir.Model) -> str:
    before = {v.name: v for v in old.rollout.variants}
    parts = []
    for v in new.rollout.variants:
        was = before.get(v.name)
        what = versions(was.artifact, v.artifact) if was else f"{version(v.artifact)} (new variant)"
        weight = f"{was.weight}% → {v.weight}%" if was and was.weight != v.weight else f"{v.weight}%"
        parts.append(f"{v.name} {what} at {weight}")
    gone = [n for n in before if n not in {v.name for v in new.rollout.variants}]
    tail = f"; variant {', '.join(gone)} removed" if gone else ""
    return f"{new.name}: A/B {', '.join(parts)}{tail} (changed variants get a rolling update)"


def _shadow(old: ir.Model, new: ir.Model) -> str:
    r, was = new.rollout, old.rollout
    candidate = versions(was.candidate, r.candidate)
    mirror = (f"{was.mirror_percent}% → {r.mirror_percent}%" if was.mirror_percent != r.mirror_percent
              else f"{r.mirror_percent}%")
    stable = (f"stable {versions(old.artifact, new.artifact)} by a rolling update" if old.artifact != new.artifact
              else f"stable {version(new.artifact)} unchanged")
    return (f"{new.name}: shadow candidate {candidate} gets {mirror} of requests mirrored (its answers are "
            f"discarded); {stable}")


def _new_pods(old: ir.Model, new: ir.Model, namespace: str) -> str:
    strategy = new.rollout.strategy
    if strategy == "ab":
        return _ab(old, new)
    if strategy == "shadow":
        return _shadow(old, new)
    same = old.artifact == new.artifact and old.image == new.image
    change = (f"{version(new.artifact or new.image)} (new pod template)" if same
              else versions(old.artifact or old.image, new.artifact or new.image))
    if strategy == "canary":
        return _canary(new, change)
    if strategy == "blue-green":
        return _blue_green(new, change, namespace)
    return _rolling(new, change)


NEW, REMOVED, STRATEGY, NEW_PODS, NO_NEW_PODS = "new", "removed", "strategy changed", "new pods", "no new pods"


def said(old: ir.Model | None, new: ir.Model | None, objects: Sequence[ObjectChange],
         namespace: str) -> tuple[str, str] | None:
    """What kind of change happens to one model at apply time, and the sentence; None when nothing changes."""
    if new is None:
        return (REMOVED, f"{old.name}: removed: its objects are deleted and its route stops answering") if old else None
    if old is None:
        first = ", ".join(f"{i.name} {version(i.artifact or new.image)}" for i in serving.instances(new))
        return NEW, f"{new.name}: new ({new.rollout.strategy}), starts {first} at full traffic"
    if not objects:
        return None
    if old.rollout.strategy != new.rollout.strategy:
        return STRATEGY, (f"{new.name}: strategy {old.rollout.strategy} → {new.rollout.strategy}: its workloads are "
                          f"replaced, the new ones start {version(new.artifact or new.image)} at full traffic (the "
                          f"strategy applies from the next version)")
    if any(o.touches_pods() for o in objects) or serving.served(old) != serving.served(new):
        return NEW_PODS, _new_pods(old, new, namespace)
    kinds = sorted({o.kind for o in objects})
    return NO_NEW_PODS, f"{new.name}: no new pods; {', '.join(kinds)} change{'s' if len(kinds) == 1 else ''}"


def sentence(old: ir.Model | None, new: ir.Model | None, objects: Sequence[ObjectChange], namespace: str) -> str | None:
    """What happens to one model at apply time; None when nothing of it changes."""
    told = said(old, new, objects, namespace)
    return told[1] if told else None
