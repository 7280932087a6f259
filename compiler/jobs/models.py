"""Loading a model the gate or the explain job is given, and scoring a table with it.

Supported layouts: a file, or a folder holding one of these names (the first found, in this order), which are the
names MLServer's sklearn, xgboost and lightgbm runtimes serve, so the artifact a model serves is the artifact
the jobs load:

- model.joblib, model.pkl, model.pickle: joblib.load (pickle); a scikit-learn-API estimator or Pipeline
  (scikit-learn's, XGBClassifier/XGBRegressor, LGBMClassifier/LGBMRegressor);
- model.json, model.ubj, model.xgb: xgboost.Booster().load_model;
- model.bst: an xgboost Booster, or LightGBM's text model when the file starts with `tree` (MLServer's xgboost
  and lightgbm runtimes both serve that name);
- model.txt: lightgbm.Booster(model_file=...).

Binary classifiers and regressors only: a classifier's score is the positive class's probability (an xgboost
`binary:logitraw` margin goes through the logistic function); a regressor's score is its prediction.
Pickles run code when loaded: give the jobs only artifacts your own training wrote.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops.jobs.common import BadInput, one_line

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PICKLES = ("model.joblib", "model.pkl", "model.pickle")
XGBOOST = ("model.json", "model.ubj", "model.xgb")
NAMES = (*PICKLES, *XGBOOST, "model.bst", "model.txt")
AUTO_NAMES = re.compile(r"(Column_|f)[0-9]+")   # names lightgbm / xgboost make up when given no column names


@dataclass(frozen=True)
class Model:
    path: Path
    kind: str                           # sklearn-api | xgboost-booster | lightgbm-booster
    obj: Any
    classifier: bool
    features: tuple[str, ...] | None    # the columns it was trained on, when it knows them

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        import numpy as np

        try:
            if self.kind == "xgboost-booster":
                return self._xgboost(frame)
            if self.kind == "lightgbm-booster":
                return np.asarray(self.obj.predict(_categorical(frame)), dtype=float)
            if self.classifier:
                proba = np.asarray(self.obj.predict_proba(_maybe_categorical(self.obj, frame)), dtype=float)
                return proba[:, 1]
            return np.asarray(self.obj.predict(_maybe_categorical(self.obj, frame)), dtype=float)
        except BadInput:
            raise
        except Exception as error:   # any library error here means the table does not fit the model
            raise BadInput(f"{self.path}: cannot score the data with it: {one_line(error)}") from error

    def _xgboost(self, frame: pd.DataFrame) -> np.ndarray:
        import numpy as np
        import xgboost

        out = np.asarray(self.obj.predict(xgboost.DMatrix(_categorical(frame), enable_categorical=True)), dtype=float)
        if _objective(self.obj) == "binary:logitraw":
            out = 1.0 / (1.0 + np.exp(-out))
        return out


def find(path: str | Path) -> Path:
    """The model file at `path` (a file, or a folder holding one of NAMES)."""
    root = Path(path)
    if root.is_file():
        return root
    if root.is_dir():
        for name in NAMES:
            if (root / name).is_file():
                return root / name
        raise BadInput(f"{root}: no model file here (expected one of {', '.join(NAMES)})")
    raise BadInput(f"{root}: no such model file or folder")


def load(path: str | Path) -> Model:
    file = find(path)
    name = file.name.lower()
    try:
        if name.endswith((".joblib", ".pkl", ".pickle")):
            return _api(file)
        if name.endswith((".json", ".ubj", ".xgb")) or (name.endswith(".bst") and not _lightgbm_text(file)):
            return _booster(file)
        if name.endswith((".txt", ".bst")):
            return _lightgbm(file)
    except BadInput:
        raise
    except Exception as error:   # unpickling and the boosters' loaders raise anything
        raise BadInput(f"{file}: cannot load the model: {one_line(error)}") from error
    raise BadInput(f"{file}: unknown model file type (expected one of {', '.join(NAMES)})")


def _lightgbm_text(file: Path) -> bool:
    with file.open("rb") as handle:
        return handle.read(4) == b"tree"


def _api(file: Path) -> Model:
    import joblib

    obj = joblib.load(file)
    if not hasattr(obj, "predict"):
        raise BadInput(f"{file}: holds a {type(obj).__name__}, not a model with predict()")
    classifier = hasattr(obj, "predict_proba")
    classes = getattr(obj, "classes_", None)
    if classifier and classes is not None and len(classes) != 2:
        raise BadInput(f"{file}: a classifier of {len(classes)} classes; the jobs handle binary classifiers only")
    names = getattr(obj, "feature_names_in_", None)
    return Model(file, "sklearn-api", obj, classifier, _names(list(names) if names is not None else None))


def _booster(file: Path) -> Model:
    import xgboost

    booster = xgboost.Booster()
    with warnings.catch_warnings():    # model.bst: "Unknown file format: `bst`. Using UBJSON as a guess", as meant
        warnings.simplefilter("ignore", UserWarning)
        booster.load_model(str(file))
    objective = _objective(booster)
    if objective.startswith("multi:"):
        raise BadInput(f"{file}: a multi-class model ({objective}); the jobs handle binary classifiers only")
    return Model(file, "xgboost-booster", booster, objective.startswith("binary:"), _names(booster.feature_names))


def _objective(booster: Any) -> str:
    return str(json.loads(booster.save_config())["learner"]["objective"]["name"])


def _lightgbm(file: Path) -> Model:
    import lightgbm

    booster = lightgbm.Booster(model_file=str(file))
    objective = str(booster.dump_model(num_iteration=0).get("objective", ""))
    if objective.startswith(("multiclass", "softmax", "multiclassova")):
        raise BadInput(f"{file}: a multi-class model ({objective}); the jobs handle binary classifiers only")
    return Model(file, "lightgbm-booster", booster, objective.startswith(("binary", "cross_entropy")),
                 _names(booster.feature_name()))


def _names(names: Sequence[str] | None) -> tuple[str, ...] | None:
    if not names:
        return None
    if all(AUTO_NAMES.fullmatch(str(n)) for n in names):
        return None
    return tuple(str(n) for n in names)


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas categories: what xgboost and lightgbm take for categorical features."""
    text = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) == "string"]
    return frame.astype({c: "category" for c in text}) if text else frame


def _maybe_categorical(obj: Any, frame: pd.DataFrame) -> pd.DataFrame:
    module = type(obj).__module__.split(".")[0]
    return _categorical(frame) if module in ("xgboost", "lightgbm") else frame


def features(model: Model, frame: pd.DataFrame, given: tuple[str, ...], exclude: tuple[str, ...]) -> list[str]:
    """The columns to give the model: --features, else the model's own names, else every column but `exclude`."""
    chosen = list(given or model.features or [c for c in frame.columns if c not in exclude])
    missing = [c for c in chosen if c not in frame.columns]
    if missing:
        raise BadInput(f"the data has no column {', '.join(repr(c) for c in missing)}, which the model needs")
    return chosen
