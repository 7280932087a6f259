"""The add-on table (mlops.targets.base.addons): what is installed, where the manifests find it, and how an existing
cluster's own add-ons and several environments on one cluster change that."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from mlops import ir
from mlops.emit import manifests
from mlops.emit.infra import preview
from mlops.targets import get
from mlops.targets.base import addons
from tests.support.infra_helpers import environment, north_star

SHARED = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: lab}
targets:
  dc: {provider: onprem, context: dc1-admin, storageClass: fast-ssd}
environments:
  dev: {target: dc}
  qa: {target: dc}
cluster:
  nodePools:
    gpu: {machine: {cpu: 8, memory: 32Gi}, accelerator: {type: nvidia-l4}}
monitoring: {retention: 15d, storage: 50Gi}
models:
  m: {framework: sklearn, artifact: https://models.example.com/m/v1/model.joblib,
      monitoring: {drift: {baseline: https://data.example.com/train.csv}}}
"""
EXISTING = SHARED.replace("storageClass: fast-ssd}", """storageClass: fast-ssd,
       addons: {prometheus: {namespace: observability, service: prometheus-operated, labels: {release: prom}},
                pushgateway: {namespace: observability, service: pushgateway},
                envoyGateway: {gatewayClass: eg},
                keda: existing, nvidiaDevicePlugin: existing}}""")


def test_kube_prometheus_stack_values() -> None:
    prod_env = north_star()
    values = addons.values("kube-prometheus-stack", prod_env)
    assert addons.CHARTS["kube-prometheus-stack"].namespace == "monitoring"
    # -> kube-prometheus-stack-prometheus.monitoring:9090
    assert values["fullnameOverride"] == "kube-prometheus-stack"
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False and spec["ruleSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    plugins = addons.values("argo-rollouts", prod_env)["controller"]["trafficRouterPlugins"]
    assert plugins == [{"name": "argoproj-labs/gatewayAPI", "location": addons.GATEWAY_PLUGIN_URL,
                        "sha256": addons.GATEWAY_PLUGIN_SHA256}]
    assert "/releases/download/v" in addons.GATEWAY_PLUGIN_URL        # pinned, never latest


def test_cert_manager_is_pinned_with_its_crds_and_gateway_api_on() -> None:
    chart = addons.CHARTS["cert-manager"]
    assert (chart.chart, chart.version, chart.repo) == ("cert-manager", "v1.21.1", "https://charts.jetstack.io")
    assert addons.values("cert-manager", north_star()) == {"crds": {"enabled": True, "keep": True},
                                                           "config": {"gatewayAPI": {"enabled": True}}}


def test_cert_manager_only_when_acme_is_asked() -> None:
    env = north_star()
    assert "cert-manager" not in addons.installed(env)
    acme = dataclasses.replace(env, gateway=ir.Gateway(tls=ir.Tls(acme_email="ops@example.com")))
    assert addons.installed(acme) == tuple(sorted((*addons.BASE, "cert-manager")))
    secret = dataclasses.replace(env, gateway=ir.Gateway(tls=ir.Tls(secret="cert")))
    assert "cert-manager" not in addons.installed(secret)


def test_every_chart_the_manifests_need_is_installed_on_a_cloud() -> None:
    env = north_star()
    assert addons.installed(env) == tuple(sorted(addons.BASE))
    assert "prometheus-pushgateway" in addons.BASE
    assert addons.coordinates(env).pushgateway.url == "http://prometheus-pushgateway.monitoring:9091"


def test_prometheus_keeps_its_data_and_grafana_has_no_default_password(tmp_path: Path) -> None:
    values = addons.values("kube-prometheus-stack", environment(SHARED, "dev", tmp_path))
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "15d"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"] == {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "50Gi"}},
        "storageClassName": "fast-ssd"}
    assert values["grafana"]["admin"]["existingSecret"] == addons.GRAFANA_ADMIN_SECRET
    assert "adminPassword" not in values["grafana"]
    dashboards = values["grafana"]["sidecar"]["dashboards"]
    assert dashboards["folderAnnotation"] == addons.GRAFANA_FOLDER_ANNOTATION
    assert dashboards["provider"] == {"foldersFromFilesStructure": True}


def test_the_rollouts_plugin_is_pinned_by_digest() -> None:
    [plugin] = addons.values("argo-rollouts", north_star())["controller"]["trafficRouterPlugins"]
    assert re.fullmatch(r"[0-9a-f]{64}", plugin["sha256"])
    assert "/releases/download/v0.17.0/" in plugin["location"]


def test_the_device_plugin_runs_on_every_gpu_node(tmp_path: Path) -> None:
    values = addons.values("nvidia-device-plugin", environment(SHARED, "dev", tmp_path))
    terms = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    keys = {(e["key"], tuple(e["values"])) for t in terms for e in t["matchExpressions"]}
    assert ("accelerator", ("nvidia",)) in keys                 # AKS
    assert ("mlops.dev/pool", ("gpu",)) in keys                 # an existing cluster's nodes, labelled per the README
    assert values["tolerations"] == [{"operator": "Exists"}]     # spot taints differ per cloud


def test_two_environments_on_one_cluster_share_one_installation(tmp_path: Path) -> None:
    dev, qa = environment(SHARED, "dev", tmp_path), environment(SHARED, "qa", tmp_path)
    assert (dev.addons_from, qa.addons_from) == (None, "dev")
    assert addons.installed(qa, ("nvidia-device-plugin",)) == ()
    owner, other = preview(dev), preview(qa)
    assert len([r for r in owner if r.type == "kubernetes:helm.sh/v3:Release"]) == len(addons.BASE) + 1
    assert not [r for r in other if r.type.startswith(("kubernetes:", "random:"))
                and r.type != "kubernetes:core/v1:Namespace" or r.type.endswith("GatewayClass")]


def test_an_existing_clusters_addons_are_used_not_installed(tmp_path: Path) -> None:
    env = environment(EXISTING, "dev", tmp_path)
    assert addons.installed(env, ("nvidia-device-plugin",)) == ("argo-rollouts",)
    where = addons.coordinates(env)
    assert where.prometheus.url == "http://prometheus-operated.observability:9090"
    assert where.pushgateway.url == "http://pushgateway.observability:9091"
    assert (where.gateway_class, where.scrape_labels) == ("eg", (("release", "prom"),))
    objects = {f: yaml.safe_load(c) for f, c in manifests.emit(env, get("onprem").hints(env)).items()}
    assert objects["gateway-lab.yaml"]["spec"]["gatewayClassName"] == "eg"
    assert objects["servicemonitor-m.yaml"]["metadata"]["labels"]["release"] == "prom"
    drift = objects["networkpolicy-m-drift.yaml"]["spec"]["egress"][0]
    assert drift["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "observability"}
    monitor = addons.proxy_pod_monitor(env)                   # still installed: the proxies must be scraped
    assert monitor["metadata"]["labels"]["release"] == "prom"


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_existing_addons_are_for_existing_clusters_only(provider: str, tmp_path: Path) -> None:
    from mlops.errors import SpecError

    spec = SHARED.replace("{provider: onprem, context: dc1-admin, storageClass: fast-ssd}",
                          f"{{provider: {provider}, region: eu-west-1, project: lab-project-1,"
                          " addons: {keda: existing}}")
    with pytest.raises(SpecError, match="addons"):
        environment(spec, "dev", tmp_path)


TRAINS = """
apiVersion: mlops/v1
kind: Platform
metadata: {name: lab}
targets:
  dc: {provider: onprem, context: dc1-admin, registry: harbor.dc1.example.com/ml,
       storageCredentials: {s3: {secretRef: {name: s3-reader}}} ADDONS}
environments:
  dev: {target: dc}
  qa: {target: dc2}
cluster:
  nodePools:
    train: {machine: {cpu: 8, memory: 32Gi}}
models:
  m:
    framework: sklearn
    artifact: registry://m:v1
    data: {training: s3://data-lake/train/, holdout: s3://data-lake/holdout.parquet, label: y}
    training: {environment: ENV, image: registry://trainer:1, command: [python, train.py],
               resources: {cpu: "2", memory: 4Gi}, nodePool: train, timeout: 1h, output: s3://data-lake/out/}
"""


def _trains(tmp_path: Path, env: str, addons_line: str = "") -> ir.Environment:
    spec = TRAINS.replace("ENV", env).replace(" ADDONS", addons_line).replace("  qa: {target: dc2}\n", "")
    return environment(spec, "dev", tmp_path)


def test_argo_workflows_is_installed_only_where_a_model_trains(tmp_path: Path) -> None:
    here = _trains(tmp_path, "dev")
    assert "argo-workflows" in addons.installed(here)
    values = addons.values("argo-workflows", here)
    assert values["controller"]["workflowNamespaces"] == [here.namespace]
    assert values["server"] == {"enabled": True, "secure": False}     # the events endpoint, over plain HTTP
    assert values["crds"]["full"] is False                            # no CRD download from GitHub at install
    assert values["workflow"] == {"serviceAccount": {"create": False}, "rbac": {"create": False}}
    assert values["executor"]["securityContext"]["capabilities"] == {"drop": ["ALL"]}   # Argo's own containers
    chart = addons.CHARTS["argo-workflows"]
    assert (chart.release, chart.version, chart.namespace) == ("argo-workflows", "1.0.18", addons.WORKFLOWS_NAMESPACE)
    assert "argo-workflows" not in addons.installed(north_star())


def test_an_existing_argo_workflows_is_not_installed(tmp_path: Path) -> None:
    env = _trains(tmp_path, "dev", ", addons: {argoWorkflows: existing}")
    assert "argo-workflows" not in addons.installed(env)
