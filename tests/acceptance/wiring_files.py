"""Wiring rule over credential files: a container told where a credential file is (an environment variable holding a
path under /var/run/secrets, e.g. GOOGLE_APPLICATION_CREDENTIALS or HF_TOKEN_PATH) finds it there, read-only, from
a Secret volume that projects that very key to that very file (a Secret passed as a file, not in the environment:
the posture README's CKV_K8S_35)."""

from __future__ import annotations

from collections.abc import Iterator

from .wiring_build import Build, Obj, Violation, name, pods

SECRETS_ROOT = "/var/run/secrets/"


def _projected(spec: Obj, container: Obj, path: str) -> str | None:
    """The Secret (name/key) a read-only mount of `container` puts at `path`, or None."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        folder = mount["mountPath"].rstrip("/") + "/"
        secret = volumes.get(mount["name"], {}).get("secret")
        if not (secret and mount.get("readOnly") and path.startswith(folder)):
            continue
        relative = path[len(folder):]
        for item in secret.get("items", []):
            if item["path"] == relative:
                return f"{secret['secretName']}/{item['key']}"
    return None


def credential_files(b: Build) -> Iterator[Violation]:
    for obj, spec, _ in pods(b):
        for c in spec.get("initContainers", []) + spec["containers"]:
            for var in c.get("env", []):
                path = var.get("value") or ""
                if path.startswith(SECRETS_ROOT) and _projected(spec, c, path) is None:
                    yield Violation("credential-files", f"{name(obj)} {c['name']}",
                                    f"{var['name']}={path} is no key of a Secret mounted read-only there")
