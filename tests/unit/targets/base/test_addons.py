"""mlops.targets.base.addons: the one table of Helm charts, and the values the Kubernetes layer relies on."""

from __future__ import annotations

from mlops.targets.base import addons


def test_kube_prometheus_stack_values() -> None:
    values = addons.values("kube-prometheus-stack")
    assert addons.CHARTS["kube-prometheus-stack"].namespace == "monitoring"
    # -> kube-prometheus-stack-prometheus.monitoring:9090
    assert values["fullnameOverride"] == "kube-prometheus-stack"
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False and spec["ruleSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    plugins = addons.values("argo-rollouts")["controller"]["trafficRouterPlugins"]
    assert plugins == [{"name": "argoproj-labs/gatewayAPI", "location": addons.GATEWAY_PLUGIN_URL}]
    assert "/releases/download/v" in addons.GATEWAY_PLUGIN_URL        # pinned, never latest


def test_cert_manager_is_pinned_with_its_crds_and_gateway_api_on() -> None:
    chart = addons.CHARTS["cert-manager"]
    assert (chart.chart, chart.version, chart.repo) == ("cert-manager", "v1.21.1", "https://charts.jetstack.io")
    assert addons.values("cert-manager") == {"crds": {"enabled": True, "keep": True},
                                             "config": {"gatewayAPI": {"enabled": True}}}


def test_cert_manager_only_when_acme_is_asked() -> None:
    assert "cert-manager" not in addons.wanted(acme=False, nvidia_device_plugin=True)
    assert addons.wanted(acme=True, nvidia_device_plugin=False) == (*addons.BASE, "cert-manager")
