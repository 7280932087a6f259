"""mlops.emit.k8s.monitoring: ServiceMonitor, PrometheusRule and Grafana dashboard per model."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import manifests, sklearn, spec


def test_alerts_are_per_instance_and_a_shadow_candidate_only_warns(tmp_path: Path) -> None:
    rollout = {"strategy": "shadow", "candidate": {"artifact": "s3://mm/next/"}}
    files = manifests(tmp_path, spec({"embed": sklearn(rollout=rollout, monitoring={"alerts": {"errorRate": 0.05}})}))
    rules = [r for r in files["prometheusrule-embed.yaml"]["spec"]["groups"][0]["rules"]
             if r["alert"] == "MLModelHighErrorRate"]
    assert [(r["alert"], r["labels"]["workload"], r["labels"]["severity"]) for r in rules] == [
        ("MLModelHighErrorRate", "embed", "critical"), ("MLModelHighErrorRate", "embed-candidate", "warning")]
    assert all(r["expr"].endswith(" > 0.05") and r["for"] == "5m" for r in rules)
