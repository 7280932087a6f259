"""What must exist before apply that mlops does not create, in one sentence per environment: the pull Secrets of
`targets.<t>.images.pullSecrets`, in every namespace a pod pulls in.

The namespaces are the infra stack's own `pullSecretNamespaces` (mlops.targets.base.chart_images.namespaces, the
function the stack exports them with), given the charts that stack installs: the Helm releases of its previewed
graph (`resources.json`, the program run under mocks), so a target's own add-ons (the device plugin, the EKS
autoscaler in kube-system) count. Without a preview (the target's SDK is missing) only the charts every target
installs are known, and the sentence says so.

Told as the plan tells everything else: when it changes. A new environment with pull secrets, secrets added,
renamed, or a namespace more or less (a model now trains: `argo`; ACME on: `cert-manager`) is told; an environment
whose secrets and namespaces are as at the base is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlops import ir
from mlops.targets.base import addons, chart_images

RELEASE = "kubernetes:helm.sh/v3:Release"
_CHART_OF_RELEASE = {c.release: name for name, c in addons.CHARTS.items()}


@dataclass(frozen=True)
class Need:
    secrets: tuple[str, ...]
    namespaces: tuple[str, ...]
    previewed: bool                 # False: only the charts every target installs are counted


def charts(graph: Mapping[str, Any]) -> tuple[str, ...]:
    """The add-on charts an infra graph installs, by their `addons.CHARTS` name."""
    names = (r.get("inputs", {}).get("name") for r in graph.get("resources", []) if r.get("type") == RELEASE)
    return tuple(sorted(_CHART_OF_RELEASE[n] for n in names if n in _CHART_OF_RELEASE))


def needed(env: ir.Environment, graph: Mapping[str, Any] | None) -> Need | None:
    """Where `env`'s pull Secrets must exist (None: it has none)."""
    if not env.target.pull_secrets:
        return None
    installed = charts(graph) if graph is not None else addons.installed(env)
    return Need(env.target.pull_secrets, chart_images.namespaces(env, installed), graph is not None)


def said(old: ir.Environment | None, old_graph: Mapping[str, Any] | None, new: ir.Environment | None,
         new_graph: Mapping[str, Any] | None) -> str | None:
    """The sentence for one environment, when what must exist changes from the base (None: nothing to tell)."""
    now = needed(new, new_graph) if new is not None else None
    if now is None:
        return None
    was = needed(old, old_graph) if old is not None else None
    if was is not None and (was.secrets, was.namespaces) == (now.secrets, now.namespaces):
        return None
    return sentence(now, was)


def sentence(now: Need, was: Need | None = None) -> str:
    plural = len(now.secrets) > 1
    what = f"pull Secret{'s' if plural else ''} {', '.join(now.secrets)} (kubernetes.io/dockerconfigjson)"
    added = [n for n in now.namespaces if was is not None and n not in was.namespaces]
    new = f" (new since the base: {', '.join(added)})" if added else ""
    unknown = ("; infrastructure was not previewed, so the namespaces of add-ons only the target's program installs "
               "(kube-system: the device plugin, the EKS autoscaler) are not counted") if not now.previewed else ""
    return (f"create the {what} in each of {len(now.namespaces)} namespaces before `mlops apply`: "
            f"{', '.join(now.namespaces)}{new}; mlops references {'them' if plural else 'it'} by name and never "
            f"copies a registry credential{unknown}")
