"""mlops.targets.base.chart_images under Pulumi mocks: with mirrors set, the add-on releases pull their images
through them, with the pull secrets; without, their values carry no image keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from mlops import ir
from mlops.emit.infra import preview
from mlops.targets.base import addons, chart_image_keys, chart_images
from tests.support import ir_factory as factory
from tests.support.infra_helpers import environment, of_type

SPEC = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: lab}
targets:
  dc:
    provider: onprem
    context: dc1-admin
    registry: harbor.dc1.example.com/ml
IMAGES
environments:
  dev: {target: dc}
models:
  m: {framework: sklearn, artifact: registry://m:v1, endpoint: {host: m.example.com}}
"""
MIRRORED = """    images:
      mirrors: {quay.io: harbor.dc1.example.com/quay, ghcr.io: harbor.dc1.example.com/ghcr,
                docker.io: harbor.dc1.example.com/dockerhub}
      pullSecrets: [harbor-pull]"""
PULL = [{"name": "harbor-pull"}]


def _graph(tmp_path: Path, images: str) -> Any:
    return preview(environment(SPEC.replace("IMAGES", images), "dev", tmp_path))


def _values(tmp_path: Path, images: str) -> dict[str, dict[str, Any]]:
    return {r.inputs["name"]: r.inputs["values"] for r in of_type(_graph(tmp_path, images),
                                                                   "kubernetes:helm.sh/v3:Release")}


def test_releases_pull_through_the_mirrors(tmp_path: Path) -> None:
    values = _values(tmp_path, MIRRORED)
    rollouts = values["argo-rollouts"]
    assert rollouts["controller"]["image"] == {"registry": "harbor.dc1.example.com/quay"}
    assert rollouts["controller"]["trafficRouterPlugins"]          # the table's own values are kept beside
    assert rollouts["imagePullSecrets"] == PULL
    keda = values["keda"]
    assert {keda["image"][c]["registry"] for c in ("keda", "metricsApiServer", "webhooks")} == \
        {"harbor.dc1.example.com/ghcr"}
    assert keda["imagePullSecrets"] == PULL
    pushgateway = values["prometheus-pushgateway"]
    assert pushgateway["image"] == {"repository": "harbor.dc1.example.com/quay/prometheus/pushgateway"}
    assert pushgateway["imagePullSecrets"] == PULL
    assert pushgateway["serviceMonitor"]["honorLabels"] is True
    stack = values["kube-prometheus-stack"]
    assert stack["global"]["imagePullSecrets"] == PULL        # reaches grafana, kube-state-metrics, node-exporter
    assert stack["grafana"]["image"] == {"registry": "harbor.dc1.example.com/dockerhub"}
    assert stack["grafana"]["admin"]["existingSecret"] == addons.GRAFANA_ADMIN_SECRET
    assert stack["prometheus"]["prometheusSpec"]["image"] == {"registry": "harbor.dc1.example.com/quay"}
    assert "kube-state-metrics" not in stack or "image" not in stack["kube-state-metrics"]   # registry.k8s.io: none
    envoy = values["envoy-gateway"]["global"]
    assert envoy["images"]["envoyGateway"]["image"] == "harbor.dc1.example.com/dockerhub/envoyproxy/gateway:v1.5.2"
    assert envoy["imagePullSecrets"] == PULL


def test_every_chart_is_covered() -> None:
    """No add-on chart is left pulling from upstream: each has its image keys and its pull-secret key."""
    assert set(chart_image_keys.KEYS) == set(chart_image_keys.PULL_SECRETS) == set(addons.CHARTS)
    assert set(chart_image_keys.NOT_MIRRORED) <= set(addons.CHARTS)


def test_gateway_image_is_the_charts_own_tag() -> None:
    (gateway, _) = chart_image_keys.KEYS["envoy-gateway"]
    assert gateway.upstream.endswith(f":{addons.CHARTS['envoy-gateway'].version}")


def test_autoscaler_names_its_secrets() -> None:
    env = environment_of(mirrors=(("registry.k8s.io", "h.example.com/k8s"),), pull_secrets=("p", "q"))
    assert chart_images.values("cluster-autoscaler", env) == {
        "image": {"repository": "h.example.com/k8s/autoscaling/cluster-autoscaler", "pullSecrets": ["p", "q"]}}


def test_secret_namespaces() -> None:
    env = environment_of(pull_secrets=("p",))
    assert chart_images.namespaces(env, ("keda", "kube-prometheus-stack")) == tuple(sorted(
        {env.namespace, addons.GATEWAY_NAMESPACE, "keda", addons.MONITORING_NAMESPACE}))
    assert chart_images.namespaces(environment_of(), ("keda",)) == ()


def test_monitoring_namespace_is_the_users_with_pull_secrets(tmp_path: Path) -> None:
    namespaces = [r.inputs["metadata"]["name"] for r in of_type(_graph(tmp_path, ""), "kubernetes:core/v1:Namespace")]
    assert addons.MONITORING_NAMESPACE in namespaces
    (tmp_path / "m").mkdir()
    mirrored = _graph(tmp_path / "m", MIRRORED)
    assert addons.MONITORING_NAMESPACE not in [r.inputs["metadata"]["name"]
                                               for r in of_type(mirrored, "kubernetes:core/v1:Namespace")]


def test_no_mirrors_no_image_keys(tmp_path: Path) -> None:
    values = _values(tmp_path, "")
    assert "image" not in values["argo-rollouts"]["controller"]
    assert "imagePullSecrets" not in values["argo-rollouts"]
    assert "image" not in values["keda"] and "image" not in values["prometheus-pushgateway"]


def test_host_without_mirror_keeps_the_default() -> None:
    env = environment_of(mirrors=(("docker.io", "harbor.dc1.example.com/dockerhub"),))
    assert chart_images.values("argo-workflows", env) == {}
    env = environment_of(mirrors=(("quay.io", "h.example.com/quay"),), pull_secrets=("p",))
    assert chart_images.values("argo-workflows", env) == {
        "controller": {"image": {"registry": "h.example.com/quay"}},
        "executor": {"image": {"registry": "h.example.com/quay"}},
        "server": {"image": {"registry": "h.example.com/quay"}},
        "images": {"pullSecrets": [{"name": "p"}]}}


def test_merged_keeps_both() -> None:
    assert chart_images.merged({"a": {"b": 1}, "c": 2}, {"a": {"d": 3}}) == {"a": {"b": 1, "d": 3}, "c": 2}


def environment_of(**target: Any) -> ir.Environment:
    env = factory.environment()
    return replace(env, target=replace(env.target, **target))
