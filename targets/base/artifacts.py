"""What a model reads: its artifacts and drift baseline, by URI scheme. Targets grant exactly these to the
model's workload identity and create one registry repository per `registry://` name."""

from __future__ import annotations

from mlops import ir


def uris(model: ir.Model) -> tuple[str, ...]:
    """Every URI the model's pods read (artifact, variants, shadow candidate, custom image, drift baseline)."""
    found = [model.artifact, model.image, model.rollout.candidate, *(v.artifact for v in model.rollout.variants),
             model.drift.baseline if model.drift else None]
    return tuple(sorted({u for u in found if u}))


def registry_repo(uri: str) -> str | None:
    """`registry://NAME:TAG` or `registry://NAME@sha256:…` -> NAME; None for other schemes."""
    if not uri.startswith("registry://"):
        return None
    rest = uri[len("registry://"):]
    return rest.split("@", 1)[0].rsplit(":", 1)[0] if ":" in rest.split("/")[-1] or "@" in rest else rest


def registry_repos(env: ir.Environment) -> tuple[str, ...]:
    """Distinct `registry://` repository names the environment's models use, sorted."""
    return tuple(sorted({r for m in env.models for u in uris(m) if (r := registry_repo(u))}))


def bucket_object(uri: str, scheme: str) -> tuple[str, str] | None:
    """`s3://BUCKET/KEY` -> (BUCKET, KEY) for `scheme` "s3" (likewise gs); None for other schemes."""
    prefix = f"{scheme}://"
    if not uri.startswith(prefix):
        return None
    bucket, _, key = uri[len(prefix):].partition("/")
    return bucket, key
