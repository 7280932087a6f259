"""How often a cron schedule fires in an average month: what `mlops cost` multiplies a training run by.

A five-field cron (the validator's grammar: numbers or JAN-DEC / SUN-SAT names, `*`, ranges, steps, lists) or
one of the macros the schema allows. Days are counted over the 400-year Gregorian cycle (146,097 days, which
repeats exactly), so every weekday and month length weighs what it does in the long run; the count is then
scaled to the catalog's month of `hours_per_month` hours, the same month the pools are priced for.
"""

from __future__ import annotations

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal

from mlops.spec.rules.training import FIELDS, ITEM, NAMES

# robfig/cron's predefined schedules, as read in robfig/cron@004a5153dd19:parser.go, parseDescriptor (an older
# tree than the github.com/robfig/cron/v3 v3.0.1 Argo Workflows pins: argoproj/argo-workflows@003dc4e9:go.mod)
MACROS = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
          "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}
CYCLE_START = datetime.date(2001, 1, 1).toordinal()    # any day: the cycle repeats from each
CYCLE_DAYS = 146097                                     # 400 Gregorian years
RUNS = Decimal("0.01")


def runs_per_month(schedule: str, hours_per_month: int) -> Decimal:
    """Runs in a month of `hours_per_month` hours, to two decimals (`0 3 * * 1`, 730 h: 4.35)."""
    minutes, hours, days = _expand(schedule)
    runs = Decimal(len(minutes) * len(hours) * days * hours_per_month) / Decimal(CYCLE_DAYS * 24)
    return runs.quantize(RUNS, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=64)
def _expand(schedule: str) -> tuple[frozenset[int], frozenset[int], int]:
    """The schedule's minutes, hours, and how many days of the 400-year cycle it fires on."""
    fields = MACROS.get(schedule, schedule).split()
    if len(fields) != len(FIELDS):
        raise ValueError(f"schedule '{schedule}' is no five-field cron")
    sets = [_values(text, index) for index, text in enumerate(fields)]
    minutes, hours, dom, months, dow = sets
    dow = frozenset(d % 7 for d in dow)                 # 7 is Sunday too
    # cron's rule: when both day fields are restricted (neither starts with `*`), a day matching either
    # one fires (robfig/cron spec.go, dayMatches: AND when a field carries the star bit, OR otherwise)
    either = not fields[2].startswith("*") and not fields[4].startswith("*")
    days = 0
    for ordinal in range(CYCLE_START, CYCLE_START + CYCLE_DAYS):
        day = datetime.date.fromordinal(ordinal)
        if day.month not in months:
            continue
        on_dom, on_dow = day.day in dom, day.isoweekday() % 7 in dow
        days += (on_dom or on_dow) if either else (on_dom and on_dow)
    return minutes, hours, days


def _values(text: str, index: int) -> frozenset[int]:
    _, low, high = FIELDS[index]
    out: set[int] = set()
    for item in text.split(","):
        found = ITEM.match(item.upper())
        if not found:
            raise ValueError(f"cron item '{item}' is not a value, a range or a step")
        start = low if found.group(1) == "*" else _number(found.group(2), index)
        # `5/15` runs from 5 to the field's end (robfig/cron@004a5153dd19:parser.go, getRange: "N/step" means
        # "N-max/step")
        end = _number(found.group(4), index) if found.group(4) else (
            high if found.group(1) == "*" or found.group(6) else start)
        out.update(range(start, end + 1, int(found.group(6) or 1)))
    return frozenset(out)


def _number(text: str, index: int) -> int:
    names = NAMES.get(index, ())
    return names.index(text) + (1 if index == 3 else 0) if text in names else int(text)
