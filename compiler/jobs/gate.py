"""mlops.jobs.gate: the candidate against the champion on the holdout; a verdict the retraining workflow
branches on, and a report that becomes the pull request's body.

    python -m mlops.jobs.gate --candidate PATH --holdout PATH --label COL --out DIR
        [--champion PATH] [--thresholds FILE] [--protected A,B] [--min-group-size N] [--decision-threshold T]
        [--features A,B] [--exclude A,B] [--data-check REPORT] [--data-checks required|warn|off]
        [--candidate-name TEXT] [--champion-name TEXT] [--run-started RFC3339]
        [--pushgateway URL --model M --namespace NS] [--exit-zero]

Models: mlops.jobs.models (files and folders MLServer serves). Thresholds: mlops.jobs.scoring (MLflow's
semantics; a `minChange` without `--champion` is skipped). Fairness: mlops.jobs.parity on the candidate's
scores cut at `--decision-threshold`, per protected column; a bound that cannot be measured (fewer than two
groups of `--min-group-size` rows) fails the gate: the candidate has not shown it keeps it.
`--data-check` is the datacheck job's report.json: with `--data-checks required` (the default when it is
given) a failed or missing data check fails the gate, `warn` only notes it, `off` ignores it.

Writes report.json and report.md (the verdict, then metrics, fairness and the data check as tables).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from mlops.jobs import common, gate_report, models, parity, scoring
from mlops.jobs.common import BadInput

JOB = "mlops-gate"
CONTEXT = {"classification": ("roc_auc", "log_loss", "accuracy"), "regression": ("rmse", "mae", "r2")}


def arguments() -> common.Parser:
    p = common.parser("gate", "Compare a candidate model with the champion on the holdout data.")
    p.add_argument("--candidate", required=True, type=Path, help="the candidate model (file or folder)")
    p.add_argument("--champion", type=Path, help="the model served now (file or folder); none for a first model")
    p.add_argument("--holdout", required=True, type=Path, help="the holdout data (file or folder)")
    p.add_argument("--label", required=True, help="the column holding the true outcome")
    p.add_argument("--thresholds", type=Path, help="JSON: {metrics: {...}, fairness: {...}} (the spec's gate)")
    p.add_argument("--protected", default="", help="protected columns, comma-separated")
    p.add_argument("--min-group-size", type=int, default=1, help="smaller groups are left out of fairness")
    p.add_argument("--decision-threshold", type=float, default=0.5, help="scores at or above it count as 1")
    p.add_argument("--features", default="", help="the models' input columns (default: what each model says)")
    p.add_argument("--exclude", default="", help="columns that are not features (the label always is not)")
    p.add_argument("--data-check", type=Path, help="the datacheck job's report.json for the training data")
    p.add_argument("--data-checks", choices=("required", "warn", "off"), help="how the data check counts")
    p.add_argument("--candidate-name", help="how the report names the candidate (e.g. its artifact URI)")
    p.add_argument("--champion-name", help="how the report names the champion")
    # Argo's {{workflow.creationTimestamp}} is RFC 3339, e.g. 2018-08-23T05:42:49Z (argoproj/argo-workflows
    # docs/variables.md, "Global"): `mlops propose` takes the newest run by it rather than by a file's mtime.
    p.add_argument("--run-started", help="when the run started (RFC 3339), written to the report")
    return p


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def score(model: models.Model, holdout: Any, args: argparse.Namespace) -> Any:
    exclude = (args.label, *_list(args.exclude))
    return model.scores(holdout[models.features(model, holdout, _list(args.features), exclude)])


def measure_metrics(bounds: list[scoring.Bound], task: str, y: Any, cand: Any, champ: Any | None,
                    cut_at: float) -> list[dict[str, Any]]:
    wanted = {b.metric: b for b in bounds}
    names = list(wanted) + [n for n in CONTEXT[task] if n not in wanted]
    out = []
    for name in names:
        metric = scoring.metric(name, task)
        values = [_value(metric, y, s, cut_at) if s is not None else None for s in (cand, champ)]
        bound = wanted.get(name)
        rules = scoring.rules(bound, values[0], values[1], metric.greater_is_better) if bound else []
        change = values[0] - values[1] if None not in values else None   # type: ignore[operator]
        out.append({"metric": name, "greater_is_better": metric.greater_is_better, "candidate": values[0],
                    "champion": values[1], "change": change, "gated": bound is not None, "rules": rules,
                    "passed": scoring.passed(rules)})
    return out


def _value(metric: scoring.Metric, y: Any, scores: Any, cut_at: float) -> float | None:
    import math

    try:
        value = metric.fn(y, parity.cut(scores, cut_at) if metric.uses == "label" else scores)
    except ValueError:          # e.g. roc_auc on a holdout with one class
        return None
    return value if math.isfinite(value) else None


def measure_fairness(bounds: list[scoring.Bound], holdout: Any, args: argparse.Namespace, y: Any, cand: Any,
                     champ: Any | None) -> list[dict[str, Any]]:
    protected = _list(args.protected)
    if bounds and not protected:
        raise BadInput("fairness thresholds need --protected columns")
    common.require_columns(holdout, protected, f"holdout {args.holdout}")
    names = [parity.canonical(b.metric) for b in bounds]
    out = []
    for attribute in protected:
        per_model = [parity.measure(y, parity.cut(s, args.decision_threshold), holdout[attribute], names,
                                    args.min_group_size) if s is not None else None for s in (cand, champ)]
        for bound, name in zip(bounds, names, strict=True):
            value = per_model[0].values[name] if per_model[0] else None
            champion = per_model[1].values[name] if per_model[1] else None
            rules = scoring.rules(bound, value, champion, parity.greater_is_better(name))
            note = None if value is not None else (f"not measurable: fewer than two {attribute} groups with "
                                                   f"at least {args.min_group_size} rows")
            out.append({"metric": name, "attribute": attribute, "candidate": value, "champion": champion,
                        "rules": rules, "passed": scoring.passed(rules) and value is not None, "note": note,
                        "groups": per_model[0].by_group if per_model[0] else {},
                        "champion_groups": per_model[1].by_group if per_model[1] else {},
                        "dropped": list(per_model[0].dropped) if per_model[0] else []})
    return out


def data_check(args: argparse.Namespace) -> dict[str, Any]:
    policy = args.data_checks or ("required" if args.data_check else "off")
    if policy == "off":
        return {"policy": "off", "passed": True}
    if args.data_check is None or not args.data_check.is_file():
        return {"policy": policy, "passed": policy != "required", "verdict": None,
                "note": "no data check report was given" if args.data_check is None
                else f"no data check report at {args.data_check}"}
    try:
        found = json.loads(args.data_check.read_text(encoding="utf-8"))
        verdict, dataset = found["verdict"], found.get("dataset")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BadInput(f"{args.data_check}: not a datacheck report: {common.one_line(error)}") from error
    return {"policy": policy, "verdict": verdict, "dataset": dataset, "contract": found.get("contract"),
            "failures": [c for c in found.get("checks", []) if c.get("result") in ("failed", "error")],
            "passed": verdict == "pass" or policy == "warn"}


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    thresholds = scoring.load_thresholds(args.thresholds)
    holdout = common.read_table(args.holdout)
    common.require_columns(holdout, [args.label], f"holdout {args.holdout}")
    candidate = models.load(args.candidate)
    champion = models.load(args.champion) if args.champion else None
    task = "classification" if candidate.classifier else "regression"
    if champion is not None and champion.classifier != candidate.classifier:
        raise BadInput("the candidate and the champion are not the same kind of model (classifier vs regressor)")
    y = _labels(holdout[args.label], task)
    cand, champ = score(candidate, holdout, args), score(champion, holdout, args) if champion else None
    out: dict[str, Any] = {
        "program": "gate", "task": task, "decision_threshold": args.decision_threshold,
        "holdout": {"path": str(args.holdout), "rows": len(holdout), "label": args.label},
        "candidate": _about(candidate, args.candidate_name), "champion": _about(champion, args.champion_name),
        "metrics": measure_metrics(thresholds["metrics"], task, y, cand, champ, args.decision_threshold),
        "fairness": measure_fairness(thresholds["fairness"], holdout, args, y, cand, champ),
        "data_check": data_check(args)}
    if args.run_started:
        out["run_started"] = run_started(args.run_started)
    out["failures"] = gate_report.failures(out)
    out["verdict"] = "fail" if out["failures"] else "pass"
    return out


def run_started(text: str) -> str:
    """An RFC 3339 time with its offset (a naive time would be read in the pod's zone)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--run-started {text!r} is not an RFC 3339 time") from None
    if parsed.tzinfo is None:
        raise BadInput(f"--run-started {text!r} has no UTC offset")
    return text


def _labels(column: Any, task: str) -> Any:
    import numpy as np

    if column.isna().any():
        raise BadInput(f"the label column {column.name!r} has missing values in the holdout")
    if task == "classification":
        values = set(np.unique(column.astype(float)))
        if not values <= {0.0, 1.0}:
            raise BadInput(f"a binary classifier's label {column.name!r} must be 0/1 (found {sorted(values)[:5]})")
    return column.astype(float).to_numpy()


def _about(model: models.Model | None, name: str | None) -> dict[str, Any] | None:
    if model is None:
        return None
    return {"name": name or str(model.path), "path": str(model.path), "kind": model.kind}


def metrics(out: dict[str, Any]) -> common.Metrics:
    m = common.Metrics(JOB)
    m.set("mlops_gate_passed", "1 when the last candidate passed the gate, else 0.", out["verdict"] == "pass")
    m.set("mlops_gate_failures", "Reasons the last candidate failed the gate.", len(out["failures"]))
    for row in out["metrics"]:
        for role in ("candidate", "champion"):
            m.set("mlops_gate_metric", "A holdout metric of the candidate or the champion.", row[role],
                  metric=row["metric"], role=role)
    for row in out["fairness"]:
        for role in ("candidate", "champion"):
            m.set("mlops_gate_fairness", "A fairness metric on the holdout, per protected attribute.", row[role],
                  metric=row["metric"], attribute=row["attribute"], role=role)
    return m


def main(args: argparse.Namespace) -> int:
    out = evaluate(args)
    common.write_reports(args.out, out, gate_report.markdown(out))
    print(f"{JOB}: {out['verdict']}" + "".join(f"\n  - {f}" for f in out["failures"]))
    return common.outcome(args, out["verdict"] == "pass", common.publish(metrics(out), args))


def cli(argv: Sequence[str] | None = None) -> int:
    return common.cli("gate", arguments(), main, argv)


if __name__ == "__main__":
    sys.exit(cli())
