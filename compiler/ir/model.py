"""The IR's types: one frozen, fully defaulted `Environment` per environment, made by `mlops.spec.normalize`.

Emitters and target programs see only these types, never the raw document. Every value is plain
(str, int, float, bool, tuples of those), so `mlops.ir.codec` round-trips it through the Pulumi stack
config without loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops.ir.ml import Data, DataChecks, DriftMethod, Explain, Fairness, Logging, Training

Framework = Literal["sklearn", "xgboost", "lightgbm", "pytorch", "tensorflow", "onnx", "huggingface", "vllm", "custom"]
Strategy = Literal["rolling", "recreate", "canary", "blue-green", "ab", "shadow"]
Metric = Literal["rps", "concurrency", "cpu"]
Visibility = Literal["internal", "public"]
Receiver = Literal["slack", "pagerduty", "webhook"]


@dataclass(frozen=True)
class SecretRef:
    """An existing Secret in the environment's namespace, by name (and key); never a secret value."""

    name: str
    key: str | None = None


@dataclass(frozen=True)
class StoreCredentials:
    scheme: str                      # s3 | gs | az
    secret: SecretRef


@dataclass(frozen=True)
class ExistingAddon:
    """An add-on an existing cluster already runs (`targets.<t>.addons`): used where it is, never installed."""

    # prometheus | pushgateway | envoyGateway | keda | argoRollouts | argoWorkflows | nvidiaDevicePlugin
    name: str
    namespace: str | None = None     # of its Service (prometheus, pushgateway) or its proxies (envoyGateway)
    service: str | None = None
    port: int | None = None
    gateway_class: str | None = None
    labels: tuple[tuple[str, str], ...] = ()   # what its Prometheus selects monitoring objects by


@dataclass(frozen=True)
class Target:
    name: str
    provider: str                    # a key of mlops.targets.REGISTRY
    region: str | None = None
    project: str | None = None       # gcp
    account: str | None = None       # aws
    subscription: str | None = None  # azure
    context: str | None = None       # onprem kubeconfig context
    registry: str | None = None      # an existing registry to use instead of a managed one
    storage_class: str | None = None
    storage_credentials: tuple[StoreCredentials, ...] = ()   # stores its own identity cannot read
    addons: tuple[ExistingAddon, ...] = ()                   # onprem: what the cluster already runs
    jobs_image: str = ""             # the job image its CronJobs and Workflows run (images.jobs or the release)
    mirrors: tuple[tuple[str, str], ...] = ()   # upstream registry host -> the prefix proxying it (images.mirrors)
    pull_secrets: tuple[str, ...] = ()          # Secrets, by name, every pod pulls its images with
    # where the Argo Rollouts controller downloads its Gateway API plugin (images.rolloutsGatewayPlugin); None:
    # the release asset the add-ons table pins (mlops.targets.base.addons.GATEWAY_PLUGIN_URL)
    rollouts_gateway_plugin: str | None = None


@dataclass(frozen=True)
class NodePool:
    name: str
    cpu: int
    memory: str                      # as written, e.g. "32Gi"
    memory_gib: float
    accelerator: str | None          # what the spec asked for
    accelerator_count: int
    min: int
    max: int
    spot: bool
    instance_type: str | None        # picked from the provider catalog; None on onprem
    instance_accelerator: str | None  # what that type carries (a stated equivalent when the ask is not offered)


@dataclass(frozen=True)
class Registry:
    immutable_tags: bool
    scan_on_push: bool
    keep_last: int
    external: str | None             # the target's existing registry, if it names one


@dataclass(frozen=True)
class Resources:
    cpu: str                         # canonical Kubernetes quantity: "2", "500m"
    memory: str
    gpu: int
    disk: str | None = None          # ephemeral storage for the model files, e.g. "40Gi"


@dataclass(frozen=True)
class Scaling:
    min: int
    max: int
    metric: Metric
    target: float


@dataclass(frozen=True)
class Endpoint:
    host: str
    path: str
    visibility: Visibility = "internal"


@dataclass(frozen=True)
class Analysis:
    max_error_rate: float | None
    max_latency_p99_ms: int | None


@dataclass(frozen=True)
class Variant:
    name: str
    artifact: str
    weight: int


@dataclass(frozen=True)
class Rollout:
    strategy: Strategy
    steps: tuple[int, ...] = ()
    interval_seconds: int = 300
    analysis: Analysis | None = None
    auto_promote: bool = False
    variants: tuple[Variant, ...] = ()
    candidate: str | None = None
    mirror_percent: int = 100


@dataclass(frozen=True)
class Alerts:
    error_rate: float | None
    latency_p99_ms: int | None
    availability: float | None = None     # the SLO objective (alerts.SLO when None)


@dataclass(frozen=True)
class Drift:
    baseline: str
    schedule: str
    threshold: float
    method: DriftMethod = "auto"


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    secret_name: str | None = None
    secret_key: str | None = None


@dataclass(frozen=True)
class RuntimeOptions:
    args: tuple[str, ...] = ()       # extra arguments for the serving process
    image: str | None = None         # another tag of the same runtime image (or its mirror)
    user: int | None = None          # custom: the uid the image's (named) USER has


@dataclass(frozen=True)
class PatchOperation:
    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str                        # JSON Pointer
    value_json: str | None = None    # add / replace / test: the value, as JSON text (the IR stays hashable)
    from_path: str | None = None     # move / copy


@dataclass(frozen=True)
class Patch:
    """RFC 6902 operations on one emitted object of the model, by kind and name."""

    kind: str
    name: str
    operations: tuple[PatchOperation, ...]
    spec_path: str                   # where in mlops.yaml it was written


@dataclass(frozen=True)
class Model:
    name: str
    spec_path: str                   # where in mlops.yaml it came from, e.g. $.models.fraud-scorer
    framework: Framework
    artifact: str | None             # None for ab (variants carry artifacts) and image-only custom models
    image: str | None                # framework custom only
    node_pool: str | None
    accelerator: str | None          # the pool's accelerator when the model asks for some
    resources: Resources
    scaling: Scaling
    endpoint: Endpoint | None
    env: tuple[EnvVar, ...]
    rollout: Rollout
    alerts: Alerts | None
    drift: Drift | None
    runtime: RuntimeOptions = RuntimeOptions()
    patches: tuple[Patch, ...] = ()
    data: Data | None = None
    training: Training | None = None
    logging: Logging | None = None
    data_checks: DataChecks | None = None
    fairness: Fairness | None = None
    explain: Explain | None = None


@dataclass(frozen=True)
class ApiAccess:
    allowed_cidrs: tuple[str, ...] | None = None   # None: the spec does not say; (): a private endpoint only


@dataclass(frozen=True)
class Tls:
    acme_email: str | None = None    # certificates from an ACME CA through cert-manager
    acme_server: str | None = None
    secret: str | None = None        # or an existing kubernetes.io/tls Secret


@dataclass(frozen=True)
class Gateway:
    tls: Tls | None = None
    visibility: Visibility = "internal"   # the endpoints' default


@dataclass(frozen=True)
class Notify:
    receiver: Receiver
    secret: SecretRef                # the webhook URL / routing key, by reference
    channel: str | None = None       # slack


@dataclass(frozen=True)
class Monitoring:
    """The monitoring stack the models share."""

    retention: str | None = None     # Prometheus retention, e.g. 15d; None: the chart's
    storage: str | None = None       # Prometheus volume size, e.g. 50Gi; None: no persistent volume
    notify: tuple[Notify, ...] = ()


@dataclass(frozen=True)
class Environment:
    platform: str
    owner: str | None
    labels: tuple[tuple[str, str], ...]
    name: str
    namespace: str
    target: Target
    promotion_from: str | None
    require_approval: bool
    kubernetes_version: str
    node_pools: tuple[NodePool, ...]
    registry: Registry
    models: tuple[Model, ...]
    api_access: ApiAccess = ApiAccess()
    gateway: Gateway = Gateway()
    monitoring: Monitoring = Monitoring()
    # Another environment on the same existing cluster whose infra stack installs the add-ons both use (None: this
    # environment's own stack installs them).
    addons_from: str | None = None
    promotion_bootstrap: bool = False   # promotion.bootstrap: may take what its source runs in the same change

    @property
    def stack(self) -> str:
        """Prefix of cloud resource names: unique per platform and environment."""
        return f"{self.platform}-{self.name}"

    def pool(self, name: str | None) -> NodePool | None:
        return next((p for p in self.node_pools if p.name == name), None)
