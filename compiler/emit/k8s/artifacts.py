"""How a model artifact reaches the pod: an init container fills an emptyDir mounted at /mnt/models.

- `registry://REPO:TAG` and `oci://HOST/REPO:TAG` are OCI "modelcar" images (KServe's convention: the model
  under /models). The init container runs that image itself and copies the model out; the kubelet pulls it
  with the node's registry identity, so no key is involved.
- `s3://`, `gs://`, `https://` and `az://ACCOUNT/CONTAINER/PATH` (read as
  https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH) are fetched by KServe's storage-initializer with the
  pod's workload identity (boto3, google-cloud-storage and azure-identity default credential chains).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import MODEL_DIR, STORAGE_INITIALIZER_IMAGE

HTTPS_PORT = 443
INIT_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}}


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


def fetch(artifact: str, registry: str, security: Obj, dest: str = MODEL_DIR, volume: str = "models") -> Obj:
    """The init container that puts `artifact` into `dest` (the `volume` emptyDir)."""
    where = resolve(artifact, registry)
    mounts = [{"name": volume, "mountPath": dest}, {"name": "tmp", "mountPath": "/tmp"}]
    common: Obj = {"resources": INIT_RESOURCES, "securityContext": security, "volumeMounts": mounts}
    if where.image:
        return {"name": "model", "image": where.image, "command": ["cp", "-R", "/models/.", f"{dest}/"], **common}
    return {"name": "storage-initializer", "image": STORAGE_INITIALIZER_IMAGE, "args": [where.uri, dest],
            "env": [{"name": "HOME", "value": "/tmp"}], **common}


def download_ports(artifacts: list[str]) -> list[int]:
    """TCP ports the storage-initializer connects to for these artifacts (443, or an https URI's own)."""
    ports = set()
    for artifact in artifacts:
        uri = resolve(artifact, "").uri
        if uri:
            ports.add(urlsplit(uri).port or HTTPS_PORT)
    return sorted(ports)
