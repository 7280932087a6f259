"""CRD kinds, checked by `node/validate.mjs` (the @kubernetes-models/* npm packages plus a strict
unknown-field walk), in one subprocess per batch."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).resolve().parent / "node"
NPM_CI = "npm ci --prefix tests/support/k8s_schemas/node"

# API group -> npm packages holding its models (kept in step with PACKAGES in validate.mjs).
CRD_PACKAGES: dict[str, tuple[str, ...]] = {
    "argoproj.io": ("@kubernetes-models/argo-rollouts", "@kubernetes-models/argo-workflows",
                    "@kubernetes-models/argo-cd"),
    "keda.sh": ("@kubernetes-models/keda",),
    "gateway.networking.k8s.io": ("@kubernetes-models/gateway-api",),
    "monitoring.coreos.com": ("@kubernetes-models/prometheus-operator",),
    "cert-manager.io": ("@kubernetes-models/cert-manager",),
}


def is_crd(obj: dict[str, Any]) -> bool:
    api_version = str(obj.get("apiVersion", ""))
    return "/" in api_version and api_version.split("/", 1)[0] in CRD_PACKAGES


def check_install() -> str:
    missing = [pkg for pkgs in CRD_PACKAGES.values() for pkg in pkgs if not (NODE_DIR / "node_modules" / pkg).is_dir()]
    if missing:
        raise RuntimeError(
            f"CRD schemas are not installed ({', '.join(missing)} missing under {NODE_DIR}/node_modules): "
            f"run `{NPM_CI}` from the repository root"
        )
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("`node` (Node.js >= 20) is not on PATH; it is needed to validate CRD objects")
    return node


def validate_crds(objs: list[dict[str, Any]], timeout: float = 120.0) -> list[str]:
    """Errors (each prefixed `Kind/name:`) for CRD objects; one `node` process for the batch."""
    if not objs:
        return []
    node = check_install()
    proc = subprocess.run(
        [node, str(NODE_DIR / "validate.mjs")],
        input=json.dumps(objs),
        capture_output=True,
        text=True,
        cwd=NODE_DIR,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node validate.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    errors = json.loads(proc.stdout)
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise RuntimeError(f"node validate.mjs printed unexpected output: {proc.stdout[:500]}")
    return errors
