"""mlops.cost.cron: runs in an average month of the catalog's 730 hours, counted over the 400-year Gregorian cycle."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mlops.cost.cron import runs_per_month


@pytest.mark.parametrize(("schedule", "runs"), [
    ("0 3 * * 1", "4.35"),             # 730 h / 168 h a week = 4.345...
    ("@weekly", "4.35"),
    ("@hourly", "730.00"),
    ("@daily", "30.42"),               # 730 / 24 = 30.416...
    ("@monthly", "1.00"),              # 12 a year of 8,765.82 h, scaled to 730 h: 0.9993
    ("*/15 * * * *", "2920.00"),
    ("5/20 * * * *", "2190.00"),       # minutes 5, 25, 45: a value with a step runs to the field's end
    ("0 9-17 * * MON-FRI", "195.54"),  # 9 hours x 5/7 of the days x 730 / 24
    ("0 0 29 2 *", "0.02"),            # 97 leap days in 400 years
    ("0 0 * JAN *", "2.58"),           # 31 runs a year, a twelfth of them a month
])
def test_runs_a_month_are_counted_from_the_schedule(schedule: str, runs: str) -> None:
    assert runs_per_month(schedule, 730) == Decimal(runs)


def test_sunday_is_both_0_and_7() -> None:
    assert runs_per_month("0 0 * * 7", 730) == runs_per_month("0 0 * * 0", 730) == Decimal("4.35")


def test_both_day_fields_restricted_fire_on_either_as_cron_does() -> None:
    # the 1st of each month or any Monday: more than Mondays alone, less than both added (some 1sts are Mondays)
    either = runs_per_month("0 3 1 * 1", 730)
    assert either == Decimal("5.20")
    assert runs_per_month("0 3 * * 1", 730) < either < runs_per_month("0 3 * * 1", 730) + Decimal("1.00")


def test_a_schedule_that_is_no_cron_is_refused() -> None:
    with pytest.raises(ValueError, match="no five-field cron"):
        runs_per_month("0 3 * *", 730)
