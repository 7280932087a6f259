"""Request/response logging (issue 17), its two halves as values: KServe's agent, the sidecar that copies each
request and its 200 response to Vector as CloudEvents, and Vector's configuration, which turns those events into
the records `mlops.jobs.records` reads and writes them, sampled, to the model's `data.live`.

The serving pod template adds the sidecar and its Services target it (mlops.emit.k8s.serving); the environment's
Vector objects are mlops.emit.k8s.vector.

Facts: /work/notes/facts-loop.md §8 (kserve/kserve@v0.15.2) and §9 (vectordotdev/vector@v0.57.0), each cited below.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import Runtime
from mlops.emit.k8s.security import container_security
from mlops.ir import names
from mlops.ir.runtimes import KSERVE_AGENT_IMAGE

AGENT = "agent"                 # the container name KServe gives it (agent_injector.go:313-347)
AGENT_PORT = 9081               # `--port` default "9081" (kserve@v0.15.2 cmd/agent/main.go:55-81), port `agent-port`
AGENT_UID = 65532               # FROM gcr.io/distroless/static:nonroot (kserve@v0.15.2 agent.Dockerfile)
# KServe's config map default for the agent (kserve@v0.15.2 config/configmap/inferenceservice.yaml:452-459).
AGENT_RESOURCES: Obj = {"requests": {"cpu": "100m", "memory": "100Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}
VECTOR = names.VECTOR           # the Service (and ServiceAccount) of an environment's Vector
VECTOR_PORT = 8080
DATA_DIR = "/var/lib/vector"    # Vector's default data_dir, root-owned in the image: an emptyDir is mounted there
# The CloudEvents headers the agent sends in binary mode (kserve@v0.15.2 pkg/logger/worker.go:38-52,123-150):
# http_server inserts each listed header under its own name (vector@v0.57.0 src/sources/util/http/headers.rs:23-35).
CE_HEADERS = ("ce-id", "ce-type", "ce-source", "ce-time", "ce-inferenceservicename", "ce-namespace",
              "ce-component", "ce-endpoint")
# CloudEvents attributes -> the record fields mlops.jobs.records reads first (ID_FIELDS, KIND_FIELDS,
# VARIANT_FIELDS) and the model's identity; the body's JSON (V2 `inputs`/`outputs`) stays at the top level.
RENAMES = (("request_id", "ce-id"), ("kind", "ce-type"), ("variant", "ce-endpoint"), ("time", "ce-time"),
           ("model", "ce-inferenceservicename"), ("namespace", "ce-namespace"), ("component", "ce-component"),
           ("revision", "ce-source"))
# The pod-template hash of the pod's ReplicaSet: what tells a Rollout's canary pods from its stable ones, which share
# one template and so one `--endpoint`. Argo Rollouts adds `rollouts-pod-template-hash` to the template of every
# ReplicaSet it makes (argoproj/argo-rollouts@v1.9.0 rollout/sync.go:146, pkg/apis/rollouts/v1alpha1/types.go:150),
# a Deployment `pod-template-hash` (kubernetes.io/docs/concepts/workloads/controllers/deployment/
# #pod-template-hash-label). An env var may read one label (`metadata.labels['<KEY>']`, kubernetes.io/docs/concepts/
# workloads/pods/downward-api/ "Information available via fieldRef"), and `$(VAR)` in args is expanded from the
# container's env (core/v1 Container.args); the agent parses `--source-uri` as a URL and sends it as `ce-source`
# (kserve@v0.15.2 cmd/agent/main.go:64,282-288; pkg/logger/worker.go:146), which the remap renames to `revision`.
REVISION_ENV = "MLOPS_REVISION"
REVISION_LABEL = {True: "rollouts-pod-template-hash", False: "pod-template-hash"}   # by: run by Argo Rollouts


def log_url(namespace: str) -> str:
    """Where every agent of an environment sends its events: that environment's Vector Service."""
    return f"http://{VECTOR}.{namespace}.svc.cluster.local:{VECTOR_PORT}/"


def readiness_probe(rt: Runtime) -> str:
    """SERVING_READINESS_PROBE: required (main.go:100, `required:"true"`); KServe's injector sets it to the JSON of
    the serving container's readiness probe (agent_injector.go), which the agent then runs against the runtime."""
    return json.dumps({"httpGet": {"path": rt.ready_path, "port": rt.http_port, "scheme": "HTTP"},
                       "periodSeconds": 5, "failureThreshold": 3}, sort_keys=True, separators=(",", ":"))


def agent_container(rt: Runtime, model: str, namespace: str, instance: str, rollout: bool = False) -> Obj:
    """The logger sidecar of one instance's pods: its `--endpoint` is the instance (stable, canary, a variant, the
    shadow candidate), which records carry as `variant`, and its `--source-uri` the pods' template hash (`rollout`:
    Argo Rollouts' label, else the Deployment's), which records carry as `revision`. The flags are those KServe's
    injector passes (agent_injector.go:195-210,233-237,272); `--log-mode all` logs requests and responses."""
    args = ["--port", str(AGENT_PORT), "--component-port", str(rt.http_port), "--log-url", log_url(namespace),
            "--log-mode", "all", "--source-uri", f"$({REVISION_ENV})", "--inference-service", model,
            "--namespace", namespace, "--component", "predictor", "--endpoint", instance]
    probe = {"httpGet": {"path": "/", "port": AGENT_PORT, "httpHeaders": [{"name": "K-Network-Probe",
                                                                          "value": "queue"}]},
             "periodSeconds": 5, "failureThreshold": 3}
    return {"name": AGENT, "image": KSERVE_AGENT_IMAGE, "args": args,
            "env": [{"name": "SERVING_READINESS_PROBE", "value": readiness_probe(rt)},
                    {"name": REVISION_ENV, "valueFrom": {"fieldRef": {
                        "fieldPath": f"metadata.labels['{REVISION_LABEL[rollout]}']"}}}],
            "ports": [{"name": "agent-port", "containerPort": AGENT_PORT, "protocol": "TCP"}],
            # Liveness on the agent's own port only: its readiness follows the model server's (a slow model load
            # must not restart the agent).
            "readinessProbe": probe, "resources": AGENT_RESOURCES,
            "livenessProbe": {"tcpSocket": {"port": AGENT_PORT}, "periodSeconds": 20, "failureThreshold": 3},
            "securityContext": container_security(AGENT_UID)}


def sample_rate(sample: float) -> int:
    """`sample` keeps 1 in `rate` (sample.cue:25-80, "expressed as 1/N"); key_field with `ratio` is unconfirmed."""
    return max(1, round(1 / sample))


def remap() -> str:
    """VRL renaming the CloudEvents headers to the record fields, and dropping what the monitors never read."""
    lines = [f'.{new} = del(."{old}")' for new, old in RENAMES]
    return "\n".join([*lines, "del(.path)", "del(.source_type)", ""])


def _prefix(path: str) -> str:
    """A day's folder under `path` (`key_prefix` "must end in `/`… not automatically added", aws_s3.cue:1028-1041;
    a static prefix, as templated keys are confined since `dangerously_allow_unconfined_template_resolution`)."""
    return f"{path.strip('/')}/date=%F/" if path.strip("/") else "date=%F/"


# Vector's Azure credential from a storageCredentials Secret (its keys, STORE_SECRET_KEYS["az"], are the container's
# environment): `client_secret_credential` takes the three as required fields with no environment fallback
# (vector@v0.57.0 src/sinks/azure_common/config.rs:116-138, 274-302), so they are `${VAR:?}` references, which Vector
# replaces from the environment when it loads the config and refuses when empty (src/config/vars.rs:12-17,52-58).
AZURE_SECRET_AUTH: Obj = {"azure_credential_kind": "client_secret_credential",
                          **{field: f"${{{var}:?{var} is not set}}" for field, var in (
                              ("azure_tenant_id", "AZURE_TENANT_ID"), ("azure_client_id", "AZURE_CLIENT_ID"),
                              ("azure_client_secret", "AZURE_CLIENT_SECRET"))}}
# Workload identity: tenant, client id and token file default to AZURE_TENANT_ID, AZURE_CLIENT_ID and
# AZURE_FEDERATED_TOKEN_FILE (config.rs:174-196), the variables AKS's webhook injects into pods labelled
# azure.workload.identity/use (the target's pod label) from the ServiceAccount's client-id annotation.
AZURE_IDENTITY_AUTH: Obj = {"azure_credential_kind": "workload_identity"}


def sink(live: str, region: str | None, by_secret: bool = False) -> Obj:
    """The sink writing to the `data.live` folder, by store scheme: gzip NDJSON, one event per line.

    Credentials are never in the config. `by_secret`: the target's storageCredentials Secret for the scheme is in
    Vector's environment (AWS keys, GOOGLE_APPLICATION_CREDENTIALS, the Azure client secret). Otherwise Vector uses
    the target's own workload identity, which may only create objects under data.live: aws_s3 through the AWS SDK's
    default chain (vector@v0.57.0 src/aws/auth.rs:407, aws-config 1.8.13 in Cargo.lock; EKS Pod Identity is its
    container-credentials step from Rust SDK release-2024-03-13, docs.aws.amazon.com/eks/latest/userguide/
    pod-id-minimum-sdk.html), gcp_cloud_storage through the metadata server when neither `credentials_path` nor
    GOOGLE_APPLICATION_CREDENTIALS is set (src/gcp.rs:27-28,109-118,285-297: GKE Workload Identity serves the bound
    Google service account there), azure_blob through `workload_identity`. The healthcheck is then off: it reads the
    bucket or container (HeadBucket, src/sinks/s3_common/config.rs:400-407; HEAD bucket, src/sinks/gcs_common/
    config.rs:108-123; container properties, src/sinks/azure_blob/config.rs:472-477), which a write-only grant
    refuses, and a failed healthcheck only logs an error (src/topology/builder.rs:780-797)."""
    scheme, _, rest = live.partition("://")
    bucket, _, path = rest.partition("/")
    body: Obj = {"encoding": {"codec": "json"}, "framing": {"method": "newline_delimited"},
                 "compression": "gzip", "batch": {"max_bytes": 10_000_000, "timeout_secs": 300},
                 # `healthcheck.enabled` (src/config/sink.rs:79, 179-181)
                 **({} if by_secret else {"healthcheck": {"enabled": False}})}
    if scheme == "s3":            # aws_s3.cue: bucket (332), region (1043), compression default gzip (341)
        return {"type": "aws_s3", "bucket": bucket, "key_prefix": _prefix(path), **body,
                **({"region": region} if region else {})}
    if scheme == "gs":            # gcp_cloud_storage.cue: key_prefix (794); compression default none (147)
        return {"type": "gcp_cloud_storage", "bucket": bucket, "key_prefix": _prefix(path), **body}
    if scheme == "az":            # az://ACCOUNT/CONTAINER/PATH; azure_blob.cue: account_name (4-12), blob_prefix
        container, _, folder = path.partition("/")    # (214, not key_prefix), auth.azure_credential_kind (40-156)
        return {"type": "azure_blob", "account_name": bucket, "container_name": container,
                "blob_prefix": _prefix(folder), "auth": AZURE_SECRET_AUTH if by_secret else AZURE_IDENTITY_AUTH,
                **body}
    raise ValueError(f"request logging cannot write to '{live}' (data.live must be an s3://, gs:// or az:// folder)")


def vector_config(logged: list[tuple[str, str, float]], region: str | None,
                  by_secret: Collection[str] = ()) -> dict[str, Any]:
    """Vector's configuration for an environment: (model, data.live, logging.sample) for each logged model;
    `by_secret`, the data.live folders written with a storageCredentials Secret (every other one with Vector's
    own identity, `mlops.ir.serving.live_writes`).

    One http_server source for every agent; one remap; per model a filter on its identity, a sample keyed on the
    request id (a request and its response share `ce-id`, handler.go:140,202-208, so both are kept or both dropped:
    `key_field`, sample.cue:25-80) and a sink to its data.live."""
    source = {"type": "http_server", "address": f"0.0.0.0:{VECTOR_PORT}", "path": "/",   # http_server.cue:25-32
              "decoding": {"codec": "json"}, "framing": {"method": "bytes"},              # :85, :411
              "headers": list(CE_HEADERS)}                                                # :594-608
    transforms: dict[str, Any] = {"records": {"type": "remap", "inputs": ["kserve_agent"], "source": remap()}}
    sinks: dict[str, Any] = {}
    for model, live, sample in sorted(logged):
        # filter: `condition`, a VRL boolean (vector@v0.57.0 website/cue/reference/components/transforms/filter.cue)
        transforms[f"{model}_events"] = {"type": "filter", "inputs": ["records"],
                                         "condition": f'.model == "{model}"'}
        transforms[f"{model}_sampled"] = {"type": "sample", "inputs": [f"{model}_events"],
                                          "rate": sample_rate(sample), "key_field": "request_id"}
        sinks[f"{model}_live"] = {**sink(live, region, live in by_secret), "inputs": [f"{model}_sampled"]}
    return {"data_dir": DATA_DIR, "sources": {"kserve_agent": source}, "transforms": transforms, "sinks": sinks}
