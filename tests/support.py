"""Helpers for tests that compile small specs written inline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops.pipeline import compile_spec

Obj = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
STORES = {scheme: {"secretRef": {"name": f"{scheme}-reader"}} for scheme in ("s3", "gs", "az")}
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "mlops.yaml").is_file())


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


def objects(files: dict[str, Obj]) -> list[Obj]:
    return [obj for name, obj in sorted(files.items()) if name != "kustomization.yaml"]


def pod_specs(obj: Obj) -> list[Obj]:
    """The pod spec inside a workload (Deployment, Rollout, CronJob), if any."""
    spec = obj.get("spec", {})
    if obj["kind"] in ("Deployment", "Rollout"):
        return [spec["template"]["spec"]]
    if obj["kind"] == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return []
