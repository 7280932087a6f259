"""mlops.emit.k8s.vector: one Vector per environment with logged models, restricted (uid 65532, read-only root,
an emptyDir data_dir), holding the target's storageCredentials for data.live; nothing without a logged model."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.k8s_schemas import validate_objects
from tests.support.specs import SKLEARN, manifests, spec

LOGGED = {**SKLEARN, "data": {"live": "s3://shop-data/live/fraud/"}, "monitoring": {"logging": {"sample": 0.25}}}


def test_logged_model_on_onprem_gets_vector_with_the_s3_secret(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"fraud": LOGGED}))
    vector = files["deployment-vector.yaml"]["spec"]["template"]["spec"]
    c = vector["containers"][0]
    assert c["securityContext"]["runAsUser"] == 65532 and c["securityContext"]["readOnlyRootFilesystem"]
    assert {"name": "data", "emptyDir": {}} in vector["volumes"]
    assert {"name": "data", "mountPath": "/var/lib/vector"} in c["volumeMounts"]
    keys = {e["valueFrom"]["secretKeyRef"]["name"] for e in c["env"]}
    assert keys == {"s3-reader"}
    config = json.loads(files["configmap-vector.yaml"]["data"]["vector.yaml"])
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
