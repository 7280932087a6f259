"""The alert rules and dashboard queries of a model's live monitors (data checks, fairness, explanations).

Each monitor's CronJob pushes to the Pushgateway (mlops.jobs: job `mlops-<program>`, grouping namespace/model, the
data check adds dataset), and exits 0 whatever it found (`--exit-zero`): these rules are what report a finding.

* MLModelDataCheckFailed: `mlops_data_check_passed == 0` (the live data breaks the model's contract);
* MLModelFairnessFailed: `mlops_fairness_passed == 0` (a `monitoring.fairness` bound crossed), one alert per
  failing segment (the whole live set, a variant, a canary's revision: labelled `variant`, `revision`);
* MLModelExplanationShift: `mlops_explain_shift_alert > 0` (a feature's attribution share moved more than
  `alertOnShift`);
* MLModelMonitorStale: a monitor's `mlops_job_last_run_timestamp_seconds` (every push holds it) is older than two
  schedule periods: the job stopped running or pushing, so the rules above cannot fire.

Every rule sets `namespace` (the environment's AlertmanagerConfig matches on it: mlops.emit.k8s.alerts).
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope

WARN = "warning"
LAST_RUN = "mlops_job_last_run_timestamp_seconds"       # mlops.jobs docstring: every push holds it
# (program, alert, failing expression over the metric, summary): mlops.jobs `metrics` of each program
CHECKS = (("datacheck", "MLModelDataCheckFailed", "mlops_data_check_passed", "== 0",
           "live data breaks the model's data contract"),
          ("fairness", "MLModelFairnessFailed", "mlops_fairness_passed", "== 0",
           "a fairness bound is crossed on live traffic"),
          ("explain", "MLModelExplanationShift", "mlops_explain_shift_alert", "> 0",
           "a feature's share of the model's attributions moved"))
STALE_ALERT = "MLModelMonitorStale"
# The monitors that also push per segment of the live rows (a variant, a canary's revision: mlops.jobs.records
# .segments). Drift does too, but its alert stays one per model: it is what starts a retraining run (alerts.py).
SEGMENTED = frozenset({"fairness"})
# The labels of a segment's series: mlops.jobs.records.SEGMENTS (the job package imports nothing of mlops, so the
# names are stated twice; tests/unit/emit/k8s/test_monitor_alerts.py holds them equal)
SEGMENT_LABELS = ("variant", "revision")
BY_SEGMENT = f"by ({', '.join(SEGMENT_LABELS)})"
SEGMENT_LEGEND = " ".join(f"{{{{{label}}}}}" for label in SEGMENT_LABELS)     # Grafana's {{label}}
MACROS = {"@hourly": 3600, "@daily": 86400, "@weekly": 7 * 86400, "@monthly": 31 * 86400}


def schedules(model: ir.Model) -> dict[str, str]:
    """The schedule of each monitor the model has, by program."""
    found = {"datacheck": model.data_checks, "fairness": model.fairness, "explain": model.explain}
    return {program: m.schedule for program, m in found.items() if m is not None}


def period(schedule: str) -> int:
    """An upper bound, in seconds, of the gap between two runs of a (valid) schedule: a restricted day of month or
    month can wait a month, a day of week a week, an hour a day; else an hour. Bounds err long: a stale alert must
    not fire between two runs on time."""
    if schedule in MACROS:
        return MACROS[schedule]
    _minute, hour, day, month, weekday = schedule.split()
    if day != "*" or month != "*":
        return MACROS["@monthly"]
    if weekday != "*":
        return MACROS["@weekly"]
    return MACROS["@daily"] if hour != "*" else MACROS["@hourly"]


def selector(scope: Scope, model: ir.Model, program: str) -> str:
    return f'namespace="{scope.namespace}",model="{model.name}",job="mlops-{program}"'


def metric(scope: Scope, model: ir.Model, program: str, name: str) -> str:
    """The verdict's worst value; per segment for a monitor that pushes segments, so each failing one is an alert
    of its own, labelled with its variant and revision (the whole's series carry neither)."""
    by = f" {BY_SEGMENT} " if program in SEGMENTED else ""
    return f"{'min' if name.endswith('_passed') else 'max'}{by}({name}{{{selector(scope, model, program)}}})"


def age(scope: Scope, model: ir.Model, program: str) -> str:
    """Seconds since the monitor last pushed."""
    return f"time() - max({LAST_RUN}{{{selector(scope, model, program)}}})"


def _rule(scope: Scope, model: ir.Model, alert: str, expr: str, summary: str, program: str) -> Obj:
    labels = {"severity": WARN, "namespace": scope.namespace, "model": model.name, "workload": model.name,
              "monitor": program}
    return {"alert": alert, "expr": expr, "labels": labels, "annotations": {"summary": f"{model.name}: {summary}"}}


def rules(scope: Scope, model: ir.Model) -> list[Obj]:
    wanted = schedules(model)
    out = [_rule(scope, model, alert, f"{metric(scope, model, program, name)} {failing}", summary, program)
           for program, alert, name, failing, summary in CHECKS if program in wanted]
    out += [_rule(scope, model, STALE_ALERT, f"{age(scope, model, program)} > {2 * period(schedule)}",
                  f"the {program} monitor has not reported for two schedule periods ({schedule})", program)
            for program, schedule in wanted.items()]
    return out


def panels(scope: Scope, model: ir.Model) -> list[tuple[str, list[Obj]]]:
    """(title, targets) of a dashboard row per monitor: its verdict (per segment where it pushes segments) and how
    long ago it ran."""
    wanted = schedules(model)
    return [(f"Monitor: {program}", [
        {"refId": "A", "expr": metric(scope, model, program, name),
         "legendFormat": f"{name} {SEGMENT_LEGEND}" if program in SEGMENTED else name},
        {"refId": "B", "expr": age(scope, model, program), "legendFormat": "seconds since the last run"}])
        for program, _alert, name, _failing, _summary in CHECKS if program in wanted]
