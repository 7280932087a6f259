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

from mlops.emit.k8s.artifacts import CREDENTIALS_DIR, GS_KEY_FILE
from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import Runtime
from mlops.emit.k8s.security import container_security
from mlops.ir import names
from mlops.ir.runtimes import KSERVE_AGENT_IMAGE
from mlops.targets.base.artifacts import STORE_LOGGING_KEYS, STORE_SECRET_KEYS

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


# Another cloud's keys (the target's storageCredentials Secret for the scheme) reach Vector as files, never through
# its environment (checkov CKV_K8S_35): the Secret is a read-only volume at CREDENTIALS_DIR/<scheme>
# (mlops.emit.k8s.vector), read by Vector's `directory` secrets backend named after the scheme, `secret.<name>` with
# `type: directory`, `path` and `remove_trailing_whitespace` (vector@v0.57.0 src/secrets/directory.rs:10-21, the
# `secret` table at src/config/builder.rs:67-70). Each file in `path` is the secret named by its file name (:39-51),
# and `SECRET[<backend>.<key>]` in the config is replaced by it when the config loads (src/config/loading/
# secret.rs:31-32, 147-169). A referenced file that is missing or empty fails the load: read_to_string's error and
# "secret in file '{k}' was empty" (directory.rs:41,47-48) become "Error while retrieving secret from backend"
# (secret.rs:83-87), and Vector "logs the error and exits" (src/secrets/mod.rs:49). So only keys the Secret must hold
# are referenced (SECRET_KEYS), and the volume projects exactly those (`items`), so a missing one is the kubelet's
# mount error naming the key rather than a crash loop. Trailing whitespace is dropped: a Secret made from a file
# often ends in a newline, which no key, region or client secret has, and which would break the JSON string it is
# pasted into.
SECRET_KEYS: dict[str, tuple[str, ...]] = {
    # Static keys: `auth.access_key_id`, `auth.secret_access_key` (the AccessKey form, src/aws/auth.rs:67-74). The
    # Secret's optional AWS_SESSION_TOKEN is not read: a session token expires within hours, and Vector reads
    # secrets only at start or SIGHUP (src/secrets/mod.rs:51-52), so it is no credential for a Deployment; nor is
    # AWS_ENDPOINT_URL (s3:// is AWS S3 here). AWS_DEFAULT_REGION, optional for the storage-initializer (boto3 finds
    # the bucket), is required here: Vector signs for one region and without `region` looks for it in the
    # environment, a profile or EC2's IMDS (src/aws/mod.rs:133-165), none of which knows another cloud's bucket; the
    # target's own region is its cloud's, not the bucket's.
    "s3": (*STORE_SECRET_KEYS["s3"], *STORE_LOGGING_KEYS["s3"]),   # the two keys, AWS_DEFAULT_REGION
    # `client_secret_credential`: the three are required fields with no environment fallback (vector@v0.57.0
    # src/sinks/azure_common/config.rs:116-138, 274-302).
    "az": STORE_SECRET_KEYS["az"],
    # A key file, passed as `credentials_path` (src/gcp.rs:91-100,113-114), not a SECRET[...] value.
    "gs": (GS_KEY_FILE,),
}


def secret_dir(scheme: str) -> str:
    """Where Vector's container mounts the scheme's storageCredentials Secret."""
    return f"{CREDENTIALS_DIR}/{scheme}"


def _secret(scheme: str, key: str) -> str:
    return f"SECRET[{scheme}.{key}]"


def secret_backends(schemes: Collection[str]) -> dict[str, Obj]:
    """The `directory` backends of the schemes whose keys the config references (gs reads its key file itself)."""
    return {s: {"type": "directory", "path": secret_dir(s), "remove_trailing_whitespace": True}
            for s in sorted(schemes) if s != "gs"}


def _secret_auth(scheme: str) -> Obj:
    """The sink fields that sign in with the scheme's Secret."""
    if scheme == "s3":
        return {"auth": {"access_key_id": _secret("s3", "AWS_ACCESS_KEY_ID"),
                         "secret_access_key": _secret("s3", "AWS_SECRET_ACCESS_KEY")},
                "region": _secret("s3", "AWS_DEFAULT_REGION")}
    if scheme == "az":
        return {"auth": {"azure_credential_kind": "client_secret_credential",
                         **{field: _secret("az", key) for field, key in (
                             ("azure_tenant_id", "AZURE_TENANT_ID"), ("azure_client_id", "AZURE_CLIENT_ID"),
                             ("azure_client_secret", "AZURE_CLIENT_SECRET"))}}}
    return {"credentials_path": f"{secret_dir('gs')}/{GS_KEY_FILE}"}


# Workload identity: tenant, client id and token file default to AZURE_TENANT_ID, AZURE_CLIENT_ID and
# AZURE_FEDERATED_TOKEN_FILE (config.rs:174-196), the variables AKS's webhook injects into pods labelled
# azure.workload.identity/use (the target's pod label) from the ServiceAccount's client-id annotation.
AZURE_IDENTITY_AUTH: Obj = {"azure_credential_kind": "workload_identity"}


def sink(live: str, region: str | None, by_secret: bool = False) -> Obj:
    """The sink writing to the `data.live` folder, by store scheme: gzip NDJSON, one event per line.

    Credentials are never in the config. `by_secret`: the sink signs in with the target's storageCredentials Secret
    for the scheme, read from its mounted files (`_secret_auth`). Otherwise Vector uses the target's own workload
    identity, which may only create objects under data.live: aws_s3 through the AWS SDK's
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
                 **(_secret_auth(scheme) if by_secret else {"healthcheck": {"enabled": False}})}
    if scheme == "s3":            # aws_s3.cue: bucket (332), region (1043), compression default gzip (341)
        return {"type": "aws_s3", "bucket": bucket, "key_prefix": _prefix(path), **body,
                **({"region": region} if region and not by_secret else {})}   # by_secret: the Secret's region
    if scheme == "gs":            # gcp_cloud_storage.cue: key_prefix (794); compression default none (147)
        return {"type": "gcp_cloud_storage", "bucket": bucket, "key_prefix": _prefix(path), **body}
    if scheme == "az":            # az://ACCOUNT/CONTAINER/PATH; azure_blob.cue: account_name (4-12), blob_prefix
        container, _, folder = path.partition("/")    # (214, not key_prefix), auth.azure_credential_kind (40-156)
        return {"type": "azure_blob", "account_name": bucket, "container_name": container,
                "blob_prefix": _prefix(folder), **({} if by_secret else {"auth": AZURE_IDENTITY_AUTH}), **body}
    raise ValueError(f"request logging cannot write to '{live}' (data.live must be an s3://, gs:// or az:// folder)")


def vector_config(logged: list[tuple[str, str, float]], region: str | None,
                  by_secret: Collection[str] = ()) -> dict[str, Any]:
    """Vector's configuration for an environment: (model, data.live, logging.sample) for each logged model;
    `by_secret`, the data.live folders written with a storageCredentials Secret (every other one with Vector's
    own identity, `mlops.ir.serving.live_writes`), whose schemes get a `directory` secrets backend.

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
    backends = secret_backends({live.partition("://")[0] for _, live, _ in logged if live in by_secret})
    return {"data_dir": DATA_DIR, **({"secret": backends} if backends else {}), "sources": {"kserve_agent": source},
            "transforms": transforms, "sinks": sinks}
