"""Each rollout strategy describes the traffic it was asked for: weights, mirror share, steps, analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops.errors import SpecError
from mlops.pipeline import compile_spec
from tests.support.specs import manifests, spec, write

SKLEARN = {"framework": "sklearn", "artifact": "s3://models/fraud/v3/"}


def model(**fields: Any) -> dict[str, Any]:
    return {**SKLEARN, **fields}


def rule(files: dict[str, Any], name: str) -> dict[str, Any]:
    first: dict[str, Any] = files[f"httproute-{name}.yaml"]["spec"]["rules"][0]
    return first


def test_canary_steps_weights_and_background_analysis(tmp_path: Path) -> None:
    rollout = {"strategy": "canary", "steps": [10, 40, 70], "interval": "90s",
               "analysis": {"maxErrorRate": 0.02, "maxLatencyP99": "300ms"}}
    files = manifests(tmp_path, spec({"fraud": model(rollout=rollout)}))
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
    assert rule(files, "fraud")["backendRefs"] == [{"name": "fraud", "port": 8080, "weight": 100},
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
    files = manifests(tmp_path, spec({"fraud": model(rollout={"strategy": "canary", "steps": [50]})}))
    canary = files["rollout-fraud.yaml"]["spec"]["strategy"]["canary"]
    assert canary["steps"] == [{"setWeight": 50}, {"pause": {"duration": "5m"}}]
    assert "analysis" not in canary and "analysistemplate-fraud.yaml" not in files


def test_canary_scaled_by_keda_targets_the_rollout(tmp_path: Path) -> None:
    m = model(rollout={"strategy": "canary"}, scaling={"min": 1, "max": 5, "metric": "rps", "target": 20})
    files = manifests(tmp_path, spec({"fraud": m}))
    assert files["scaledobject-fraud.yaml"]["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "fraud"}


def test_blue_green_analyses_the_preview_for_the_interval(tmp_path: Path) -> None:
    rollout = {"strategy": "blue-green", "interval": "10m", "autoPromote": True, "analysis": {"maxLatencyP99": "2s"}}
    files = manifests(tmp_path, spec({"fraud": model(rollout=rollout)}))
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
    blue = manifests(tmp_path, spec({"fraud": model(rollout=rollout)}))["rollout-fraud.yaml"]["spec"]["strategy"]["blueGreen"]
    assert blue["autoPromotionSeconds"] == 900 and "prePromotionAnalysis" not in blue


def test_blue_green_waits_for_a_person_unless_auto_promoted(tmp_path: Path) -> None:
    blue = manifests(tmp_path, spec({"fraud": model(rollout={"strategy": "blue-green"})}))
    strategy = blue["rollout-fraud.yaml"]["spec"]["strategy"]["blueGreen"]
    assert strategy["autoPromotionEnabled"] is False and "autoPromotionSeconds" not in strategy


def test_ab_weights_one_deployment_and_service_per_variant(tmp_path: Path) -> None:
    rollout = {"strategy": "ab", "variants": {"control": {"artifact": "s3://mm/a/", "weight": 70},
                                              "treatment": {"artifact": "s3://mm/b/", "weight": 30}}}
    m = {"framework": "xgboost", "rollout": rollout, "scaling": {"min": 2, "max": 10, "metric": "rps", "target": 40}}
    files = manifests(tmp_path, spec({"rank": m}))
    assert rule(files, "rank")["backendRefs"] == [{"name": "rank-control", "port": 8080, "weight": 70},
                                                  {"name": "rank-treatment", "port": 8080, "weight": 30}]
    for variant, low, high in (("control", 2, 7), ("treatment", 1, 3)):
        deployment = files[f"deployment-rank-{variant}.yaml"]
        init = deployment["spec"]["template"]["spec"]["initContainers"][0]
        assert init["args"] == [f"s3://mm/{'a' if variant == 'control' else 'b'}/", "/mnt/models"]
        scaled = files[f"scaledobject-rank-{variant}.yaml"]["spec"]
        assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (low, high)
        assert f'app_kubernetes_io_instance="rank-{variant}"' in scaled["triggers"][0]["metadata"]["query"]
        assert f"service-rank-{variant}.yaml" in files
    assert "poddisruptionbudget-rank-control.yaml" in files
    assert "poddisruptionbudget-rank-treatment.yaml" not in files


def test_shadow_mirrors_the_asked_percent_to_the_candidate(tmp_path: Path) -> None:
    rollout = {"strategy": "shadow", "candidate": {"artifact": "s3://mm/next/"}, "mirrorPercent": 25}
    files = manifests(tmp_path, spec({"embed": model(rollout=rollout)}))
    main = rule(files, "embed")
    assert main["backendRefs"] == [{"name": "embed", "port": 8080}]
    mirrors = [f for f in main["filters"] if f["type"] == "RequestMirror"]
    assert mirrors == [{"type": "RequestMirror", "requestMirror": {
        "backendRef": {"name": "embed-candidate", "port": 8080}, "percent": 25}}]
    candidate = files["deployment-embed-candidate.yaml"]["spec"]["template"]["spec"]["initContainers"][0]
    assert candidate["args"] == ["s3://mm/next/", "/mnt/models"]


@pytest.mark.parametrize(("strategy", "expected"), [
    (None, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}),
    ("recreate", {"type": "Recreate"}),
])
def test_rolling_and_recreate_are_deployments(tmp_path: Path, strategy: str | None, expected: dict[str, Any]) -> None:
    m = model(**({"rollout": {"strategy": strategy}} if strategy else {}))
    files = manifests(tmp_path, spec({"fraud": m}))
    assert files["deployment-fraud.yaml"]["spec"]["strategy"] == expected
    assert rule(files, "fraud")["backendRefs"] == [{"name": "fraud", "port": 8080}]
    assert not any(name.startswith("rollout-") for name in files)


def test_endpoint_path_is_matched_and_stripped(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": model(endpoint={"host": "api.example.com", "path": "/v1/score"})}))
    route = files["httproute-fraud.yaml"]["spec"]
    assert route["hostnames"] == ["api.example.com"]
    assert route["parentRefs"] == [{"name": "shop", "sectionName": "http"}]
    assert route["rules"][0]["matches"] == [{"path": {"type": "PathPrefix", "value": "/v1/score"}}]
    assert route["rules"][0]["filters"] == [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}]


def test_root_endpoint_needs_no_rewrite_and_no_endpoint_gets_a_model_path(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"a": model(endpoint={"host": "a.example.com"}), "b": model()}))
    assert "filters" not in files["httproute-a.yaml"]["spec"]["rules"][0]
    b = files["httproute-b.yaml"]["spec"]
    assert "hostnames" not in b
    assert b["rules"][0]["matches"] == [{"path": {"type": "PathPrefix", "value": "/models/b"}}]


def errors(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    path = write(tmp_path, doc)
    with pytest.raises(SpecError) as caught:
        compile_spec(path, layers=("manifests",))
    return [d.text().replace(path, "mlops.yaml") for d in caught.value.diagnostics if d.severity == "error"]


def test_analysis_of_a_custom_image_is_refused_where_it_is_written(tmp_path: Path) -> None:
    custom = {"framework": "custom", "image": "ghcr.io/acme/scorer:1.0",
              "rollout": {"strategy": "canary", "analysis": {"maxErrorRate": 0.01}}}
    assert errors(tmp_path, spec({"scorer": custom})) == [
        "mlops.yaml:20:9: error: analysis compares the new version's own metrics, and mlops cannot know the "
        "metrics a custom image exports: remove analysis, or serve with a framework mlops knows "
        "[at $.models.scorer.rollout.analysis]"]


def test_custom_image_canary_without_analysis_compiles(tmp_path: Path) -> None:
    custom = {"framework": "custom", "image": "ghcr.io/acme/scorer:1.0", "rollout": {"strategy": "canary"}}
    files = manifests(tmp_path, spec({"scorer": custom}))
    container = files["rollout-scorer.yaml"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/scorer:1.0" and "command" not in container


def test_colliding_object_names_are_refused(tmp_path: Path) -> None:
    doc = spec({"fraud": model(rollout={"strategy": "canary"}), "fraud-canary": model()})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:19:3: error: model 'fraud-canary' and model 'fraud' would both make the Service "
        "'fraud-canary': rename one of them [at $.models.fraud-canary]"]


def test_alerts_are_per_instance_and_a_shadow_candidate_only_warns(tmp_path: Path) -> None:
    rollout = {"strategy": "shadow", "candidate": {"artifact": "s3://mm/next/"}}
    files = manifests(tmp_path, spec({"embed": model(rollout=rollout, monitoring={"alerts": {"errorRate": 0.05}})}))
    rules = files["prometheusrule-embed.yaml"]["spec"]["groups"][0]["rules"]
    assert [(r["alert"], r["labels"]["workload"], r["labels"]["severity"]) for r in rules] == [
        ("MLModelHighErrorRate", "embed", "critical"), ("MLModelHighErrorRate", "embed-candidate", "warning")]
    assert all(r["expr"].endswith(" > 0.05") and r["for"] == "5m" for r in rules)


def test_blue_green_interval_without_analysis_or_auto_promotion_is_refused(tmp_path: Path) -> None:
    doc = spec({"fraud": model(rollout={"strategy": "blue-green", "interval": "10m"})})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:19:7: error: interval is how long a blue-green preview is analysed, or held before autoPromote: "
        "with neither, a person promotes and it means nothing (remove it, or add analysis or autoPromote) "
        "[at $.models.fraud.rollout.interval]"]


def test_fractional_cpu_target_is_refused_not_rounded(tmp_path: Path) -> None:
    doc = spec({"fraud": model(scaling={"metric": "cpu", "target": 65.5})})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:19:15: error: with metric cpu, target is a whole % of requested CPU, got 65.5 "
        "[at $.models.fraud.scaling.target]"]
