"""`mlops plan`: compile the spec at a base git revision and in the working tree, in memory, and say per
environment what applying the difference will do.

Both sides are compiled by the installed compiler, so the plan shows what the spec's change does (not what a
compiler upgrade does). The base side is read from git's object database (compiler/gitrev.py): the working tree
is never touched. A spec missing at the base means everything is added. A spec invalid at the base is planned
against the working tree alone, loudly: everything shows as added, and the promotion gate compares each promoted
environment with its source in this change (nothing ran from the invalid base, and refusing would refuse its fix).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlops import ir, targets
from mlops.cost import estimate as cost
from mlops.diagnostics import Diagnostic
from mlops.errors import Failure, SpecError
from mlops.gitops import promotion
from mlops.gitops.gitrev import Revision, spec_at
from mlops.gitops.plan import loop, narrate, prerequisites
from mlops.gitops.plan.infra_diff import MODEL, REMOVE, Hazard, ResourceChange, diff_graphs, hazards
from mlops.gitops.plan.manifest_diff import ObjectChange, diff_files
from mlops.gitops.promotion import Refusal
from mlops.ir import serving
from mlops.pipeline import Build, check_environments, compile_source
from mlops.spec.load import parse, read_text
from mlops.targets.base.hints import POOL_LABEL
from mlops.targets.base.resources import CLUSTER, NODE_POOL

LAYERS = ("manifests", "infra")      # workloads/ only wires manifests to the cluster: nothing of its own to diff
ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
# On a new cluster nothing runs yet: every workload starts there at full traffic (no canary, no analysis).
MOVED_KIND = "moved to a new cluster"
MOVED = ("the cluster changes: every model is deployed anew on the new cluster, each at full traffic from the "
         "start, and removed from the old one")


class BaseInvalid(Failure):
    """The spec exists at the base revision but does not compile there; `consequence` names `{ref}`."""

    def __init__(self, ref: str, diagnostics: Sequence[Diagnostic],
                 consequence: str = "the spec at {ref} is invalid: nothing to compare with (fix it there, or plan "
                                    "against another --base)"):
        self.ref, self.diagnostics = ref, tuple(diagnostics)
        super().__init__(consequence.format(ref=ref))


@dataclass(frozen=True)
class Cost:
    delta: cost.Delta | None          # None: nothing to price on either side (existing clusters)
    note: str | None = None           # why there is no delta


@dataclass(frozen=True)
class EnvPlan:
    name: str
    status: str                       # added | removed | changed | unchanged
    target: str                       # `aws-prod (aws)`, the working tree's (the base's when removed)
    infra: tuple[ResourceChange, ...]
    objects: tuple[ObjectChange, ...]
    hazards: tuple[Hazard, ...]
    rollouts: tuple[str, ...]         # what happens at apply time, one sentence per model
    cost: Cost
    refusals: tuple[Refusal, ...] = ()
    unpreviewed: tuple[str, ...] = ()   # providers (of either side) whose SDK is missing: infra not previewed
    kinds: tuple[str, ...] = ()         # what kind of change each of `rollouts` is (new, removed, ...), for counts
    before_apply: tuple[str, ...] = ()  # what the user must create first (mlops.gitops.plan.prerequisites)


@dataclass(frozen=True)
class Plan:
    file: str
    base: str                         # the revision as given
    commit: str                       # what it resolved to
    base_exists: bool                 # False: the spec is new at the base revision: everything is added
    environments: tuple[EnvPlan, ...]
    warnings: tuple[Diagnostic, ...] = ()
    notes: tuple[str, ...] = field(default=())   # e.g. the live preview's outcome, added by the command
    base_invalid: tuple[Diagnostic, ...] = ()     # the base spec's errors: it does not compile, planned against nothing
    gate_notes: tuple[str, ...] = ()              # what the promotion gate did differently (bootstrap, invalid base)

    @property
    def changed(self) -> bool:
        return any(e.status != UNCHANGED for e in self.environments)

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        return tuple(r for e in self.environments for r in e.refusals)

    @property
    def hazards(self) -> tuple[tuple[str, Hazard], ...]:
        return tuple((e.name, h) for e in self.environments for h in e.hazards)

    @property
    def unpreviewed(self) -> tuple[EnvPlan, ...]:
        """The environments whose infrastructure this plan could not preview (a target's SDK is missing)."""
        return tuple(e for e in self.environments if e.unpreviewed)


@dataclass(frozen=True)
class Side:
    """One compiled side: the IR and the files of each environment."""

    environments: Mapping[str, ir.Environment]
    files: Mapping[str, bytes]

    @staticmethod
    def of(build: Build | None) -> Side:
        if build is None:
            return Side({}, {})
        return Side({e.name: e for e in build.environments}, build.files)

    def manifests(self, env: str) -> dict[str, bytes]:
        prefix = f"{env}/manifests/"
        return {p[len(prefix):]: c for p, c in self.files.items() if p.startswith(prefix)}

    def graph(self, env: str) -> dict[str, Any] | None:
        raw = self.files.get(f"{env}/infra/resources.json")
        return json.loads(raw) if raw else None


def previewable(env: ir.Environment) -> bool:
    """Whether the infra layer of `env` can be previewed here: its target's SDK (pip extra) is installed."""
    return not targets.missing_sdk(env.target.provider)


def layers(env: ir.Environment) -> tuple[str, ...]:
    """Without the target's SDK, the plan still diffs manifests, cost and the gate; it says infra was not previewed."""
    return LAYERS if previewable(env) else ("manifests",)


def _same(text: str) -> str:
    return text


def unpreviewed_note(providers: Sequence[str], prose: Callable[[str], str] = _same,
                     command: Callable[[str], str] = _same) -> str:
    """Why infrastructure is missing from the plan and how to get it (`prose` and `command` style the parts)."""
    which = " and ".join(providers)
    return (prose(f"the Pulumi SDK of {which} is not installed where this plan ran, so infrastructure changes, and "
                  f"destructive ones (a replaced cluster, node pool or registry), are not shown. To preview them: ")
            + command(targets.extra_command(providers))
            + prose("; in CI, in the plan workflow's install step (") + command("mlops init --force")
            + prose(" writes it with the extras of the spec's targets)"))


def base_invalid_note(p: Plan, prose: Callable[[str], str] = _same, first: Callable[[str], str] = _same) -> str:
    """Why this plan compares with nothing: the base's spec is invalid (`prose` and `first`, its first error,
    styled)."""
    errors = [d for d in p.base_invalid if d.severity == "error"] or list(p.base_invalid)
    shown = errors[0].text() if errors else "?"
    shown = shown if len(shown) <= 300 else shown[:299] + "…"
    return (prose(f"{len(errors)} error{'s' if len(errors) != 1 else ''}, the first: ") + first(shown)
            + prose(". This plan compares the working tree with nothing: everything shows as added and no destructive "
                    "change can be seen, and the promotion gate compares each promoted environment with its source in "
                    "this change. Once the base is valid again (this change may be its fix), plans compare with it"))


def compile_base(revision: Revision) -> Build | None:
    """The spec compiled as it was at `revision` (None: it did not exist there). Raises BaseInvalid, also for a
    spec that is not usable YAML there."""
    if revision.unusable:
        raise BaseInvalid(revision.ref, revision.unusable)
    if revision.source is None:
        return None
    try:
        return compile_source(revision.source, None, layers)
    except SpecError as exc:
        raise BaseInvalid(revision.ref, exc.diagnostics) from None


def plan(path: str, ref: str, envs: Sequence[str] | None = None, text: str | None = None) -> Plan:
    """Raises SpecError (the working tree's spec), Unreadable, GitError, BadRevision, BaseInvalid,
    UnknownEnvironment. `text`: the spec's new text instead of the working tree's (`mlops propose` plans the edit it
    commits to a branch, never written to the working tree)."""
    if text is None:
        read_text(path)                           # an unreadable FILE is told as such, before git is asked
    revision = spec_at(path, ref)                 # then a wrong revision, before any compiling
    text = read_text(path) if text is None else text
    head = compile_source(parse(text, path), None, layers)
    # Most pull requests leave the spec alone: then both sides are the same compile (and nothing changes).
    invalid: tuple[Diagnostic, ...] = ()
    try:
        base_build = head if revision.text == text else compile_base(revision)
    except BaseInvalid as exc:
        base_build, invalid = None, tuple(d for d in exc.diagnostics if d.severity == "error")
    before, after = Side.of(base_build), Side.of(head)
    names = [e.name for e in head.environments] + [n for n in before.environments if n not in after.environments]
    check_environments(envs, names)
    chosen = [n for n in names if not envs or n in envs]
    planned = [after.environments[n] for n in chosen if n in after.environments]
    refusals = promotion.check(planned, before.environments, ref, after.environments, bool(invalid))
    plans = tuple(environment_plan(n, before, after, [r for r in refusals if r.environment == n]) for n in chosen)
    existed = revision.source is not None or bool(revision.unusable)
    return Plan(path, ref, revision.commit, existed, plans, head.warnings, base_invalid=invalid,
                gate_notes=promotion.notes(planned, before.environments, ref, bool(invalid)))


def environment_plan(name: str, before: Side, after: Side, refusals: Sequence[Refusal]) -> EnvPlan:
    old, new = before.environments.get(name), after.environments.get(name)
    # Both sides' graphs or none: diffing a graph against a missing one would show every resource added or removed.
    sides = [e for e in (old, new) if e is not None]
    unpreviewed = tuple(sorted({e.target.provider for e in sides if not previewable(e)}))
    infra = () if unpreviewed else diff_graphs(before.graph(name), after.graph(name))
    changes = diff_files(before.manifests(name), after.manifests(name))
    # Without the graphs, a change of the IR alone (a node pool, the cluster) is still a change.
    hidden = bool(unpreviewed) and old is not None and new is not None and ir.to_dict(old) != ir.to_dict(new)
    status = (ADDED if old is None else REMOVED if new is None else CHANGED if infra or changes or hidden
              else UNCHANGED)
    shown = new or old
    assert shown is not None
    flagged = tuple(_victims(h, before.graph(name) or after.graph(name), old) for h in hazards(infra))
    moved = old is not None and new is not None and any(h.role == CLUSTER for h in flagged)
    flagged += () if moved else _removed_models(old, new)
    told = ((MOVED_KIND, MOVED),) if moved else _rollouts(old, new, changes)
    graphs = (None, None) if unpreviewed else (before.graph(name), after.graph(name))
    first = prerequisites.said(old, graphs[0], new, graphs[1])
    return EnvPlan(name, status, f"{shown.target.name} ({shown.target.provider})", infra, changes, flagged,
                   tuple(t for _, t in told), _cost(old, new), tuple(refusals), unpreviewed, tuple(k for k, _ in told),
                   (first,) if first else ())


def _pool_of(graph: Mapping[str, Any] | None, kind: str, resource: str) -> str | None:
    """The spec's node pool a pool resource is: its nodes carry the pool label on every target."""
    def find(value: Any) -> str | None:
        if isinstance(value, dict):
            if isinstance(value.get(POOL_LABEL), str):
                return str(value[POOL_LABEL])
            return next((f for f in map(find, value.values()) if f), None)
        if isinstance(value, list):
            return next((f for f in map(find, value) if f), None)
        return None

    found = [r for r in (graph or {}).get("resources", []) if r.get("type") == kind and r.get("name") == resource]
    return find(found[0].get("inputs", {})) if found else None


def _victims(h: Hazard, graph: Mapping[str, Any] | None, old: ir.Environment | None) -> Hazard:
    """A node pool replaced or removed names the models whose pods it evicts (those of the base side)."""
    pool = _pool_of(graph, h.type, h.name) if h.role == NODE_POOL and old else None
    if pool is None or old is None:
        return h
    pinned = [m.name for m in old.models if m.node_pool == pool]
    # A model without a nodePool has no selector and no toleration: it can land on the pool only if it is untainted
    # (the target's hints list the tolerations a pool's taints need: GPU and TPU pools, AKS spot pools).
    hint = targets.get(old.target.provider).hints(old).pools.get(pool)
    untainted = hint is None or not hint.tolerations
    loose = [m.name for m in old.models if m.node_pool is None] if untainted else []
    if not pinned and not loose:
        return dataclasses.replace(h, message=f"{h.message}; no model runs on pool {pool}")
    said = [f"runs models {', '.join(pinned)}"] if pinned else []
    said += [f"may run {', '.join(loose)} (no nodePool: they land on any untainted pool)"] if loose else []
    return dataclasses.replace(h, message=f"{h.message}: pool {pool} {' and '.join(said)}")


def _removed_models(old: ir.Environment | None, new: ir.Environment | None) -> tuple[Hazard, ...]:
    """Models the environment stops serving: their objects are deleted, their routes stop answering."""
    if old is None or new is None:
        return ()
    kept = {m.name for m in new.models}
    return tuple(Hazard(MODEL, REMOVE, "model", m.name, f"model {m.name} is removed: its objects are deleted and its "
                        f"route stops answering ({len(serving.served(m))} artifact(s) no longer served)")
                 for m in old.models if m.name not in kept)


def _rollouts(old: ir.Environment | None, new: ir.Environment | None,
              changes: Sequence[ObjectChange]) -> tuple[tuple[str, str], ...]:
    """(kind, sentence) per model that changes."""
    if new is None:
        # Nothing destroys what a removed environment runs: apply deploys the environments the spec has.
        return ((narrate.REMOVED, "the environment leaves the spec: nothing is deleted (its Pulumi stacks, cluster and "
                                  "workloads stay until someone runs pulumi destroy on them), and the apply "
                                  "workflow's job for it fails until `mlops init --force` rewrites the workflow"),)
    before = {m.name: m for m in old.models} if old else {}
    after = {m.name: m for m in new.models}
    by_model: dict[str | None, list[ObjectChange]] = {}
    for c in changes:
        by_model.setdefault(c.model, []).append(c)
    out: list[tuple[str, str]] = []
    for name in [*after, *(n for n in before if n not in after)]:
        told = narrate.said(before.get(name), after.get(name), by_model.get(name, []), new.namespace)
        out += [told] if told else []
        out += loop.said(before.get(name), after.get(name), new.name)
    return tuple(out)


def _estimate(env: ir.Environment | None) -> cost.Estimate | None:
    return cost.estimate(env) if env is not None else None


def _cost(old: ir.Environment | None, new: ir.Environment | None) -> Cost:
    try:
        before, after = _estimate(old), _estimate(new)
    except cost.CostError as exc:
        return Cost(None, f"not priced: {exc}")
    if all(e is None or e.existing_cluster for e in (before, after)):
        return Cost(None, "existing cluster: no cloud cost")
    return Cost(cost.delta(before, after))
