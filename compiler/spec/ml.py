"""Stage 3 for the ML loop: a model's `data`, `training` and live monitors (already merged and validated) -> IR."""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.spec.defaults import DEFAULTS
from mlops.spec.quantity import cpu_text, seconds


def data(spec: dict[str, Any] | None) -> ir.Data | None:
    if spec is None:
        return None
    rows = spec.get("rows", {})
    return ir.Data(
        training=spec.get("training"), holdout=spec.get("holdout"), live=spec.get("live"),
        label=spec.get("label"), prediction=spec.get("prediction"), protected=tuple(spec.get("protected", ())),
        rows_min=rows.get("min"), rows_max=rows.get("max"),
        columns=tuple(_column(name, column) for name, column in sorted(spec.get("columns", {}).items())),
    )


def _column(name: str, spec: dict[str, Any]) -> ir.Column:
    freshness = spec.get("freshness")
    return ir.Column(name=name, type=spec["type"], required=spec.get("required", DEFAULTS["column.required"]),
                     unique=spec.get("unique", DEFAULTS["column.unique"]), min=_number(spec.get("min")),
                     max=_number(spec.get("max")), values=tuple(spec.get("values", ())),
                     freshness_seconds=int(seconds(freshness)) if freshness else None)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def thresholds(spec: dict[str, Any] | None) -> tuple[ir.Threshold, ...]:
    """`{roc_auc: {min: 0.9, minChange: 0.002}}` -> Thresholds, by metric name."""
    return tuple(ir.Threshold(metric, _number(bound.get("min")), _number(bound.get("max")),
                              _number(bound.get("minChange")))
                 for metric, bound in sorted((spec or {}).items()))


def training(spec: dict[str, Any] | None) -> ir.Training | None:
    if spec is None:
        return None
    resources, triggers, gate = spec.get("resources", {}), spec.get("triggers", {}), spec.get("gate", {})
    compute = ir.Compute(cpu=cpu_text(resources.get("cpu", DEFAULTS["resources"]["cpu"])),
                         memory=resources.get("memory", DEFAULTS["resources"]["memory"]),
                         gpu=resources.get("gpu", DEFAULTS["training.gpu"]))
    return ir.Training(
        environment=spec["environment"], image=spec["image"], command=tuple(spec.get("command", ())),
        args=tuple(spec.get("args", ())), compute=compute, node_pool=spec.get("nodePool"),
        timeout_seconds=int(seconds(spec.get("timeout", DEFAULTS["training.timeout"]))), output=spec["output"],
        schedule=triggers.get("schedule"), on_drift=triggers.get("drift", DEFAULTS["training.drift"]),
        metrics=thresholds(gate.get("metrics")), fairness=thresholds(gate.get("fairness")),
        data_checks=gate.get("dataChecks", DEFAULTS["training.dataChecks"]),
        reviewers=tuple(spec.get("propose", {}).get("reviewers", ())),
    )


def logging(spec: dict[str, Any] | None) -> ir.Logging | None:
    return None if spec is None else ir.Logging(float(spec.get("sample", DEFAULTS["logging.sample"])))


def data_checks(spec: dict[str, Any] | None) -> ir.DataChecks | None:
    return None if spec is None else ir.DataChecks(spec.get("schedule", DEFAULTS["dataChecks.schedule"]))


def fairness(spec: dict[str, Any] | None) -> ir.Fairness | None:
    if spec is None:
        return None
    return ir.Fairness(schedule=spec.get("schedule", DEFAULTS["fairness.schedule"]),
                       min_group_size=spec.get("minGroupSize", DEFAULTS["fairness.minGroupSize"]),
                       metrics=thresholds(spec["metrics"]))


def explain(spec: dict[str, Any] | None) -> ir.Explain | None:
    if spec is None:
        return None
    return ir.Explain(method=spec.get("method", DEFAULTS["explain.method"]),
                      schedule=spec.get("schedule", DEFAULTS["explain.schedule"]),
                      sample=spec.get("sample", DEFAULTS["explain.sample"]),
                      alert_on_shift=float(spec.get("alertOnShift", DEFAULTS["explain.alertOnShift"])))
