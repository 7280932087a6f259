"""mlops.spec.rules.monitors: what the monitor CronJobs need (the located refusals are invalid cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.spec.rules.training import cron_problem
from tests.support.specs import manifests, spec

LIVE = {"live": "s3://shop-data/live/fraud/", "prediction": "score", "protected": ["country"], "label": "y",
        "training": "s3://shop-data/train/"}


def test_a_cronjob_has_no_day_of_week_7() -> None:
    assert cron_problem("0 0 * * 7") is None                        # Argo's parser takes it
    assert cron_problem("0 0 * * 7", last_weekday=6) == "day of week '7' is outside 0-6"


@pytest.mark.parametrize("framework", ["sklearn", "xgboost", "lightgbm"])
def test_every_monitor_of_a_loadable_model_with_its_data_passes(tmp_path: Path, framework: str) -> None:
    model = {"framework": framework, "artifact": "registry://fraud:v1", "data": LIVE,
             "monitoring": {"dataChecks": {}, "fairness": {"metrics": {"equalizedOddsRatio": {"min": 0.8}}},
                            "explain": {"method": "kernel-shap", "schedule": "0 4 * * 6"}}}
    assert "cronjob-fraud-explain.yaml" in manifests(tmp_path, spec({"fraud": model}))


def test_the_drift_baseline_places_the_live_records(tmp_path: Path) -> None:
    data = {k: v for k, v in LIVE.items() if k != "live"}
    model = {"framework": "sklearn", "artifact": "registry://fraud:v1", "data": data,
             "monitoring": {"fairness": {"metrics": {"demographicParityDifference": {"max": 0.1}}},
                            "drift": {"baseline": "s3://shop-data/train.parquet"}}}
    pod = manifests(tmp_path, spec({"fraud": model}))["cronjob-fraud-fairness.yaml"]["spec"]["jobTemplate"]["spec"]
    assert pod["template"]["spec"]["initContainers"][0]["args"] == ["s3://shop-data/live/fraud/", "/data/live"]
