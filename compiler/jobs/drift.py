"""mlops.jobs.drift: per-column drift of live inputs against the baseline, with Evidently; replaces the
hand-written PSI of mlops.emit.k8s.drift_program (same Pushgateway job and metric names).

    python -m mlops.jobs.drift --baseline PATH --live PATH --out DIR [--contract FILE] [--columns A,B]
        [--method auto|psi|ks|wasserstein|jensenshannon] [--threshold X] [--min-rows N] [--prediction COL]
        [--features A,B] [--pushgateway URL --model M --namespace NS] [--exit-zero]

Columns and their kinds come from the contract (`--contract`, the model's ODCS contract): integer and number are
numerical unless the contract lists their values, string and boolean categorical; timestamps and unique columns
(identifiers) are skipped. Without a contract, pandas dtypes decide. Only columns in both tables are compared.

The method, per column (Evidently 0.7.23, evidently/legacy/calculations/stattests/: distances drift at `score >=
threshold` (psi.py:56, jensenshannon.py:60, wasserstein_distance_norm.py:52), ks at `p_value <= threshold`
(ks_stattest.py:50), chi-square and z at `p_value < threshold`; auto = registry.py:137 `_get_default_stattest`):

| --method      | numerical column        | categorical column                  | drifted when                        |
|---------------|-------------------------|-------------------------------------|-------------------------------------|
| psi           | psi                     | psi                                 | score >= threshold                  |
| jensenshannon | jensenshannon           | jensenshannon                       | score >= threshold                  |
| wasserstein   | wasserstein (normed)    | jensenshannon (wasserstein is       | score >= threshold                  |
|               |                         | numerical only)                     |                                     |
| ks            | ks                      | chisquare (ks is numerical only;    | p-value <= threshold: `--threshold` |
|               |                         | chi-square is a p-value test too)   | is a p-value for ks                 |
| auto          | Evidently's choice: ks / chisquare / z for a baseline of <= 1000 rows, wasserstein / jensenshannon |
|               | above; `--threshold` applies to the distances, the p-value tests keep their own 0.05           |

Without `--threshold`, each test's Evidently default applies (psi/jensenshannon/wasserstein 0.1, p-values 0.05).
Live records may be logged inference events (mlops.jobs.records). When they hold several segments (variants, or
a canary's revisions: records.segments), each with at least `--min-rows` rows is also compared with the baseline
on its own.

Metrics (Pushgateway job `mlops-drift`, grouping namespace/model; a segment's series carry `variant` and
`revision`):
mlops_drift_score (the largest distance among the columns a distance measured; absent when every column got a
p-value test), mlops_drift_feature_score{feature, method} (Evidently's score: a distance, or a p-value for
ks/chisquare/z), mlops_drift_feature_drifted{feature, method}, mlops_drift_detected (1 when any column drifted: the
one to alert on, whatever the method), mlops_drift_share, mlops_drift_columns_drifted, mlops_drift_columns,
mlops_drift_live_rows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.jobs import common, odcs, records
from mlops.jobs.common import BadInput

if TYPE_CHECKING:
    import pandas as pd

JOB = "mlops-drift"
METHODS = ("auto", "psi", "ks", "wasserstein", "jensenshannon")
CATEGORICAL_FOR = {"psi": "psi", "jensenshannon": "jensenshannon", "wasserstein": "jensenshannon", "ks": "chisquare"}
P_VALUE_TESTS = frozenset({"ks", "chisquare", "z"})


def arguments() -> common.Parser:
    p = common.parser("drift", "Per-column drift of live inputs against the baseline (Evidently).")
    p.add_argument("--baseline", required=True, type=Path, help="reference data (file or folder)")
    p.add_argument("--live", required=True, type=Path, help="live records (file or folder)")
    p.add_argument("--contract", type=Path, help="the model's ODCS contract: which columns, of which kind")
    p.add_argument("--columns", default="", help="only these columns, comma-separated")
    p.add_argument("--method", choices=METHODS, default="auto")
    p.add_argument("--threshold", type=float, help="see the table in the module docs (a p-value for ks)")
    p.add_argument("--min-rows", type=int, default=30, help="fewer live rows (per segment) are not compared")
    p.add_argument("--prediction", default="prediction", help="logged inference events: the prediction column")
    p.add_argument("--features", default="", help="logged 2-D input tensors: their column names")
    return p


def kinds(baseline: pd.DataFrame, live: pd.DataFrame, args: argparse.Namespace) -> dict[str, str]:
    """column -> num | cat, for the columns to compare."""
    if args.contract is not None:
        declared = {c.name: _kind(c) for c in odcs.columns(odcs.load(args.contract))}
    else:
        declared = {str(c): _dtype_kind(baseline[c]) for c in baseline.columns}
    wanted = [c.strip() for c in args.columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in declared]
    if unknown:
        raise BadInput(f"--columns names {', '.join(map(repr, unknown))}, which the baseline/contract does not have")
    chosen = {c: k for c, k in declared.items() if k and (not wanted or c in wanted)}
    out = {c: k for c, k in chosen.items() if c in baseline.columns and c in live.columns}
    if not out:
        raise BadInput("no column to compare: none of the declared columns is in both the baseline and the live data")
    return out


def _kind(column: odcs.Column) -> str | None:
    if column.unique or column.logical_type in ("timestamp", "date", "time", "object", "array"):
        return None
    if column.logical_type in ("integer", "number") and not column.enumerated:
        return "num"
    return "cat"


def _dtype_kind(series: pd.Series) -> str | None:
    kind = series.dtype.kind
    return "num" if kind in "iuf" else None if kind in "mM" else "cat"


def plan(baseline: pd.DataFrame, live: pd.DataFrame, columns: dict[str, str], method: str,
         threshold: float | None) -> dict[str, tuple[str, float]]:
    """column -> (Evidently stattest name, threshold)."""
    from evidently.legacy.calculations.stattests.registry import get_stattest
    from evidently.legacy.core import ColumnType

    out = {}
    for column, kind in columns.items():
        feature_type = ColumnType.Numerical if kind == "num" else ColumnType.Categorical
        name = method if kind == "num" else CATEGORICAL_FOR.get(method, method)
        test = get_stattest(baseline[column], live[column], feature_type, None if method == "auto" else name)
        own = threshold if threshold is not None and not (method == "auto" and test.name in P_VALUE_TESTS) else None
        out[column] = (test.name, own if own is not None else test.default_threshold)
    return out


def compare(baseline: pd.DataFrame, live: pd.DataFrame, columns: dict[str, str],
            chosen: dict[str, tuple[str, float]]) -> dict[str, Any]:
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift

    definition = DataDefinition(numerical_columns=[c for c, k in columns.items() if k == "num"],
                                categorical_columns=[c for c, k in columns.items() if k == "cat"])
    frames = [Dataset.from_pandas(f[list(columns)], data_definition=definition) for f in (live, baseline)]
    report = Report([ValueDrift(column=c, method=m, threshold=t) for c, (m, t) in chosen.items()], include_tests=True)
    try:
        result = report.run(*frames).dict()
    except Exception as error:      # Evidently rejects data it cannot test (e.g. all values missing)
        raise BadInput(f"Evidently could not compare the data: {common.one_line(error)}") from error
    scores = {m["config"]["column"]: m["value"] for m in result["metrics"]
              if m["config"].get("type") == "evidently:metric_v2:ValueDrift"}
    failed = {t["metric_config"]["params"]["column"] for t in result["tests"] if str(t["status"]).endswith("FAIL")}
    per_column = {c: {"kind": columns[c], "method": m, "threshold": t, "score": scores.get(c), "drifted": c in failed,
                      "direction": "p-value <=" if m in P_VALUE_TESTS else "score >="}
                  for c, (m, t) in chosen.items()}
    drifted = sorted(c for c, v in per_column.items() if v["drifted"])
    distances = [v["score"] for v in per_column.values() if v["direction"] == "score >=" and v["score"] is not None]
    return {"rows": len(live), "columns": per_column, "drifted": drifted, "detected": bool(drifted),
            "share": len(drifted) / len(per_column), "score": max(distances) if distances else None}


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    features = tuple(f for f in args.features.split(",") if f)
    baseline = common.read_table(args.baseline)
    live = records.rows(common.read_table(args.live), args.prediction, features)
    columns = kinds(baseline, live, args)
    if len(live) < args.min_rows:
        raise BadInput(f"{args.live}: {len(live)} live rows, fewer than --min-rows {args.min_rows}")
    chosen = plan(baseline, live, columns, args.method, args.threshold)
    out: dict[str, Any] = {"program": "drift", "method": args.method, "threshold": args.threshold,
                           "baseline": {"path": str(args.baseline), "rows": len(baseline)},
                           "live": {"path": str(args.live)}, **compare(baseline, live, columns, chosen),
                           "skipped": sorted(set(baseline.columns) & set(live.columns) - set(columns)
                                             - set(records.SEGMENTS)),
                           "segments": [{"labels": labels, **compare(baseline, rows, columns, chosen)}
                                        for labels, rows in records.segments(live, args.min_rows)]}
    return out


def markdown(out: dict[str, Any]) -> str:
    state = f"**drift in {len(out['drifted'])} of {len(out['columns'])} columns**" if out["detected"] else "no drift"
    rows = [(c, v["kind"], v["method"], v["score"], f"{v['direction']} {v['threshold']:g}", v["drifted"])
            for c, v in sorted(out["columns"].items())]
    lines = [f"### Drift: {state}", "", f"{out['rows']:,} live rows against {out['baseline']['rows']:,} baseline rows "
             f"(`{out['baseline']['path']}`), method {out['method']}.", "",
             common.table(["column", "kind", "test", "score", "drifted when", "drifted"], rows)]
    for result in out["segments"]:
        lines += ["", f"{common.segment_name(result['labels'])} ({result['rows']:,} rows): "
                  + (", ".join(result["drifted"]) + " drifted" if result["detected"] else "no drift")]
    return "\n".join(lines)


def metrics(out: dict[str, Any]) -> common.Metrics:
    m = common.Metrics(JOB)
    for result in [out, *out["segments"]]:
        where = result.get("labels", {})
        m.set("mlops_drift_score", "The largest drift distance over the columns (psi, jensenshannon, wasserstein).",
              result["score"], **where)
        m.set("mlops_drift_detected", "1 when at least one column drifted, else 0.", result["detected"], **where)
        m.set("mlops_drift_share", "Share of the compared columns that drifted.", result["share"], **where)
        m.set("mlops_drift_columns_drifted", "Columns that drifted.", len(result["drifted"]), **where)
        m.set("mlops_drift_columns", "Columns compared.", len(result["columns"]), **where)
        m.set("mlops_drift_live_rows", "Live rows compared with the baseline.", result["rows"], **where)
        for column, v in result["columns"].items():
            labels = {"feature": column, "method": v["method"], **where}
            m.set("mlops_drift_feature_score", "A column's drift score (a p-value for ks, chisquare and z).",
                  v["score"], **labels)
            m.set("mlops_drift_feature_drifted", "1 when the column drifted, else 0.", v["drifted"], **labels)
    return m


def main(args: argparse.Namespace) -> int:
    out = evaluate(args)
    common.write_reports(args.out, out, markdown(out))
    print(f"{JOB}: {'drift in ' + ', '.join(out['drifted']) if out['detected'] else 'no drift'} "
          f"({len(out['columns'])} columns, {out['rows']} live rows)")
    return common.outcome(args, not out["detected"], common.publish(metrics(out), args))


def cli(argv: Sequence[str] | None = None) -> int:
    return common.cli("drift", arguments(), main, argv)


if __name__ == "__main__":
    sys.exit(cli())
