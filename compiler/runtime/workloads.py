"""Entry point of the generated workloads project: applies `../manifests` to the cluster the infra stack exports.

Values only the infra stack knows (a managed registry's URL) appear in the manifests as `$(infra.NAME)`
(see `targets.hints.deferred`); they are replaced here by that stack output, inside parsed YAML values,
never by text templating.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

import pulumi
import pulumi_kubernetes as k8s
import yaml

TOKEN = re.compile(r"\$\(infra\.([A-Za-z_][A-Za-z0-9_]*)\)")


def manifest_objects(folder: Path) -> list[dict[str, Any]]:
    """The objects `folder/kustomization.yaml` lists, in its order."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8")) or {}
    objects: list[dict[str, Any]] = []
    for name in kustomization.get("resources", []):
        objects.extend(doc for doc in yaml.safe_load_all((folder / name).read_text(encoding="utf-8")) if doc)
    return objects


def deferred_names(value: Any) -> set[str]:
    """The infra outputs `value` refers to through `$(infra.NAME)`."""
    if isinstance(value, dict):
        return set().union(*(deferred_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(deferred_names(v) for v in value)) if value else set()
    return set(TOKEN.findall(value)) if isinstance(value, str) else set()


def substitute(value: Any, outputs: Mapping[str, Any]) -> Any:
    """`value` with each `$(infra.NAME)` in its strings replaced by `outputs[NAME]`; an unknown NAME is an error."""
    if isinstance(value, dict):
        return {k: substitute(v, outputs) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, outputs) for v in value]
    if isinstance(value, str):
        def one(match: re.Match[str]) -> str:
            found = outputs.get(match.group(1))
            if found is None:
                raise ValueError(f"the infra stack exports no '{match.group(1)}' (manifests ask for {match.group(0)})")
            return str(found)

        return TOKEN.sub(one, value)
    return value


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
    names = sorted(deferred_names(objects))
    resolved: Any = objects
    if names:
        values = pulumi.Output.all(*[infra.get_output(n) for n in names])   # a missing one: `substitute` says which
        resolved = values.apply(lambda got: substitute(objects, dict(zip(names, got))))
    k8s.yaml.v2.ConfigGroup("manifests", objs=resolved, opts=pulumi.ResourceOptions(provider=provider))
    pulumi.export("objects", len(objects))
