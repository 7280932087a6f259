"""mlops.emit.k8s.scaling: HPA for cpu, KEDA for rps / concurrency and scale to zero, a PDB from two replicas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.specs import manifests, sklearn, spec

BASE = {"framework": "sklearn", "artifact": "gs://bucket/m/"}


def with_scaling(**scaling: Any) -> dict[str, Any]:
    return {**BASE, "scaling": scaling}


def test_cpu_scales_with_an_hpa_on_utilization(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": with_scaling(min=1, max=4, metric="cpu", target=65)}))
    hpa = files["horizontalpodautoscaler-m.yaml"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "m"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 4)
    assert hpa["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}]
    assert "scaledobject-m.yaml" not in files and "poddisruptionbudget-m.yaml" not in files


def test_rps_scales_with_keda_on_the_runtime_request_rate(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": with_scaling(min=2, max=8, metric="rps", target=50)}))
    scaled = files["scaledobject-m.yaml"]["spec"]
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (2, 8)
    [trigger] = scaled["triggers"]
    assert trigger["type"] == "prometheus" and trigger["metadata"]["threshold"] == "50"
    assert "rest_server_requests_total" in trigger["metadata"]["query"]
    assert trigger["metadata"]["serverAddress"] == "http://kube-prometheus-stack-prometheus.monitoring:9090"
    assert files["poddisruptionbudget-m.yaml"]["spec"] == {
        "maxUnavailable": 1, "selector": {"matchLabels": {
            "app.kubernetes.io/name": "m", "app.kubernetes.io/component": "server", "app.kubernetes.io/instance": "m"}}}


def test_concurrency_scales_on_requests_in_flight(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": with_scaling(min=1, max=3, metric="concurrency", target=8)}))
    [trigger] = files["scaledobject-m.yaml"]["spec"]["triggers"]
    assert trigger["name"] == "concurrency" and "rest_server_requests_in_progress" in trigger["metadata"]["query"]


def test_scale_to_zero_adds_a_gateway_wake_trigger(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": with_scaling(min=0, max=3, metric="rps", target=10)}))
    scaled = files["scaledobject-m.yaml"]["spec"]
    assert scaled["minReplicaCount"] == 0
    wake = scaled["triggers"][1]
    assert wake["name"] == "wake"
    assert wake["metadata"]["activationThreshold"] == "0" and wake["metadata"]["threshold"] == "1"
    query = wake["metadata"]["query"]
    assert query.startswith("clamp_max(") and 'envoy_cluster_name=~"httproute/shop-dev/m/rule/.*"' in query
    assert "envoy_cluster_upstream_cx_none_healthy" in query


def test_custom_images_scale_on_the_gateway_share_of_their_variant(tmp_path: Path) -> None:
    rollout = {"strategy": "ab", "variants": {"a": {"artifact": "gs://bucket/a/", "weight": 75},
                                              "b": {"artifact": "gs://bucket/b/", "weight": 25}}}
    m = {"framework": "custom", "image": "ghcr.io/acme/x:1.0", "rollout": rollout,
         "scaling": {"min": 1, "max": 4, "metric": "rps", "target": 100}}
    files = manifests(tmp_path, spec({"x": m}))
    query = files["scaledobject-x-b.yaml"]["spec"]["triggers"][0]["metadata"]["query"]
    assert "envoy_cluster_upstream_rq_total" in query and ") * 0.25)" in query


def test_canary_scaled_by_keda_targets_the_rollout(tmp_path: Path) -> None:
    m = sklearn(rollout={"strategy": "canary"}, scaling={"min": 1, "max": 5, "metric": "rps", "target": 20})
    files = manifests(tmp_path, spec({"fraud": m}))
    assert files["scaledobject-fraud.yaml"]["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "fraud"}
