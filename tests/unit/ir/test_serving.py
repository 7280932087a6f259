"""mlops.ir.serving: views of the IR several stages need (here: where a drift job reads live inputs)."""

from __future__ import annotations

import pytest

from mlops.ir.serving import live_uri


@pytest.mark.parametrize(("baseline", "live"), [
    ("s3://data/train-2026.parquet", "s3://data/live/fraud/"),
    ("gs://data/sets/train.csv", "gs://data/sets/live/fraud/"),
    ("az://acct/cont/train.parquet", "az://acct/cont/live/fraud/"),
    ("https://example.com/sets/train.csv", "https://example.com/sets/live/fraud.csv"),
])
def test_live_inputs_sit_next_to_the_baseline(baseline: str, live: str) -> None:
    assert live_uri(baseline, "fraud") == live
