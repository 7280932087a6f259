"""Helpers for tests that compile small specs written inline, through the whole pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.errors import SpecError
from mlops.pipeline import compile_spec

Obj = dict[str, Any]
STORES = {scheme: {"secretRef": {"name": f"{scheme}-reader"}} for scheme in ("s3", "gs", "az")}


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a parsed document, the root's `()` first (what property tests mutate)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def spec(models: dict[str, Any], *, pools: dict[str, Any] | None = None,
         target: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "shop"},
        "targets": {"t": target or {"provider": "onprem", "context": "kind", "registry": "reg.example.com/ml",
                                    "storageCredentials": STORES}},     # an existing cluster reads clouds with keys
        "environments": {"dev": {"target": "t"}},
        "models": models,
    }
    if pools:
        doc["cluster"] = {"nodePools": pools}
    return doc


def write(tmp_path: Path, doc: dict[str, Any]) -> str:
    path = tmp_path / "mlops.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return str(path)


def manifests(tmp_path: Path, doc: dict[str, Any]) -> dict[str, Obj]:
    """Compile `doc` (environment dev); its objects by file name, e.g. `rollout-fraud.yaml`."""
    build = compile_spec(write(tmp_path, doc), layers=("manifests",))
    prefix = "dev/manifests/"
    return {p[len(prefix):]: yaml.safe_load(c) for p, c in build.files.items() if p.startswith(prefix)}


def errors(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    """The error lines compiling `doc` gives, the file named `mlops.yaml`."""
    path = write(tmp_path, doc)
    with pytest.raises(SpecError) as caught:
        compile_spec(path, layers=("manifests",))
    return [d.text().replace(path, "mlops.yaml") for d in caught.value.diagnostics if d.severity == "error"]


def objects(files: dict[str, Obj]) -> list[Obj]:
    return [obj for name, obj in sorted(files.items()) if name != "kustomization.yaml"]


def pod_specs(obj: Obj) -> list[Obj]:
    """The pod spec inside a workload (Deployment, Rollout, CronJob), if any; a WorkflowTemplate's: one per
    container template, as Argo makes it (the workflow's pod-level fields, the template's containers and volumes)."""
    spec = obj.get("spec", {})
    if obj["kind"] in ("Deployment", "Rollout"):
        return [spec["template"]["spec"]]
    if obj["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    if obj["kind"] == "WorkflowTemplate":
        pod = {k: spec[k] for k in ("securityContext", "serviceAccountName", "automountServiceAccountToken",
                                    "nodeSelector", "tolerations") if k in spec}
        return [{**pod, "containers": [t["container"]], "initContainers": t.get("initContainers", []),
                 "volumes": t.get("volumes", []),
                 **{k: t[k] for k in ("nodeSelector", "tolerations", "activeDeadlineSeconds") if k in t}}
                for t in spec["templates"] if "container" in t]
    return []


# Specs the pipeline tests share: a model, an accelerator pool, cloud targets.
SKLEARN = {"framework": "sklearn", "artifact": "s3://models/fraud/v3/"}
GPU_POOL = {"machine": {"cpu": 8, "memory": "32Gi"}, "accelerator": {"type": "nvidia-t4"}, "capacity": "spot"}
AZURE = {"provider": "azure", "region": "eastus"}
GCP = {"provider": "gcp", "region": "us-central1", "project": "shop-dev-4242"}


TRAINING_POOLS = {"train": {"machine": {"cpu": 16, "memory": "64Gi"}, "capacity": "spot"}}


def trained(**training: Any) -> dict[str, Any]:
    """Model `fraud` retrained in environment dev on pool `train`, with a gate; `training` overrides fields."""
    return {"framework": "xgboost", "artifact": "registry://fraud:v12",
            "data": {"training": "s3://fraud-data/train/", "holdout": "s3://fraud-data/holdout.parquet",
                     "label": "is_fraud", "prediction": "score", "protected": ["country"],
                     "columns": {"amount": {"type": "number", "min": 0}, "country": {"type": "string"}}},
            "training": {"environment": "dev", "image": "registry://fraud-trainer:2026.11",
                         "command": ["python", "train.py"], "args": ["--epochs", "3"],
                         "resources": {"cpu": "8", "memory": "32Gi"}, "nodePool": "train", "timeout": "6h",
                         "output": "s3://fraud-models/fraud/",
                         "gate": {"metrics": {"roc_auc": {"min": 0.9, "minChange": 0.002}},
                                  "fairness": {"demographicParityDifference": {"max": 0.05}}}, **training}}


def trained_platform(target: dict[str, str]) -> str:
    """Spec text: model `fraud` (`trained()`) retrained in environment `dev` on `target`."""
    return json.dumps({"apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "shop"},
                       "targets": {"t": target}, "environments": {"dev": {"target": "t"}},
                       "cluster": {"nodePools": {"cpu": {"machine": {"cpu": 4, "memory": "16Gi"}}, **TRAINING_POOLS}},
                       "models": {"fraud": trained()}})


def sklearn(**fields: Any) -> dict[str, Any]:
    """An sklearn model's spec, with `fields` added."""
    return {**SKLEARN, **fields}


def route_rule(files: dict[str, Any], name: str) -> dict[str, Any]:
    """The first rule of the HTTPRoute of model `name`."""
    first: dict[str, Any] = files[f"httproute-{name}.yaml"]["spec"]["rules"][0]
    return first


def pod(files: dict[str, Any], name: str) -> dict[str, Any]:
    """The pod spec of the Deployment or Rollout `name`."""
    for kind in ("deployment", "rollout"):
        if f"{kind}-{name}.yaml" in files:
            return files[f"{kind}-{name}.yaml"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    raise KeyError(name)


def logged_platform(target: dict[str, Any], store: str) -> str:
    """Spec text: model `fraud` in environment dev on `target`, served from `<store>models/fraud/v3/` and logging
    its requests to `<store>live/fraud/` (`store` a bucket or container URI ending in '/')."""
    model = {**SKLEARN, "artifact": f"{store}models/fraud/v3/", "data": {"live": f"{store}live/fraud/"},
             "monitoring": {"logging": {"sample": 0.1}}}
    return json.dumps({"apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "shop"},
                       "targets": {"t": target}, "environments": {"dev": {"target": "t"}},
                       "models": {"fraud": model}})


# An AKS platform: a model in Blob Storage, a GPU model and a CPU one in the registry (the Azure program and access
# tests share it).
AZURE_PLATFORM = """
apiVersion: mlops/v1
kind: Platform
metadata:
  name: fraud
  labels: {cost-center: cc-4242, team.example.com/owner: risk}
targets:
  az: {provider: azure, region: westeurope}
environments:
  prod: {target: az}
cluster:
  kubernetesVersion: "1.36"
  nodePools:
    general:
      machine: {cpu: 4, memory: 16Gi}
      scaling: {min: 2, max: 6}
    gpu:
      machine: {cpu: 8, memory: 32Gi}
      accelerator: {type: nvidia-t4, count: 1}
      scaling: {min: 0, max: 4}
      capacity: spot
registry: {keepLast: 25}
models:
  scorer:
    framework: xgboost
    artifact: az://fraudmodels/models/scorer/v12
  ranker:
    framework: pytorch
    nodePool: gpu
    resources: {cpu: "4", memory: 16Gi, gpu: 1}
    artifact: registry://ranker:v3
  embedder:
    framework: huggingface
    artifact: registry://embedder:v2
"""
