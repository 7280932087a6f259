"""mlops.emit.k8s.rollout: workloads by strategy (Deployment, Argo Rollout) and the canary / blue-green analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.specs import manifests, route_rule, sklearn, spec


def test_canary_steps_weights_and_background_analysis(tmp_path: Path) -> None:
    rollout = {"strategy": "canary", "steps": [10, 40, 70], "interval": "90s",
               "analysis": {"maxErrorRate": 0.02, "maxLatencyP99": "300ms"}}
    files = manifests(tmp_path, spec({"fraud": sklearn(rollout=rollout)}))
    canary = files["rollout-fraud.yaml"]["spec"]["strategy"]["canary"]
    assert canary["steps"] == [{"setWeight": 10}, {"pause": {"duration": "90s"}},
                               {"setWeight": 40}, {"pause": {"duration": "90s"}},
                               {"setWeight": 70}, {"pause": {"duration": "90s"}}]
    assert (canary["stableService"], canary["canaryService"]) == ("fraud", "fraud-canary")
    assert canary["trafficRouting"] == {"plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "fraud",
                                                                                 "namespace": "shop-dev"}}}
    assert canary["analysis"] == {"templates": [{"templateName": "fraud"}], "startingStep": 1,
                                  "args": [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]}
    # The route starts with everything on stable; the plugin moves the weights.
    assert route_rule(files, "fraud")["backendRefs"] == [{"name": "fraud", "port": 8080, "weight": 100},
                                                   {"name": "fraud-canary", "port": 8080, "weight": 0}]
    metrics = {m["name"]: m for m in files["analysistemplate-fraud.yaml"]["spec"]["metrics"]}
    assert metrics["error-rate"]["successCondition"] == "result[0] <= 0.02"
    assert metrics["error-rate"]["failureCondition"] == "result[0] > 0.02"
    assert metrics["latency-p99-ms"]["successCondition"] == "result[0] <= 300"
    query = metrics["error-rate"]["provider"]["prometheus"]["query"]
    assert 'status_code=~"5.."' in query and 'rollouts_pod_template_hash="{{args.hash}}"' in query
    assert metrics["error-rate"]["provider"]["prometheus"]["address"] == \
        "http://kube-prometheus-stack-prometheus.monitoring:9090"
    assert all("count" not in m for m in metrics.values())  # background: measured until promotion


def test_canary_without_analysis_has_no_template(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": sklearn(rollout={"strategy": "canary", "steps": [50]})}))
    canary = files["rollout-fraud.yaml"]["spec"]["strategy"]["canary"]
    assert canary["steps"] == [{"setWeight": 50}, {"pause": {"duration": "5m"}}]
    assert "analysis" not in canary and "analysistemplate-fraud.yaml" not in files


def test_blue_green_analyses_the_preview_for_the_interval(tmp_path: Path) -> None:
    rollout = {"strategy": "blue-green", "interval": "10m", "autoPromote": True, "analysis": {"maxLatencyP99": "2s"}}
    files = manifests(tmp_path, spec({"fraud": sklearn(rollout=rollout)}))
    blue = files["rollout-fraud.yaml"]["spec"]["strategy"]["blueGreen"]
    assert blue["activeService"] == "fraud" and blue["previewService"] == "fraud-preview"
    assert blue["autoPromotionEnabled"] is True
    assert blue["prePromotionAnalysis"]["templates"] == [{"templateName": "fraud"}]
    [metric] = files["analysistemplate-fraud.yaml"]["spec"]["metrics"]
    assert (metric["name"], metric["interval"], metric["count"]) == ("latency-p99-ms", "1m", 10)
    assert metric["successCondition"] == "result[0] <= 2000"
    route = files["httproute-fraud.yaml"]["spec"]["rules"]
    assert route[0]["backendRefs"] == [{"name": "fraud", "port": 8080}]
    assert route[1]["matches"][0]["headers"] == [{"type": "Exact", "name": "x-mlops-preview", "value": "true"}]
    assert route[1]["backendRefs"] == [{"name": "fraud-preview", "port": 8080}]
    assert {"service-fraud.yaml", "service-fraud-preview.yaml"} <= set(files)


def test_blue_green_without_analysis_promotes_after_the_interval(tmp_path: Path) -> None:
    rollout = {"strategy": "blue-green", "interval": "15m", "autoPromote": True}
    files = manifests(tmp_path, spec({"fraud": sklearn(rollout=rollout)}))
    blue = files["rollout-fraud.yaml"]["spec"]["strategy"]["blueGreen"]
    assert blue["autoPromotionSeconds"] == 900 and "prePromotionAnalysis" not in blue


def test_blue_green_waits_for_a_person_unless_auto_promoted(tmp_path: Path) -> None:
    blue = manifests(tmp_path, spec({"fraud": sklearn(rollout={"strategy": "blue-green"})}))
    strategy = blue["rollout-fraud.yaml"]["spec"]["strategy"]["blueGreen"]
    assert strategy["autoPromotionEnabled"] is False and "autoPromotionSeconds" not in strategy


@pytest.mark.parametrize(("strategy", "expected"), [
    (None, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}),
    ("recreate", {"type": "Recreate"}),
])
def test_rolling_and_recreate_are_deployments(tmp_path: Path, strategy: str | None, expected: dict[str, Any]) -> None:
    m = sklearn(**({"rollout": {"strategy": strategy}} if strategy else {}))
    files = manifests(tmp_path, spec({"fraud": m}))
    assert files["deployment-fraud.yaml"]["spec"]["strategy"] == expected
    assert route_rule(files, "fraud")["backendRefs"] == [{"name": "fraud", "port": 8080}]
    assert not any(name.startswith("rollout-") for name in files)
