"""mlops.spec.rules.names: no two models make Kubernetes objects of the same kind and name."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import errors, manifests, sklearn, spec


def test_colliding_object_names_are_refused(tmp_path: Path) -> None:
    doc = spec({"fraud": sklearn(rollout={"strategy": "canary"}), "fraud-canary": sklearn()})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:29:3: error: model 'fraud-canary' and model 'fraud' would both make the Service "
        "'fraud-canary': rename one of them [at $.models.fraud-canary]"]


def test_a_model_named_like_another_models_retraining_account_is_refused(tmp_path: Path) -> None:
    """`x-train` is the ServiceAccount of model x's retraining workflow (and of a model called `x-train`)."""
    doc = spec({"fraud": sklearn(), "fraud-train": sklearn()})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:27:3: error: model 'fraud-train' and model 'fraud' would both make the ServiceAccount "
        "'fraud-train': rename one of them [at $.models.fraud-train]"]


def test_a_model_named_vector_collides_with_request_logging_only_when_requests_are_logged(tmp_path: Path) -> None:
    logged = sklearn(monitoring={"logging": {"sample": 0.1}})
    (tmp_path / "alone").mkdir()
    assert "deployment-vector.yaml" in manifests(tmp_path / "alone", spec({"vector": sklearn()}))
    found = errors(tmp_path, spec({"vector": sklearn(), "fraud": logged}))
    assert any("model 'vector' and request logging's Vector would both make the Service 'vector'" in e
               for e in found), found
