"""mlops.gitops.plan.loop: a model's training and data-contract changes in words, from the IR of both sides."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlops import ir
from mlops.gitops.plan import loop
from mlops.spec.load import load
from mlops.spec.normalize import normalize
from tests.support import ROOT

LOOP = ROOT / "examples" / "loop" / "mlops.yaml"


@pytest.fixture(scope="module")
def scorer() -> ir.Model:
    """fraud-scorer as staging (where it trains) compiles it."""
    return next(m for m in normalize(load(str(LOOP)), "staging").models if m.name == "fraud-scorer")


def trained(model: ir.Model, **changes: object) -> ir.Model:
    assert model.training is not None
    return replace(model, training=replace(model.training, **changes))


def column(model: ir.Model, name: str, **changes: object) -> ir.Model:
    assert model.data is not None
    columns = tuple(replace(c, **changes) if c.name == name else c for c in model.data.columns)
    return replace(model, data=replace(model.data, columns=columns))


def test_nothing_changed_says_nothing(scorer: ir.Model) -> None:
    assert loop.said(scorer, scorer, "staging") == ()
    assert loop.said(None, scorer, "staging") == loop.said(scorer, None, "staging") == ()  # new / removed: narrate


def test_a_schedule_change_is_humanised(scorer: ir.Model) -> None:
    daily = trained(scorer, schedule="0 3 * * *")
    assert loop.said(scorer, daily, "staging") == ((loop.TRAINING, (
        "fraud-scorer: now retrains every day at 03:00 UTC, was Mondays at 03:00 UTC (and when its drift alert "
        "fires, "
        "as before)")),)


def test_training_is_told_only_where_it_runs(scorer: ir.Model) -> None:
    assert loop.said(scorer, trained(scorer, schedule="0 3 * * *"), "production") == ()


def test_the_drift_trigger_the_image_and_gate_thresholds(scorer: ir.Model) -> None:
    assert scorer.training is not None
    metrics = tuple(replace(t, min=0.92) if t.metric == "roc_auc" else t for t in scorer.training.metrics)
    head = trained(scorer, on_drift=False, image=scorer.training.image.replace("2026.11", "2026.12"), metrics=metrics,
                   fairness=())
    ((kind, sentence),) = loop.said(scorer, head, "staging")
    assert kind == loop.TRAINING
    assert sentence == ("fraud-scorer: no longer retrains when its drift alert fires; training image 2026.11 → "
                        "2026.12; gate roc_auc min 0.9 → 0.92; fairness gate no longer bounds "
                        "demographicParityDifference")


def test_a_schedule_and_drift_change_together_say_both_sides(scorer: ir.Model) -> None:
    head = trained(scorer, schedule=None)
    assert loop.said(scorer, trained(head, on_drift=False), "staging")[0][1] == (
        "fraud-scorer: now retrains on no trigger, was Mondays at 03:00 UTC and when its drift alert fires")
    assert loop.said(trained(scorer, on_drift=False), head, "staging")[0][1] == (
        "fraud-scorer: now retrains only when its drift alert fires, was Mondays at 03:00 UTC")


def test_contract_changes_per_column(scorer: ir.Model) -> None:
    head = column(column(column(scorer, "amount", max=50000.0), "country", values=("fr", "de", "es", "it", "pt")),
                  "merchant_category", required=True)
    assert head.data is not None and scorer.data is not None
    head = replace(head, data=replace(head.data, columns=(
        *(c for c in head.data.columns if c.name != "ts"), ir.Column("channel", "string", required=True))))
    ((kind, sentence),) = loop.said(scorer, head, "production")      # checked wherever the model serves
    assert kind == loop.CONTRACT
    assert sentence == ("fraud-scorer: data contract: column `channel` added (string, required); column `ts` "
                        "removed; amount max 100000 → 50000; country now allows `pt`; merchant_category now required")


def test_allowed_values_dropped_and_freshness(scorer: ir.Model) -> None:
    head = column(column(scorer, "country", values=("fr", "de")), "ts", freshness_seconds=3600)
    assert loop.said(scorer, head, "staging")[0][1] == (
        "fraud-scorer: data contract: country no longer allows `es`, `it`; ts freshness 86400 s → 3600 s")


@pytest.mark.parametrize(("schedule", "words"), [
    ("@hourly", "every hour"), ("@daily", "every day at 00:00 UTC"), ("@weekly", "Sundays at 00:00 UTC"),
    ("0 6 * * 7", "Sundays at 06:00 UTC"), ("30 2 1 * *", "on day 1 of each month at 02:30 UTC"),
    ("*/15 * * * *", "on cron '*/15 * * * *'"), ("0 3 * * 1-5", "on cron '0 3 * * 1-5'"), (None, "on no schedule"),
])
def test_when(schedule: str | None, words: str) -> None:
    assert loop.when(schedule) == words


def test_how_a_run_runs_timeout_pool_resources_command_output(scorer: ir.Model) -> None:
    assert scorer.training is not None
    head = trained(scorer, timeout_seconds=4 * 3600 + 1800, node_pool=None, compute=ir.Compute("16", "64Gi", 1),
                   command=("python", "train.py"), args=("--epochs", "20 steps"), output="s3://fraud-models/v2/")
    ((_, sentence),) = loop.said(scorer, head, "staging")
    assert sentence.split("; ") == [
        "fraud-scorer: training command python train.py → python train.py --epochs '20 steps'",
        "training cpu 8 → 16", "training memory 32Gi → 64Gi", "training gpu 0 → 1",
        "training pool training → none (any node)", "training timeout 6h → 4h30m",
        "runs now publish to s3://fraud-models/v2/, was s3://fraud-models/fraud-scorer/ (propose reads the new "
        "folder only)"]


def test_the_timeout_in_the_specs_own_style(scorer: ir.Model) -> None:
    assert scorer.training is not None and scorer.training.timeout_seconds == 6 * 3600
    said = [loop.said(scorer, trained(scorer, timeout_seconds=t), "staging")[0][1] for t in (4 * 3600, 90, 45)]
    assert said == ["fraud-scorer: training timeout 6h → 4h", "fraud-scorer: training timeout 6h → 1m30s",
                    "fraud-scorer: training timeout 6h → 45s"]


def test_data_checks_and_reviewers(scorer: ir.Model) -> None:
    assert scorer.training is not None and scorer.training.reviewers == ("risk-ml",)
    head = trained(scorer, data_checks="warn", reviewers=("acme/fraud-leads",))
    assert loop.said(scorer, head, "staging") == ((loop.TRAINING, (
        "fraud-scorer: data checks required → warn (a failed data check is noted in the gate report and the run "
        "goes on); its proposals now also ask acme/fraud-leads to review; its proposals no longer ask risk-ml to "
        "review")),)
    off = loop.said(scorer, trained(scorer, data_checks="off", command=(), args=()), "staging")[0][1]
    assert off == ("fraud-scorer: training command python train.py → the image's own; data checks required → off "
                   "(no data check runs)")
