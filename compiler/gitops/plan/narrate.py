"""What applying a model's changes will do, in one sentence, from the IR of both sides and its object changes.

`fraud-scorer: canary v12 → v13, 10% → 30% → 60%, 5 min per step, rolled back if error rate > 1% or p99 > 250ms`.
The words follow what the emitted objects do (see compiler/emit/k8s/rollout.py): a canary holds each step for
`interval` under background analysis; blue-green starts the new colour behind the preview Service, switches when
promoted (by a person, or by itself with autoPromote) and then analyses it on live traffic, switching back on a
failure (no traffic: inconclusive, the rollout pauses for a person); ab and shadow
update their Deployments in place while the HTTPRoute splits or mirrors, and a weight change alone moves traffic
at once; a brand-new Rollout starts at full traffic. Latency limits are shown in the unit the spec allows them in
(`250ms`, `12s`).
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
        limits.append(f"p99 > {latency(analysis.max_latency_p99_ms)}")
    return " or ".join(limits) or None


def latency(ms: int) -> str:
    """A latency as the schema's `latency` writes it (`^[1-9][0-9]*(ms|s)$`): `12s` for 12000, `250ms` for 250.
    The IR keeps milliseconds, so `12000ms` as written comes back as the equal `12s`."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def _canary(model: ir.Model, change: str) -> str:
    r = model.rollout
    steps = " → ".join(f"{s}%" for s in r.steps)
    limits = analysis_words(r.analysis)
    guard = f"rolled back if {limits}" if limits else "promoted on time, no analysis"
    return f"{model.name}: canary {change}, {steps}, {duration(r.interval_seconds)} per step, {guard}"


def _blue_green(model: ir.Model, change: str, namespace: str) -> str:
    r = model.rollout
    limits = analysis_words(r.analysis)
    promote = f"kubectl argo rollouts promote {model.name} -n {namespace}"
    start = (f"{model.name}: blue-green {change}: the new version starts as a preview beside the active one; only "
             f"requests with the header x-mlops-preview: true reach it")
    if not limits:
        then = (f"the active Service switches to it after {duration(r.interval_seconds)}, unanalysed" if r.auto_promote
                else f"it waits for a person: {promote}")
        return f"{start}; {then}"
    # postPromotionAnalysis measures the new colour once active (rollout.py `_blue_green`); the old colour runs on
    # until it completes. No requests give NaN, inconclusive (rollout.py `_metric`).
    switch = ("once it is ready the active Service switches to it" if r.auto_promote
              else f"it waits for a person: {promote}")
    idle = (" (with scaling.min 0 and no traffic the model may run no pod at all)" if model.scaling.min == 0 else "")
    return (f"{start}; {switch}; then its analysis measures the live traffic for {duration(r.interval_seconds)} "
            f"while the old version keeps running: switched back to it if {limits}; without traffic it is "
            f"inconclusive and the rollout pauses for a person{idle}")


def _rolling(model: ir.Model, change: str) -> str:
    if model.rollout.strategy == "recreate":
        return f"{model.name}: recreate {change}: every old pod stops before the new ones start (a short outage)"
    return f"{model.name}: rolling update {change}, up to 25% extra pods, none removed before its replacement is ready"


def _floors(old: ir.Model, new: ir.Model) -> str:
    """How each variant's replica floor moves with its share (serving._bounds), and what that does to its PDB."""
    before = {i.name: i for i in serving.instances(old)}
    said = []
    for inst in serving.instances(new):
        was = before.get(inst.name)
        if was is None or was.min == inst.min:
            continue
        # A PodDisruptionBudget exists from 2 replicas (emit/k8s/scaling.py): below, one eviction stops the variant.
        budget = serving.DISRUPTION_BUDGET
        pdb = ("; it loses its PodDisruptionBudget: one eviction stops it" if was.min >= budget > inst.min else
               "; it gets a PodDisruptionBudget" if inst.min >= budget > was.min else "")
        said.append(f"{inst.name} at least {was.min} → {inst.min} replica{'s' if inst.min != 1 else ''}{pdb}")
    return f"; {', '.join(said)}" if said else ""


def _variants(old: ir.Model, new: ir.Model) -> str:
    before = {v.name: v for v in old.rollout.variants}
    parts = []
    for v in new.rollout.variants:
        was = before.get(v.name)
        what = versions(was.artifact, v.artifact) if was else f"{version(v.artifact)} (new variant)"
        weight = f"{was.weight}% → {v.weight}%" if was and was.weight != v.weight else f"{v.weight}%"
        parts.append(f"{v.name} {what} at {weight}")
    gone = [n for n in before if n not in {v.name for v in new.rollout.variants}]
    return ", ".join(parts) + (f"; variant {', '.join(gone)} removed" if gone else "")


def _ab(old: ir.Model, new: ir.Model) -> str:
    return (f"{new.name}: A/B {_variants(old, new)} (changed variants get a rolling update; the HTTPRoute moves the "
            f"traffic when it is applied){_floors(old, new)}")


def _weights(old: ir.Model, new: ir.Model) -> str:
    return (f"{new.name}: A/B traffic shift, no new pods: {_variants(old, new)}, all at once when the HTTPRoute is "
            f"applied{_floors(old, new)}")


def _reweighted(old: ir.Model, new: ir.Model) -> bool:
    return new.rollout.strategy == "ab" and {(v.name, v.weight) for v in old.rollout.variants} != {
        (v.name, v.weight) for v in new.rollout.variants}


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
SHIFT = "traffic shift"


def _first(new: ir.Model) -> str:
    """What a new model starts with: every instance at its share (a first version is not rolled out)."""
    r, insts = new.rollout, serving.instances(new)
    if r.strategy == "ab":
        return "starts " + ", ".join(f"{i.name} {version(i.artifact)} at {i.weight}%" for i in insts)
    if r.strategy == "shadow":
        stable, candidate = insts
        return (f"starts {stable.name} {version(stable.artifact or new.image)} answering every request, and "
                f"{candidate.name} {version(candidate.artifact)} getting {r.mirror_percent}% of them mirrored (its "
                f"answers are discarded)")
    return f"starts {insts[0].name} {version(insts[0].artifact or new.image)} at full traffic"


def said(old: ir.Model | None, new: ir.Model | None, objects: Sequence[ObjectChange],
         namespace: str) -> tuple[str, str] | None:
    """What kind of change happens to one model at apply time, and the sentence; None when nothing changes."""
    if new is None:
        return (REMOVED, f"{old.name}: removed: its objects are deleted and its route stops answering") if old else None
    if old is None:
        return NEW, f"{new.name}: new ({new.rollout.strategy}), {_first(new)}"
    if not objects:
        return None
    if old.rollout.strategy != new.rollout.strategy:
        return STRATEGY, (f"{new.name}: strategy {old.rollout.strategy} → {new.rollout.strategy}: its workloads are "
                          f"replaced, the new ones start {version(new.artifact or new.image)} at full traffic (the "
                          f"strategy applies from the next version)")
    if any(o.touches_pods() for o in objects) or serving.served(old) != serving.served(new):
        return NEW_PODS, _new_pods(old, new, namespace)
    if _reweighted(old, new):
        return SHIFT, _weights(old, new)
    kinds = sorted({o.kind for o in objects})
    return NO_NEW_PODS, f"{new.name}: no new pods; {', '.join(kinds)} change{'s' if len(kinds) == 1 else ''}"


def sentence(old: ir.Model | None, new: ir.Model | None, objects: Sequence[ObjectChange], namespace: str) -> str | None:
    """What happens to one model at apply time; None when nothing of it changes."""
    told = said(old, new, objects, namespace)
    return told[1] if told else None
