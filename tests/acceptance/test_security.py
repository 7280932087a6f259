"""Every pod of every example meets the restricted Pod Security Standard; every object carries the labels and
the annotation pointing back to the spec."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from mlops.pipeline import compile_spec
from tests.support import EXAMPLES
from tests.support.specs import Obj, pod_specs

REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                   "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}


@functools.cache
def _all() -> tuple[tuple[str, str, Obj], ...]:
    out = []
    for example in EXAMPLES:
        for path, content in compile_spec(str(example / "mlops.yaml"), layers=("manifests",)).files.items():
            if not path.endswith("kustomization.yaml"):
                out.append((example.name, path, yaml.safe_load(content)))
    return tuple(out)


def restricted_violations(pod: Obj) -> list[str]:
    """The checks of the `restricted` Pod Security Standard (v1.31) that a pod spec can fail."""
    found = []
    context = pod.get("securityContext", {})
    if any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")):
        found.append("host namespaces")
    for volume in pod.get("volumes", []):
        if not set(volume) - {"name"} <= RESTRICTED_VOLUMES:
            found.append(f"volume {volume['name']} of a forbidden type")
    if context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        found.append("pod seccomp profile is not RuntimeDefault")
    if context.get("runAsUser") == 0:
        found.append("pod runs as root")
    for container in pod.get("initContainers", []) + pod["containers"]:
        sc, name = container.get("securityContext", {}), container["name"]
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: privilege escalation allowed")
        capabilities = sc.get("capabilities", {})
        if capabilities.get("drop") != ["ALL"] or set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: capabilities not all dropped")
        if not (sc.get("runAsNonRoot") or context.get("runAsNonRoot")) or sc.get("runAsUser") == 0:
            found.append(f"{name}: may run as root")
        if sc.get("privileged") or container.get("ports", [{}])[0].get("hostPort"):
            found.append(f"{name}: privileged or host port")
        if sc.get("readOnlyRootFilesystem") is not True:
            found.append(f"{name}: writable root filesystem")
    return found


def test_there_are_pods_to_check() -> None:
    assert sum(len(pod_specs(obj)) for _, _, obj in _all()) > 30


@pytest.mark.parametrize("example", [e.name for e in EXAMPLES])
def test_every_pod_is_restricted(example: str) -> None:
    problems = [f"{path}: {v}" for name, path, obj in _all() if name == example
                for pod in pod_specs(obj) for v in restricted_violations(pod)]
    assert problems == []


def test_no_pod_mounts_an_api_token() -> None:
    for _, path, obj in _all():
        for pod in pod_specs(obj):
            assert pod["automountServiceAccountToken"] is False, path
        if obj["kind"] == "ServiceAccount":
            assert obj["automountServiceAccountToken"] is False, path


def test_namespaces_enforce_restricted() -> None:
    namespaces = [obj for _, _, obj in _all() if obj["kind"] == "Namespace"]
    assert namespaces
    for ns in namespaces:
        labels = ns["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        assert labels["pod-security.kubernetes.io/audit"] == labels["pod-security.kubernetes.io/warn"] == "restricted"


def test_every_object_is_labelled_and_points_back_to_the_spec() -> None:
    for example, path, obj in _all():
        meta = obj["metadata"]
        assert all(k in meta["labels"] for k in REQUIRED_LABELS), path
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "mlops"
        assert meta["annotations"]["mlops.dev/source"].startswith("$."), path
        if example == "north-star":
            assert meta["labels"]["cost-center"] == "cc-4242"
            assert meta["annotations"]["mlops.dev/owner"] == "risk-ml@example.com"
        for pod_template in (t for t in [obj.get("spec", {}).get("template")] if t and obj["kind"] != "Service"):
            assert all(k in pod_template["metadata"]["labels"] for k in REQUIRED_LABELS), path


def test_default_deny_then_only_gateway_and_prometheus_reach_models() -> None:
    by_name: dict[tuple[str, str], Any] = {(e, o["metadata"]["name"]): o for e, p, o in _all()
                                           if o["kind"] == "NetworkPolicy" and p.startswith("production/")}
    deny = by_name[("north-star", "default-deny")]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    ingress = by_name[("north-star", "fraud-scorer-ingress")]["spec"]["ingress"]
    assert ingress == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}}],
         "ports": [{"port": 8080, "protocol": "TCP"}]},
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
         "ports": [{"port": 8082, "protocol": "TCP"}]}]


def test_the_checker_itself_flags_an_unrestricted_pod() -> None:
    pod = {"hostNetwork": True, "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
           "containers": [{"name": "c", "securityContext": {"privileged": True}}]}
    assert restricted_violations(pod) == [
        "host namespaces", "volume h of a forbidden type", "pod seccomp profile is not RuntimeDefault",
        "c: privilege escalation allowed", "c: capabilities not all dropped", "c: may run as root",
        "c: privileged or host port", "c: writable root filesystem"]
