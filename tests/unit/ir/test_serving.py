"""mlops.ir.serving: views of the IR several stages need (where a drift job reads live inputs; what each A/B variant
keeps of the model's availability)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops.ir.serving import live_uri
from tests.support.specs import manifests, spec


@pytest.mark.parametrize(("baseline", "live"), [
    ("s3://data/train-2026.parquet", "s3://data/live/fraud/"),
    ("gs://data/sets/train.csv", "gs://data/sets/live/fraud/"),
    ("az://acct/cont/train.parquet", "az://acct/cont/live/fraud/"),
    ("https://example.com/sets/train.csv", "https://example.com/sets/live/fraud.csv"),
])
def test_live_inputs_sit_next_to_the_baseline(baseline: str, live: str) -> None:
    assert live_uri(baseline, "fraud") == live


def _ab(tmp_path: Path, scaling: dict[str, Any], weights: tuple[int, int]) -> dict[str, tuple[int, int, bool]]:
    """Each variant's (min, max, has a PodDisruptionBudget) as compiled."""
    variants = {"control": {"artifact": "s3://models/fraud/v3/", "weight": weights[0]},
                "treatment": {"artifact": "s3://models/fraud/v4/", "weight": weights[1]}}
    model = {"framework": "sklearn", "scaling": scaling, "rollout": {"strategy": "ab", "variants": variants}}
    files = manifests(tmp_path, spec({"fraud": model}))
    out = {}
    for name in variants:
        scaler = files.get(f"scaledobject-fraud-{name}.yaml") or files[f"horizontalpodautoscaler-fraud-{name}.yaml"]
        spec_ = scaler["spec"]
        low = spec_.get("minReplicaCount", spec_.get("minReplicas"))
        high = spec_.get("maxReplicaCount", spec_.get("maxReplicas"))
        out[name] = (low, high, f"poddisruptionbudget-fraud-{name}.yaml" in files)
    return out


CONCURRENCY = {"metric": "concurrency", "target": 10}


@pytest.mark.parametrize(("scaling", "weights", "expected"), [
    # min 2 split 80/20 used to give the treatment 1 replica and no budget: one eviction, 20% of requests fail
    ({"min": 2, "max": 10, **CONCURRENCY}, (80, 20), {"control": (2, 8, True), "treatment": (2, 2, True)}),
    ({"min": 2, "max": 10, **CONCURRENCY}, (50, 50), {"control": (2, 5, True), "treatment": (2, 5, True)}),
    ({"min": 6, "max": 10, **CONCURRENCY}, (50, 50), {"control": (3, 5, True), "treatment": (3, 5, True)}),
    # a variant nobody routes to needs no budget: it stays warm with one replica
    ({"min": 2, "max": 10, **CONCURRENCY}, (100, 0), {"control": (2, 10, True), "treatment": (1, 1, False)}),
    # min 1 promises one replica, no budget, for the model as for each variant
    ({"min": 1, "max": 10, **CONCURRENCY}, (80, 20), {"control": (1, 8, False), "treatment": (1, 2, False)}),
    # min 0: each variant scales to zero on its own, no budget (a cold start is what min 0 accepts)
    ({"min": 0, "max": 4, "metric": "rps", "target": 50}, (80, 20),
     {"control": (0, 4, False), "treatment": (0, 1, False)}),
])
def test_ab_variants_keep_the_models_disruption_budget(tmp_path: Path, scaling: dict[str, Any],
                                                       weights: tuple[int, int],
                                                       expected: dict[str, tuple[int, int, bool]]) -> None:
    assert _ab(tmp_path, scaling, weights) == expected
