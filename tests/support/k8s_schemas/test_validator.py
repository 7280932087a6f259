"""The validator must accept the objects mlops emits and reject misspelt fields and unknown kinds."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import kubernetes_validate
import pytest

from tests.support.k8s_schemas import _crd, validate_objects
from tests.support.k8s_schemas._fixtures import (
    Obj,
    analysis_template,
    core_objects,
    crd_objects,
    deployment,
    http_route,
    prometheus_rule,
    rollout,
    scaled_object,
    service_monitor,
)


def test_valid_objects_pass() -> None:
    assert validate_objects(core_objects() + crd_objects()) == []


@pytest.mark.parametrize("obj", core_objects() + crd_objects(), ids=lambda o: o["kind"])
def test_each_valid_object_passes(obj: Obj) -> None:
    assert validate_objects([obj]) == []


def test_deployment_misspelt_field_fails() -> None:
    obj = deployment()
    obj["spec"]["replica"] = obj["spec"].pop("replicas")
    assert validate_objects([obj]) == ["Deployment/fraud: spec.replica: unknown field"]
    # The package's own API agrees.
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(obj, "1.31", strict=True)


def test_deployment_reports_every_error_with_path() -> None:
    obj = deployment()
    obj["metadata"]["labelz"] = {}
    container = obj["spec"]["template"]["spec"]["containers"][0]
    container["imagePullPolicy"] = 3
    errors = validate_objects([obj])
    assert "Deployment/fraud: metadata.labelz: unknown field" in errors
    assert any(e.startswith("Deployment/fraud: spec.template.spec.containers[0].imagePullPolicy: ") for e in errors)


def test_core_api_version_must_match() -> None:
    obj = deployment()
    obj["apiVersion"] = "apps.example.com/v1"
    assert validate_objects([obj]) != []


def test_rollout_misspelt_step_fails_naming_path() -> None:
    obj = rollout()
    obj["spec"]["strategy"]["canary"]["steps"][0] = {"setWeigth": 10}
    assert validate_objects([obj]) == [
        "Rollout/fraud: spec.strategy.canary.steps[0].setWeigth: unknown field"
    ]


def test_rollout_unknown_fields_in_embedded_core_types_fail() -> None:
    obj = rollout()
    obj["metadata"]["labelz"] = {}
    obj["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    assert validate_objects([obj]) == [
        "Rollout/fraud: metadata.labelz: unknown field",
        "Rollout/fraud: spec.template.spec.containers[0].resource: unknown field",
    ]


def test_rollout_wrong_type_fails() -> None:
    obj = rollout()
    obj["spec"]["strategy"]["canary"]["steps"][0] = {"setWeight": "ten"}
    assert validate_objects([obj]) == ["Rollout/fraud: spec.strategy.canary.steps[0].setWeight: must be integer"]


def test_analysis_template_misspelt_field_fails() -> None:
    obj = analysis_template()
    obj["spec"]["metrics"][0]["sucessCondition"] = obj["spec"]["metrics"][0].pop("successCondition")
    assert validate_objects([obj]) == ["AnalysisTemplate/fraud-health: spec.metrics[0].sucessCondition: unknown field"]


def test_scaled_object_misspelt_field_fails() -> None:
    obj = scaled_object()
    obj["spec"]["minReplicas"] = obj["spec"].pop("minReplicaCount")
    assert validate_objects([obj]) == ["ScaledObject/fraud: spec.minReplicas: unknown field"]


def test_http_route_request_mirror_percent_is_in_schema() -> None:
    """`percent` came with Gateway API v1.2: it must be known (and range-checked) by the package."""
    obj = http_route()
    mirror = obj["spec"]["rules"][0]["filters"][0]["requestMirror"]
    mirror["percent"] = 250
    assert validate_objects([obj]) == [
        "HTTPRoute/fraud: spec.rules[0].filters[0].requestMirror.percent: must be <= 100"
    ]


def test_http_route_misspelt_fields_fail() -> None:
    obj = http_route()
    rule = obj["spec"]["rules"][0]
    rule["backendRefs"][1]["wieght"] = rule["backendRefs"][1].pop("weight")
    rule["filters"][0]["requestMirror"]["percentage"] = rule["filters"][0]["requestMirror"].pop("percent")
    assert validate_objects([obj]) == [
        "HTTPRoute/fraud: spec.rules[0].backendRefs[1].wieght: unknown field",
        "HTTPRoute/fraud: spec.rules[0].filters[0].requestMirror.percentage: unknown field",
    ]


def test_monitoring_misspelt_fields_fail() -> None:
    monitor, rule = service_monitor(), prometheus_rule()
    monitor["spec"]["endpoints"][0]["intervall"] = "30s"
    rule["spec"]["groups"][0]["rules"][0]["label"] = {}
    assert validate_objects([monitor, rule]) == [
        "ServiceMonitor/fraud: spec.endpoints[0].intervall: unknown field",
        "PrometheusRule/fraud: spec.groups[0].rules[0].label: unknown field",
    ]


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [("example.com/v1", "Widget"), ("v1", "Widget"), ("argoproj.io/v1alpha1", "Widget"),
     ("keda.sh/v1alpha1", "ScaledObjectSpec"), ("apps/v1", None)],
)
def test_unknown_kind_fails(api_version: str, kind: str | None) -> None:
    errors = validate_objects([{"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}}])
    assert len(errors) == 1 and errors[0].startswith(f"{kind or '<no kind>'}/w: no schema known for")


def test_missing_node_modules_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_crd, "NODE_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="npm ci --prefix tests/support/k8s_schemas/node"):
        validate_objects([rollout()])
    assert validate_objects([deployment()]) == []  # core kinds do not need node


def test_batch_of_200_is_fast() -> None:
    objs = [copy.deepcopy(o) for _ in range(12) for o in core_objects() + crd_objects()][:200]
    objs[-1]["metadata"]["nmae"] = "x"
    started = time.perf_counter()
    errors = validate_objects(objs)
    assert time.perf_counter() - started < 10  # measured ~0.3 s: one node process for all CRDs
    assert len(errors) == 1 and errors[0].endswith(": metadata.nmae: unknown field")


def test_argo_cd_application_shares_argoproj_io_and_is_checked_strictly() -> None:
    """argoproj.io holds Rollouts' kinds and Argo CD's: the Application is found in @kubernetes-models/argo-cd."""
    meta = {"name": "a", "namespace": "argocd"}
    app = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta,
           "spec": {"project": "default", "destination": {"name": "c", "namespace": "n"},
                    "source": {"repoURL": "https://git.example.com/r.git", "path": "build/p/manifests"},
                    "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}}}
    assert validate_objects([app]) == []
    bad = copy.deepcopy(app)
    bad["spec"]["syncPolicy"]["automated"]["selfheal"] = bad["spec"]["syncPolicy"]["automated"].pop("selfHeal")
    del bad["spec"]["destination"]
    assert sorted(validate_objects([bad])) == ["Application/a: spec.syncPolicy.automated.selfheal: unknown field",
                                               "Application/a: spec: must have required property destination"]
