"""mlops.emit.k8s.artifacts: artifact URIs -> the init container that fetches them."""

from __future__ import annotations

import pytest

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
