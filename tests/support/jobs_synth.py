"""Small seeded data and models for the job tests: a fraud-like table (the loop spec's fraud-scorer columns plus
numeric features), models of known quality and fairness, and writers for the formats the jobs read."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FEATURES = ["x1", "x2", "x3"]


def table(n: int, seed: int = 0, *, shift: float = 0.0, countries: tuple[float, ...] = (0.25, 0.25, 0.25, 0.25),
          start: int = 0) -> pd.DataFrame:
    """Rows with the contract's columns (txn_id, amount, country, merchant_category, ts, is_fraud) and x1..x3;
    `shift` moves amount and x1, `countries` weighs fr/de/es/it."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) + np.array([shift, 0.0, 0.0])
    label = (x[:, 0] + 0.6 * x[:, 1] + rng.normal(scale=0.5, size=n) > 1.0).astype("int64")
    now = pd.Timestamp.now(tz="UTC").floor("s").tz_localize(None)
    return pd.DataFrame({
        "txn_id": np.arange(start, start + n, dtype="int64"),
        "amount": (rng.gamma(2.0, 80.0, n) * (1.0 + shift)).round(2),
        "country": rng.choice(["fr", "de", "es", "it"], n, p=list(countries)),
        "merchant_category": rng.choice(["grocery", "travel", "online"], n),
        "ts": now - pd.to_timedelta(rng.integers(0, 3600 * 20, n), unit="s"),
        "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2],
        "is_fraud": label,
    })


def xgb(frame: pd.DataFrame, features: list[str], label: Any = None, seed: int = 0) -> Any:
    import xgboost

    model = xgboost.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3, n_jobs=1, random_state=seed)
    model.fit(frame[features], frame["is_fraud"] if label is None else label)
    return model


def logistic(frame: pd.DataFrame, features: list[str]) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(frame[features], frame["is_fraud"])


def save(model: Any, folder: Path, name: str = "model.joblib") -> Path:
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    if name.endswith(".joblib"):
        joblib.dump(model, folder / name)
    elif hasattr(model, "get_booster"):
        with warnings.catch_warnings():    # .bst: xgboost says it writes UBJSON, which is what MLServer reads
            warnings.simplefilter("ignore", UserWarning)
            model.get_booster().save_model(str(folder / name))
    else:
        model.booster_.save_model(str(folder / name))
    return folder


def parquet(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return path
