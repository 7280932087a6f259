"""Wiring rule over credential files: a container told where a credential file is (an environment variable holding a
path under /var/run/secrets, e.g. GOOGLE_APPLICATION_CREDENTIALS or HF_TOKEN_PATH) finds it there, read-only, from
a Secret volume that projects that very key to that very file (a Secret passed as a file, not in the environment:
the posture README's CKV_K8S_35). Vector reads another cloud's store keys the same way, named in its config rather
than its environment: each `SECRET[backend.key]` names a `directory` backend declared in that config, whose folder
holds the key, projected read-only from a Secret volume of Vector's container, and the key is one the target's
`storageCredentials` Secret documents for its scheme (what its owner puts there); a sink's `credentials_path` (gs) is
such a file too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from mlops.ir.runtimes import VECTOR_IMAGE
from mlops.targets.base.artifacts import STORE_OPTIONAL_KEYS, STORE_SECRET_KEYS

from .wiring_build import Build, Obj, Violation, name, pods

SECRETS_ROOT = "/var/run/secrets/"
# Vector's placeholder: backend, then key (vectordotdev/vector@v0.57.0 src/config/loading/secret.rs:31-32)
VECTOR_SECRET = re.compile(r"SECRET\[(\w+)\.([\w.\-/]+)\]")


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
    yield from vector_secret_files(b)


def _vector_config(b: Build, spec: Obj, container: Obj) -> Obj | None:
    """The config a Vector container runs: its `--config` file, in the ConfigMap volume mounted over that path."""
    args = container.get("args", [])
    path = args[args.index("--config") + 1] if "--config" in args else ""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        folder, source = mount["mountPath"].rstrip("/") + "/", volumes.get(mount["name"], {}).get("configMap")
        if source and path.startswith(folder):
            text = next((m["data"].get(path[len(folder):]) for m in b.of_kind("ConfigMap")
                         if m["metadata"]["name"] == source["name"]), None)
            return json.loads(text) if text else None
    return None


def _documented(b: Build, projected: str) -> bool:
    """`projected` (Secret/key) is a target's storageCredentials Secret and a key its scheme documents."""
    secret, _, key = projected.partition("/")
    return any(c.secret.name == secret and key in (*STORE_SECRET_KEYS[c.scheme], *STORE_OPTIONAL_KEYS[c.scheme],
                                                   *([c.secret.key] if c.secret.key else []))
               for c in b.env.target.storage_credentials)


def _vector_files(config: Obj) -> Iterator[tuple[str, str | None]]:
    """(what names a file, the file's path or None: an undeclared backend) for every file Vector's config reads."""
    backends = config.get("secret", {})
    for backend, key in VECTOR_SECRET.findall(json.dumps(config)):
        declared = backends.get(backend, {})
        path = declared.get("path") if declared.get("type") == "directory" else None
        yield f"SECRET[{backend}.{key}]", f"{path.rstrip('/')}/{key}" if path else None
    for sink, body in sorted(config.get("sinks", {}).items()):
        if "credentials_path" in body:
            yield f"sinks.{sink}.credentials_path", body["credentials_path"]


def vector_secret_files(b: Build) -> Iterator[Violation]:
    for obj, spec, _ in pods(b):
        for c in (c for c in spec["containers"] if c["image"] == VECTOR_IMAGE):
            config = _vector_config(b, spec, c) or {}
            for ref, path in _vector_files(config):
                where = f"{name(obj)} {c['name']}"
                if path is None:
                    yield Violation("credential-files", where, f"{ref} names no directory backend of its config")
                elif (projected := _projected(spec, c, path)) is None:
                    yield Violation("credential-files", where, f"{ref}: {path} is no key of a Secret mounted "
                                                               "read-only there")
                elif not _documented(b, projected):
                    yield Violation("credential-files", where, f"{ref}: {projected} is no key the target's "
                                                               "storageCredentials Secret documents")
