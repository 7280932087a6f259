"""mlops.cost.training: a scheduled retraining is priced as timeout x runs a month x the pool's node-hour, added at
min (above the pool's floor) and already inside the pool's line at max."""

from __future__ import annotations

from decimal import Decimal

from mlops.cost import estimate as cost
from mlops.cost import report as cost_report
from tests.support.costs import GENERAL_POOL, HOURS, estimate_of, listed, spec

TRAIN_POOL = "    training: {machine: {cpu: 16, memory: 64Gi}, scaling: {min: 0, max: 2}, capacity: spot}"
SCORER = ("  scorer: {{framework: sklearn, artifact: s3://models/scorer/v1, "
          "data: {{holdout: 's3://data/holdout.parquet', label: y}}, training: {{environment: production, "
          "image: 'registry://trainer:1', command: [python, train.py], resources: {{cpu: '8', memory: 32Gi}}, "
          "{pool}timeout: {timeout}, output: 's3://models/scorer/', triggers: {triggers}}}}}")


def scorer(triggers: str = "{schedule: '0 3 * * 1'}", timeout: str = "6h", pool: str = "nodePool: training, ") -> str:
    return SCORER.format(triggers=triggers, timeout=timeout, pool=pool)


def priced(model: str) -> cost.Estimate:
    return estimate_of(spec(pools=(GENERAL_POOL, TRAIN_POOL), models=(model,)))


def spot_hourly() -> Decimal:
    return Decimal(str(listed("aws", "m7i.4xlarge", "us-east-1").spot))


def test_a_weekly_run_costs_its_timeout_times_runs_a_month_times_the_pools_spot_price() -> None:
    estimate = priced(scorer())
    (line,) = estimate.training
    assert (line.name, line.pool, line.instance_type, line.capacity, line.nodes) == \
        ("training scorer", "training", "m7i.4xlarge", "spot", 1)
    assert line.hours_per_run == 6 and line.runs_per_month == Decimal("4.35")
    assert line.monthly == 6 * Decimal("4.35") * spot_hourly() == Decimal("10.244250")
    assert estimate.lines()["training scorer"] == cost.Range(line.monthly, Decimal(0))


def test_the_line_adds_at_min_only_the_pool_already_pays_it_at_max() -> None:
    untrained = priced("  scorer: {framework: sklearn, artifact: s3://models/scorer/v1}")
    trained = priced(scorer())
    assert trained.total.max == untrained.total.max
    assert trained.total.min == untrained.total.min + trained.training[0].monthly
    assert [p.cost for p in trained.pools] == [p.cost for p in untrained.pools]   # no pool line changes


def test_runs_beyond_the_pools_room_above_its_floor_are_capped() -> None:
    # hourly runs of 6 h would need 6 nodes at once; the pool has 2 above its floor of 0
    (line,) = priced(scorer(triggers="{schedule: '@hourly'}")).training
    assert line.capped and line.monthly == 2 * HOURS * spot_hourly()
    note = next(n for n in priced(scorer(triggers="{schedule: '@hourly'}")).notes if n.startswith("training"))
    assert note.endswith("; capped at the pool's room above its floor for the whole month; at max the pool's line "
                         "already pays every node all month")


def test_the_note_states_the_upper_bound_the_schedule_and_drift_triggered_runs() -> None:
    (note,) = [n for n in priced(scorer(triggers="{schedule: '0 3 * * 1', drift: true}")).notes
               if n.startswith("training")]
    assert note == (f"training scorer: at most 6 h per run (training.timeout: an upper bound) x 4.35 runs a month "
                    f"(schedule '0 3 * * 1') x 1 node of pool training at {spot_hourly()} spot, plus drift-triggered "
                    "runs (an unknown number); added at min, where the pool sits at its floor; at max the pool's "
                    "line already pays every node all month")


def test_a_run_of_ninety_minutes_states_its_hours() -> None:
    (line,) = priced(scorer(timeout="90m")).training
    assert line.hours_per_run == Decimal("1.5") and line.monthly == Decimal("1.5") * Decimal("4.35") * spot_hourly()
    assert any("at most 1.50 h per run" in n for n in priced(scorer(timeout="90m")).notes)


def test_training_without_a_pool_is_named_and_not_priced() -> None:
    estimate = priced(scorer(pool=""))
    assert estimate.training == ()
    assert "training scorer: no training.nodePool, so its runs share the nodes of other pools: not priced on their " \
           "own" in estimate.notes


def test_the_table_shows_the_line_in_pool_at_max_and_plan_deltas_see_a_schedule_change() -> None:
    weekly, daily = priced(scorer()), priced(scorer(triggers="{schedule: '@daily'}"))
    row = next(r for r in cost_report.estimates_table([weekly]).splitlines() if "training scorer" in r)
    assert row.split() == ["training", "scorer", "m7i.4xlarge", "spot", "1", str(spot_hourly()), "10.24", "in", "pool"]
    change = cost.delta(weekly, daily)
    (line,) = change.lines
    assert line.name == "training scorer"
    assert line.after == cost.Range(6 * Decimal("30.42") * spot_hourly(), Decimal(0))
    assert change.change.max == 0 and change.change.min == line.after.min - line.before.min   # type: ignore[union-attr]
