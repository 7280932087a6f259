"""Helpers for the cost tests: a one-environment spec with pools and models given as flow-style YAML lines, and
the catalog prices an estimate must follow from."""

from __future__ import annotations

from decimal import Decimal

from mlops.cost import estimate as cost
from mlops.spec.load import parse
from mlops.targets.base import catalog as catalogs

HOURS = Decimal(730)

SPEC = """apiVersion: mlops/v1
kind: Platform
metadata: {{name: shop}}
targets:
  main: {target}
environments:
  production: {{target: main}}
cluster:
  nodePools:
{pools}
models:
{models}
"""

GPU_POOL = ("    gpu: {machine: {cpu: 4, memory: 16Gi}, accelerator: {type: nvidia-l4}, scaling: {min: 0, max: 4}, "
            "capacity: spot}")

GENERAL_POOL = "    general: {machine: {cpu: 4, memory: 16Gi}, scaling: {min: 2, max: 6}}"

TPU_POOL = "    tpu: {machine: {cpu: 24, memory: 48Gi}, accelerator: {type: tpu-v5e}, scaling: {min: 0, max: 2}}"

SCORER = "  scorer: {framework: sklearn, artifact: s3://models/scorer/v1}"
S3_READER = "storageCredentials: {s3: {secretRef: {name: s3-reader}}}"     # SCORER's store, off AWS

AWS_US_EAST = "{provider: aws, region: us-east-1}"


def spec(target: str = AWS_US_EAST, pools: tuple[str, ...] = (GPU_POOL,), models: tuple[str, ...] = (SCORER,)) -> str:
    return SPEC.format(target=target, pools="\n".join(pools), models="\n".join(models))


def estimate_of(text: str) -> cost.Estimate:
    (only,) = cost.estimate_spec(parse(text, "mlops.yaml"))
    return only


def listed(provider: str, instance: str, region: str) -> catalogs.Price:
    return catalogs.load(provider).instances[instance].prices[region]


def columns(table: str) -> dict[str, dict[str, dict[str, str]]]:
    """A comparison table read back: environment -> row label -> provider -> cell text."""
    lines = table.split("\n\n")[1].splitlines()
    header = lines[0]
    names = header.split()
    starts = [header.index(f" {n}") + 1 for n in names]
    out: dict[str, dict[str, dict[str, str]]] = {}
    for line in lines[1:]:
        if not line.startswith(" "):
            group = out.setdefault(line.strip(), {})
            continue
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        group[line[:starts[0]].strip()] = dict(zip(names, cells, strict=True))
    return out
