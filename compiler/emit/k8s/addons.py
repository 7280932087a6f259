"""Where the cluster add-ons the infra stack installs live, and how to reach them: one place for all of it.

The infra stacks install kube-prometheus-stack (release `kube-prometheus-stack` in `monitoring`, with the
Grafana dashboard sidecar watching every namespace), the Prometheus Pushgateway, Envoy Gateway (class
`envoy-gateway`, proxies in `envoy-gateway-system`, scraped by Prometheus), KEDA and Argo Rollouts with the
Gateway API traffic-router plugin. The manifests below name them through these constants only.
"""

from __future__ import annotations

MONITORING_NAMESPACE = "monitoring"
PROMETHEUS_URL = f"http://kube-prometheus-stack-prometheus.{MONITORING_NAMESPACE}:9090"
PROMETHEUS_PORT = 9090
PUSHGATEWAY_URL = f"http://prometheus-pushgateway.{MONITORING_NAMESPACE}:9091"
PUSHGATEWAY_PORT = 9091
# kube-prometheus-stack selects ServiceMonitors and PrometheusRules carrying its release label by default.
PROMETHEUS_SELECTOR_LABELS = (("release", "kube-prometheus-stack"),)
GRAFANA_DASHBOARD_LABEL = ("grafana_dashboard", "1")
GRAFANA_FOLDER_ANNOTATION = "grafana_folder"

GATEWAY_CLASS = "envoy-gateway"
GATEWAY_NAMESPACE = "envoy-gateway-system"       # where Envoy Gateway runs the proxies of every Gateway
GATEWAY_HTTP_PORT = 80

ROLLOUTS_GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"
