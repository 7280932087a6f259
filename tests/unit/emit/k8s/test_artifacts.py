"""mlops.emit.k8s.artifacts: artifact URIs -> the init container that fetches them."""

from __future__ import annotations

import pytest

from mlops import ir
from mlops.emit.k8s import artifacts, runtimes

SECURITY = {"runAsNonRoot": True}


@pytest.mark.parametrize(("artifact", "image", "uri"), [
    ("registry://fraud:v12", "$(infra.registryUrl)/fraud:v12", None),
    ("registry://team/fraud@sha256:" + "a" * 64, "$(infra.registryUrl)/team/fraud@sha256:" + "a" * 64, None),
    ("oci://ghcr.io/acme/model:v1", "ghcr.io/acme/model:v1", None),
    ("s3://bucket/models/fraud/v12", None, "s3://bucket/models/fraud/v12"),
    ("gs://bucket/m/", None, "gs://bucket/m/"),
    ("https://example.com/m.joblib", None, "https://example.com/m.joblib"),
    ("az://account/container/path/m", None, "https://account.blob.core.windows.net/container/path/m"),
])
def test_resolve(artifact: str, image: str | None, uri: str | None) -> None:
    assert artifacts.resolve(artifact, "$(infra.registryUrl)/") == artifacts.Source(image, uri)


def test_modelcar_copies_the_model_out_of_the_image() -> None:
    init = artifacts.fetch("oci://ghcr.io/acme/model:v1", "unused", SECURITY)
    assert init["image"] == "ghcr.io/acme/model:v1"
    assert init["command"] == ["cp", "-R", "/models/.", "/mnt/models/"]
    assert {"name": "models", "mountPath": "/mnt/models"} in init["volumeMounts"]


def test_object_storage_goes_through_the_pinned_storage_initializer() -> None:
    init = artifacts.fetch("s3://bucket/m/", "unused", SECURITY)
    assert init["image"] == runtimes.STORAGE_INITIALIZER_IMAGE
    assert init["args"] == ["s3://bucket/m/", "/mnt/models"]


def test_download_ports() -> None:
    assert artifacts.download_ports(["s3://b/m", "https://h:8443/m", "registry://x:1", "https://h/m"]) == [443, 8443]


# --- stores read with the target's storageCredentials (issue 13) ---------------------------------------------------

S3 = ir.StoreCredentials("s3", ir.SecretRef("aws-reader"))
GS = ir.StoreCredentials("gs", ir.SecretRef("gcs-reader", "sa.json"))
AZ = ir.StoreCredentials("az", ir.SecretRef("blob-reader"))


def secret_env(access: artifacts.StoreAccess) -> dict[str, dict[str, object]]:
    return {e["name"]: e["valueFrom"]["secretKeyRef"] for e in access.env if "valueFrom" in e}


def test_s3_keys_come_from_the_secret_by_reference_the_optional_ones_optional() -> None:
    access = artifacts.store_access(["s3://bucket/m/"], [S3, GS, AZ])
    assert secret_env(access) == {
        "AWS_ACCESS_KEY_ID": {"name": "aws-reader", "key": "AWS_ACCESS_KEY_ID"},
        "AWS_SECRET_ACCESS_KEY": {"name": "aws-reader", "key": "AWS_SECRET_ACCESS_KEY"},
        "AWS_SESSION_TOKEN": {"name": "aws-reader", "key": "AWS_SESSION_TOKEN", "optional": True},
        "AWS_DEFAULT_REGION": {"name": "aws-reader", "key": "AWS_DEFAULT_REGION", "optional": True},
        "AWS_ENDPOINT_URL": {"name": "aws-reader", "key": "AWS_ENDPOINT_URL", "optional": True}}
    assert access.mounts == [] and access.volumes == []
    assert all("value" not in e for e in access.env)           # never a secret value in a manifest


def test_a_gs_key_file_is_mounted_read_only_and_named_by_google_application_credentials() -> None:
    access = artifacts.store_access(["gs://bucket/m/"], [S3, GS])
    assert access.volumes == [{"name": "gs-credentials", "secret": {
        "secretName": "gcs-reader", "items": [{"key": "sa.json", "path": "key.json"}]}}]
    assert access.mounts == [{"name": "gs-credentials", "mountPath": "/var/run/secrets/mlops/gs", "readOnly": True}]
    assert access.env == [{"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": "/var/run/secrets/mlops/gs/key.json"}]
    default = artifacts.store_access(["gs://bucket/m/"], [ir.StoreCredentials("gs", ir.SecretRef("g"))])
    assert default.volumes[0]["secret"]["items"] == [{"key": "key.json", "path": "key.json"}]


def test_az_reads_the_service_principal_defaultazurecredential_takes() -> None:
    access = artifacts.store_access(["az://acct/models/m/"], [AZ])
    assert list(secret_env(access)) == ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"]


@pytest.mark.parametrize("uris", [["s3://bucket/m/"], ["https://example.com/m.joblib", "registry://m:v1", None]])
def test_without_credentials_for_the_scheme_the_workload_identity_reads(uris: list[str | None]) -> None:
    assert artifacts.store_access(uris, [GS, AZ]) == artifacts.StoreAccess()
    assert artifacts.store_access(uris, []) == artifacts.StoreAccess()


def test_the_storage_initializer_gets_the_secret_and_its_mounts_the_modelcar_none() -> None:
    access = artifacts.store_access(["gs://bucket/m/"], [GS])
    init = artifacts.fetch("gs://bucket/m/", "unused", SECURITY, access=access)
    assert init["env"] == [{"name": "HOME", "value": "/tmp"}, *access.env]
    assert init["volumeMounts"][-1] == access.mounts[0]
    car = artifacts.fetch("oci://ghcr.io/acme/model:v1", "unused", SECURITY, access=access)
    assert "env" not in car and access.mounts[0] not in car["volumeMounts"]
