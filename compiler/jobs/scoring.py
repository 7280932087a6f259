"""Metrics and their bounds, shared by the gate and the fairness monitor.

Bounds follow MLflow's `MetricThreshold` (mlflow-skinny 3.17.2 `mlflow/models/evaluation/validation.py`):
`min` -> value >= min, `max` -> value <= max, `minChange` -> the candidate beats the champion by at least that much
in the metric's better direction (value >= champion + c when greater is better, value <= champion - c otherwise),
compared in Decimal as MLflow does so 0.902 vs 0.900 + 0.002 is not lost to float rounding. The direction comes
from the metric (METRICS below), never from which bound is given, so `min` and `max` may both be set.
Unlike MLflow, a `minChange` with no champion (the first candidate) is skipped, and the report says so.

The thresholds file (`--thresholds`) is JSON in the spec's shape: `{"metrics": {"roc_auc": {"min": 0.9,
"minChange": 0.002}}, "fairness": {"demographicParityDifference": {"max": 0.05}}}`; either key may be absent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mlops.jobs.common import BadInput, one_line

BOUND_KEYS = ("min", "max", "minChange")


@dataclass(frozen=True)
class Bound:
    metric: str
    min: float | None = None
    max: float | None = None
    min_change: float | None = None


@dataclass(frozen=True)
class Metric:
    name: str
    greater_is_better: bool
    task: str                        # classification | regression
    uses: str                        # score (probabilities) | label (scores cut at the decision threshold)
    fn: Callable[[Any, Any], float]


def _sk(name: str) -> Callable[[Any, Any], float]:
    def compute(y_true: Any, y: Any) -> float:
        import numpy as np
        from sklearn import metrics

        if name == "rmse":
            return float(np.sqrt(metrics.mean_squared_error(y_true, y)))
        if name == "log_loss":
            return float(metrics.log_loss(y_true, y, labels=[0, 1]))
        return float(getattr(metrics, name)(y_true, y))
    return compute


def _metrics() -> dict[str, Metric]:
    table = [  # name, greater is better, task, uses, sklearn.metrics function
        ("roc_auc", True, "classification", "score", "roc_auc_score"),
        ("average_precision", True, "classification", "score", "average_precision_score"),
        ("pr_auc", True, "classification", "score", "average_precision_score"),
        ("log_loss", False, "classification", "score", "log_loss"),
        ("brier_score", False, "classification", "score", "brier_score_loss"),
        ("accuracy", True, "classification", "label", "accuracy_score"),
        ("balanced_accuracy", True, "classification", "label", "balanced_accuracy_score"),
        ("precision", True, "classification", "label", "precision_score"),
        ("recall", True, "classification", "label", "recall_score"),
        ("f1", True, "classification", "label", "f1_score"),
        ("rmse", False, "regression", "score", "rmse"),
        ("mse", False, "regression", "score", "mean_squared_error"),
        ("mae", False, "regression", "score", "mean_absolute_error"),
        ("mape", False, "regression", "score", "mean_absolute_percentage_error"),
        ("r2", True, "regression", "score", "r2_score"),
    ]
    return {name: Metric(name, better, task, uses, _sk(fn)) for name, better, task, uses, fn in table}


METRICS = _metrics()


def load_thresholds(path: Path | None) -> dict[str, list[Bound]]:
    """The thresholds file as {"metrics": [...], "fairness": [...]}; an empty dict of lists without a file."""
    if path is None:
        return {"metrics": [], "fairness": []}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BadInput(f"{path}: cannot read the thresholds JSON: {one_line(error)}") from error
    if not isinstance(doc, dict) or set(doc) - {"metrics", "fairness"}:
        raise BadInput(f"{path}: expected an object with `metrics` and/or `fairness`")
    return {key: bounds(doc.get(key) or {}, f"{path}: {key}") for key in ("metrics", "fairness")}


def bounds(doc: Mapping[str, Any], where: str) -> list[Bound]:
    out = []
    for metric, bound in sorted(doc.items()):
        if not isinstance(bound, dict) or not bound or set(bound) - set(BOUND_KEYS):
            raise BadInput(f"{where}: {metric}: expected an object with {', '.join(BOUND_KEYS)}")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bound.values()):
            raise BadInput(f"{where}: {metric}: bounds must be numbers")
        out.append(Bound(metric, bound.get("min"), bound.get("max"), bound.get("minChange")))
    return out


def metric(name: str, task: str) -> Metric:
    found = METRICS.get(name)
    if found is None or found.task != task:
        known = sorted(m.name for m in METRICS.values() if m.task == task)
        raise BadInput(f"unknown {task} metric {name!r}: expected one of {', '.join(known)}")
    return found


def rules(bound: Bound, value: float | None, champion: float | None, greater: bool) -> list[dict[str, Any]]:
    """Each bound as {rule, passed} (passed None = skipped, with a note); a value of None fails its bounds."""
    out: list[dict[str, Any]] = []
    if bound.min is not None:
        out.append({"rule": f">= {bound.min:g}", "passed": value is not None and value >= bound.min})
    if bound.max is not None:
        out.append({"rule": f"<= {bound.max:g}", "passed": value is not None and value <= bound.max})
    if bound.min_change is not None:
        sign = "+" if greater else "-"
        rule = f"{'>=' if greater else '<='} champion {sign} {bound.min_change:g}"
        if champion is None:
            out.append({"rule": rule, "passed": None, "note": "no champion to compare with: skipped"})
        else:
            change = (_dec(value) - _dec(champion)) if greater else (_dec(champion) - _dec(value))
            out.append({"rule": rule, "passed": value is not None and change >= _dec(bound.min_change)})
    return out


def _dec(value: float | None) -> Decimal:
    return Decimal(str(value if value is not None else "NaN"))


def passed(checks: list[dict[str, Any]]) -> bool:
    return all(c["passed"] is not False for c in checks)
