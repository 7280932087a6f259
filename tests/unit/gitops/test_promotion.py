"""mlops.gitops.promotion: the gate refusing artifacts the source environment has not run."""

from __future__ import annotations

from pathlib import Path

from mlops.gitops import promotion
from mlops.pipeline import compile_spec
from tests.support.specs import spec, write


def test_the_gate_covers_variants_candidates_and_new_models(tmp_path: Path) -> None:
    doc = spec({"m": {"framework": "sklearn", "artifact": "s3://models/a/v1"}})
    doc["environments"] = {"staging": {"target": "t"}, "prod": {"target": "t", "promotion": {"from": "staging"}}}
    base = {e.name: e for e in compile_spec(write(tmp_path, doc), layers=()).environments}
    doc["models"]["m"]["rollout"] = {"strategy": "shadow", "candidate": {"artifact": "s3://models/a/v2"}}
    doc["models"]["n"] = {"framework": "sklearn", "artifact": "s3://models/n/v1"}
    head = compile_spec(write(tmp_path, doc), layers=()).environments
    refused = promotion.check(head, base, "main")
    assert [(r.environment, r.model, r.artifact) for r in refused] == [("prod", "m", "s3://models/a/v2"), ("prod", "n", "s3://models/n/v1")]
    assert "set environments.staging.overrides.models.m.rollout.candidate.artifact" in refused[0].message
    assert "staging has no model n at main" in refused[1].message
    assert promotion.check(head, {}, "main")[0].message.startswith(
        "prod: m would run s3://models/a/v1, which staging has not run at main (staging does not exist at main)")
