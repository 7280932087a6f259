"""mlops.spec.rules.training: the cron parser behind `triggers.schedule` (the located refusals are invalid cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.spec.rules.training import cron_problem
from tests.support.specs import TRAINING_POOLS, errors, spec, trained


@pytest.mark.parametrize("schedule", ["0 3 * * 1", "0 3 * * MON", "*/15 * * * *", "0 0 1 jan,jul *", "0 9-17/2 * * 1-5",
                                      "@hourly", "@daily", "0 0 * * 7"])
def test_schedules_that_parse(schedule: str) -> None:
    assert cron_problem(schedule) is None


@pytest.mark.parametrize(("schedule", "why"), [
    ("60 * * * *", "minute '60' is outside 0-59"), ("0 3 * * MOON", "day of week 'MOON' is outside 0-7"),
    ("0 3 32 * *", "day of month '32' is outside 1-31"), ("0 5-1 * * *", "hour '5-1' is a range that ends before"),
    ("*/0 * * * *", "minute '*/0' steps by 0"), ("0 3 * *", "a cron has 5 fields, this has 4"),
    ("0 3 ? * 1", "day of month '?' is not a value")])
def test_schedules_that_do_not(schedule: str, why: str) -> None:
    problem = cron_problem(schedule)
    assert problem is not None and problem.startswith(why)


def test_a_gpu_training_step_needs_a_pool_with_accelerators(tmp_path: Path) -> None:
    unpooled = trained(resources={"cpu": "2", "memory": "4Gi", "gpu": 1})
    unpooled["training"].pop("nodePool")
    (tmp_path / "a").mkdir()
    assert errors(tmp_path / "a", spec({"fraud": unpooled}, pools=TRAINING_POOLS)) == [
        "mlops.yaml:52:14: error: a training step with GPUs needs training.nodePool naming a pool with an "
        "accelerator [at $.models.fraud.training.resources.gpu]"]
    cpu_pool = trained(resources={"cpu": "2", "memory": "4Gi", "gpu": 1})
    (tmp_path / "b").mkdir()
    assert errors(tmp_path / "b", spec({"fraud": cpu_pool}, pools=TRAINING_POOLS)) == [
        "mlops.yaml:52:14: error: the training step asks 1 GPU but nodes of pool 'train' have 0 "
        "[at $.models.fraud.training.resources.gpu]"]
