"""mlops.emit.k8s.request_log: KServe's agent sidecar and Vector's configuration; the records Vector's remap makes
of the agent's CloudEvents are the ones mlops.jobs.records reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlops.emit.k8s import request_log
from mlops.emit.k8s.runtimes import runtime
from mlops.ir.runtimes import KSERVE_AGENT_IMAGE, VECTOR_IMAGE
from mlops.jobs import records
from tests.support.k8s_schemas import validate_objects

RT = runtime("sklearn", "fraud", 0, False)


def _flag(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_agent_sidecar_carries_kserves_flags_and_the_instance_as_endpoint() -> None:
    c = request_log.agent_container(RT, "fraud", "prod-ml", "fraud-canary")
    args = c["args"]
    assert c["image"] == KSERVE_AGENT_IMAGE == "docker.io/kserve/agent:v0.15.2"
    assert _flag(args, "--port") == "9081" and _flag(args, "--component-port") == str(RT.http_port) == "8080"
    assert _flag(args, "--log-url") == "http://vector.prod-ml.svc.cluster.local:8080/"
    assert _flag(args, "--log-mode") == "all" and _flag(args, "--endpoint") == "fraud-canary"
    assert _flag(args, "--inference-service") == "fraud" and _flag(args, "--namespace") == "prod-ml"
    # the pods' template hash, Argo Rollouts' label on a Rollout's pods, the Deployment's otherwise
    assert _flag(args, "--source-uri") == "$(MLOPS_REVISION)"
    assert c["env"][1] == {"name": "MLOPS_REVISION", "valueFrom": {"fieldRef": {
        "fieldPath": "metadata.labels['pod-template-hash']"}}}
    revision = request_log.agent_container(RT, "fraud", "prod-ml", "fraud", rollout=True)["env"][1]
    assert revision["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['rollouts-pod-template-hash']"
    probe = json.loads(c["env"][0]["value"])
    assert c["env"][0]["name"] == "SERVING_READINESS_PROBE"
    assert probe["httpGet"] == {"path": RT.ready_path, "port": 8080, "scheme": "HTTP"}
    assert c["securityContext"]["runAsUser"] == 65532 and c["securityContext"]["readOnlyRootFilesystem"]
    assert c["ports"] == [{"name": "agent-port", "containerPort": 9081, "protocol": "TCP"}]


def test_agent_sidecar_validates_in_a_pod_against_the_core_schema() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [request_log.agent_container(RT, "fraud", "ns", "fraud")]}}
    assert validate_objects([pod]) == []
    pod["spec"]["containers"][0]["securityContext"]["runAsUserr"] = 1
    assert validate_objects([pod]) != []     # the harness is strict: an unknown field fails


def test_vector_config_one_source_a_remap_and_per_model_filter_sample_sink() -> None:
    cfg = request_log.vector_config([("fraud", "s3://fraud-data/live/fraud/", 0.1),
                                     ("churn", "gs://churn-data/live", 0.5)], "eu-central-1")
    assert VECTOR_IMAGE == "docker.io/timberio/vector:0.57.0-distroless-libc"
    src = cfg["sources"]["kserve_agent"]
    assert src["type"] == "http_server" and src["address"] == "0.0.0.0:8080"
    assert src["headers"] == ["ce-id", "ce-type", "ce-source", "ce-time", "ce-inferenceservicename",
                              "ce-namespace", "ce-component", "ce-endpoint"]
    assert cfg["transforms"]["fraud_sampled"] == {"type": "sample", "inputs": ["fraud_events"], "rate": 10,
                                                  "key_field": "request_id"}
    assert cfg["transforms"]["churn_sampled"]["rate"] == 2
    assert cfg["transforms"]["fraud_events"]["condition"] == '.model == "fraud"'
    s3 = cfg["sinks"]["fraud_live"]
    assert (s3["type"], s3["bucket"], s3["key_prefix"], s3["region"]) == \
        ("aws_s3", "fraud-data", "live/fraud/date=%F/", "eu-central-1")
    assert s3["framing"] == {"method": "newline_delimited"} and s3["compression"] == "gzip"
    gcs = cfg["sinks"]["churn_live"]
    assert (gcs["type"], gcs["bucket"], gcs["key_prefix"], gcs["compression"]) == \
        ("gcp_cloud_storage", "churn-data", "live/date=%F/", "gzip")
    assert list(cfg["sinks"]) == ["churn_live", "fraud_live"]            # sorted: same input, same bytes


def test_azure_sink_uses_blob_prefix_and_workload_identity() -> None:
    sink = request_log.sink("az://acct/data/live/m/", None)
    assert sink["type"] == "azure_blob"
    assert (sink["account_name"], sink["container_name"], sink["blob_prefix"]) == ("acct", "data", "live/m/date=%F/")
    assert sink["auth"] == {"azure_credential_kind": "workload_identity"} and "key_prefix" not in sink


LIVE = {"s3": "s3://fraud-data/live/fraud/", "az": "az://acct/data/live/fraud/", "gs": "gs://fraud-data/live/fraud/"}


def _by_secret(scheme: str) -> dict[str, Any]:
    return request_log.vector_config([("fraud", LIVE[scheme], 0.1)], "europe-west4", [LIVE[scheme]])


def test_with_an_s3_secret_the_sink_reads_its_keys_and_region_from_files() -> None:
    """The Secret's files through the `directory` backend `s3`, by SECRET[...]: no environment variable, and the
    region is the Secret's (the bucket's), not the target's own (another cloud's region name)."""
    cfg = _by_secret("s3")
    assert cfg["secret"] == {"s3": {"type": "directory", "path": "/var/run/secrets/mlops/s3",
                                    "remove_trailing_whitespace": True}}
    sink = cfg["sinks"]["fraud_live"]
    assert sink["auth"] == {"access_key_id": "SECRET[s3.AWS_ACCESS_KEY_ID]",
                            "secret_access_key": "SECRET[s3.AWS_SECRET_ACCESS_KEY]"}
    assert sink["region"] == "SECRET[s3.AWS_DEFAULT_REGION]" and "healthcheck" not in sink
    assert "${" not in json.dumps(cfg)
    # only what the Secret must hold: a session token or an endpoint it may lack is never referenced
    assert request_log.SECRET_KEYS["s3"] == ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")


def test_with_an_az_secret_the_sink_signs_in_as_its_client_from_files() -> None:
    cfg = _by_secret("az")
    assert cfg["secret"] == {"az": {"type": "directory", "path": "/var/run/secrets/mlops/az",
                                    "remove_trailing_whitespace": True}}
    assert cfg["sinks"]["fraud_live"]["auth"] == {"azure_credential_kind": "client_secret_credential",
                                                  "azure_tenant_id": "SECRET[az.AZURE_TENANT_ID]",
                                                  "azure_client_id": "SECRET[az.AZURE_CLIENT_ID]",
                                                  "azure_client_secret": "SECRET[az.AZURE_CLIENT_SECRET]"}


def test_with_a_gs_secret_the_sink_names_its_key_file_and_no_backend() -> None:
    cfg = _by_secret("gs")
    assert "secret" not in cfg and "SECRET[" not in json.dumps(cfg)
    assert cfg["sinks"]["fraud_live"]["credentials_path"] == "/var/run/secrets/mlops/gs/key.json"
    assert "secret" not in request_log.vector_config([("fraud", LIVE["s3"], 0.1)], "eu-central-1")  # own identity


# Vector's placeholder syntax, copied from vector@v0.57.0 src/config/loading/secret.rs:31-32 (COLLECTOR).
COLLECTOR = re.compile(r"SECRET\[(\w+)\.([\w.\-/]+)\]")


def _load(text: str, root: Path) -> dict[str, Any]:
    """Vector's secret resolution over the config text (secret.rs:58-97,147-169; directory.rs:39-51), each backend's
    `path` moved under `root`: a missing file raises, an empty one is refused, trailing whitespace is dropped."""
    backends = json.loads(text).get("secret", {})

    def value(m: re.Match[str]) -> str:
        backend = backends[m[1]]              # KeyError: `Backend "..." is required ... but was not found`
        contents = (root / backend["path"].lstrip("/") / m[2]).read_text()
        secret = contents.rstrip() if backend["remove_trailing_whitespace"] else contents
        assert secret, f"secret in file '{m[2]}' was empty"
        return secret

    loaded: dict[str, Any] = json.loads(COLLECTOR.sub(value, text))
    return loaded


@pytest.mark.parametrize("scheme", ["s3", "az"])
def test_the_config_loads_from_a_secret_mounted_as_files(tmp_path: Path, scheme: str) -> None:
    """Each mounted key as Kubernetes writes it (the value's bytes; a Secret made from a file may end in a newline):
    every reference resolves, the JSON still parses, and the values land in the sink; a key removed fails."""
    text = json.dumps(_by_secret(scheme), indent=2)
    folder = tmp_path / "var/run/secrets/mlops" / scheme
    folder.mkdir(parents=True)
    for key in request_log.SECRET_KEYS[scheme]:
        (folder / key).write_text(f"value-of-{key}\n")
    sink = _load(text, tmp_path)["sinks"]["fraud_live"]
    assert "SECRET[" not in json.dumps(sink)
    values = {v for v in (*sink["auth"].values(), sink.get("region")) if isinstance(v, str) and "value-of" in v}
    assert values == {f"value-of-{key}" for key in request_log.SECRET_KEYS[scheme]}
    (folder / request_log.SECRET_KEYS[scheme][-1]).unlink()
    with pytest.raises(FileNotFoundError):
        _load(text, tmp_path)


def test_an_unsupported_live_store_is_refused() -> None:
    with pytest.raises(ValueError, match="s3://, gs:// or az://"):
        request_log.sink("https://example.com/live/", None)


def _apply_remap(vrl: str, event: dict[str, Any]) -> dict[str, Any]:
    """The emitted VRL's two statement forms, applied to one event (there is no vector binary here)."""
    out = dict(event)
    for line in filter(None, vrl.splitlines()):
        if m := re.fullmatch(r'\.(\w+) = del\(\.(?:"([^"]+)"|(\w+))\)', line):
            out[m[1]] = out.pop(m[2] or m[3], None)
        elif m := re.fullmatch(r'del\(\.(?:"([^"]+)"|(\w+))\)', line):
            out.pop(m[1] or m[2], None)
        else:
            raise AssertionError(f"VRL statement not understood by this test: {line}")
    return out


def _event(kind: str, ident: str, endpoint: str, body: dict[str, Any], revision: str = "7d9f8c6b5") -> dict[str, Any]:
    """An http_server event: the decoded JSON body plus the CloudEvents headers the agent sends."""
    return {**body, "ce-id": ident, "ce-type": f"org.kubeflow.serving.inference.{kind}", "ce-source": revision,
            "ce-time": "2026-12-01T10:00:00Z", "ce-inferenceservicename": "fraud", "ce-namespace": "prod-ml",
            "ce-component": "predictor", "ce-endpoint": endpoint, "path": "/", "source_type": "http_server"}


def test_the_remapped_events_are_the_records_the_monitors_read() -> None:
    vrl = request_log.remap()
    request = {"inputs": [{"name": "amount", "shape": [2], "datatype": "FP64", "data": [10.0, 250.0]}]}
    response = {"outputs": [{"name": "predict", "shape": [2], "datatype": "FP64", "data": [0.1, 0.9]}]}
    logged = [_apply_remap(vrl, _event("request", "r1", "fraud-canary", request)),
              _apply_remap(vrl, _event("response", "r1", "fraud-canary", response))]
    assert not any(k.startswith("ce-") for e in logged for k in e)
    assert logged[0]["request_id"] == "r1" and logged[0]["model"] == "fraud"
    frame = records.rows(pd.DataFrame.from_records(logged))
    assert frame[["amount", "prediction", "variant", "request_id", "revision"]].to_dict("records") == [
        {"amount": 10.0, "prediction": 0.1, "variant": "fraud-canary", "request_id": "r1", "revision": "7d9f8c6b5"},
        {"amount": 250.0, "prediction": 0.9, "variant": "fraud-canary", "request_id": "r1", "revision": "7d9f8c6b5"}]


def test_canary_and_stable_records_of_one_rollout_differ_by_revision() -> None:
    """A Rollout's canary and stable pods share `--endpoint` (one template); their template hashes differ."""
    vrl = request_log.remap()
    request = {"inputs": [{"name": "amount", "shape": [1], "datatype": "FP64", "data": [10.0]}]}
    response = {"outputs": [{"name": "predict", "shape": [1], "datatype": "FP64", "data": [0.5]}]}
    logged = [_apply_remap(vrl, _event(kind, ident, "fraud", body, revision))
              for ident, revision in (("a", "stable1"), ("b", "canary2"))
              for kind, body in (("request", request), ("response", response))]
    frame = records.rows(pd.DataFrame.from_records(logged))
    assert frame[["request_id", "variant", "revision"]].to_dict("records") == [
        {"request_id": "a", "variant": "fraud", "revision": "stable1"},
        {"request_id": "b", "variant": "fraud", "revision": "canary2"}]
    flat = records.rows(pd.DataFrame.from_records([{k: v for k, v in e.items() if k != "revision"} for e in logged]))
    assert "revision" not in flat.columns           # optional: older records have none
