"""mlops.emit.k8s.monitor_alerts: the monitors' verdict alerts, and a stale alert after two schedule periods."""

from __future__ import annotations

import pytest

from mlops.emit.k8s.monitor_alerts import BY_SEGMENT, SEGMENT_LABELS, SEGMENT_LEGEND, period
from mlops.jobs import records


@pytest.mark.parametrize(("schedule", "seconds"), [
    ("@hourly", 3600), ("@daily", 86400), ("*/15 * * * *", 3600), ("0 4 * * *", 86400), ("0 3 * * 1", 604800),
    ("0 0 1 * *", 2678400), ("0 0 * 6 *", 2678400)])
def test_the_period_bounds_the_gap_between_two_runs(schedule: str, seconds: int) -> None:
    assert period(schedule) == seconds


def test_the_segment_labels_are_the_ones_the_jobs_push() -> None:
    assert SEGMENT_LABELS == records.SEGMENTS
    assert (BY_SEGMENT, SEGMENT_LEGEND) == ("by (variant, revision)", "{{variant}} {{revision}}")
