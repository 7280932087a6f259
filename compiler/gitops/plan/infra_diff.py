"""What `pulumi up` would do to the cloud, judged from two `resources.json` graphs (no cloud, no credentials).

A resource is identified as Pulumi identifies it: by type and logical name (its URN). Then, as Pulumi decides:

- only on one side: add or remove; a type change (a provider switch: EKS -> GKE) is a remove plus an add;
- a changed input its target lists in `replace_on` for its type: replace (the cloud cannot change it in place, so the
  resource is deleted and created again); a changed parent, or a changed or replaced explicit provider: replace;
- any other changed input: update in place.

The rules (each target's `resources`) are deliberately small: the inputs mlops sets that the providers mark
"forces replacement" (Terraform's ForceNew, azure-native's path parameters). An input missing from it is reported
as an update, so when in doubt, `mlops plan --live` asks the real `pulumi preview`. Inputs only the cloud knows
(ids, the kubeconfig) are placeholders here: a replacement that cascades through them shows only in `--live`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mlops import targets
from mlops.gitops.plan.changes import FieldChange, diff, touches
from mlops.targets.base.resources import CLUSTER, NODE_POOL, REGISTRY, RESOURCE_GROUP, SHARED, ResourceRules, Role

ADD, UPDATE, REPLACE, REMOVE = "add", "update", "replace", "remove"
MODEL: Literal["model"] = "model"        # a destructive change that is no resource's: a model removed
Subject = Role | Literal["model"]

@functools.cache
def rules() -> ResourceRules:
    """Every target's rules for its resource types, and the shared ones."""
    merged = [SHARED, *(targets.get(p).resources for p in targets.REGISTRY)]
    return ResourceRules(replace_on={k: v for r in merged for k, v in r.replace_on.items()},
                         roles={k: v for r in merged for k, v in r.roles.items()})


@dataclass(frozen=True)
class ResourceChange:
    action: str                          # add | update | replace | remove
    type: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    reasons: tuple[str, ...] = ()        # why a replace is one
    protect: bool = False                # protected on the side that exists now (Pulumi refuses to delete it)

    @property
    def role(self) -> Role | None:
        return rules().roles.get(self.type)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "type": self.type, "name": self.name}
        if self.role:
            out["role"] = self.role
        if self.protect:
            out["protect"] = True
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        if self.reasons:
            out["reasons"] = list(self.reasons)
        return out


Resource = Mapping[str, Any]
Key = tuple[str, str]


def _by_key(graph: Mapping[str, Any] | None) -> dict[Key, Resource]:
    return {(r["type"], r["name"]): r for r in (graph or {}).get("resources", [])}


def _own_change(old: Resource, new: Resource) -> ResourceChange | None:
    """The change of one resource present on both sides, before looking at its provider. A change of `dependsOn`
    alone is no update: Pulumi orders operations by it and records the new edges in its state with a `same` step,
    calling no provider (pulumi/pulumi#21180: journal_snapshot.go writes same steps whose dependencies changed)."""
    fields = diff(old.get("inputs", {}), new.get("inputs", {}))
    meta = [FieldChange(f"({key})", old.get(key), new.get(key))
            for key in ("parent", "provider", "protect") if old.get(key) != new.get(key)]
    if not fields and not meta:
        return None
    forced = rules().replace_on.get(new["type"], ())
    reasons = [f"{f.path} cannot change in place" for f in fields if any(touches(f, p) for p in forced)]
    reasons += [f"its {m.path.strip('()')} changed" for m in meta if m.path in ("(parent)", "(provider)")]
    action = REPLACE if reasons else UPDATE
    return ResourceChange(action, new["type"], new["name"], tuple(fields + meta), tuple(dict.fromkeys(reasons)),
                          bool(old.get("protect")))


def diff_graphs(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[ResourceChange, ...]:
    """Every resource change from `before` to `after` (None: the environment or its infra does not exist),
    sorted by type then name."""
    old, new = _by_key(before), _by_key(after)
    changes: dict[Key, ResourceChange] = {}
    for key in old.keys() - new.keys():
        changes[key] = ResourceChange(REMOVE, *key, protect=bool(old[key].get("protect")))
    for key in new.keys() - old.keys():
        changes[key] = ResourceChange(ADD, *key)
    for key in old.keys() & new.keys():
        change = _own_change(old[key], new[key])
        if change:
            changes[key] = change
    _kubernetes_follows_cluster(changes, old, new)
    _cascade_providers(changes, old, new)
    return tuple(changes[k] for k in sorted(changes))


KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"


def _kubernetes_follows_cluster(changes: dict[Key, ResourceChange], old: dict[Key, Resource],
                                new: dict[Key, Resource]) -> None:
    """A Kubernetes provider pointing at a replaced cluster is replaced too. Its kubeconfig is a secret, shown
    masked on both sides, so the diff cannot see it change: the cluster's change says it."""
    gone = [c for c in changes.values() if rules().roles.get(c.type) == CLUSTER and c.action in (REPLACE, REMOVE)]
    if not gone:
        return
    for key in old.keys() & new.keys():
        if key[0] == KUBERNETES_PROVIDER and (key not in changes or changes[key].action != REPLACE):
            current = changes.get(key)
            changes[key] = ResourceChange(REPLACE, *key, current.fields if current else (),
                                          (f"its cluster {gone[0].name} is replaced",))


def _cascade_providers(changes: dict[Key, ResourceChange], old: dict[Key, Resource], new: dict[Key, Resource]) -> None:
    """Resources managed by a replaced provider are replaced with it (Pulumi's rule for provider replacement)."""
    replaced = {k[1] for k, c in changes.items() if k[0].startswith("pulumi:providers:") and c.action == REPLACE}
    for key in old.keys() & new.keys():
        provider = new[key].get("provider")
        if provider not in replaced or (key in changes and changes[key].action == REPLACE):
            continue
        current = changes.get(key)
        reason = f"its provider {provider} is replaced"
        changes[key] = ResourceChange(REPLACE, *key, current.fields if current else (), (reason,),
                                      bool(old[key].get("protect")))


def counts(changes: tuple[ResourceChange, ...]) -> dict[str, int]:
    return {a: sum(c.action == a for c in changes) for a in (ADD, UPDATE, REPLACE, REMOVE)}


@dataclass(frozen=True)
class Hazard:
    """A destructive change, flagged at the top of the plan."""

    role: Subject
    action: str
    type: str
    name: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "action": self.action, "type": self.type, "name": self.name, "message": self.message}


PROTECTED = " (protected: pulumi up stops at it until someone runs pulumi state unprotect on it)"
_LOSS = {
    CLUSTER: "with every workload on it",
    REGISTRY: "with the images and model artifacts in it",
    NODE_POOL: "its nodes go and their pods are evicted",
    RESOURCE_GROUP: "with everything in it",
}


def hazards(changes: tuple[ResourceChange, ...]) -> tuple[Hazard, ...]:
    """Clusters, registries and resource groups replaced or removed; node pools replaced or removed."""
    added = [c for c in changes if c.role == CLUSTER and c.action == ADD]
    out: list[Hazard] = []
    if not any(c.role == CLUSTER and c.action in (REPLACE, REMOVE) for c in changes):
        out += [Hazard(CLUSTER, REPLACE, c.type, c.name, f"the Kubernetes provider {c.name} points at another cluster "
                       f"({'; '.join(c.reasons)}): add-ons and workloads are created there and deleted from the old "
                       f"one") for c in changes if c.type == KUBERNETES_PROVIDER and c.action == REPLACE]
    for c in changes:
        if c.role is None or c.action in (ADD, UPDATE):
            continue
        guard = PROTECTED if c.protect else ""
        if c.type == "mlops:onprem:Cluster":
            text = f"the workloads leave the existing cluster {c.name} (it is not deleted)"
        elif c.role == CLUSTER and c.action == REMOVE and added:
            text = (f"cluster {c.name} ({c.type}) is replaced by {added[0].name} ({added[0].type}): the old one is "
                    f"deleted {_LOSS[CLUSTER]}{guard}")
        else:
            verb = "replaced (deleted and created again)" if c.action == REPLACE else "deleted"
            why = f", because {'; '.join(c.reasons)}" if c.reasons else ""
            text = f"{c.role} {c.name} ({c.type}) is {verb}{why}: {_LOSS[c.role]}{guard}"
        out.append(Hazard(c.role, c.action, c.type, c.name, text))
    return tuple(out)
