"""Tags and labels every cloud resource and cluster add-on carries: `metadata.labels` plus who made it."""

from __future__ import annotations

import re

from mlops import ir

PLATFORM = "mlops.dev/platform"
ENVIRONMENT = "mlops.dev/environment"


def tags(env: ir.Environment) -> dict[str, str]:
    """AWS / Azure style tags: `metadata.labels` + `mlops.dev/platform` and `mlops.dev/environment`, sorted."""
    return dict(sorted({**dict(env.labels), PLATFORM: env.platform, ENVIRONMENT: env.name}.items()))


def k8s_labels(env: ir.Environment) -> dict[str, str]:
    """The same, as Kubernetes labels (keys and values are already valid label text)."""
    return tags(env)


def gcp_labels(env: ir.Environment) -> dict[str, str]:
    """GCP labels allow only [a-z0-9_-] (keys start with a letter, 63 chars max):
    `mlops.dev/platform` -> `mlops-dev_platform`."""
    def clean(text: str) -> str:
        return re.sub(r"[^a-z0-9_-]", "_", text.lower().replace(".", "-"))[:63]

    return dict(sorted((clean(k), clean(v)) for k, v in tags(env).items()))
