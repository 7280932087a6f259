"""mlops.emit.k8s.runtimes: the one table of serving runtimes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.emit.k8s import runtimes
from tests.support.specs import manifests, pod, spec


@pytest.mark.parametrize(("framework", "image", "port", "ready"), [
    ("sklearn", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("xgboost", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("lightgbm", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("huggingface", runtimes.MLSERVER_IMAGE, 8080, "/v2/health/ready"),
    ("pytorch", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
    ("tensorflow", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
    ("onnx", runtimes.TRITON_IMAGE, 8000, "/v2/health/ready"),
])
def test_framework_picks_the_pinned_runtime(tmp_path: Path, framework: str, image: str, port: int, ready: str) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": framework, "artifact": "gs://bucket/m/"}}))
    server = pod(files, "m")["containers"][0]
    assert server["image"] == image and ":" in image.rsplit("/", 1)[-1]
    assert server["ports"][0] == {"name": "http", "containerPort": port, "protocol": "TCP"}
    assert server["readinessProbe"]["httpGet"] == {"path": ready, "port": "http"}
    assert server["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert {"name": "models", "mountPath": "/mnt/models", "readOnly": True} in server["volumeMounts"]


def test_mlserver_is_told_its_model_class(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": "lightgbm", "artifact": "gs://bucket/m/"}}))
    env = {e["name"]: e.get("value") for e in pod(files, "m")["containers"][0]["env"]}
    assert env["MLSERVER_MODEL_IMPLEMENTATION"] == "mlserver_lightgbm.LightGBMModel"
    assert env["MLSERVER_MODEL_NAME"] == "m" and env["MLSERVER_MODEL_URI"] == "/mnt/models"
