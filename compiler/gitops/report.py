"""`mlops report`: the page management asks for, per environment. What is declared (each model, what it serves,
how it rolls out, scales, is watched and retrains), what it costs (the catalog range `mlops cost` gives), and,
when a Prometheus answers, how each model is doing: the last gate verdict, data check, drift, fairness and
attribution status the job programs push (mlops.jobs: the metric names below are their interface).

Offline by default: without a Prometheus URL the status says "not asked". A Prometheus that does not answer, or
answers nonsense, is a line in the report, never a failure: the inventory is still worth reading.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlops import ir
from mlops.cost import estimate as cost
from mlops.cost.report import markdown_table, money_range
from mlops.diagnostics.redact import safe
from mlops.diagnostics.words import markdown
from mlops.ir.serving import instances

# What each job program pushes (mlops.jobs docstring, "Metrics"): the status a check reads, and the number shown
# beside it. Every series carries the `model` and `namespace` it was pushed with (the Pushgateway is scraped with
# honorLabels), and `mlops_job_last_run_timestamp_seconds` carries the program's Pushgateway `job`.
CHECKS: tuple[tuple[str, str, str, str | None, bool], ...] = (
    # (check, job, status metric, detail metric, status 1 means ok)
    ("gate", "mlops-gate", "mlops_gate_passed", "mlops_gate_failures", True),
    ("data_check", "mlops-datacheck", "mlops_data_check_passed", "mlops_data_check_failures", True),
    ("drift", "mlops-drift", "mlops_drift_detected", "mlops_drift_score", False),
    ("fairness", "mlops-fairness", "mlops_fairness_passed", None, True),
    ("attribution", "mlops-explain", "mlops_explain_shift_alert", "mlops_explain_max_shift", False),
)
LAST_RUN = "mlops_job_last_run_timestamp_seconds"
NOT_ASKED = "not asked"
Sample = tuple[dict[str, str], float]
Query = Callable[[str], list[Sample]]


class Unreachable(Exception):
    """Prometheus did not answer a query, or its answer was not a vector."""


@dataclass(frozen=True)
class Signal:
    state: str                       # ok | alert | no data | off | not asked | unknown
    detail: str = ""
    last_run: str | None = None      # ISO 8601 UTC of the program's last push


@dataclass(frozen=True)
class ModelRow:
    name: str
    framework: str
    serves: tuple[str, ...]          # `instance=artifact`, every instance the model runs
    rollout: str
    endpoint: str
    replicas: str
    retraining: str
    status: dict[str, Signal] = field(default_factory=dict)
    firing: tuple[str, ...] | str = NOT_ASKED   # the alert names firing now, or why they are not known


@dataclass(frozen=True)
class EnvironmentReport:
    platform: str
    owner: str | None
    environment: str
    namespace: str
    target: str
    kubernetes_version: str
    cost: str                        # `min..max CUR a month`, or why it is not priced
    monthly: dict[str, str] | None   # the same as data: min, max (decimal strings), currency, prices_taken
    status_source: str
    models: tuple[ModelRow, ...]


def http_query(url: str, timeout: float = 10.0) -> Query:
    """Instant queries against Prometheus' HTTP API (`GET /api/v1/query`), as (labels, value) samples."""
    def query(expr: str) -> list[Sample]:
        address = url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(address, timeout=timeout) as answer:   # noqa: S310 (the user's URL)
                body = json.loads(answer.read(8 * 1024 * 1024))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise Unreachable(str(getattr(exc, "reason", exc))) from None
        return _samples(body)
    return query


def _samples(body: Any) -> list[Sample]:
    data = body.get("data") if isinstance(body, dict) and body.get("status") == "success" else None
    if not isinstance(data, dict) or data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
        raise Unreachable("the answer is not an instant vector")
    out = []
    for item in data["result"]:
        try:
            labels, value = item["metric"], float(item["value"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            raise Unreachable("a sample without labels or a number") from None
        out.append(({str(k): str(v) for k, v in labels.items()}, value))
    return out


def build(envs: Sequence[ir.Environment], query: Query | None, where: str | None) -> tuple[EnvironmentReport, ...]:
    return tuple(_environment(env, query, where) for env in envs)


def _environment(env: ir.Environment, query: Query | None, where: str | None) -> EnvironmentReport:
    samples: list[Sample] | None = None
    source = f"not asked (give --prometheus URL, e.g. a port-forward of {_prometheus_hint()})"
    if query is not None:
        try:
            samples = query(_selector(env.namespace)) + query(_firing(env.namespace))
            source = f"Prometheus at {safe(where or '')}"
        except Unreachable as exc:
            source = f"unknown: Prometheus at {safe(where or '')} did not answer ({safe(str(exc))})"
    rows = tuple(_model(m, samples, query is not None) for m in env.models)
    target = " ".join(x for x in (env.target.name + ":", env.target.provider, env.target.region or "") if x)
    text, monthly = _cost(env)
    return EnvironmentReport(env.platform, env.owner, env.name, env.namespace, target, env.kubernetes_version,
                             text, monthly, source, rows)


def _prometheus_hint() -> str:
    from mlops.targets.base.addons import PROMETHEUS

    return f"svc/{PROMETHEUS.name} -n {PROMETHEUS.namespace} {PROMETHEUS.port}"


def _selector(namespace: str) -> str:
    names = sorted({m for _, _, status, detail, _ in CHECKS for m in (status, detail) if m} | {LAST_RUN})
    return '{__name__=~"' + "|".join(names) + '",namespace="' + namespace + '"}'


def _firing(namespace: str) -> str:
    """The alerts firing now: every rule mlops emits labels its alerts with their model and namespace."""
    return f'ALERTS{{alertstate="firing",namespace="{namespace}"}}'


def _cost(env: ir.Environment) -> tuple[str, dict[str, str] | None]:
    try:
        found = cost.estimate(env)
    except cost.CostError as exc:
        return f"not priced: {exc}", None
    if found.existing_cluster:
        return "an existing cluster: not priced", None
    monthly = {"min": str(found.total.min), "max": str(found.total.max), "currency": found.currency,
               "prices_taken": str(found.prices_taken)}
    return f"{money_range(found.total)} {found.currency} a month (prices of {found.prices_taken})", monthly


def _model(model: ir.Model, samples: list[Sample] | None, asked: bool) -> ModelRow:
    serving = instances(model)
    serves = tuple(f"{i.name}={i.artifact or model.image or ''}" for i in serving)
    rollout = model.rollout.strategy + (f" {'/'.join(map(str, model.rollout.steps))}" if model.rollout.steps else "")
    endpoint = "in-cluster only"
    if model.endpoint:
        endpoint = f"{model.endpoint.host or '*'}{model.endpoint.path} ({model.endpoint.visibility})"
    replicas = f"{model.scaling.min}..{model.scaling.max} on {model.scaling.metric}"
    status = {check: _signal(model, check, job, metric, detail, ok_when_one, samples, asked)
              for check, job, metric, detail, ok_when_one in CHECKS}
    firing: tuple[str, ...] | str = (NOT_ASKED if not asked else "unknown") if samples is None else tuple(sorted({
        labels.get("alertname", "") for labels, _ in samples
        if labels.get("__name__") == "ALERTS" and labels.get("model") == model.name}))
    return ModelRow(model.name, model.framework, serves, rollout, endpoint, replicas, _retraining(model), status,
                    firing)


def _retraining(model: ir.Model) -> str:
    t = model.training
    if t is None:
        return "none"
    when = [f"cron {t.schedule}"] if t.schedule else []
    when += ["on drift"] if t.on_drift else []
    gate = [th.metric for th in t.metrics] + [th.metric for th in t.fairness]
    return f"in {t.environment}, {' + '.join(when) or 'by hand'}; gate: {', '.join(gate) or 'none'}"


def _configured(model: ir.Model, check: str) -> bool:
    policy = model.training.data_checks if model.training else "off"
    return {"gate": model.training is not None, "data_check": model.data_checks is not None or policy != "off",
            "drift": model.drift is not None, "fairness": model.fairness is not None,
            "attribution": model.explain is not None}[check]


def _signal(model: ir.Model, check: str, job: str, metric: str, detail: str | None, ok_when_one: bool,
            samples: list[Sample] | None, asked: bool) -> Signal:
    if not _configured(model, check):
        return Signal("off")
    if samples is None:
        return Signal(NOT_ASKED if not asked else "unknown")
    mine = [(labels, v) for labels, v in samples if labels.get("model") == model.name]
    values = [v for labels, v in mine if labels.get("__name__") == metric]
    if not values:
        return Signal("no data", "the program has not pushed yet")
    failing = [labels for labels, v in mine if labels.get("__name__") == metric and (v == 1) != ok_when_one]
    shown = [v for labels, v in mine if detail and labels.get("__name__") == detail]
    text = f"{detail.removeprefix('mlops_')} {max(shown):g}" if detail and shown else ""
    segments = sorted({_segment(labels) for labels in failing if labels.get("variant")})
    if segments:        # drift and fairness also push per variant and revision (mlops.jobs.records.segments)
        text = "; ".join(filter(None, [text, "in " + ", ".join(segments)]))
    runs = [v for labels, v in mine if labels.get("__name__") == LAST_RUN and labels.get("job") == job]
    last = datetime.fromtimestamp(max(runs), UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if runs else None
    return Signal("alert" if failing else "ok", text, last)


def _segment(labels: dict[str, str]) -> str:
    revision = labels.get("revision")
    return f"variant {labels['variant']}" + (f" revision {revision}" if revision else "")


# --- reporters ----------------------------------------------------------------------------------------------

def as_json(reports: Sequence[EnvironmentReport]) -> str:
    return json.dumps({"environments": [asdict(r) for r in reports]}, indent=2, sort_keys=True) + "\n"


def _cell(signal: Signal) -> str:
    parts = [signal.state] + ([signal.detail] if signal.detail else []) + (
        [f"at {signal.last_run}"] if signal.last_run else [])
    return ", ".join(parts)


def _firing_cell(firing: tuple[str, ...] | str) -> str:
    return firing if isinstance(firing, str) else ", ".join(firing) or "none"


def as_markdown(reports: Sequence[EnvironmentReport]) -> str:
    out: list[str] = []
    for r in reports:
        out += [f"## {markdown(r.platform)} — {markdown(r.environment)}", "",
                f"- target {markdown(r.target)}, Kubernetes {r.kubernetes_version}, namespace `{r.namespace}`",
                f"- owner: {markdown(r.owner or 'not stated')}", f"- cost: {markdown(r.cost)}",
                f"- status: {markdown(r.status_source)}", ""]
        head = ["model", "framework", "serves", "rollout", "endpoint", "replicas", "retraining", "alerts firing",
                *(c[0].replace("_", " ") for c in CHECKS)]
        rows = [[m.name, m.framework, ", ".join(m.serves), m.rollout, m.endpoint, m.replicas, m.retraining,
                 _firing_cell(m.firing), *(_cell(m.status[c[0]]) for c in CHECKS)] for m in r.models]
        out += markdown_table([head, *rows], set()) + [""]
    return "# Platform report\n\n" + "\n".join(out)


REPORTERS: dict[str, Callable[[Sequence[EnvironmentReport]], str]] = {"markdown": as_markdown, "json": as_json}
