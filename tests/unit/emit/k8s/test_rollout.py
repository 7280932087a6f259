"""mlops.emit.k8s.rollout: workloads by strategy (Deployment, Argo Rollout) and the canary / blue-green analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops import ir
from mlops.emit.k8s import rollout
from tests.support.ir_factory import analysis, environment, model, scope, variant
from tests.support.specs import manifests, route_rule, sklearn, spec
from tests.support.tables import Row, inventory


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
    # measured after the switch, on the traffic the new colour carries (the preview gets none of production's)
    assert blue["postPromotionAnalysis"]["templates"] == [{"templateName": "fraud"}]
    assert "prePromotionAnalysis" not in blue and "scaleDownDelaySeconds" not in blue   # the old colour waits for it
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
    assert blue["autoPromotionSeconds"] == 900 and "postPromotionAnalysis" not in blue


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


# --- tables: an IR in (tests/support/ir_factory.py), the objects out ------------------------------------------

SELECTOR = {"matchLabels": {"app.kubernetes.io/name": "m", "app.kubernetes.io/component": "server",
                            "app.kubernetes.io/instance": "m"}}

DEPLOYMENTS = [
    Row("rolling: a Deployment surging 25%, never below its replicas", model(), """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: m
          namespace: shop-dev
          labels:
            app.kubernetes.io/name: m
            app.kubernetes.io/instance: m
            app.kubernetes.io/component: server
            app.kubernetes.io/part-of: shop
            app.kubernetes.io/managed-by: mlops
          annotations: {mlops.dev/source: $.models.m}
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: m
              app.kubernetes.io/component: server
              app.kubernetes.io/instance: m
          revisionHistoryLimit: 3
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: "25%", maxUnavailable: 0}
    """, drop=("spec.template",)),
    Row("recreate stops every pod first", model(strategy="recreate"), """
        type: Recreate
    """, at="spec.strategy"),
    Row("recreate points back at the rollout that asked for it", model(strategy="recreate"), """
        mlops.dev/source: $.models.m.rollout
    """, at="metadata.annotations"),
    Row("an ab variant is its own Deployment, selecting only its pods",
        model(strategy="ab", variants=(variant("a", 70), variant("b", 30))), """
        name: m-b
        namespace: shop-dev
        labels:
          app.kubernetes.io/name: m
          app.kubernetes.io/instance: m-b
          app.kubernetes.io/component: server
          app.kubernetes.io/part-of: shop
          app.kubernetes.io/managed-by: mlops
        annotations: {mlops.dev/source: $.models.m.rollout.variants.b}
    """, at="metadata", instance="m-b"),
    Row("a shadow candidate is a rolling Deployment of its own, selecting only its pods",
        model(strategy="shadow", candidate="s3://m/next"), """
        selector:
          matchLabels:
            app.kubernetes.io/name: m
            app.kubernetes.io/component: server
            app.kubernetes.io/instance: m-candidate
        revisionHistoryLimit: 3
        strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: "25%", maxUnavailable: 0}}
    """, at="spec", drop=("spec.template",), instance="m-candidate"),
    Row("a shadow candidate points back at the candidate", model(strategy="shadow", candidate="s3://m/next"), """
        mlops.dev/source: $.models.m.rollout.candidate
    """, at="metadata.annotations", instance="m-candidate"),
]


@pytest.mark.parametrize("row", DEPLOYMENTS, ids=str)
def test_deployment_table(row: Row) -> None:
    assert row.pick(rollout.deployment(row.scope, row.model, row.inst)) == row.expected


HASH = [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]
ROLLOUTS = [
    Row("canary: an Argo Rollout over the stable Service, pointing back at the rollout", model(strategy="canary"), """
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: m
          namespace: shop-dev
          labels:
            app.kubernetes.io/name: m
            app.kubernetes.io/instance: m
            app.kubernetes.io/component: server
            app.kubernetes.io/part-of: shop
            app.kubernetes.io/managed-by: mlops
          annotations: {mlops.dev/source: $.models.m.rollout}
        spec:
          selector:
            matchLabels:
              app.kubernetes.io/name: m
              app.kubernetes.io/component: server
              app.kubernetes.io/instance: m
          revisionHistoryLimit: 3
    """, drop=("spec.template", "spec.strategy")),
    Row("canary: a weight then a pause of the interval per step, through the Gateway API plugin",
        model(strategy="canary", steps=(10, 50)), """
        canary:
          stableService: m
          canaryService: m-canary
          trafficRouting:
            plugins:
              argoproj-labs/gatewayAPI: {httpRoute: m, namespace: shop-dev}
          steps:
          - setWeight: 10
          - pause: {duration: 5m}
          - setWeight: 50
          - pause: {duration: 5m}
    """, at="spec.strategy"),
    Row("canary with analysis: measured in the background from the first pause",
        model(strategy="canary", steps=(5,), interval=90, analysis=analysis(error_rate=0.01)), """
        stableService: m
        canaryService: m-canary
        trafficRouting:
          plugins:
            argoproj-labs/gatewayAPI: {httpRoute: m, namespace: shop-dev}
        steps:
        - setWeight: 5
        - pause: {duration: 90s}
        analysis:
          templates: [{templateName: m}]
          startingStep: 1
          args: [{name: hash, valueFrom: {podTemplateHashValue: Latest}}]
    """, at="spec.strategy.canary"),
    Row("canary with an analysis that bounds nothing is not analysed",
        model(strategy="canary", analysis=analysis()), """
        [stableService, canaryService, trafficRouting, steps]
    """, at="spec.strategy.canary"),
    Row("blue-green waits for a person by default", model(strategy="blue-green"), """
        blueGreen: {activeService: m, previewService: m-preview, autoPromotionEnabled: false}
    """, at="spec.strategy"),
    Row("blue-green auto-promoted without analysis: after the interval",
        model(strategy="blue-green", auto_promote=True, interval=900), """
        blueGreen: {activeService: m, previewService: m-preview, autoPromotionEnabled: true, autoPromotionSeconds: 900}
    """, at="spec.strategy"),
    Row("blue-green analysed: after the switch, on live traffic, and the analysis, not a timer, decides",
        model(strategy="blue-green", auto_promote=True, analysis=analysis(p99_ms=200)), """
        blueGreen:
          activeService: m
          previewService: m-preview
          autoPromotionEnabled: true
          postPromotionAnalysis:
            templates: [{templateName: m}]
            args: [{name: hash, valueFrom: {podTemplateHashValue: Latest}}]
    """, at="spec.strategy"),
]


@pytest.mark.parametrize("row", ROLLOUTS, ids=str)
def test_argo_rollout_table(row: Row) -> None:
    obj = rollout.argo_rollout(row.scope, row.model, row.inst)
    got = row.pick(obj)
    assert (list(got) if isinstance(row.expected, list) else got) == row.expected
    assert HASH == [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]   # shared, never mutated


SEL = 'namespace="shop-dev",service="m-metrics",rollouts_pod_template_hash="{{args.hash}}"'
PROMETHEUS = "http://kube-prometheus-stack-prometheus.monitoring:9090"
ANALYSES = [
    Row("canary error rate: failed over the ratio, inconclusive without traffic, measured until promotion",
        model(strategy="canary", analysis=analysis(error_rate=0.02)), """
        args: [{name: hash}]
        metrics:
        - name: error-rate
          interval: 1m
          failureLimit: 1
          inconclusiveLimit: 2
          successCondition: result[0] <= 0.02
          failureCondition: result[0] > 0.02
          provider:
            prometheus:
              address: $prometheus
              query: '(((sum(rate(rest_server_requests_total{path=~".*/infer",status_code=~"5..",$sel}[2m])))
                or on() vector(0)) / (sum(rate(rest_server_requests_total{path=~".*/infer",$sel}[2m]))))
                or on() vector(NaN)'
    """, at="spec", values={"sel": SEL, "prometheus": PROMETHEUS}),
    Row("blue-green p99: the preview measured interval/1m times", model(
        strategy="blue-green", interval=600, analysis=analysis(p99_ms=2000)), """
        - name: latency-p99-ms
          interval: 1m
          count: 10
          failureLimit: 1
          inconclusiveLimit: 2
          successCondition: result[0] <= 2000
          failureCondition: result[0] > 2000
          provider:
            prometheus:
              address: $prometheus
              query: '(histogram_quantile(0.99, sum by (le)
                (rate(rest_server_request_duration_seconds_bucket{path=~".*/infer",$sel}[2m]))) * 1000)
                or on() vector(NaN)'
    """, at="spec.metrics", values={"sel": SEL, "prometheus": PROMETHEUS}),
    Row("blue-green shorter than one measurement is still measured once",
        model(strategy="blue-green", interval=30, analysis=analysis(p99_ms=250)), """
        1
    """, at="spec.metrics[0].count"),
    Row("both bounds: two metrics, error rate first",
        model(strategy="canary", analysis=analysis(error_rate=0.5, p99_ms=250)), """
        - [error-rate, "result[0] <= 0.5"]
        - [latency-p99-ms, "result[0] <= 250"]
    """, at="spec.metrics"),
    Row("Triton counts failures apart from successes", model(
        framework="onnx", strategy="canary", analysis=analysis(error_rate=0.01)), """
        '(((sum(rate(nv_inference_request_failure{$sel}[2m]))) or on() vector(0))
          / (sum(rate({__name__=~"nv_inference_request_(success|failure)",$sel}[2m])))) or on() vector(NaN)'
    """, at="spec.metrics[0].provider.prometheus.query", values={"sel": SEL}),
    Row("the template is named for the model and points back at its analysis",
        model(strategy="canary", analysis=analysis(error_rate=0.01)), """
        name: m
        namespace: shop-dev
        labels:
          app.kubernetes.io/name: m
          app.kubernetes.io/instance: m
          app.kubernetes.io/component: analysis
          app.kubernetes.io/part-of: shop
          app.kubernetes.io/managed-by: mlops
        annotations: {mlops.dev/source: $.models.m.rollout.analysis}
    """, at="metadata"),
]


@pytest.mark.parametrize("row", ANALYSES, ids=str)
def test_analysis_template_table(row: Row) -> None:
    obj = rollout.analysis_template(row.scope, row.model)
    assert obj["apiVersion"] == "argoproj.io/v1alpha1" and obj["kind"] == "AnalysisTemplate"
    got = row.pick(obj)
    if row.at == "spec.metrics" and isinstance(row.expected[0], list):   # a row naming each metric's name and bound
        got = [[m["name"], m["successCondition"]] for m in got]
    assert got == row.expected


def test_analysis_of_an_image_whose_metrics_are_unknown_is_a_bug() -> None:
    custom = model(framework="custom", image="ghcr.io/acme/x:1", strategy="canary", analysis=analysis(error_rate=0.1))
    with pytest.raises(ValueError, match="model m: analysis needs the runtime's own metrics"):
        rollout.analysis_template(scope(environment((custom,))), custom)


BUILDS = [
    Row("rolling", model(), "[Deployment/m, Service/m]"),
    Row("recreate", model(strategy="recreate"), "[Deployment/m, Service/m]"),
    Row("canary: the Rollout, its stable and canary Services", model(strategy="canary"),
        "[Rollout/m, Service/m, Service/m-canary]"),
    Row("canary analysed: and the AnalysisTemplate", model(strategy="canary", analysis=analysis(error_rate=0.1)),
        "[Rollout/m, Service/m, Service/m-canary, AnalysisTemplate/m]"),
    Row("blue-green: the Rollout, its active and preview Services", model(strategy="blue-green"),
        "[Rollout/m, Service/m, Service/m-preview]"),
    Row("ab: a Deployment and a Service per variant, in the spec's order",
        model(strategy="ab", variants=(variant("control", 80), variant("treatment", 20))),
        "[Deployment/m-control, Service/m-control, Deployment/m-treatment, Service/m-treatment]"),
    Row("shadow: the stable and the candidate", model(strategy="shadow", candidate="s3://m/v2"),
        "[Deployment/m, Service/m, Deployment/m-candidate, Service/m-candidate]"),
]


@pytest.mark.parametrize("row", BUILDS, ids=str)
def test_build_table(row: Row) -> None:
    assert inventory(rollout.build(row.scope, row.model)) == row.expected


def test_the_canary_and_preview_services_select_the_rollouts_pods() -> None:
    for strategy, second in (("canary", "m-canary"), ("blue-green", "m-preview")):
        m = model(strategy=strategy)
        objs = {o["metadata"]["name"]: o for o in rollout.build(scope(environment((m,))), m) if o["kind"] == "Service"}
        assert objs[second]["spec"]["selector"] == objs["m"]["spec"]["selector"] == SELECTOR["matchLabels"]


@pytest.mark.parametrize(("strategy", "target"), [
    ("rolling", ("apps/v1", "Deployment")), ("recreate", ("apps/v1", "Deployment")),
    ("canary", ("argoproj.io/v1alpha1", "Rollout")), ("blue-green", ("argoproj.io/v1alpha1", "Rollout")),
    ("ab", ("apps/v1", "Deployment")), ("shadow", ("apps/v1", "Deployment")),
])
def test_scale_target_is_what_the_strategy_runs(strategy: ir.Strategy, target: tuple[str, str]) -> None:
    assert rollout.scale_target(model(strategy=strategy)) == target
