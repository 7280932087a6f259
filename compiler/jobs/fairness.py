"""mlops.jobs.fairness: fairness of live predictions across protected groups (Fairlearn), against the spec's
bounds.

    python -m mlops.jobs.fairness --live PATH --protected A,B --thresholds FILE --out DIR
        [--prediction COL] [--label COL] [--labels PATH] [--join-on COLS] [--min-group-size N]
        [--decision-threshold T] [--features A,B] [--pushgateway URL --model M --namespace NS] [--exit-zero]

`--thresholds` is the JSON of mlops.jobs.scoring; its `fairness` object holds the bounds (`max` for differences,
`min` for ratios; see mlops.jobs.parity for the definitions). Predictions (`--prediction`, data.prediction) are
cut at `--decision-threshold`. Equalized odds needs the true outcome: `--label` in the live rows, or `--labels`
(a file or folder with the label, joined on `--join-on`, default request_id). Only labelled rows count for
equalized odds; demographic parity uses every row with a prediction. Groups with fewer than `--min-group-size`
such rows are left out; a metric with fewer than two groups left is "not measured" (no alert, no sample).

Metrics (Pushgateway job `mlops-fairness`): mlops_fairness_metric{metric, attribute}, mlops_fairness_metric_passed
{metric, attribute}, mlops_fairness_passed (1 when every measured bound holds), mlops_fairness_rows,
mlops_fairness_group_rows{attribute, group} and mlops_fairness_group_positive_rate{attribute, group} (kept groups
only: their number is bounded by the group size), mlops_fairness_groups_dropped{attribute}.

Each segment of the live rows (a variant, a canary's revision: mlops.jobs.records.segments) with at least
`--min-group-size` rows is also measured on its own: its series carry `variant` and `revision`, and the run passes
only when the whole and every segment do (the alert takes the least `mlops_fairness_passed`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.jobs import common, parity, records, scoring
from mlops.jobs.common import BadInput

if TYPE_CHECKING:
    import pandas as pd

JOB = "mlops-fairness"


def arguments() -> common.Parser:
    p = common.parser("fairness", "Fairness of live predictions across protected groups (Fairlearn).")
    p.add_argument("--live", required=True, type=Path, help="live records (file or folder)")
    p.add_argument("--protected", required=True, help="protected columns, comma-separated")
    p.add_argument("--thresholds", required=True, type=Path, help="JSON with the `fairness` bounds")
    p.add_argument("--prediction", default="prediction", help="the column holding the model's output")
    p.add_argument("--label", help="the column holding the true outcome (needed for equalized odds)")
    p.add_argument("--labels", type=Path, help="labels arriving apart from the records (file or folder)")
    p.add_argument("--join-on", default="request_id", help="columns joining --labels to the records")
    p.add_argument("--min-group-size", type=int, default=100, help="smaller groups are left out")
    p.add_argument("--decision-threshold", type=float, default=0.5, help="predictions at or above it count as 1")
    p.add_argument("--features", default="", help="logged 2-D input tensors: their column names")
    return p


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def labelled(args: argparse.Namespace) -> pd.DataFrame:
    live = records.rows(common.read_table(args.live), args.prediction, tuple(_list(args.features)))
    if args.labels is not None:
        if not args.label:
            raise BadInput("--labels needs --label (the column holding the outcome)")
        keys = _list(args.join_on)
        labels = common.read_table(args.labels)
        common.require_columns(labels, [*keys, args.label], f"labels {args.labels}")
        common.require_columns(live, keys, f"live records {args.live}")
        live = live.drop(columns=[args.label], errors="ignore").merge(
            labels[[*keys, args.label]].drop_duplicates(keys, keep="last"), on=keys, how="left")
    common.require_columns(live, [args.prediction, *_list(args.protected)], f"live records {args.live}")
    return live[live[args.prediction].notna()]


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    bounds = scoring.load_thresholds(args.thresholds)["fairness"]
    if not bounds:
        raise BadInput(f"{args.thresholds}: no `fairness` bounds to check")
    names = [parity.canonical(b.metric) for b in bounds]
    live = labelled(args)
    if parity.needs_labels(names):
        if not args.label or args.label not in live.columns:
            raise BadInput("equalized odds needs the true outcome: give --label (and --labels if it arrives apart)")
        live = live[live[args.label].notna()]
    if live.empty:
        raise BadInput("no live row has a prediction" + (" and a label" if parity.needs_labels(names) else ""))
    # a segment smaller than one group has no group to measure
    segments: list[dict[str, Any]] = [
        {"labels": labels, "rows": len(rows), "results": measure(rows, bounds, names, args)}
        for labels, rows in records.segments(live, args.min_group_size)]
    results = measure(live, bounds, names, args)
    return {"program": "fairness", "live": {"path": str(args.live), "rows": len(live)},
            "decision_threshold": args.decision_threshold, "min_group_size": args.min_group_size,
            "results": results, "segments": segments,
            "passed": holds(results) and all(holds(s["results"]) for s in segments)}


def measure(live: pd.DataFrame, bounds: list[scoring.Bound], names: list[str], args: argparse.Namespace
            ) -> list[dict[str, Any]]:
    """Each bound on each protected attribute, measured on `live`."""
    y_pred = parity.cut(live[args.prediction], args.decision_threshold)
    y_true = live[args.label].astype(float).to_numpy() if parity.needs_labels(names) else y_pred
    results = []
    for attribute in _list(args.protected):
        groups = parity.measure(y_true, y_pred, live[attribute], names, args.min_group_size)
        for bound, name in zip(bounds, names, strict=True):
            value = groups.values[name]
            rules = scoring.rules(bound, value, None, parity.greater_is_better(name)) if value is not None else []
            results.append({"metric": name, "attribute": attribute, "value": value, "rules": rules,
                            "passed": scoring.passed(rules) if value is not None else None,
                            "groups": groups.by_group, "dropped": list(groups.dropped)})
    return results


def holds(results: list[dict[str, Any]]) -> bool:
    """No measured bound is crossed (an unmeasured one crosses nothing)."""
    return all(r["passed"] is not False for r in results)


def markdown(out: dict[str, Any]) -> str:
    state = "every measured bound holds" if out["passed"] else "**a bound is crossed**"
    lines = [f"### Fairness: {state}", "", f"{out['live']['rows']:,} live rows; groups under "
             f"{out['min_group_size']} rows left out.", "", _table(out["results"])]
    for segment in out["segments"]:
        lines += ["", f"{common.segment_name(segment['labels'])} ({segment['rows']:,} rows):", "",
                  _table(segment["results"])]
    return "\n".join(lines)


def _table(results: list[dict[str, Any]]) -> str:
    rows = [(r["metric"], r["attribute"], r["value"], "; ".join(x["rule"] for x in r["rules"]) or "—",
             "not measured" if r["passed"] is None else "pass" if r["passed"] else "**fail**") for r in results]
    return common.table(["metric", "attribute", "value", "bound", "result"], rows)


def metrics(out: dict[str, Any]) -> common.Metrics:
    m = common.Metrics(JOB)
    for part in [{"labels": {}, "rows": out["live"]["rows"], "results": out["results"]}, *out["segments"]]:
        _part_metrics(m, part["labels"], part["rows"], part["results"])
    return m


def _part_metrics(m: common.Metrics, segment: dict[str, str], rows: int, results: list[dict[str, Any]]) -> None:
    """The whole live set's series (no segment labels), or one segment's (`variant`, `revision`)."""
    m.set("mlops_fairness_passed", "1 when every measured fairness bound holds, else 0.", holds(results), **segment)
    m.set("mlops_fairness_rows", "Live rows the fairness metrics were measured on.", rows, **segment)
    for r in results:
        where = {"metric": r["metric"], "attribute": r["attribute"], **segment}
        m.set("mlops_fairness_metric", "A fairness metric across the groups of a protected attribute.", r["value"],
              **where)
        m.set("mlops_fairness_metric_passed", "1 when the metric is within its bound, else 0.",
              None if r["passed"] is None else r["passed"], **where)
    for attribute, r in {r["attribute"]: r for r in results}.items():
        m.set("mlops_fairness_groups_dropped", "Groups left out for having too few rows.", len(r["dropped"]),
              attribute=attribute, **segment)
        for group, stats in r["groups"].items():
            if group not in r["dropped"]:
                m.set("mlops_fairness_group_rows", "Rows of a protected group.", stats["count"],
                      attribute=attribute, group=group, **segment)
                m.set("mlops_fairness_group_positive_rate", "Share of a group's predictions that are positive.",
                      stats["selection_rate"], attribute=attribute, group=group, **segment)


def main(args: argparse.Namespace) -> int:
    out = evaluate(args)
    common.write_reports(args.out, out, markdown(out))
    crossed = [f"{r['metric']} across {r['attribute']}" + (f" ({common.segment_name(part['labels'])})"
                                                           if part["labels"] else "")
               for part in [{"labels": {}, "results": out["results"]}, *out["segments"]]
               for r in part["results"] if r["passed"] is False]
    print(f"{JOB}: " + ("bound crossed: " + ", ".join(crossed) if crossed else "within bounds"))
    return common.outcome(args, out["passed"], common.publish(metrics(out), args))


def cli(argv: Sequence[str] | None = None) -> int:
    return common.cli("fairness", arguments(), main, argv)


if __name__ == "__main__":
    sys.exit(cli())
