"""The alert rules of a served model: health and SLO burn-rate alerts every model gets, the drift alert.

Every model, with or without a `monitoring` section, is watched per instance (each ab variant, a shadow
candidate, the stable pods) on its runtime's own metrics (the Gateway's for a custom image):

* MLModelHighErrorRate: more than `monitoring.alerts.errorRate` (default DEFAULT_ERROR_RATE) of requests fail;
* MLModelHighLatencyP99: p99 above `monitoring.alerts.latencyP99` (default per runtime, DEFAULT_LATENCY_MS);
* MLModelErrorBudgetBurn: the availability SLO (`monitoring.alerts.availability`, default SLO: 99.9 % of
  requests answered without a 5xx over 30 days) burns its error budget too fast, multi-window multi-burn-rate as
  the Google SRE workbook recommends
  (https://sre.google/workbook/alerting-on-slos/, "6: Multiwindow, Multi-Burn-Rate Alerts": page at 14.4x over
  1h and 5m or 6x over 6h and 30m, ticket at 1x over 3d and 6h). The rates are shares of the budget spent
  (14.4x over 1h spends 2 % of a 30-day budget), so they hold for any objective; the limits scale with it;
* MLModelUnavailable: requests reach the model's route and find no ready replica (Envoy's
  `upstream_cx_none_healthy`).

`severity` is what Alertmanager routes on: `critical` pages, `warning` does not (a shadow candidate's answers reach
nobody: its alerts only warn). Every rule sets `namespace`, which the operator's default matcher strategy
(OnNamespace) requires for the environment's AlertmanagerConfig to see the alert: aggregations drop the series'
own label, and the proxies' series carry the Gateway's namespace. With no traffic an error ratio is NaN and never
fires.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s import routing
from mlops.emit.k8s.meta import Obj, Scope, number
from mlops.emit.k8s.monitor_alerts import BY_SEGMENT, SEGMENT_LABELS
from mlops.emit.k8s.runtimes import GATEWAY_QUERIES, Queries, query
from mlops.emit.k8s.serving import metric_selector, model_runtime
from mlops.ir import names, serving

ALERT_WINDOW = "5m"
ERROR_ALERT, LATENCY_ALERT, DRIFT_ALERT = "MLModelHighErrorRate", "MLModelHighLatencyP99", "MLModelDrift"
BURN_ALERT, UNAVAILABLE_ALERT = "MLModelErrorBudgetBurn", "MLModelUnavailable"
DRIFT_METRIC, DRIFT_DETECTED = "mlops_drift_score", "mlops_drift_detected"    # mlops.jobs.drift `metrics`
PAGE, WARN = "critical", "warning"

SLO = 0.999                     # default availability objective: share of requests without a 5xx, 30-day window
DEFAULT_ERROR_RATE = 0.05
# An LLM's answer is generated token by token (vLLM's e2e latency spans the whole generation): seconds, not ms.
DEFAULT_LATENCY_MS = {"vllm": 30000}
DEFAULT_LATENCY_OTHER_MS = 1000
# (burn rate, long window, short window, pages): the workbook's recommended 99.9 % configuration.
BURN_WINDOWS = ((14.4, "1h", "5m", True), (6.0, "6h", "30m", True), (1.0, "3d", "6h", False))


def sources(scope: Scope, model: ir.Model) -> list[tuple[str, Queries, str]]:
    """(instance, queries, selector) to watch: the runtime's per instance, else the Gateway's per route."""
    queries = model_runtime(model).queries
    if queries is None:
        return [(model.name, GATEWAY_QUERIES, routing.cluster_selector(scope, model))]
    return [(i.name, queries, metric_selector(scope, model, i.name)) for i in serving.instances(model)]


def _severity(model: ir.Model, instance: str, pages: bool = True) -> str:
    shadow = instance == names.candidate(model.name) and model.rollout.strategy == "shadow"
    return PAGE if pages and not shadow else WARN


def _rule(scope: Scope, alert: str, expr: str, model: ir.Model, instance: str, severity: str, summary: str,
          wait: str | None = ALERT_WINDOW) -> Obj:
    labels = {"severity": severity, "namespace": scope.namespace, "model": model.name, "workload": instance}
    out: Obj = {"alert": alert, "expr": expr, "labels": labels, "annotations": {"summary": summary}}
    return {**out, "for": wait} if wait else out


def _error_ratio(queries: Queries, sel: str, window: str) -> str:
    return (f"((({query(queries.errors, sel, window)}) or on() vector(0))"
            f" / ({query(queries.requests, sel, window)}))")


def objective(model: ir.Model) -> float:
    alerts = model.alerts
    return alerts.availability if alerts and alerts.availability is not None else SLO


def _burn(queries: Queries, sel: str, slo: float, rows: tuple[tuple[float, str, str, bool], ...]) -> str:
    """Each row fires when both its windows burn faster than its rate; rows are alternatives."""
    limits = [(number(round(rate * (1 - slo), 8)), long, short) for rate, long, short, _ in rows]
    pairs = [f"({_error_ratio(queries, sel, long)} > {limit} and {_error_ratio(queries, sel, short)} > {limit})"
             for limit, long, short in limits]
    return " or ".join(pairs)


def _burn_rules(scope: Scope, model: ir.Model, instance: str, queries: Queries, sel: str) -> list[Obj]:
    out, slo = [], objective(model)
    for pages in (True, False):
        rows = tuple(r for r in BURN_WINDOWS if r[3] == pages)
        speed = "fast" if pages else "slowly"
        out.append(_rule(scope, BURN_ALERT, _burn(queries, sel, slo, rows), model, instance,
                         _severity(model, instance, pages),
                         f"{instance}: the {number(round(slo * 100, 6))}% availability SLO burns its error budget "
                         f"{speed}",
                         wait=None))
    return out


def latency_limit(model: ir.Model) -> int:
    alerts = model.alerts
    if alerts and alerts.latency_p99_ms is not None:
        return alerts.latency_p99_ms
    return DEFAULT_LATENCY_MS.get(model_runtime(model).kind, DEFAULT_LATENCY_OTHER_MS)


def error_limit(model: ir.Model) -> float:
    alerts = model.alerts
    return alerts.error_rate if alerts and alerts.error_rate is not None else DEFAULT_ERROR_RATE


def _instance_rules(scope: Scope, model: ir.Model, instance: str, queries: Queries, sel: str) -> list[Obj]:
    severity = _severity(model, instance)
    errors, latency = number(error_limit(model)), str(latency_limit(model))
    return [_rule(scope, ERROR_ALERT, f"{_error_ratio(queries, sel, ALERT_WINDOW)} > {errors}", model, instance,
                  severity, f"{instance}: more than {errors} of requests fail"),
            _rule(scope, LATENCY_ALERT, f"({query(queries.latency_p99_ms, sel, ALERT_WINDOW)}) > {latency}",
                  model, instance, severity, f"{instance}: p99 latency above {latency} ms"),
            *_burn_rules(scope, model, instance, queries, sel)]


def _unavailable(scope: Scope, model: ir.Model) -> Obj:
    """Requests refused for want of a ready replica for 15 minutes. A model scaled to zero refuses while it wakes
    (KEDA scales on these refusals, runtimes.GATEWAY_ARRIVALS): a node to provision, an image to pull and a model
    to load take minutes, so a shorter wait would page on every cold start."""
    sel = routing.cluster_selector(scope, model)
    expr = f"sum(rate(envoy_cluster_upstream_cx_none_healthy{{{sel}}}[{ALERT_WINDOW}])) > 0"
    return _rule(scope, UNAVAILABLE_ALERT, expr, model, model.name, PAGE,
                 f"{model.name}: requests find no ready replica", wait="15m")


def drift_score(scope: Scope, model: ir.Model) -> str:
    return f'max({DRIFT_METRIC}{{namespace="{scope.namespace}",model="{model.name}"}})'


def drift_detected(scope: Scope, model: ir.Model) -> str:
    """1 when a column drifted (the job applies `threshold` per method: a distance, or a p-value test's own)."""
    return f'max({DRIFT_DETECTED}{{namespace="{scope.namespace}",model="{model.name}"}})'


def drift_by_segment(scope: Scope, model: ir.Model) -> str:
    """Per segment of the live rows (a variant, a canary's revision: mlops.jobs.records.segments); the whole's
    series have no `variant`, which PromQL reads as empty."""
    sel = f'namespace="{scope.namespace}",model="{model.name}",{SEGMENT_LABELS[0]}!=""'
    return f"max {BY_SEGMENT} ({DRIFT_DETECTED}{{{sel}}})"


def alert_rules(scope: Scope, model: ir.Model) -> list[Obj]:
    out = [r for instance, queries, sel in sources(scope, model)
           for r in _instance_rules(scope, model, instance, queries, sel)]
    out.append(_unavailable(scope, model))
    if model.drift:
        out.append(_rule(scope, DRIFT_ALERT, f"{drift_detected(scope, model)} > 0", model, model.name, WARN,
                         f"{model.name}: live inputs drift from the baseline ({model.drift.method}, threshold "
                         f"{number(model.drift.threshold)})", wait=None))
    return out
