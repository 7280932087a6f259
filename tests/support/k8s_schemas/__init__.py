"""Test-side validator: every emitted Kubernetes object against the real upstream schemas.

- Core kinds (apps/v1, v1, policy/v1, networking.k8s.io/v1, autoscaling/v2, batch/v1, rbac...):
  the strict schemas of the `kubernetes-validate` package (unknown fields rejected).
- CRD kinds (Argo Rollouts, KEDA, Gateway API, Prometheus Operator): the `@kubernetes-models/*`
  npm packages through `node/validate.mjs`, plus a strict walk rejecting unknown fields.
  Needs `npm ci --prefix tests/support/k8s_schemas/node` once.
- Anything else is an error ("no schema known for ..."), never silently passed.
"""

from __future__ import annotations

from typing import Any

from ._core import validate_core
from ._crd import NPM_CI, is_crd, validate_crds

__all__ = ["NPM_CI", "validate_objects"]


def _prefix(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{obj.get('kind') or '<no kind>'}/{name or '<no name>'}"


def validate_objects(objs: list[dict[str, Any]], k8s_version: str = "1.31") -> list[str]:
    """Validate Kubernetes objects; returns human-readable errors, each prefixed `Kind/name:`.

    An empty list means every object is valid. `k8s_version` ("1.31") selects the core schemas
    (the newest shipped by kubernetes-validate that is not newer); the CRD packages carry their
    own schema versions. Raises RuntimeError if CRD objects are given and the npm packages are
    not installed, ValueError for a Kubernetes version kubernetes-validate does not ship.
    """
    errors: list[str] = []
    crds: list[dict[str, Any]] = []
    for obj in objs:
        if not isinstance(obj, dict):
            errors.append(f"<no kind>/<no name>: not a mapping: {type(obj).__name__}")
            continue
        if is_crd(obj):
            crds.append(obj)
            continue
        found = validate_core(obj, k8s_version)
        if found is None:
            found = [
                f"no schema known for apiVersion {obj.get('apiVersion')} kind {obj.get('kind')} "
                f"(not a Kubernetes {k8s_version} core kind nor a supported CRD)"
            ]
        errors.extend(f"{_prefix(obj)}: {message}" for message in found)
    errors.extend(validate_crds(crds))
    return errors
