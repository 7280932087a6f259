"""How a model artifact reaches the pod: an init container fills an emptyDir mounted at /mnt/models.

- `registry://REPO:TAG` and `oci://HOST/REPO:TAG` are OCI "modelcar" images (KServe's convention: the model
  under /models). The init container runs that image itself and copies the model out; the kubelet pulls it
  with the node's registry identity, so no key is involved. Copied, not shared as KServe's modelcar shares it (a
  `sleep infinity` sidecar symlinking /proc/$$/root/models, kserve@v0.15.2
  pkg/webhook/admission/pod/storage_initializer_injector.go:135-194): that needs `shareProcessNamespace`, which
  shows each container's environment and filesystem to the others, a model folder that may appear after the server
  started (KServe sets MODEL_INIT_MODE=async on its own servers, :160), and one uid for both. The copy costs node
  disk, which targets/base/disks.py counts; the README's "Model images: copied, not shared" argues it.
- `s3://`, `gs://`, `https://` and `az://ACCOUNT/CONTAINER/PATH` (read as
  https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH) are fetched by KServe's storage-initializer with the
  pod's workload identity (boto3, google-cloud-storage and azure-identity default credential chains), or, for a
  scheme the target has `storageCredentials` for, with that Secret (`store_access`): keys as environment variables,
  a gs key file as a mounted file. Every container that downloads from a store gets the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mlops import ir
from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import MODEL_DIR, STORAGE_INITIALIZER_IMAGE
from mlops.targets.base.artifacts import STORE_OPTIONAL_KEYS, STORE_SECRET_KEYS, store_scheme

HTTPS_PORT = 443
INIT_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}}
CREDENTIALS_DIR = "/var/run/secrets/mlops"     # <dir>/<scheme>/ holds a store's key file (gs)
GS_KEY_FILE = "key.json"


def guaranteed(cpu: str, memory: str) -> Obj:
    """An init container's resources in a pod meant to be Guaranteed (accelerator pods): limits equal requests.

    A pod is Guaranteed only when every container, init containers included, has cpu and memory limits and the
    requests equal the limits (kubernetes/kubernetes pkg/apis/core/helper/qos/qos.go: ComputePodQOS over
    getAllContainers, which appends InitContainers; https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/
    "Every Container in the Pod must have a CPU limit"): INIT_RESOURCES would make a GPU pod Burstable.
    The server's own cpu and memory cost nothing more: a pod's request is the larger of its largest init container
    and the sum of its app containers
    (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers),
    and the download is not throttled at 100m."""
    both = {"cpu": cpu, "memory": memory}
    return {"requests": both, "limits": dict(both)}


@dataclass(frozen=True)
class StoreAccess:
    """What a container needs to read stores with `storageCredentials` Secrets, and the pod volumes that go with it."""

    env: list[Obj] = field(default_factory=list)
    mounts: list[Obj] = field(default_factory=list)
    volumes: list[Obj] = field(default_factory=list)


def store_access(uris: Iterable[str | None], credentials: Sequence[ir.StoreCredentials]) -> StoreAccess:
    """The Secrets of the schemes `uris` use, for the target's `storageCredentials` (none: workload identity)."""
    schemes = {s for u in uris if u and (s := store_scheme(u))}
    access = StoreAccess()
    for given in sorted(credentials, key=lambda c: c.scheme):
        if given.scheme not in schemes:
            continue
        name = given.secret.name
        if given.scheme == "gs":
            volume, folder = f"{given.scheme}-credentials", f"{CREDENTIALS_DIR}/{given.scheme}"
            access.volumes.append({"name": volume, "secret": {
                "secretName": name, "items": [{"key": given.secret.key or GS_KEY_FILE, "path": GS_KEY_FILE}]}})
            access.mounts.append({"name": volume, "mountPath": folder, "readOnly": True})
            access.env.append({"name": "GOOGLE_APPLICATION_CREDENTIALS", "value": f"{folder}/{GS_KEY_FILE}"})
            continue
        access.env.extend({"name": key, "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}
                          for key in STORE_SECRET_KEYS[given.scheme])
        access.env.extend({"name": key, "valueFrom": {"secretKeyRef": {"name": name, "key": key, "optional": True}}}
                          for key in STORE_OPTIONAL_KEYS[given.scheme])
    return access


@dataclass(frozen=True)
class Source:
    image: str | None        # modelcar image to copy from
    uri: str | None          # what the storage-initializer downloads


def resolve(artifact: str, registry: str) -> Source:
    """Where `artifact` comes from; `registry` is the target's registry (possibly a deferred $(infra.X) token)."""
    scheme, _, rest = artifact.partition("://")
    if scheme == "registry":
        return Source(f"{registry.rstrip('/')}/{rest}", None)
    if scheme == "oci":
        return Source(rest, None)
    if scheme == "az":
        account, _, path = rest.partition("/")
        return Source(None, f"https://{account}.blob.core.windows.net/{path}")
    if scheme in ("s3", "gs", "https"):
        return Source(None, artifact)
    raise ValueError(f"unsupported artifact scheme in '{artifact}'")


def fetch(artifact: str, registry: str, security: Obj, dest: str = MODEL_DIR, volume: str = "models",
          access: StoreAccess = StoreAccess(), resources: Obj = INIT_RESOURCES) -> Obj:
    """The init container that puts `artifact` into `dest` (the `volume` emptyDir); `access`: its store's Secret
    (`store_access`, whose volumes the pod must carry); `resources`: a Guaranteed pod's own (`guaranteed`)."""
    where = resolve(artifact, registry)
    mounts = [{"name": volume, "mountPath": dest}, {"name": "tmp", "mountPath": "/tmp"}]
    common: Obj = {"resources": resources, "securityContext": security, "volumeMounts": mounts}
    if where.image:
        return {"name": "model", "image": where.image, "command": ["cp", "-R", "/models/.", f"{dest}/"], **common}
    return {"name": "storage-initializer", "image": STORAGE_INITIALIZER_IMAGE, "args": [where.uri, dest],
            "env": [{"name": "HOME", "value": "/tmp"}, *access.env], **common,
            "volumeMounts": [*mounts, *access.mounts]}


def download_ports(artifacts: list[str]) -> list[int]:
    """TCP ports the storage-initializer connects to for these artifacts (443, or an https URI's own)."""
    ports = set()
    for artifact in artifacts:
        uri = resolve(artifact, "").uri
        if uri:
            ports.add(urlsplit(uri).port or HTTPS_PORT)
    return sorted(ports)
