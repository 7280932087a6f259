"""Monitoring per model: a ServiceMonitor, a PrometheusRule (the spec's alerts plus the drift alert) and a
Grafana dashboard ConfigMap picked up by the dashboard sidecar.

Alerts are written per instance (each ab variant, a shadow candidate, the stable pods), so a page says which
one misbehaves. With no traffic an error ratio is NaN and never fires.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit import jsonout
from mlops.emit.k8s import routing
from mlops.emit.k8s.meta import INSTANCE, Obj, Scope, new, number, source
from mlops.emit.k8s.runtimes import GATEWAY_QUERIES, Queries, query
from mlops.emit.k8s.serving import metric_selector, model_runtime
from mlops.ir import names, serving
from mlops.targets.base import addons

SCRAPE_EVERY = "15s"
ALERT_WINDOW = "5m"
ERROR_ALERT, LATENCY_ALERT, DRIFT_ALERT = "MLModelHighErrorRate", "MLModelHighLatencyP99", "MLModelDrift"
DRIFT_METRIC = "mlops_drift_score"


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


def _sources(scope: Scope, model: ir.Model) -> list[tuple[str, Queries, str]]:
    """(instance, queries, selector) to watch: the runtime's per instance, else the Gateway's per route."""
    queries = model_runtime(model).queries
    if queries is None:
        return [(model.name, GATEWAY_QUERIES, routing.cluster_selector(scope, model))]
    return [(i.name, queries, metric_selector(scope, model, i.name)) for i in serving.instances(model)]


def _severity(model: ir.Model, instance: str) -> str:
    """A shadow candidate's answers reach nobody: its alerts warn, they do not page."""
    return "warning" if instance == names.candidate(model.name) and model.rollout.strategy == "shadow" else "critical"


def _rule(alert: str, expr: str, model: ir.Model, instance: str, severity: str, summary: str,
          wait: str | None = ALERT_WINDOW) -> Obj:
    out: Obj = {"alert": alert, "expr": expr,
                "labels": {"severity": severity, "model": model.name, "workload": instance},
                "annotations": {"summary": summary}}
    return {**out, "for": wait} if wait else out


def _traffic_rules(scope: Scope, model: ir.Model, alerts: ir.Alerts) -> list[Obj]:
    out: list[Obj] = []
    for instance, queries, sel in _sources(scope, model):
        if alerts.error_rate is not None:
            ratio = (f"((({query(queries.errors, sel, ALERT_WINDOW)}) or on() vector(0))"
                     f" / ({query(queries.requests, sel, ALERT_WINDOW)}))")
            limit = number(alerts.error_rate)
            out.append(_rule(ERROR_ALERT, f"{ratio} > {limit}", model, instance, _severity(model, instance),
                             f"{instance}: more than {limit} of requests fail"))
        if alerts.latency_p99_ms is not None:
            limit = str(alerts.latency_p99_ms)
            out.append(_rule(LATENCY_ALERT, f"({query(queries.latency_p99_ms, sel, ALERT_WINDOW)}) > {limit}",
                             model, instance, _severity(model, instance), f"{instance}: p99 latency above {limit} ms"))
    return out


def _drift_score(scope: Scope, model: ir.Model) -> str:
    return f'max({DRIFT_METRIC}{{namespace="{scope.namespace}",model="{model.name}"}})'


def alert_rules(scope: Scope, model: ir.Model) -> list[Obj]:
    out = _traffic_rules(scope, model, model.alerts) if model.alerts else []
    if model.drift:
        limit = number(model.drift.threshold)
        out.append(_rule(DRIFT_ALERT, f"{_drift_score(scope, model)} > {limit}", model, model.name, "warning",
                         f"{model.name}: live inputs drift from the baseline (PSI above {limit})", wait=None))
    return out


def prometheus_rule(scope: Scope, model: ir.Model) -> Obj | None:
    rules = alert_rules(scope, model)
    if not rules:
        return None
    where = ("models", model.name, "monitoring") if model.drift else ("models", model.name, "monitoring", "alerts")
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="alerts",
                          source=source(*where), labels=dict(scope.addons.scrape_labels))
    spec = {"groups": [{"name": f"mlops.{model.name}", "rules": rules}]}
    return new("monitoring.coreos.com/v1", "PrometheusRule", meta, spec=spec)


def _panel(index: int, title: str, unit: str, targets: list[Obj]) -> Obj:
    return {"id": index + 1, "type": "timeseries", "title": title,
            "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
            "datasource": {"type": "prometheus", "uid": "prometheus"},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "targets": targets}


def dashboard(scope: Scope, model: ir.Model) -> Obj:
    sources = _sources(scope, model)
    charts = (("Requests per second", "reqps", "requests"), ("Failed requests per second", "reqps", "errors"),
              ("p99 latency", "ms", "latency_p99_ms"), ("Requests in flight", "short", "in_flight"))
    panels = []
    for index, (title, unit, field) in enumerate(charts):
        targets = [{"refId": chr(ord("A") + n), "legendFormat": instance,
                    "expr": query(getattr(queries, field), sel, "$__rate_interval")}
                   for n, (instance, queries, sel) in enumerate(sources)]
        panels.append(_panel(index, title, unit, targets))
    if model.drift:
        target = {"refId": "A", "expr": _drift_score(scope, model), "legendFormat": model.name}
        panels.append(_panel(len(panels), "Drift score (PSI)", "short", [target]))
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
    rule = prometheus_rule(scope, model)
    scraped = [service_monitor(scope, model)] if model_runtime(model).queries is not None else []
    return [*scraped, dashboard(scope, model), *([rule] if rule else [])]
