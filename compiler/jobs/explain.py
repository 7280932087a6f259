"""mlops.jobs.explain: global SHAP attributions on live rows and on the training data, and how far each
feature's share of attribution moved.

    python -m mlops.jobs.explain --artifact PATH --baseline PATH --live PATH --out DIR
        [--method tree-shap|kernel-shap] [--sample N] [--alert-on-shift X] [--min-share X] [--background N]
        [--kernel-samples N] [--features A,B] [--exclude A,B] [--prediction COL] [--seed N]
        [--pushgateway URL --model M --namespace NS] [--exit-zero]

`--artifact` is the served model (mlops.jobs.models: the files MLServer serves). Up to `--sample` rows of each
table (seeded) are explained: tree-shap is SHAP's TreeExplainer (tree models: xgboost, lightgbm, scikit-learn
forests and boosting; attributions in the model's margin space), kernel-shap its KernelExplainer (any model,
slow: `--background` baseline rows summarise the data, and `--kernel-samples` bounds the evaluations per row).

A feature's share is its mean |SHAP| over the sum of all features' (shares add up to 1). Its shift is
|share_live - share_baseline| / max(share_baseline, --min-share): the relative move, with a floor so a feature
carrying ~0 attribution cannot alert by moving from 0.001 to 0.002. The alert is the largest shift above
`--alert-on-shift` (the spec's alertOnShift: 0.3 = 30%).

Metrics (Pushgateway job `mlops-explain`): mlops_explain_feature_share{feature, dataset=live|baseline},
mlops_explain_feature_shift{feature}, mlops_explain_max_shift, mlops_explain_shift_alert, mlops_explain_rows{dataset}.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.jobs import common, models, records
from mlops.jobs.common import BadInput

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

JOB = "mlops-explain"


def arguments() -> common.Parser:
    p = common.parser("explain", "SHAP attributions on live and training data, and their shift.")
    p.add_argument("--artifact", required=True, type=Path, help="the model to explain (file or folder)")
    p.add_argument("--baseline", required=True, type=Path, help="the training data (file or folder)")
    p.add_argument("--live", required=True, type=Path, help="live records (file or folder)")
    p.add_argument("--method", choices=("tree-shap", "kernel-shap"), default="tree-shap")
    p.add_argument("--sample", type=int, default=1000, help="rows explained per table")
    p.add_argument("--alert-on-shift", type=float, default=0.3, help="alert above this relative share move")
    p.add_argument("--min-share", type=float, default=0.01, help="floor of the baseline share in the shift")
    p.add_argument("--background", type=int, default=50, help="kernel-shap: baseline rows as background")
    p.add_argument("--kernel-samples", type=int, default=200, help="kernel-shap: model evaluations per row")
    p.add_argument("--features", default="", help="the model's input columns (default: what the model says)")
    p.add_argument("--exclude", default="", help="columns that are not features")
    p.add_argument("--prediction", default="prediction", help="the prediction column of live records")
    p.add_argument("--seed", type=int, default=0)
    return p


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def attributions(model: models.Model, frame: pd.DataFrame, method: str, background: pd.DataFrame,
                 args: argparse.Namespace) -> np.ndarray:
    """|SHAP| per row and feature (n, f): class 1's for a classifier whose explainer returns both classes."""
    import numpy as np
    import shap

    try:
        if method == "tree-shap":
            values = shap.TreeExplainer(model.obj).shap_values(_tree_input(model, frame))
        else:
            dtypes = frame.dtypes.to_dict()

            def predict(x: Any) -> Any:
                return model.scores(_frame(x, list(frame.columns), dtypes))

            explainer = shap.KernelExplainer(predict, background, seed=args.seed)
            values = explainer.shap_values(frame, nsamples=args.kernel_samples, silent=True)
    except BadInput:
        raise
    except Exception as error:    # SHAP raises many types for models it cannot explain
        hint = " (try --method kernel-shap)" if method == "tree-shap" else ""
        raise BadInput(f"SHAP {method} cannot explain {model.path}: {common.one_line(error)}{hint}") from error
    array = np.asarray(values[-1] if isinstance(values, list) else values, dtype=float)
    return np.asarray(np.abs(array[..., -1] if array.ndim == 3 else array), dtype=float)


def _tree_input(model: models.Model, frame: pd.DataFrame) -> Any:
    if model.kind == "xgboost-booster":
        import xgboost

        return xgboost.DMatrix(frame, enable_categorical=True)
    return frame


def _frame(x: Any, columns: list[str], dtypes: dict[Any, Any]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(x, columns=columns).astype(dtypes)


def shares(values: np.ndarray, features: list[str]) -> dict[str, float]:
    mean = values.mean(axis=0)
    total = float(mean.sum())
    return {f: (float(v) / total if total > 0 else 0.0) for f, v in zip(features, mean, strict=True)}


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    model = models.load(args.artifact)
    baseline = common.read_table(args.baseline)
    live = records.rows(common.read_table(args.live), args.prediction, _list(args.features))
    exclude = (args.prediction, "request_id", "row", "variant", *_list(args.exclude))
    features = models.features(model, baseline, _list(args.features), exclude)
    common.require_columns(live, features, f"live records {args.live}")
    if args.sample < 1:
        raise BadInput("--sample must be at least 1")
    base_rows = baseline[features].sample(min(args.sample, len(baseline)), random_state=args.seed)
    live_rows = live[features].sample(min(args.sample, len(live)), random_state=args.seed)
    background = baseline[features].sample(min(args.background, len(baseline)), random_state=args.seed + 1)
    base = shares(attributions(model, base_rows, args.method, background, args), features)
    now = shares(attributions(model, live_rows, args.method, background, args), features)
    shift = {f: abs(now[f] - base[f]) / max(base[f], args.min_share) for f in features}
    top = max(shift, key=lambda f: shift[f])
    return {"program": "explain", "method": args.method, "model": str(model.path),
            "rows": {"baseline": len(base_rows), "live": len(live_rows)},
            "features": {f: {"baseline": base[f], "live": now[f], "shift": shift[f]} for f in features},
            "max_shift": {"feature": top, "shift": shift[top]}, "alert_on_shift": args.alert_on_shift,
            "alert": shift[top] > args.alert_on_shift}


def markdown(out: dict[str, Any]) -> str:
    limit = out["alert_on_shift"]
    moved = [f for f, v in out["features"].items() if v["shift"] > limit]
    state = f"**attribution shifted** ({', '.join(sorted(moved))} beyond {limit:.0%})" if moved else "attributions hold"
    # largest move in share first: the feature that lost or gained most of the explanation leads, not the one
    # whose tiny share doubled
    ordered = sorted(out["features"].items(), key=lambda kv: (-abs(kv[1]["live"] - kv[1]["baseline"]), kv[0]))
    rows = [(f, v["baseline"], v["live"], f"{'+' if v['live'] >= v['baseline'] else '-'}{v['shift']:.0%}")
            for f, v in ordered]
    return "\n".join([f"### Explanations: {state}", "", f"SHAP ({out['method']}) on {out['rows']['live']:,} live "
                      f"and {out['rows']['baseline']:,} training rows; alert above {out['alert_on_shift']:.0%}.", "",
                      common.table(["feature", "training share", "live share", "shift"], rows)])


def metrics(out: dict[str, Any]) -> common.Metrics:
    m = common.Metrics(JOB)
    for feature, v in out["features"].items():
        for dataset in ("baseline", "live"):
            m.set("mlops_explain_feature_share", "A feature's share of mean |SHAP| attribution.", v[dataset],
                  feature=feature, dataset=dataset)
        m.set("mlops_explain_feature_shift", "Relative move of a feature's share, live vs training.", v["shift"],
              feature=feature)
    m.set("mlops_explain_max_shift", "The largest relative move of a feature's share.", out["max_shift"]["shift"])
    m.set("mlops_explain_shift_alert", "1 when the largest move is above alertOnShift, else 0.", out["alert"])
    for dataset, rows in out["rows"].items():
        m.set("mlops_explain_rows", "Rows explained.", rows, dataset=dataset)
    return m


def main(args: argparse.Namespace) -> int:
    out = evaluate(args)
    common.write_reports(args.out, out, markdown(out))
    top = out["max_shift"]
    print(f"{JOB}: largest shift {top['feature']} {top['shift']:.0%}" + (" (alert)" if out["alert"] else ""))
    return common.outcome(args, not out["alert"], common.publish(metrics(out), args))


def cli(argv: Sequence[str] | None = None) -> int:
    return common.cli("explain", arguments(), main, argv)


if __name__ == "__main__":
    sys.exit(cli())
