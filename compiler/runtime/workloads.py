"""Entry point of the generated workloads project: applies `../manifests` to the cluster the infra stack exports.

Values only the infra stack knows (a managed registry's URL) appear in the manifests as `$(infra.NAME)`
(`mlops.targets.base.deferred`); they are replaced here by that stack output, inside parsed YAML values,
never by text templating.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from mlops.targets.base.deferred import names_in, substitute


def manifest_objects(folder: Path) -> list[dict[str, Any]]:
    """The objects `folder/kustomization.yaml` lists, in its order."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8")) or {}
    objects: list[dict[str, Any]] = []
    for name in kustomization.get("resources", []):
        objects.extend(doc for doc in yaml.safe_load_all((folder / name).read_text(encoding="utf-8")) if doc)
    return objects


def infra_stack_name(configured: str) -> str:
    """`org/project/stack` as configured, or `project/stack` in this stack's own organization."""
    return configured if configured.count("/") == 2 else f"{pulumi.get_organization() or 'organization'}/{configured}"


def main() -> None:
    config = pulumi.Config("mlops")
    infra = pulumi.StackReference(infra_stack_name(config.require("infraStack")))
    provider = k8s.Provider(
        "cluster",
        kubeconfig=infra.get_output("kubeconfig"),      # cloud targets: the cluster's kubeconfig (secret)
        context=infra.get_output("kubeContext"),        # onprem: a context of the operator's kubeconfig
        enable_server_side_apply=True,
    )
    objects = manifest_objects(Path(config.get("manifests") or "../manifests"))
    names = sorted(names_in(objects))
    resolved: Any = objects
    if names:
        values = pulumi.Output.all(*[infra.get_output(n) for n in names])   # a missing one: `substitute` says which
        resolved = values.apply(lambda got: substitute(objects, dict(zip(names, got, strict=True))))
    k8s.yaml.v2.ConfigGroup("manifests", objs=resolved, opts=pulumi.ResourceOptions(provider=provider))
    pulumi.export("objects", len(objects))
