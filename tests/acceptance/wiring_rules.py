"""The wiring contract: the edges between emitted objects, add-ons, images and grants, one rule each.

`RULES` maps a rule's name to a function over one compiled environment (`wiring_build.Build`: its manifests, its
`resources.json`, the stack installing its cluster's add-ons, and through them the add-on table) yielding what is
broken. A later issue adds an edge by adding a function here, and a negative test beside the others.

What each pinned image or add-on produces is stated here from its source, not derived from the emitters, so the
rules check the emitters rather than restate them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from mlops.targets.base import addons

from .wiring_build import Build, Obj, Violation, matches, name, pods, repository

# Metric families each producer exports (sources as in the integrity review's "Confirmed correct" table).
RUNTIME_FAMILIES: dict[str, frozenset[str]] = {
    # MLServer 1.7.1: starlette_exporter with prefix rest_server (mlserver/settings.py@1.7.1)
    "docker.io/seldonio/mlserver": frozenset({"rest_server_requests_total",
                                              "rest_server_request_duration_seconds_bucket",
                                              "rest_server_requests_in_progress"}),
    # Triton r25.01 docs/user_guide/metrics.md l.97-98, 199, 290, 306-309
    "nvcr.io/nvidia/tritonserver": frozenset({"nv_inference_request_success", "nv_inference_request_failure",
                                              "nv_inference_request_duration_us", "nv_inference_request_summary_us"}),
    # vLLM: prometheus-fastapi-instrumentator's http_requests_total and its own vllm:* (design/v1/metrics.md)
    "docker.io/vllm/vllm-openai": frozenset({"http_requests_total", "vllm:e2e_request_latency_seconds_bucket",
                                             "vllm:num_requests_running", "vllm:num_requests_waiting"}),
}
RUNTIME_FAMILIES["docker.io/vllm/vllm-tpu"] = RUNTIME_FAMILIES["docker.io/vllm/vllm-openai"]
# Envoy's cluster statistics as /stats/prometheus names them (envoy_cluster_<stat>, per envoy_cluster_name)
ENVOY_FAMILIES = frozenset({"envoy_cluster_upstream_rq_total", "envoy_cluster_upstream_rq_xx",
                            "envoy_cluster_upstream_rq_time_bucket", "envoy_cluster_upstream_rq_active",
                            "envoy_cluster_upstream_cx_none_healthy"})
# What mlops.jobs.drift pushes (its module docs, `metrics`)
DRIFT_FAMILIES = frozenset({"mlops_drift_score", "mlops_drift_feature_score", "mlops_drift_feature_drifted",
                            "mlops_drift_detected", "mlops_drift_share", "mlops_drift_columns_drifted",
                            "mlops_drift_columns", "mlops_drift_live_rows"})
LAST_RUN = "mlops_job_last_run_timestamp_seconds"          # every push of every job holds it (mlops.jobs docstring)
# What each job program pushes (mlops.jobs docstring, "Metrics"), by program
JOB_FAMILIES: dict[str, frozenset[str]] = {
    "drift": DRIFT_FAMILIES | {LAST_RUN},
    "datacheck": frozenset({"mlops_data_check_passed", "mlops_data_check_failures", "mlops_data_check_warnings",
                            "mlops_data_check_checks", "mlops_data_check_check_passed", LAST_RUN}),
    "fairness": frozenset({"mlops_fairness_passed", "mlops_fairness_rows", "mlops_fairness_metric",
                           "mlops_fairness_metric_passed", "mlops_fairness_group_rows",
                           "mlops_fairness_group_positive_rate", "mlops_fairness_groups_dropped", LAST_RUN}),
    "explain": frozenset({"mlops_explain_feature_share", "mlops_explain_feature_shift", "mlops_explain_max_shift",
                          "mlops_explain_shift_alert", "mlops_explain_rows", LAST_RUN}),
    "gate": frozenset({"mlops_gate_passed", "mlops_gate_failures", "mlops_gate_metric", "mlops_gate_fairness",
                       LAST_RUN}),
}
PUSHED = frozenset().union(*JOB_FAMILIES.values())
KNOWN = frozenset().union(*RUNTIME_FAMILIES.values(), ENVOY_FAMILIES, PUSHED)


# --- every metric a query reads is produced by a target something scrapes ------------------------------------------

def queries(b: Build) -> Iterator[tuple[str, str]]:
    for rule in b.of_kind("PrometheusRule"):
        for group in rule["spec"]["groups"]:
            yield from ((name(rule), r["expr"]) for r in group["rules"])
    for template in b.of_kind("AnalysisTemplate"):
        yield from ((name(template), m["provider"]["prometheus"]["query"]) for m in template["spec"]["metrics"])
    for scaled in b.of_kind("ScaledObject"):
        yield from ((name(scaled), t["metadata"]["query"]) for t in scaled["spec"]["triggers"]
                    if t["type"] == "prometheus")
    for board in b.of_kind("ConfigMap"):
        for text in board.get("data", {}).values() if "grafana_dashboard" in board["metadata"]["labels"] else ():
            yield from ((name(board), t["expr"]) for p in json.loads(text)["panels"] for t in p["targets"])


def families(promql: str) -> set[str]:
    """Metric names a PromQL expression selects (`name{`, and `__name__=~"re"` against the known families)."""
    out = set(re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{", promql))
    for pattern in re.findall(r'__name__=~"([^"]+)"', promql):
        out |= {f for f in KNOWN if re.fullmatch(pattern, f)} or {f"<nothing matches {pattern}>"}
    return out


def scraped(b: Build) -> tuple[set[str], dict[str, set[str]]]:
    """(families scraped from add-ons and jobs, {Service a ServiceMonitor scrapes: families of its pods})."""
    found: set[str] = set()
    services: dict[str, set[str]] = {}
    workloads = list(pods(b))
    for monitor in b.of_kind("ServiceMonitor"):
        ports = {e["port"] for e in monitor["spec"]["endpoints"]}
        for svc in b.of_kind("Service"):
            if not matches(monitor["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"]):
                continue
            if not ports & {p["name"] for p in svc["spec"]["ports"]}:
                continue
            mine = services.setdefault(svc["metadata"]["name"], set())
            for _, spec, labels in workloads:
                if matches(svc["spec"]["selector"], labels):
                    mine |= {f for c in spec["containers"] for f in RUNTIME_FAMILIES.get(repository(c["image"]), ())}
    where = addons.coordinates(b.env)
    for monitor in b.typed("kubernetes:monitoring.coreos.com/v1:PodMonitor", cluster=True):
        spec = monitor["inputs"]["spec"]
        endpoints = {(e["port"], e.get("path")) for e in spec["podMetricsEndpoints"]}
        if (monitor["inputs"]["metadata"]["namespace"] == where.gateway_namespace and addons.PROXY_METRICS in endpoints
                and matches(spec["selector"]["matchLabels"], dict(addons.PROXY_LABELS))):
            found |= ENVOY_FAMILIES
    if _pushgateway_scraped(b):
        found |= {f for _, spec, _ in workloads for program in _pushes(spec, where.pushgateway.url)
                  for f in JOB_FAMILIES.get(program, ())}
    return found, services


def _pushgateway_scraped(b: Build) -> bool:
    if "pushgateway" in addons.existing(b.env):
        return True            # the operator's word: a Pushgateway scraped with honorLabels (schema description)
    for release in b.typed("kubernetes:helm.sh/v3:Release", cluster=True):
        monitor = release["inputs"].get("values", {}).get("serviceMonitor", {})
        ours = release["inputs"]["name"] == "prometheus-pushgateway"
        if ours and monitor.get("enabled") and monitor.get("honorLabels"):
            return True
    return False


def _pushes(spec: Obj, url: str) -> list[str]:
    """The mlops job programs the pod's containers run pushing to `url` (`--pushgateway URL`)."""
    return [c["command"][2].removeprefix("mlops.jobs.") for c in spec["containers"]
            if _flag(c, "--pushgateway") == url and c.get("command", [])[:2] == ["python", "-m"]]


def _flag(container: Obj, flag: str) -> str | None:
    args = [*container.get("command", []), *container.get("args", [])]
    return next((args[i + 1] for i, a in enumerate(args[:-1]) if a == flag), None)


def metrics_scraped(b: Build) -> Iterator[Violation]:
    found, services = scraped(b)
    for where, promql in queries(b):
        named = re.findall(r'service="([^"]+)"', promql)
        for service in named:
            if service not in services:
                yield Violation("metrics-scraped", where, f"no ServiceMonitor scrapes Service {service}")
        # a query on a Service's series reads what that Service's pods export, not any pod's
        produced = found | set().union(*(services.get(s, set()) for s in named)) if named else found | set().union(
            *services.values())
        for family in sorted(families(promql) - produced):
            yield Violation("metrics-scraped", where, f"no scraped target produces {family}")


# --- every in-cluster URL resolves to a Service ----------------------------------------------------------------------

def urls(b: Build) -> Iterator[tuple[str, str]]:
    for scaled in b.of_kind("ScaledObject"):
        yield from ((name(scaled), t["metadata"]["serverAddress"]) for t in scaled["spec"]["triggers"]
                    if "serverAddress" in t["metadata"])
    for template in b.of_kind("AnalysisTemplate"):
        yield from ((name(template), m["provider"]["prometheus"]["address"]) for m in template["spec"]["metrics"])
    for obj, spec, _ in pods(b):
        for c in spec.get("initContainers", []) + spec["containers"]:
            yield from ((name(obj), e["value"]) for e in c.get("env", [])
                        if str(e.get("value", "")).startswith("http://"))
            yield from ((name(obj), a) for a in c.get("args", []) if str(a).startswith("http://"))


def services_offered(b: Build) -> set[tuple[str, str, int]]:
    out = {(s["metadata"]["name"], s["metadata"]["namespace"], p["port"]) for s in b.of_kind("Service")
           for p in s["spec"]["ports"]}
    for release in b.typed("kubernetes:helm.sh/v3:Release", cluster=True):
        chart = addons.CHARTS.get(release["inputs"]["name"])
        inputs = release["inputs"]
        if chart and chart.version == inputs["version"] and chart.namespace == inputs["namespace"]:
            out |= {(e.name, e.namespace, e.port) for e in chart.services}
    where = addons.coordinates(b.env)
    for key, endpoint in (("prometheus", where.prometheus), ("pushgateway", where.pushgateway)):
        if key in addons.existing(b.env):
            out.add((endpoint.name, endpoint.namespace, endpoint.port))
    return out


def urls_resolve(b: Build) -> Iterator[Violation]:
    offered = services_offered(b)
    for where, url in urls(b):
        parts = urlsplit(url)
        host = (parts.hostname or "").removesuffix(".svc.cluster.local").removesuffix(".svc").split(".")
        if len(host) != 2 or (host[0], host[1], parts.port or 80) not in offered:
            yield Violation("urls-resolve", where, f"{url} is no Service the manifests or an add-on install")


# --- the table ----------------------------------------------------------------------------------------------------

Rule = Callable[[Build], Iterator[Violation]]


def _rules() -> dict[str, Rule]:
    from . import wiring_alerts as a
    from . import wiring_analysis as an
    from . import wiring_files as f
    from . import wiring_grants as g
    from . import wiring_logging as lg
    from . import wiring_mirrors as m
    from . import wiring_tls as t
    from . import wiring_workflows as w

    return {
        "metrics-scraped": metrics_scraped,     # every queried metric family has a scraped producer
        "labels-carried": a.labels_carried,     # every label a query matches on is one its series carry
        "secrets-referenced": a.secrets_referenced,   # every receiver's credential is a named Secret's key
        "alerts-routed": a.alerts_routed,       # routes match raised alerts; rules carry the routes' namespace
        "drift-webhook": a.drift_webhooks,      # the drift webhook calls the Argo Server's events API, with its token
        "urls-resolve": urls_resolve,           # every in-cluster URL is a Service (name, namespace, port)
        "storage-granted": g.storage_granted,   # every store URI a pod fetches is granted to its identity
        "users-defined": g.users_defined,       # every container runs as a user its image defines, or its own
        "netpol-enforced": g.netpol_enforced,   # the target's CNI enforces the NetworkPolicies
        "services-select": g.services_select,   # every Service selects pods and names one of their ports
        "init-args": g.init_args,               # init containers' arguments fit the pinned image's interface
        "certificates-sourced": t.certificates_sourced,   # every HTTPS listener's Secret is issued or the user's
        "routes-attached": t.routes_attached,   # every route has its listener; no model on HTTP beside HTTPS
        "workflow-images": w.workflow_images,   # job steps run the job image's programs; train runs the team's image
        "workflow-accounts": w.workflow_accounts,   # the pods' account exists; the executor may report its results
        "workflow-config": w.workflow_config,   # every mounted ConfigMap exists with the files the steps name
        "workflow-refs": w.workflow_refs,       # triggers name an existing template; a controller manages them
        "request-logging": lg.request_logging,  # agent -> Vector's Service (and egress), Services -> agent, sinks
        "live-granted": lg.live_granted,        # Vector's identity may write each sink's data.live; its SA names it
        "trigger-access": w.trigger_access,     # the drift trigger's account, token and Role to submit the template
        "images-mirrored": m.images_mirrored,   # with mirrors set, every pinned image is pulled through its mirror
        "pull-secrets": m.pull_secrets,         # every pod's ServiceAccount pulls with each pull secret named
        "rollouts-plugin": m.rollouts_plugin,   # every Rollout's traffic router is registered, from its location
        "analysis-refs": an.analysis_refs,      # every analysis a Rollout starts names a template, with its args
        "credential-files": f.credential_files,   # a credential file a variable or Vector names: a Secret's key
    }


RULES: dict[str, Rule] = _rules()


def check(b: Build) -> list[Violation]:
    return [v for rule in RULES.values() for v in rule(b)]
