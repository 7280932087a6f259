"""What a model reads, by URI scheme. Targets grant exactly `mlops.ir.serving.reads(model)` to the model's workload
identity and create one registry repository per `registry://` name."""

from __future__ import annotations

from mlops import ir
from mlops.ir import serving


def registry_repo(uri: str) -> str | None:
    """`registry://NAME:TAG` or `registry://NAME@sha256:…` -> NAME; None for other schemes."""
    if not uri.startswith("registry://"):
        return None
    rest = uri[len("registry://"):]
    return rest.split("@", 1)[0].rsplit(":", 1)[0] if ":" in rest.split("/")[-1] or "@" in rest else rest


def registry_repos(env: ir.Environment) -> tuple[str, ...]:
    """Distinct `registry://` repository names the environment's models use, sorted."""
    return tuple(sorted({r for m in env.models for u in serving.reads(m) if (r := registry_repo(u))}))


def bucket_object(uri: str, scheme: str) -> tuple[str, str] | None:
    """`s3://BUCKET/KEY` -> (BUCKET, KEY) for `scheme` "s3" (likewise gs); None for other schemes."""
    prefix = f"{scheme}://"
    if not uri.startswith(prefix):
        return None
    bucket, _, key = uri[len(prefix):].partition("/")
    return bucket, key
