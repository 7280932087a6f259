"""Rule stores: a store the target's own identity cannot read needs `targets.<t>.storageCredentials.<scheme>`, said
where the URI is written, naming the model, the scheme and the field to set; with it, or in the target's own cloud,
nothing is said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.spec.load import load
from mlops.spec.validate import check

TARGETS: dict[str, dict[str, Any]] = {
    "aws": {"provider": "aws", "region": "eu-west-1"},
    "gcp": {"provider": "gcp", "region": "europe-west4", "project": "shop-123456"},
    "azure": {"provider": "azure", "region": "westeurope"},
    "onprem": {"provider": "onprem", "context": "dc1-admin", "registry": "harbor.example.com/ml"},
}
S3_KEYS = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"


def diagnostics(tmp_path: Path, provider: str, model: dict[str, Any], **target: Any) -> list[str]:
    doc = {"apiVersion": "mlops/v1", "kind": "Platform", "metadata": {"name": "shop"},
           "targets": {"main": {**TARGETS[provider], **target}}, "environments": {"live": {"target": "main"}},
           "cluster": {"apiAccess": {"allowedCidrs": ["203.0.113.0/24"]},
                       "nodePools": {"general": {"machine": {"cpu": 4, "memory": "16Gi"}}}},
           "models": {"scorer": {"framework": "sklearn", **model}}}
    path = tmp_path / "mlops.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return [d.text().replace(str(path), "mlops.yaml") for d in check(load(str(path)))
            if "storageCredentials" in d.message]


def test_another_clouds_store_is_a_located_error_naming_model_scheme_and_field(tmp_path: Path) -> None:
    [found] = diagnostics(tmp_path, "gcp", {"artifact": "s3://models/scorer/v1/"})
    assert found == ("mlops.yaml:25:15: error: model 'scorer' reads s3://, another cloud's store: gcp target 'main' "
                     "reads only gs:// with its own identity; set targets.main.storageCredentials.s3.secretRef "
                     f"(a Secret with {S3_KEYS}), or use a store the target can read [at $.models.scorer.artifact]")


@pytest.mark.parametrize(("provider", "uri", "keys"), [
    ("aws", "gs://models/scorer/", "key.json"),
    ("aws", "az://acct/models/scorer/", "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET"),
    ("azure", "s3://models/scorer/", S3_KEYS),
    ("gcp", "az://acct/models/scorer/", "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET"),
])
def test_each_cloud_reads_only_its_own_scheme(tmp_path: Path, provider: str, uri: str, keys: str) -> None:
    [found] = diagnostics(tmp_path, provider, {"artifact": uri})
    scheme = uri.partition("://")[0]
    assert f"model 'scorer' reads {scheme}://, another cloud's store: {provider} target 'main'" in found
    assert f"set targets.main.storageCredentials.{scheme}.secretRef (a Secret with {keys})" in found


@pytest.mark.parametrize(("provider", "uri"), [
    ("aws", "s3://models/scorer/"), ("gcp", "gs://models/scorer/"), ("azure", "az://acct/models/scorer/"),
    ("aws", "https://models.example.com/scorer.joblib"), ("gcp", "registry://scorer:v1"),
    ("onprem", "oci://ghcr.io/acme/scorer:v1"), ("onprem", "https://models.example.com/scorer.joblib"),
])
def test_a_store_the_target_reads_itself_needs_nothing(tmp_path: Path, provider: str, uri: str) -> None:
    assert diagnostics(tmp_path, provider, {"artifact": uri}) == []


def test_an_existing_cluster_needs_credentials_for_every_store(tmp_path: Path) -> None:
    [found] = diagnostics(tmp_path, "onprem", {"artifact": "s3://models/scorer/"})
    assert ("model 'scorer' reads s3://, a store onprem target 'main' cannot read: an existing cluster has no "
            "cloud identity; set targets.main.storageCredentials.s3.secretRef") in found


def test_credentials_for_the_scheme_clear_it_and_only_that_scheme(tmp_path: Path) -> None:
    given = {"s3": {"secretRef": {"name": "aws-reader"}}}
    model = {"artifact": "s3://models/scorer/", "monitoring": {"drift": {"baseline": "az://acct/data/train.csv"}}}
    [found] = diagnostics(tmp_path, "gcp", model, storageCredentials=given)
    assert "reads az://" in found and found.endswith("[at $.models.scorer.monitoring.drift.baseline]")
    assert diagnostics(tmp_path, "gcp", {"artifact": "s3://models/scorer/"}, storageCredentials=given) == []


def test_every_store_a_model_reads_or_writes_is_checked_where_it_is_written(tmp_path: Path) -> None:
    model = {"artifact": "registry://scorer:v1",
             "rollout": {"strategy": "canary", "steps": [{"weight": 50}],
                         "candidate": {"artifact": "s3://models/scorer/v2/"}},
             "monitoring": {"drift": {"baseline": "s3://data/train.parquet"}}}
    found = diagnostics(tmp_path, "azure", model)
    assert [line.rsplit("[at ", 1)[1] for line in found] == [
        "$.models.scorer.rollout.candidate.artifact]", "$.models.scorer.monitoring.drift.baseline]"]
