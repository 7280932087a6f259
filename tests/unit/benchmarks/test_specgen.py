"""The benchmark's spec generator must produce specs the compiler accepts without a single diagnostic,
and they must exercise more than one code path (strategies, pools, frameworks), else the benchmark measures
a corner of the compiler. No timing is asserted here: timings belong to benchmarks/run.py."""

from __future__ import annotations

import pytest

from benchmarks import specgen
from mlops.spec.load import parse
from mlops.spec.validate import check


@pytest.mark.parametrize("n", [1, 10, 37])
def test_generated_spec_is_valid_without_diagnostics(n: int) -> None:
    source = parse(specgen.generate(n), f"bench-{n}.yaml")
    assert check(source) == []
    assert len(source.data["models"]) == n


@pytest.mark.parametrize("n", [10, 37])
def test_generated_models_are_spread(n: int) -> None:
    models = parse(specgen.generate(n), "bench.yaml").data["models"].values()
    strategies = {m.get("rollout", {}).get("strategy", "rolling") for m in models}
    pools = {m.get("nodePool", "general") for m in models}
    frameworks = {m["framework"] for m in models}
    metrics = {m.get("scaling", {}).get("metric", "cpu") for m in models}
    assert len(strategies) > 1 and len(pools) > 1 and len(frameworks) > 1 and len(metrics) > 1
    if n >= len(specgen.PROFILES):
        assert strategies == {"rolling", "recreate", "canary", "blue-green", "ab", "shadow"}
        assert {"t4", "l4", "a10x4"} <= pools


def test_generation_is_deterministic_and_has_environments() -> None:
    text = specgen.generate(37)
    assert text == specgen.generate(37)
    doc = parse(text, "bench.yaml").data
    assert set(doc["environments"]) == {"staging", "production"}
    assert doc["environments"]["staging"]["overrides"]["models"]


def test_rejects_zero_models() -> None:
    with pytest.raises(ValueError):
        specgen.generate(0)
