"""Fairness across protected groups with Fairlearn, for the gate (holdout) and the fairness monitor (live).

Metric names are the spec's (`demographicParityDifference`, `demographicParityRatio`, `equalizedOddsDifference`,
`equalizedOddsRatio`); Fairlearn's snake_case names are accepted too. Definitions are Fairlearn 0.15.0's with
`method="between_groups"`: a difference is max - min over groups, a ratio min / max; equalized odds takes the
worse of the true- and false-positive rates (`agg="worst_case"`).

Scores are cut at the decision threshold first: Fairlearn's selection_rate counts `y_pred == pos_label` (1) and
silently accepts scores (fairlearn 0.15.0 fairlearn/metrics/_base_metrics.py:299). Groups with fewer than
`min_group_size` rows are dropped before comparing (too few to judge); with fewer than two groups left, the
metric is not measured (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops.jobs.common import BadInput

if TYPE_CHECKING:
    import pandas as pd

# spec name -> (Fairlearn base metrics, difference | ratio, needs true labels)
FAIRNESS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "demographicParityDifference": (("selection_rate",), "difference", False),
    "demographicParityRatio": (("selection_rate",), "ratio", False),
    "equalizedOddsDifference": (("true_positive_rate", "false_positive_rate"), "difference", True),
    "equalizedOddsRatio": (("true_positive_rate", "false_positive_rate"), "ratio", True),
}
SNAKE = {"demographic_parity_difference": "demographicParityDifference",
         "demographic_parity_ratio": "demographicParityRatio",
         "equalized_odds_difference": "equalizedOddsDifference", "equalized_odds_ratio": "equalizedOddsRatio"}


def canonical(name: str) -> str:
    spec = SNAKE.get(name, name)
    if spec not in FAIRNESS:
        raise BadInput(f"unknown fairness metric {name!r}: expected one of {', '.join(FAIRNESS)}")
    return spec


def greater_is_better(name: str) -> bool:
    return FAIRNESS[canonical(name)][1] == "ratio"      # 1 = equal for ratios, 0 = equal for differences


def needs_labels(names: Sequence[str]) -> bool:
    return any(FAIRNESS[canonical(n)][2] for n in names)


@dataclass(frozen=True)
class Groups:
    """One protected attribute's groups: per group its size and rates, and which were left out."""

    attribute: str
    by_group: dict[str, dict[str, float]]     # group -> {count, selection_rate[, true/false_positive_rate]}
    dropped: tuple[str, ...]
    values: dict[str, float | None]           # spec metric name -> value over the kept groups


def measure(y_true: Any, y_pred: Any, sensitive: pd.Series, names: Sequence[str], min_group_size: int) -> Groups:
    """The fairness metrics `names` of the labels `y_pred` (0/1) across the groups of `sensitive`."""
    import numpy as np
    from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate

    labels = needs_labels(names)
    fns: dict[str, Any] = {"count": count, "selection_rate": selection_rate}
    if labels:
        fns |= {"true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate}
    groups = sensitive.astype(object).where(sensitive.notna(), "(missing)").astype(str)
    truth = np.asarray(y_true if labels else y_pred)
    frame = MetricFrame(metrics=fns, y_true=truth, y_pred=np.asarray(y_pred), sensitive_features=groups)
    table: pd.DataFrame = frame.by_group
    sizes = table["count"]
    kept = [str(g) for g in table.index if sizes[g] >= min_group_size]
    dropped = tuple(str(g) for g in table.index if sizes[g] < min_group_size)
    values: dict[str, float | None] = {}
    for name in names:
        base, kind, _ = FAIRNESS[canonical(name)]
        values[canonical(name)] = _value(table.loc[kept, list(base)], kind) if len(kept) >= 2 else None
    by_group = {str(g): {k: float(v) for k, v in row.items()} for g, row in table.iterrows()}
    return Groups(str(sensitive.name), by_group, dropped, values)


def _value(rates: pd.DataFrame, kind: str) -> float | None:
    """Fairlearn's between_groups difference / ratio, worst case over the base metrics."""
    import math

    results = []
    for column in rates.columns:
        top, bottom = float(rates[column].max()), float(rates[column].min())
        if math.isnan(top) or math.isnan(bottom):
            return None
        if kind == "difference":
            results.append(top - bottom)
        else:
            results.append(bottom / top if top > 0 else 1.0)   # every group at 0: equal
    return max(results) if kind == "difference" else min(results)


def cut(scores: Any, threshold: float) -> Any:
    import numpy as np

    return (np.asarray(scores, dtype=float) >= threshold).astype(int)
