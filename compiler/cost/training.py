"""The training line of `mlops cost`: what a model's scheduled retraining adds to its pool in a month.

A run holds one node of `training.nodePool` (the training step is one pod, and validation refuses a pool whose
nodes cannot hold it) for at most `training.timeout` (an upper bound: a run that finishes sooner costs less),
as many times a month as `triggers.schedule` fires. How it relates to the pool's own line: the pool at min
pays its floor nodes all month and at max pays `scaling.max` nodes all month. A run scales the pool above its
floor, so the line adds to "at min" (never more than the pool's room above its floor for the whole month); at
max the pool already pays every node it may have all month, so the line adds nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mlops import ir
from mlops.cost import cron

NODES_PER_RUN = 1                    # one pod: validation refuses a pool that cannot hold training.resources


@dataclass(frozen=True)
class TrainingLine:
    model: str
    pool: str
    instance_type: str
    capacity: str                    # the pool's: the price used follows it
    nodes: int                       # per run
    hours_per_run: Decimal           # the timeout: an upper bound
    schedule: str | None             # None: drift-triggered runs only
    runs_per_month: Decimal
    on_drift: bool                   # plus an unknown number of drift-triggered runs
    hourly: Decimal                  # per node-hour at `capacity`
    monthly: Decimal                 # added at min; at max the pool's line already holds it
    capped: bool                     # the runs would need more than the pool's room above its floor

    @property
    def name(self) -> str:
        return f"training {self.model}"


@dataclass(frozen=True)
class PoolPrice:
    """What the training line needs of its pool's line."""

    name: str
    instance_type: str
    capacity: str
    hourly: Decimal
    floor: int
    max_nodes: int


def training_line(model: str, training: ir.Training, pool: PoolPrice, hours_per_month: int) -> TrainingLine:
    hours = Decimal(training.timeout_seconds) / Decimal(3600)
    runs = cron.runs_per_month(training.schedule, hours_per_month) if training.schedule else Decimal(0)
    wanted = NODES_PER_RUN * hours * runs * pool.hourly
    room = (pool.max_nodes - pool.floor) * hours_per_month * pool.hourly
    return TrainingLine(model=model, pool=pool.name, instance_type=pool.instance_type, capacity=pool.capacity,
                        nodes=NODES_PER_RUN, hours_per_run=hours, schedule=training.schedule, runs_per_month=runs,
                        on_drift=training.on_drift, hourly=pool.hourly, monthly=min(wanted, room),
                        capped=wanted > room)


def note(line: TrainingLine) -> str:
    """How the line was computed, and how it relates to its pool's line."""
    runs = (f"{line.runs_per_month} runs a month (schedule '{line.schedule}')" if line.schedule
            else "no scheduled runs")
    drift = ", plus drift-triggered runs (an unknown number)" if line.on_drift else ""
    capped = "; capped at the pool's room above its floor for the whole month" if line.capped else ""
    return (f"{line.name}: at most {_hours(line.hours_per_run)} h per run (training.timeout: an upper bound) x "
            f"{runs} x {line.nodes} node of pool {line.pool} at {line.hourly} {line.capacity}{drift}; added at min, "
            f"where the pool sits at its floor{capped}; at max the pool's line already pays every node all month")


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def trained_here(env: ir.Environment) -> list[tuple[str, ir.Training]]:
    """The models whose retraining runs in this environment's cluster (training.environment)."""
    return [(m.name, m.training) for m in env.models if m.training and m.training.environment == env.name]


def unpooled(env: ir.Environment) -> tuple[str, ...]:
    return tuple(f"training {name}: no training.nodePool, so its runs share the nodes of other pools: not priced "
                 "on their own" for name, t in trained_here(env) if not t.node_pool)
