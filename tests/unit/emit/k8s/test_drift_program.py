"""The drift job's program: PSI and what it pushes."""

from __future__ import annotations

import random

from mlops.emit.k8s import drift_program


def test_same_distribution_has_no_drift() -> None:
    rng = random.Random(7)
    base = [rng.gauss(0, 1) for _ in range(5000)]
    live = [rng.gauss(0, 1) for _ in range(5000)]
    assert drift_program.psi(base, live) < 0.02


def test_shifted_distribution_drifts_past_the_usual_threshold() -> None:
    rng = random.Random(7)
    base = [rng.gauss(0, 1) for _ in range(5000)]
    live = [rng.gauss(1, 1) for _ in range(5000)]
    assert drift_program.psi(base, live) > 0.2


def test_degenerate_inputs() -> None:
    assert drift_program.psi([], [1.0]) == 0.0
    assert drift_program.psi([1.0] * 10, [1.0] * 10) == 0.0


def test_exposition_carries_the_overall_and_feature_scores() -> None:
    text = drift_program.exposition({"amount": 0.5, 'we"ird': 0.1})
    assert "mlops_drift_score 0.5\n" in text
    assert 'mlops_drift_feature_score{feature="we\\"ird"} 0.1' in text
