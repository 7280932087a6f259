"""What a model reads, by URI scheme. Targets grant exactly `mlops.ir.serving.reads(model)` to the model's workload
identity and create one registry repository per `registry://` name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops import ir
from mlops.ir import serving

# Object stores by URI scheme, and what a `storageCredentials` Secret for each holds: the variables KServe's
# storage-initializer reads (kserve@v0.15.2 python/kserve/kserve/storage/storage.py: boto3's environment chain and
# AWS_ENDPOINT_URL / AWS_DEFAULT_REGION at :182-203, not S3_ENDPOINT which only its Go controller reads; Azure's
# AZURE_CLIENT_ID then DefaultAzureCredential, whose environment credential takes AZURE_TENANT_ID and
# AZURE_CLIENT_SECRET, at :649-656), and for gs a service-account key file: `storage.Client()` at :331 uses Google's
# application default credentials, which find it through GOOGLE_APPLICATION_CREDENTIALS.
STORE_SCHEMES = ("s3", "gs", "az")
STORE_SECRET_KEYS: dict[str, tuple[str, ...]] = {          # required keys
    "s3": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
    "gs": ("key.json",),                                      # or the secretRef's own `key`
    "az": ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"),
}
STORE_OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {        # passed on when the Secret has them
    "s3": ("AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"),
    "gs": (), "az": (),
}
# What request logging's Vector also needs of the Secret it writes data.live with: S3's region, since Vector signs
# for one region and off AWS cannot learn the bucket's (mlops.emit.k8s.request_log.SECRET_KEYS, which cites it).
STORE_LOGGING_KEYS: dict[str, tuple[str, ...]] = {"s3": ("AWS_DEFAULT_REGION",), "gs": (), "az": ()}


def store_scheme(uri: str) -> str | None:
    """The object-store scheme of `uri` (s3, gs, az), None for anything else."""
    scheme = uri.partition("://")[0]
    return scheme if "://" in uri and scheme in STORE_SCHEMES else None


def registry_repo(uri: str) -> str | None:
    """`registry://NAME:TAG` or `registry://NAME@sha256:…` -> NAME; None for other schemes."""
    if not uri.startswith("registry://"):
        return None
    rest = uri[len("registry://"):]
    return rest.split("@", 1)[0].rsplit(":", 1)[0] if ":" in rest.split("/")[-1] or "@" in rest else rest


def _registry_uris(env: ir.Environment) -> list[str]:
    """The `registry://` references of the environment: what its models serve, and the training images of the
    models that train here (the team pushes its trainer where its workflow pulls it)."""
    trainers = [m.training.image for m in env.models if m.training and m.training.environment == env.name]
    return [u for u in (*(u for m in env.models for u in serving.reads(m)), *trainers) if registry_repo(u)]


def registry_repos(env: ir.Environment) -> tuple[str, ...]:
    """Distinct `registry://` repository names the environment uses, sorted."""
    return tuple(sorted({r for u in _registry_uris(env) if (r := registry_repo(u))}))


@dataclass(frozen=True)
class Pins:
    """What one repository of the environment's registry holds that the environment runs: by tag and by digest.
    A keep-last cleanup must never remove these (infra review S5)."""
    tags: tuple[str, ...]
    digests: tuple[str, ...]


def registry_pins(env: ir.Environment) -> dict[str, Pins]:
    """Per repository (sorted), the tags (`NAME:TAG`) and digests (`NAME@sha256:…`) the environment's
    `registry://` references name."""
    found: dict[str, tuple[set[str], set[str]]] = {}
    for uri in _registry_uris(env):
        repo = registry_repo(uri)
        assert repo is not None
        named, _, digest = uri[len("registry://"):].partition("@")
        tags, digests = found.setdefault(repo, (set(), set()))
        if named != repo:
            tags.add(named[len(repo) + 1:])
        if digest:
            digests.add(digest)
    return {repo: Pins(tuple(sorted(tags)), tuple(sorted(digests))) for repo, (tags, digests) in sorted(found.items())}


def bucket_object(uri: str, scheme: str) -> tuple[str, str] | None:
    """`s3://BUCKET/KEY` -> (BUCKET, KEY) for `scheme` "s3" (likewise gs); None for other schemes."""
    prefix = f"{scheme}://"
    if not uri.startswith(prefix):
        return None
    bucket, _, key = uri[len(prefix):].partition("/")
    return bucket, key


def workflow_output(uri: str, suffix: str, secret: str | None) -> dict[str, Any]:
    """An Argo Workflows output artifact's location for `<uri>/<suffix>` in an object store: with the pod's identity
    (`useSDKCreds`; a gcs location without a key Secret uses Workload Identity), or the storageCredentials Secret
    `secret` for the scheme (argoproj/argo-workflows@v4.0.6 docs/fields.md S3Artifact, GCSArtifact, AzureArtifact).
    S3 needs its endpoint named; an az Secret holds a service principal, which Argo's azure driver cannot take, so
    az always uses the SDK's credential chain.

    What the drivers of argoexec v4.0.6 (the chart 1.0.18's appVersion) do with these, read at that tag:
    - s3 `useSDKCreds`: workflow/artifacts/s3/s3.go:432-452 GetCredentials -> :400-411 getAWSCredentials, the AWS
      SDK's default chain (aws-sdk-go-v2/config v1.29.14, go.mod:240), which reads EKS Pod Identity's container
      credentials (and IRSA's web identity) that the Pod Identity webhook puts in every container of the pod, Argo's
      wait container included. No `region`: minio-go asks the bucket (GetBucketLocation, granted with the write in
      targets/aws/access.py s3_write_statements). With a Secret: static keys (s3.go:434-441).
    - gcs without serviceAccountKeySecret: workflow/artifacts/gcs/gcs.go:71-77 -> :91-97 storage.NewClient with no
      option = Application Default Credentials, which on GKE is the Workload Identity of the pod's ServiceAccount.
    - azure `useSDKCreds`: workflow/artifacts/azure/azure.go:53-59 azidentity.NewDefaultAzureCredential (azidentity
      v1.10.0, go.mod:7), whose chain holds the workload identity credential (AZURE_CLIENT_ID, AZURE_TENANT_ID,
      AZURE_FEDERATED_TOKEN_FILE, set by AKS's webhook on a pod labelled azure.workload.identity/use). Without it
      only `accountKeySecret`, an account key or a SAS token (azure.go:60-83): never a service principal, so an
      az:// output from another cloud's cluster is refused at validation (mlops.spec.rules.training)."""
    scheme, _, rest = uri.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme == "az":
        container, _, path = prefix.partition("/")
        return {"azure": {"endpoint": f"https://{bucket}.blob.core.windows.net", "container": container,
                          "blob": f"{path.rstrip('/')}/{suffix}".lstrip("/"), "useSDKCreds": True}}
    key = f"{prefix.rstrip('/')}/{suffix}".lstrip("/")
    if scheme == "s3":
        keys: dict[str, Any] = {"useSDKCreds": True}
        if secret:
            keys = {"accessKeySecret": {"name": secret, "key": "AWS_ACCESS_KEY_ID"},
                    "secretKeySecret": {"name": secret, "key": "AWS_SECRET_ACCESS_KEY"}}
        return {"s3": {"endpoint": "s3.amazonaws.com", "bucket": bucket, "key": key, **keys}}
    if scheme == "gs":
        given = {"serviceAccountKeySecret": {"name": secret, "key": STORE_SECRET_KEYS["gs"][0]}} if secret else {}
        return {"gcs": {"bucket": bucket, "key": key, **given}}
    raise ValueError(f"'{uri}' is not in an object store Argo Workflows can write to")
