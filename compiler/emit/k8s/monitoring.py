"""Monitoring per model: a ServiceMonitor, a PrometheusRule (every model's health and SLO alerts, the drift
alert: mlops.emit.k8s.alerts) and a Grafana dashboard ConfigMap picked up by the dashboard sidecar."""

from __future__ import annotations

from mlops import ir
from mlops.emit import jsonout
from mlops.emit.k8s import alerts, monitor_alerts
from mlops.emit.k8s.meta import INSTANCE, Obj, Scope, new, source
from mlops.emit.k8s.runtimes import query
from mlops.emit.k8s.serving import model_runtime
from mlops.ir import names
from mlops.targets.base import addons

SCRAPE_EVERY = "15s"


def service_monitor(scope: Scope, model: ir.Model) -> Obj:
    rt = model_runtime(model)
    endpoint = {"port": "metrics", "path": rt.metrics_path, "interval": SCRAPE_EVERY}
    spec = {"selector": {"matchLabels": {"app.kubernetes.io/name": model.name,
                                         "app.kubernetes.io/component": "metrics"}},
            "endpoints": [endpoint],
            # Series carry the pod's instance and (for Argo Rollouts) pod-template hash: what analysis,
            # autoscaling and alerts select on.
            "podTargetLabels": [INSTANCE, "rollouts-pod-template-hash"]}
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="metrics",
                          source=source("models", model.name, "monitoring"),
                          labels=dict(scope.addons.scrape_labels))
    return new("monitoring.coreos.com/v1", "ServiceMonitor", meta, spec=spec)


def prometheus_rule(scope: Scope, model: ir.Model) -> Obj:
    rules = [*alerts.alert_rules(scope, model), *monitor_alerts.rules(scope, model)]
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="alerts",
                          source=source("models", model.name, "monitoring"), labels=dict(scope.addons.scrape_labels))
    spec = {"groups": [{"name": f"mlops.{model.name}", "rules": rules}]}
    return new("monitoring.coreos.com/v1", "PrometheusRule", meta, spec=spec)


def _panel(index: int, title: str, unit: str, targets: list[Obj]) -> Obj:
    return {"id": index + 1, "type": "timeseries", "title": title,
            "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "targets": targets}


def dashboard(scope: Scope, model: ir.Model) -> Obj:
    sources = alerts.sources(scope, model)
    charts = (("Requests per second", "reqps", "requests"), ("Failed requests per second", "reqps", "errors"),
              ("p99 latency", "ms", "latency_p99_ms"), ("Requests in flight", "short", "in_flight"))
    panels = []
    for index, (title, unit, field) in enumerate(charts):
        targets = [{"refId": chr(ord("A") + n), "legendFormat": instance,
                    "expr": query(getattr(queries, field), sel, "$__rate_interval")}
                   for n, (instance, queries, sel) in enumerate(sources)]
        panels.append(_panel(index, title, unit, targets))
    if model.drift:
        score = {"refId": "A", "expr": alerts.drift_score(scope, model), "legendFormat": "largest distance"}
        detected = {"refId": "B", "expr": alerts.drift_detected(scope, model), "legendFormat": "drift detected"}
        segments = {"refId": "C", "expr": alerts.drift_by_segment(scope, model),
                    "legendFormat": f"drift detected: {monitor_alerts.SEGMENT_LEGEND}"}
        panels.append(_panel(len(panels), f"Drift ({model.drift.method})", "short", [score, detected, segments]))
    panels += [_panel(len(panels) + n, title, "short", targets)
               for n, (title, targets) in enumerate(monitor_alerts.panels(scope, model))]
    board = {"title": f"{scope.env.platform} / {scope.env.name} / {model.name}",
             "uid": names.fit(f"{scope.namespace}-{model.name}", 40), "tags": ["mlops", scope.env.platform],
             "schemaVersion": 39, "time": {"from": "now-6h", "to": "now"}, "refresh": "30s", "panels": panels}
    name = names.dashboard(model.name)
    meta = scope.metadata(name, app=model.name, instance=model.name, component="dashboard",
                          source=source("models", model.name, "monitoring"),
                          labels=dict([addons.GRAFANA_DASHBOARD_LABEL]),
                          annotations={addons.GRAFANA_FOLDER_ANNOTATION: scope.env.platform})
    text = jsonout.dumps(board) + "\n"
    return new("v1", "ConfigMap", meta, data={f"{model.name}.json": text})


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    """A custom image's metrics are unknown (the Open Inference Protocol promises none): it is watched through the
    Gateway's proxies, and not scraped, so no target is down for lack of a /metrics (integrity review R7)."""
    scraped = [service_monitor(scope, model)] if model_runtime(model).queries is not None else []
    return [*scraped, dashboard(scope, model), prometheus_rule(scope, model)]
