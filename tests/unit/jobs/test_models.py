"""Model files and folders the gate and the explain job load: the layouts MLServer serves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlops.jobs import models
from mlops.jobs.common import BadInput
from tests.support import jobs_synth as synth


@pytest.fixture(scope="module")
def train() -> object:
    return synth.table(800, seed=30)


@pytest.mark.parametrize("name", ["model.joblib", "model.json", "model.ubj", "model.bst"])
def test_xgboost_layouts_score_like_the_estimator(train, tmp_path: Path, name: str) -> None:
    estimator = synth.xgb(train, synth.FEATURES)
    model = models.load(synth.save(estimator, tmp_path, name))
    expected = estimator.predict_proba(train[synth.FEATURES])[:, 1]
    assert model.classifier and model.features == tuple(synth.FEATURES)
    assert np.allclose(model.scores(train[synth.FEATURES]), expected, atol=1e-6)


@pytest.mark.parametrize("name", ["model.txt", "model.bst"])
def test_lightgbm_text_models_load_as_lightgbm(train, tmp_path: Path, name: str) -> None:
    import lightgbm

    estimator = lightgbm.LGBMClassifier(n_estimators=20, verbose=-1, n_jobs=1).fit(train[synth.FEATURES],
                                                                                   train["is_fraud"])
    model = models.load(synth.save(estimator, tmp_path, name))
    assert (model.kind, model.classifier, model.features) == ("lightgbm-booster", True, tuple(synth.FEATURES))
    assert np.allclose(model.scores(train[synth.FEATURES]), estimator.predict_proba(train[synth.FEATURES])[:, 1])


def test_a_regressor_scores_its_prediction(train, tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression

    model = models.load(synth.save(LinearRegression().fit(train[synth.FEATURES], train["amount"]), tmp_path))
    assert not model.classifier and model.scores(train[synth.FEATURES]).shape == (800,)


def test_what_cannot_be_loaded_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no model file here"):
        models.load(tmp_path)
    (tmp_path / "model.joblib").write_text("not a pickle")
    with pytest.raises(BadInput, match="cannot load the model"):
        models.load(tmp_path)
