"""mlops.targets.base.identities: the workloads with a cloud identity of their own; Vector's only when a logged
model's data.live is written with the target's identity, write only."""

from __future__ import annotations

from pathlib import Path

from mlops.targets.base.identities import identities
from tests.support.infra_helpers import environment
from tests.support.specs import logged_platform, trained_platform

AWS = {"provider": "aws", "region": "us-east-1"}


def test_models_trainers_and_vector_each_get_one(tmp_path: Path) -> None:
    found = identities(environment(logged_platform(AWS, "s3://shop-data/"), "dev", tmp_path))
    assert [(i.service_account, i.slug) for i in found] == [("fraud", "model-fraud"), ("vector", "vector")]
    vector = found[1]
    assert vector.reads == () and vector.writes == ("s3://shop-data/live/fraud/",)
    trained = identities(environment(trained_platform(AWS), "dev", tmp_path))
    assert [(i.service_account, i.slug) for i in trained] == [("fraud", "model-fraud"), ("fraud-train", "train-fraud")]


def test_no_vector_identity_when_a_secret_writes_the_live_store(tmp_path: Path) -> None:
    target = {**AWS, "storageCredentials": {"s3": {"secretRef": {"name": "s3-writer"}}}}
    found = identities(environment(logged_platform(target, "s3://shop-data/"), "dev", tmp_path))
    assert [i.service_account for i in found] == ["fraud"]
