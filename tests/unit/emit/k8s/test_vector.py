"""mlops.emit.k8s.vector: one Vector per environment with logged models, restricted (uid 65532, read-only root,
an emptyDir data_dir), holding the target's storageCredentials for data.live; nothing without a logged model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.k8s_schemas import validate_objects
from tests.support.specs import AZURE, GCP, SKLEARN, STORES, manifests, spec

LOGGED = {**SKLEARN, "data": {"live": "s3://shop-data/live/fraud/"}, "monitoring": {"logging": {"sample": 0.25}}}


def test_logged_model_on_onprem_gets_vector_with_the_s3_secret(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": LOGGED}))
    vector = files["deployment-vector.yaml"]["spec"]["template"]["spec"]
    c = vector["containers"][0]
    assert c["securityContext"]["runAsUser"] == 65532 and c["securityContext"]["readOnlyRootFilesystem"]
    assert {"name": "data", "emptyDir": {}} in vector["volumes"]
    assert {"name": "data", "mountPath": "/var/lib/vector"} in c["volumeMounts"]
    # the Secret as files, never in the environment (checkov CKV_K8S_35): exactly the keys the config references
    assert "env" not in c
    keys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"]
    assert {"name": "s3-credentials", "secret": {"secretName": "s3-reader", "defaultMode": 0o440,
                                                 "items": [{"key": k, "path": k} for k in keys]}} in vector["volumes"]
    assert {"name": "s3-credentials", "mountPath": "/var/run/secrets/mlops/s3", "readOnly": True} in c["volumeMounts"]
    assert vector["securityContext"]["fsGroup"] == 65532        # the files' group: uid 65532 reads them (0440)
    config = json.loads(files["configmap-vector.yaml"]["data"]["vector.yaml"])
    assert config["secret"]["s3"]["path"] == "/var/run/secrets/mlops/s3"
    assert config["sinks"]["fraud_live"]["key_prefix"] == "live/fraud/date=%F/"
    assert config["transforms"]["fraud_sampled"]["rate"] == 4
    agent = files["deployment-fraud.yaml"]["spec"]["template"]["spec"]["containers"][1]
    assert agent["name"] == "agent" and "--log-url" in agent["args"]
    assert files["service-fraud.yaml"]["spec"]["ports"][0]["targetPort"] == "agent-port"
    assert validate_objects([o for f, o in files.items() if f != "kustomization.yaml"]) == []


def test_no_logged_model_no_vector(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": SKLEARN}))
    assert not any("vector" in f for f in files)
    assert len(files["deployment-fraud.yaml"]["spec"]["template"]["spec"]["containers"]) == 1


def _vector(files: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(ServiceAccount metadata, Vector's container, its one sink)."""
    config = json.loads(files["configmap-vector.yaml"]["data"]["vector.yaml"])
    container = files["deployment-vector.yaml"]["spec"]["template"]["spec"]["containers"][0]
    return files["serviceaccount-vector.yaml"]["metadata"], container, config["sinks"]["fraud_live"]


def test_on_gke_vector_acts_as_its_google_account_with_no_key(tmp_path: Path) -> None:
    live = {**LOGGED, "artifact": "gs://shop-models/fraud/v3/", "data": {"live": "gs://shop-data/live/fraud/"}}
    files = manifests(tmp_path, spec({"fraud": live}, target=GCP))
    meta, container, sink = _vector(files)
    assert meta["annotations"]["iam.gke.io/gcp-service-account"] == \
        "vector-shop-dev@shop-dev-4242.iam.gserviceaccount.com"
    assert "env" not in container and sink["type"] == "gcp_cloud_storage" and "credentials_path" not in sink
    assert sink["healthcheck"] == {"enabled": False}     # it reads the bucket, which a write-only grant refuses
    assert validate_objects([o for f, o in files.items() if f != "kustomization.yaml"]) == []


def test_on_aks_vector_uses_workload_identity(tmp_path: Path) -> None:
    live = {**LOGGED, "artifact": "az://shopacct/models/fraud/v3/", "data": {"live": "az://shopacct/data/live/fraud/"}}
    files = manifests(tmp_path, spec({"fraud": live}, target=AZURE))
    meta, container, sink = _vector(files)
    assert meta["annotations"]["azure.workload.identity/client-id"] == "$(infra.modelClientId_vector)"
    labels = files["deployment-vector.yaml"]["spec"]["template"]["metadata"]["labels"]
    assert labels["azure.workload.identity/use"] == "true"          # AKS's webhook injects AZURE_* from the SA
    assert sink["auth"] == {"azure_credential_kind": "workload_identity"} and "env" not in container


def test_with_an_az_secret_vector_signs_in_with_it_not_as_a_workload(tmp_path: Path) -> None:
    """storageCredentials for az://: the sink takes the Secret's client id, tenant and secret from its mounted files
    (SECRET[az.KEY]), and Vector's ServiceAccount names no identity (none is made for it)."""
    live = {**LOGGED, "data": {"live": "az://shopacct/data/live/fraud/"}}
    files = manifests(tmp_path, spec({"fraud": live}, target={**AZURE, "storageCredentials": STORES}))
    meta, container, sink = _vector(files)
    assert "azure.workload.identity/client-id" not in meta["annotations"]
    assert sink["auth"] == {"azure_credential_kind": "client_secret_credential",
                            "azure_tenant_id": "SECRET[az.AZURE_TENANT_ID]",
                            "azure_client_id": "SECRET[az.AZURE_CLIENT_ID]",
                            "azure_client_secret": "SECRET[az.AZURE_CLIENT_SECRET]"}
    assert "env" not in container
    volume = next(v for v in files["deployment-vector.yaml"]["spec"]["template"]["spec"]["volumes"]
                  if v["name"] == "az-credentials")
    assert volume["secret"]["secretName"] == "az-reader"
    keys = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"]
    assert volume["secret"]["items"] == [{"key": k, "path": k} for k in keys]
    assert {"name": "az-credentials", "mountPath": "/var/run/secrets/mlops/az", "readOnly": True} in \
        container["volumeMounts"]
    assert "healthcheck" not in sink                   # what the Secret may do is its owner's: the check stays on


def test_with_a_gs_secret_vector_names_the_mounted_key_file(tmp_path: Path) -> None:
    """An AWS target logging to gs:// with a Secret: the key file is mounted and named by `credentials_path`; no
    GOOGLE_APPLICATION_CREDENTIALS, no environment at all."""
    live = {**LOGGED, "data": {"live": "gs://shop-data/live/fraud/"}}
    files = manifests(tmp_path, spec({"fraud": live}, target={"provider": "aws", "region": "eu-west-1",
                                                              "storageCredentials": STORES}))
    _, container, sink = _vector(files)
    assert sink["credentials_path"] == "/var/run/secrets/mlops/gs/key.json" and "env" not in container
    volume = next(v for v in files["deployment-vector.yaml"]["spec"]["template"]["spec"]["volumes"]
                  if v["name"] == "gs-credentials")
    assert volume["secret"]["items"] == [{"key": "key.json", "path": "key.json"}]
    assert validate_objects([o for f, o in files.items() if f != "kustomization.yaml"]) == []
