"""Live monitors the job programs can run: `monitoring.dataChecks`, `monitoring.fairness`, `monitoring.explain`.

- every monitor reads live records: `data.live`, or where the drift job reads them (next to `drift.baseline`);
- fairness groups the model's outputs (`data.prediction`) by `data.protected`; the equalized-odds metrics also
  need the true outcome (`data.label`: mlops.jobs.fairness refuses them without `--label`);
- explain compares the live records' attributions with the training data's (`data.training`), on an artifact
  mlops.jobs.models loads: scikit-learn, xgboost or lightgbm files, whichever SHAP method (kernel-shap scores rows
  through the same loader, compiler/jobs/explain.py `attributions`);
- each schedule is a cron a CronJob runs (training's five-field parser, days of week 0-6: no 7 for Sunday).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, shown
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of
from mlops.spec.rules.training import cron_problem

EXPLAINABLE = ("sklearn", "xgboost", "lightgbm")        # mlops.jobs.models: the files these runtimes serve
NEEDS_LABEL = ("equalizedOddsDifference", "equalizedOddsRatio")


def monitors(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    for name, model in models_of(doc):
        monitoring, data = mapping(model.get("monitoring")), mapping(model.get("data"))
        where = ("models", name, "monitoring")
        wanted = [key for key in ("dataChecks", "fairness", "explain") if key in monitoring]
        for key in wanted:
            if not data.get("live") and not mapping(monitoring.get("drift")).get("baseline"):
                yield at.error((*where, key), f"monitoring.{key} reads live records from data.live, which is not set")
            schedule = mapping(monitoring.get(key)).get("schedule")
            if isinstance(schedule, str) and (problem := cron_problem(schedule, last_weekday=6)):
                yield at.error((*where, key, "schedule"), f"schedule '{shown(schedule)}' does not parse: {problem}")
        if "fairness" in wanted:
            yield from _fairness(where, mapping(monitoring.get("fairness")), data, at)
        if "explain" in wanted:
            yield from _explain(where, model, data, at)


def _fairness(where: tuple[str, ...], spec: dict[str, Any], data: dict[str, Any],
              at: EnvSource) -> Iterator[Diagnostic]:
    at_fairness = (*where, "fairness")
    if not data.get("protected"):
        yield at.error(at_fairness, "fairness monitoring groups live predictions by data.protected, which names no "
                                    "column")
    if not data.get("prediction"):
        yield at.error(at_fairness, "fairness monitoring reads the model's output from data.prediction, which is not "
                                    "set")
    for metric in mapping(spec.get("metrics")):
        if metric in NEEDS_LABEL and not data.get("label"):
            yield at.error((*at_fairness, "metrics", metric),
                           f"{metric} compares outcomes with data.label, which is not set")


def _explain(where: tuple[str, ...], model: dict[str, Any], data: dict[str, Any],
             at: EnvSource) -> Iterator[Diagnostic]:
    framework = model.get("framework")
    if isinstance(framework, str) and framework not in EXPLAINABLE:
        yield at.error((*where, "explain"), f"the explain job loads {', '.join(EXPLAINABLE)} artifacts, not "
                                            f"{shown(framework)} (mlops.jobs.models)")
    if not data.get("training"):
        yield at.error((*where, "explain"), "explain compares live attributions with data.training's, which is not "
                                            "set")
