"""mlops drift job: the population stability index (PSI) of live inputs against the baseline, per feature,
pushed to the Prometheus Pushgateway. Shipped verbatim in a ConfigMap and run by the drift CronJob.

Inputs: BASELINE_DIR and LIVE_DIR (files the init container downloaded: .csv, .parquet or .jsonl), MODEL,
NAMESPACE, PUSHGATEWAY_URL. The score is the largest feature PSI; every feature's is pushed too.
Only the standard library and pandas (for reading) are used, so the PSI itself is testable anywhere.
"""

from __future__ import annotations

import bisect
import math
import os
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BINS = 10
FLOOR = 1e-4          # share given to an empty bin, so the logarithm stays finite


def edges(baseline: Sequence[float], bins: int = BINS) -> list[float]:
    """Inner bin edges: the baseline's deciles (fewer when values repeat)."""
    ordered = sorted(baseline)
    cuts = {ordered[min(len(ordered) - 1, (len(ordered) * k) // bins)] for k in range(1, bins)}
    return sorted(cuts)


def shares(values: Sequence[float], cuts: list[float]) -> list[float]:
    counts = [0] * (len(cuts) + 1)
    for v in values:
        counts[bisect.bisect_right(cuts, v)] += 1
    total = max(len(values), 1)
    return [max(c / total, FLOOR) for c in counts]


def psi(baseline: Sequence[float], live: Sequence[float]) -> float:
    """sum((live - base) * ln(live / base)) over the baseline's decile bins; 0 means the same distribution."""
    if not baseline or not live:
        return 0.0
    cuts = edges(baseline)
    return sum((a - e) * math.log(a / e) for e, a in zip(shares(baseline, cuts), shares(live, cuts), strict=True))


def _read(folder: str) -> Any:
    import pandas as pd

    frames = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            frames.append(pd.read_parquet(path))
        elif path.suffix == ".csv":
            frames.append(pd.read_csv(path))
        elif path.suffix == ".jsonl":
            frames.append(pd.read_json(path, lines=True))
    if not frames:
        raise SystemExit(f"no .csv, .parquet or .jsonl file under {folder}")
    return pd.concat(frames, ignore_index=True)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def exposition(scores: dict[str, float]) -> str:
    """The Prometheus text format of the overall and per-feature scores."""
    lines = ["# TYPE mlops_drift_score gauge", f"mlops_drift_score {max(scores.values(), default=0.0)}",
             "# TYPE mlops_drift_feature_score gauge"]
    lines += [f'mlops_drift_feature_score{{feature="{_label(k)}"}} {v}' for k, v in sorted(scores.items())]
    return "\n".join(lines) + "\n"


def main() -> int:
    env = os.environ
    base, live = _read(env["BASELINE_DIR"]), _read(env["LIVE_DIR"])
    numeric = [c for c in base.columns if c in live.columns and base[c].dtype.kind in "biuf"]
    scores = {str(c): psi(base[c].dropna().tolist(), live[c].dropna().tolist()) for c in numeric}
    url = f"{env['PUSHGATEWAY_URL']}/metrics/job/mlops-drift/namespace/{env['NAMESPACE']}/model/{env['MODEL']}"
    request = urllib.request.Request(url, data=exposition(scores).encode(), method="PUT",
                                     headers={"Content-Type": "text/plain; version=0.0.4"})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (an in-cluster http URL)
        print(f"pushed drift score of {len(scores)} features: HTTP {answer.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
