"""The `argocd` folder: one Argo CD `Application` per environment (`mlops compile --argocd REPO_URL`), for
pull-based delivery of the environment's `manifests/` from git.

How Argo CD gets the infra values: it syncs the manifests exactly as committed, so they are compiled with
`--infra-outputs` (mlops.emit.fill) before they are committed, and so is the Application itself: its
destination is the cluster the infra stack exports as `clusterName`, written `$(infra.clusterName)` here and
filled by the same step. The pipeline refuses `--argocd` for an environment without outputs, so no `$(` token
reaches git or the cluster. (A kustomize patch carried by the Application would need the same values at the same
moment, and a second place to keep them; committing the filled manifests keeps one.)

Sync policy (argo-cd@v3.5.1:docs/user-guide/auto_sync.md:1-20,38-56,77-91): automated with `prune` (a model or
object removed from the spec leaves the cluster, as `mlops apply`'s Pulumi stack deletes it) and `selfHeal` (a
hand edit on the cluster is reverted to git, the state the plan reviewed), except where the spec asks for a
person: `promotion.requireApproval` means no change reaches that environment without a reviewer, so its
Application has no automated sync and waits, OutOfSync, for someone to sync it.

ignoreDifferences (argo-cd@v3.5.1:docs/user-guide/diffing.md:20-60): only the fields a controller rewrites in an
object mlops emits. The one such field: the backend weights of an HTTPRoute that a canary Rollout drives through the
Gateway API plugin, which sets `spec.rules[i].backendRefs[j].weight` at each step
(rollouts-plugin-trafficrouter-gatewayapi@96c63fd:pkg/plugin/httproute.go:44-47); Argo CD would report it OutOfSync
and, with selfHeal, put it back mid-canary (argo-rollouts@v1.9.0:docs/features/traffic-management/traefik.md:28: "If
we specify this field and Argo Rollouts controller changes it, then the ArgoCD controller will notice it and will
show that this resource is out of sync"). `RespectIgnoreDifferences=true` keeps a sync from resetting them too
(argo-cd@v3.5.1:docs/user-guide/sync-options.md:413-432). Not needed, and so not listed: `spec.replicas` (KEDA's and
the HPAs' field) because no Deployment or Rollout mlops emits sets it; Service selectors, where Argo Rollouts only
adds a key (`rollouts-pod-template-hash`) that neither git nor the last applied state has, which the three-way diff
leaves alone (sync-options.md:415); webhook `caBundle`s, because mlops emits no webhook configuration, CRD or
APIService; an HPA's `spec.metrics` order (diffing.md:12-15), because each has one metric.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mlops import ir
from mlops.emit.yamlout import dump
from mlops.targets.base import deferred

FOLDER = "argocd"
FILE = "application.yaml"
NAMESPACE = "argocd"          # the namespace Argo CD's install puts Applications in (its controller watches it)
CLUSTER_OUTPUT = "clusterName"   # every target's infra program exports it (targets/*/program.py)
PLUGIN = "argoproj-labs/gatewayAPI"    # the Rollouts traffic-router plugin mlops configures (mlops.emit.k8s.rollout)
WEIGHTS = ".spec.rules[].backendRefs[].weight"


@dataclass(frozen=True)
class Source:
    """Where Argo CD reads the manifests: the git repository, the revision it tracks, and the path of the build
    folder (`--out`) inside it."""

    repo_url: str
    revision: str
    out: str


def plugin_routes(objects: Iterable[dict[str, Any]]) -> list[str]:
    """Names of the HTTPRoutes a Rollout of `objects` shifts weights on through the Gateway API plugin."""
    names: set[str] = set()
    for obj in objects:
        if obj.get("kind") != "Rollout":
            continue
        routing = obj["spec"]["strategy"].get("canary", {}).get("trafficRouting", {})
        plugin = routing.get("plugins", {}).get(PLUGIN, {})
        names.update([plugin["httpRoute"]] if "httpRoute" in plugin else [])
        names.update(r["name"] for r in plugin.get("httpRoutes", []))
    return sorted(names)


def application(env: ir.Environment, objects: Iterable[dict[str, Any]], source: Source) -> dict[str, Any]:
    """The Application syncing `env`'s manifests (`objects`, as emitted) from `source`."""
    ignore = [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": name,
               "namespace": env.namespace, "jqPathExpressions": [WEIGHTS]} for name in plugin_routes(objects)]
    sync: dict[str, Any] = {"syncOptions": ["RespectIgnoreDifferences=true"]}
    if not env.require_approval:
        sync["automated"] = {"prune": True, "selfHeal": True}
    spec: dict[str, Any] = {
        "project": "default",
        "source": {"repoURL": source.repo_url, "targetRevision": source.revision,
                   "path": f"{source.out}/{env.name}/manifests"},
        "destination": {"name": deferred.token(CLUSTER_OUTPUT), "namespace": env.namespace},
        "syncPolicy": sync,
    }
    if ignore:
        spec["ignoreDifferences"] = ignore
    labels = {"app.kubernetes.io/managed-by": "mlops", "app.kubernetes.io/part-of": env.platform}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": f"{env.platform}-{env.name}", "namespace": NAMESPACE, "labels": labels},
            "spec": spec}


def emit(env: ir.Environment, objects: Iterable[dict[str, Any]], source: Source) -> dict[str, bytes]:
    return {f"{FOLDER}/{FILE}": dump(application(env, objects, source))}
