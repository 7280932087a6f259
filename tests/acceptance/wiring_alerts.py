"""Wiring rules of alerting: every label a query matches on is one its series carry.

A matcher on a label the series lack (`code` for MLServer's `status_code`) selects nothing, and an alert on it
never fires: promtool accepts it, so this is checked against what each producer gives, stated from its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops.ir import names
from mlops.jobs.records import SEGMENTS
from mlops.targets.base import addons

from .wiring_build import Build, Obj, Violation, name
from .wiring_rules import DRIFT_FAMILIES, ENVOY_FAMILIES, JOB_FAMILIES, KNOWN, PUSHED, RUNTIME_FAMILIES, queries

# The labels the operator's relabelling gives a target (prometheus-operator@v0.79.2, the version kube-prometheus-stack
# 67.8.0 ships, pkg/prometheus/promcfg.go:1881-1952 for a ServiceMonitor, 1367-1416 for a PodMonitor); `instance`
# is Prometheus' own, from the target's address.
SERVICE_TARGET = frozenset({"namespace", "service", "pod", "container", "endpoint", "job", "instance"})
POD_TARGET = frozenset({"namespace", "pod", "container", "endpoint", "job", "instance"})
# Each family's own labels (sources as RUNTIME_FAMILIES and the integrity review's "Confirmed correct" table).
_STARLETTE = frozenset({"method", "path", "status_code", "app_name"})     # starlette_exporter PrometheusMiddleware
_TRITON = frozenset({"model", "version"})                                # Triton metrics.md@r25.01 l.97-98
_VLLM = frozenset({"model_name"})                                        # vLLM design/v1/metrics.md
_GROUPING = frozenset({"job", "namespace", "model"})                     # mlops.jobs: push grouping key
_SEGMENT = frozenset(SEGMENTS)                  # a segment's series (drift, fairness): mlops.jobs.records.segments
OWN_LABELS: dict[str, frozenset[str]] = {
    "rest_server_requests_total": _STARLETTE,
    "rest_server_request_duration_seconds_bucket": _STARLETTE | {"le"},
    "rest_server_requests_in_progress": frozenset({"method", "app_name"}),
    "nv_inference_request_success": _TRITON, "nv_inference_request_failure": _TRITON,
    "nv_inference_request_duration_us": _TRITON, "nv_inference_request_summary_us": _TRITON | {"quantile"},
    "http_requests_total": frozenset({"handler", "method", "status"}),   # prometheus-fastapi-instrumentator
    "vllm:e2e_request_latency_seconds_bucket": _VLLM | {"le"},
    "vllm:num_requests_running": _VLLM, "vllm:num_requests_waiting": _VLLM,
    # Envoy's stats tags: the cluster name on every cluster stat, the code class on upstream_rq_xx
    # (envoyproxy/envoy source/common/config/well_known_names.h: CLUSTER_NAME `envoy.cluster_name`,
    # RESPONSE_CODE_CLASS `envoy.response_code_class`; /stats/prometheus writes `.` as `_`)
    **{f: frozenset({"envoy_cluster_name"}) for f in ENVOY_FAMILIES},
    "envoy_cluster_upstream_rq_xx": frozenset({"envoy_cluster_name", "envoy_response_code_class"}),
    "envoy_cluster_upstream_rq_time_bucket": frozenset({"envoy_cluster_name", "le"}),
    # The drift job's push: its grouping key (job, namespace, model) kept by honorLabels, its per-feature label
    **{f: frozenset({"job", "namespace", "model", "feature"}) | _SEGMENT for f in DRIFT_FAMILIES},
    # The monitors' pushes: the grouping key (the data check adds `dataset`) and each family's labels (mlops.jobs
    # docstring, "Metrics")
    **{f: _GROUPING | {"dataset", "check", "type", "column"} for f in JOB_FAMILIES["datacheck"]},
    **{f: _GROUPING | {"metric", "attribute", "group"} | _SEGMENT for f in JOB_FAMILIES["fairness"]},
    **{f: _GROUPING | {"feature", "dataset"} for f in JOB_FAMILIES["explain"]},
    "mlops_job_last_run_timestamp_seconds": _GROUPING | {"dataset"},
}
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^{}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"')
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")       # an AnalysisTemplate's {{args.x}}


def _pod_target_labels(b: Build) -> frozenset[str]:
    """podTargetLabels as Prometheus names them (every character not valid in a label name becomes `_`)."""
    return frozenset(re.sub(r"[^a-zA-Z0-9_]", "_", label) for m in b.of_kind("ServiceMonitor")
                     for label in m["spec"].get("podTargetLabels", ()))


def carried(b: Build, family: str) -> frozenset[str]:
    """The labels a series of `family` carries once scraped."""
    own = OWN_LABELS.get(family, frozenset())
    if family in ENVOY_FAMILIES:
        return own | POD_TARGET
    if family in PUSHED:
        return own | SERVICE_TARGET - {"job"}    # the Pushgateway's own target labels, but the pushed job wins
    return own | SERVICE_TARGET | _pod_target_labels(b)


def selections(promql: str) -> Iterator[tuple[set[str], list[str]]]:
    """(families, matched labels) of each `name{...}` or `{__name__=~...}` selector."""
    for family, body in SELECTOR.findall(PLACEHOLDER.sub("x", promql)):
        labels = MATCHER.findall(body)
        pattern = re.search(r'__name__=~"([^"]+)"', body)
        found = {f for f in KNOWN if re.fullmatch(pattern.group(1), f)} if pattern else set()
        yield ({family} if family else found), [label for label in labels if label != "__name__"]


def labels_carried(b: Build) -> Iterator[Violation]:
    runtimes = frozenset().union(*RUNTIME_FAMILIES.values())
    for where, promql in queries(b):
        for found, labels in selections(promql):
            known = [f for f in found if f in KNOWN or f in runtimes]
            for label in labels:
                if known and not any(label in carried(b, f) for f in known):
                    yield Violation("labels-carried", where, f"no series of {'|'.join(sorted(known))} carries"
                                                             f" label {label}")


# --- alert routing ------------------------------------------------------------------------------------------------

SECRET_FIELDS = {"slackConfigs": "apiURL", "pagerdutyConfigs": "routingKey", "webhookConfigs": "urlSecret"}


def _routes(route: Obj) -> Iterator[Obj]:
    yield route
    for child in route.get("routes", []):
        yield from _routes(child)


def _configs(receiver: Obj) -> Iterator[tuple[str, Obj]]:
    for kind in SECRET_FIELDS:
        yield from ((kind, c) for c in receiver.get(kind, []))


def _named_secrets(b: Build) -> set[tuple[str, str]]:
    """The Secrets the spec names for receivers, and the drift triggers' tokens (the training side's)."""
    named = {(n.secret.name, n.secret.key or "") for n in b.env.monitoring.notify}
    return named | {(names.drift_trigger_token(m.name), "token") for m in b.env.models
                    if m.training and m.training.on_drift}


def secrets_referenced(b: Build) -> Iterator[Violation]:
    """Every receiver's credential is a key of a Secret the spec (or the training side) names, never a value."""
    named = _named_secrets(b)
    for config in b.of_kind("AlertmanagerConfig"):
        for receiver in config["spec"]["receivers"]:
            for kind, c in _configs(receiver):
                refs = [c.get(SECRET_FIELDS[kind])]
                refs += [c.get("httpConfig", {}).get("authorization", {}).get("credentials")] if "httpConfig" in c \
                    else []
                if kind == "webhookConfigs" and "url" in c and not c.get("httpConfig"):
                    yield Violation("secrets-referenced", name(config), f"{receiver['name']}: webhook URL inlined")
                for ref in (r for r in refs if r is not None):
                    if not isinstance(ref, dict) or (ref.get("name"), ref.get("key")) not in named:
                        yield Violation("secrets-referenced", name(config),
                                        f"{receiver['name']}: {kind} credential {ref!r} is no Secret key named")


def _alerts(b: Build) -> tuple[set[str], set[str], set[str]]:
    """(alert names, severities, namespace labels) of the PrometheusRules."""
    rules = [r for rule in b.of_kind("PrometheusRule") for g in rule["spec"]["groups"] for r in g["rules"]]
    return ({r["alert"] for r in rules}, {r["labels"].get("severity", "") for r in rules},
            {r["labels"].get("namespace", "") for r in rules})


def alerts_routed(b: Build) -> Iterator[Violation]:
    """Every route matches alerts that exist, and every rule's alert reaches the namespace's routes: the operator's
    OnNamespace strategy passes only alerts labelled with the AlertmanagerConfig's namespace."""
    alertnames, severities, namespaces = _alerts(b)
    for config in b.of_kind("AlertmanagerConfig"):
        if namespaces != {config["metadata"]["namespace"]}:
            yield Violation("alerts-routed", name(config), f"rules labelled namespace {sorted(namespaces)}")
        for route in _routes(config["spec"]["route"]):
            for m in route.get("matchers", []):
                known = {"alertname": alertnames, "severity": severities}.get(m["name"])
                if known is not None and m["value"] not in known:
                    yield Violation("alerts-routed", name(config), f"no rule raises {m['name']}={m['value']}")


def drift_webhooks(b: Build) -> Iterator[Violation]:
    """A webhook posting to a URL calls the Argo Server's events endpoint for the drift trigger of the model its
    route selects, with that trigger's token."""
    server = addons.WORKFLOWS_SERVER
    for config in b.of_kind("AlertmanagerConfig"):
        ns = config["metadata"]["namespace"]
        receivers = {r["name"]: r for r in config["spec"]["receivers"]}
        for route in _routes(config["spec"]["route"]):
            model = next((m["value"] for m in route.get("matchers", []) if m["name"] == "model"), None)
            for hook in receivers[route["receiver"]].get("webhookConfigs", []):
                if "url" not in hook:
                    continue
                trigger = names.drift_trigger(model or "")
                want = f"http://{server.name}.{server.namespace}:{server.port}/api/v1/events/{ns}/{trigger}"
                if hook["url"] != want:
                    yield Violation("drift-webhook", name(config), f"{hook['url']} is not {want}")
                creds = hook.get("httpConfig", {}).get("authorization", {}).get("credentials")
                if creds != {"name": names.drift_trigger_token(model or ""), "key": "token"}:
                    yield Violation("drift-webhook", name(config), f"{hook['url']}: token {creds!r}")
