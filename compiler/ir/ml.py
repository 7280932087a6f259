"""The IR of the ML loop, per model: its data and the contract it keeps, retraining with its gate, and the live
monitors (request logging, data checks, drift, fairness, explanations). Plain frozen values, like `ir.model`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["integer", "number", "string", "boolean", "timestamp"]
DriftMethod = Literal["auto", "psi", "ks", "wasserstein", "jensenshannon"]
ExplainMethod = Literal["tree-shap", "kernel-shap"]
DataCheckPolicy = Literal["required", "warn", "off"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    unique: bool = False
    min: float | None = None
    max: float | None = None
    values: tuple[str | int | float | bool, ...] = ()     # the only allowed values; () = any
    freshness_seconds: int | None = None                   # timestamp columns: newest value at most this old


@dataclass(frozen=True)
class Data:
    training: str | None
    holdout: str | None
    live: str | None                  # a folder: request logging writes there, monitors read there
    label: str | None
    prediction: str | None
    protected: tuple[str, ...] = ()
    rows_min: int | None = None
    rows_max: int | None = None
    columns: tuple[Column, ...] = ()


@dataclass(frozen=True)
class Threshold:
    """A bound on a metric: MLflow's MetricThreshold shape (`min`/`max` on the value, `min_change` over the
    champion in the metric's better direction)."""

    metric: str
    min: float | None = None
    max: float | None = None
    min_change: float | None = None


@dataclass(frozen=True)
class Compute:
    cpu: str                          # canonical Kubernetes quantity, as ir.Resources
    memory: str
    gpu: int = 0


@dataclass(frozen=True)
class Training:
    environment: str                  # whose cluster trains, and which environment a candidate is proposed for
    image: str                        # registry://NAME:TAG or a full image reference
    command: tuple[str, ...]
    args: tuple[str, ...]
    compute: Compute
    node_pool: str | None
    timeout_seconds: int
    output: str                       # a folder: each run publishes its candidate and report under it
    schedule: str | None              # cron, or None
    on_drift: bool                    # the model's drift alert starts a run
    metrics: tuple[Threshold, ...]
    fairness: tuple[Threshold, ...]
    data_checks: DataCheckPolicy
    reviewers: tuple[str, ...]


@dataclass(frozen=True)
class Logging:
    sample: float                     # share of requests logged with their responses


@dataclass(frozen=True)
class DataChecks:
    schedule: str


@dataclass(frozen=True)
class Fairness:
    schedule: str
    min_group_size: int
    metrics: tuple[Threshold, ...]


@dataclass(frozen=True)
class Explain:
    method: ExplainMethod
    schedule: str
    sample: int
    alert_on_shift: float
