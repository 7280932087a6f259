"""Request logging's edges: each logged model's traffic passes its agent sidecar, the agent posts to the
environment's Vector, the network lets it, and Vector writes that model's events to its data.live."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from mlops.emit.k8s import request_log
from mlops.ir import runtimes, serving

from . import wiring_grants
from .wiring_build import Build, Obj, Violation, matches, name, pods

VECTOR_LABELS = {"app.kubernetes.io/name": "vector", "app.kubernetes.io/component": "request-log"}


def _vector_pods(b: Build) -> list[dict[str, str]]:
    return [labels for _, spec, labels in pods(b)
            if any(c["image"] == runtimes.VECTOR_IMAGE for c in spec["containers"])]


def _flag(container: Obj, flag: str) -> str | None:
    args = container.get("args", [])
    return args[args.index(flag) + 1] if flag in args else None


def agents_reach_vector(b: Build) -> Iterator[Violation]:
    """Every agent's --log-url is a Service selecting Vector's pods on their port, and an egress policy lets it."""
    services = {(s["metadata"]["name"], s["metadata"]["namespace"]): s for s in b.of_kind("Service")}
    egress = [p for p in b.of_kind("NetworkPolicy") if "Egress" in p["spec"]["policyTypes"]]
    for obj, spec, labels in pods(b):
        for c in (c for c in spec["containers"] if c["name"] == request_log.AGENT):
            url = urlsplit(_flag(c, "--log-url") or "")
            svc = services.get(tuple((url.hostname or "").split(".")[:2]))  # type: ignore[arg-type]
            if svc is None or not any(matches(svc["spec"]["selector"], v) for v in _vector_pods(b)) \
                    or url.port not in {p["port"] for p in svc["spec"]["ports"]}:
                yield Violation("request-logging", name(obj), f"--log-url {url.geturl()} is not Vector's Service")
            allowed = any(matches(p["spec"]["podSelector"].get("matchLabels", {}), labels)
                          and any(matches(peer.get("podSelector", {}).get("matchLabels", {"-": "-"}), VECTOR_LABELS)
                                  and url.port in {q["port"] for q in rule.get("ports", [])}
                                  for rule in p["spec"].get("egress", []) for peer in rule.get("to", []))
                          for p in egress)
            if not allowed:
                yield Violation("request-logging", name(obj), "no NetworkPolicy lets the agent post to Vector")


def traffic_through_agent(b: Build) -> Iterator[Violation]:
    """A Service in front of pods with an agent targets the agent's port, not the runtime's."""
    logged = [labels for _, spec, labels in pods(b) if any(c["name"] == request_log.AGENT for c in spec["containers"])]
    for svc in b.of_kind("Service"):
        if svc["spec"].get("clusterIP") == "None" or not any(matches(svc["spec"]["selector"], v) for v in logged):
            continue
        for port in svc["spec"]["ports"]:
            if port["targetPort"] != "agent-port":
                yield Violation("request-logging", name(svc), f"routes to {port['targetPort']}, past the logger")


def _sinks(b: Build) -> list[Obj]:
    maps = [m for m in b.of_kind("ConfigMap") if m["metadata"]["name"] == request_log.VECTOR]
    return [s for m in maps for s in json.loads(m["data"]["vector.yaml"])["sinks"].values()]


def _written(sink: Obj) -> str:
    if sink["type"] == "azure_blob":
        return f"az://{sink['account_name']}/{sink['container_name']}/{sink['blob_prefix']}"
    scheme = {"aws_s3": "s3", "gcp_cloud_storage": "gs"}[sink["type"]]
    return f"{scheme}://{sink['bucket']}/{sink['key_prefix']}"


def live_written(b: Build) -> Iterator[Violation]:
    """Each logged model's data.live gets a sink writing under it, fed by that model's events only; with the
    target's storageCredentials for the scheme, Vector's container mounts that Secret (and reads its keys from
    there: `credential-files`)."""
    sinks = _sinks(b)
    mounted = set()
    for _, spec, _ in pods(b):
        secrets = {v["name"]: v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
        mounted |= {secrets[m["name"]] for c in spec["containers"] if c["image"] == runtimes.VECTOR_IMAGE
                    for m in c.get("volumeMounts", []) if m["name"] in secrets}
    for model in (m for m in b.env.models if serving.logged(m)):
        live = model.data.live.rstrip("/") + "/date=%F/"  # type: ignore[union-attr]
        if not any(_written(s) == live for s in sinks):
            yield Violation("request-logging", model.name, f"no Vector sink writes {live}")
        scheme = live.partition("://")[0]
        for given in (c for c in b.env.target.storage_credentials if c.scheme == scheme):
            if given.secret.name not in mounted:
                yield Violation("request-logging", model.name, f"Vector lacks Secret {given.secret.name}")


def _location(sink: Obj) -> tuple[str, str, str]:
    """(scheme, bucket or account, key prefix) a sink writes under; az's key is CONTAINER/PREFIX."""
    scheme, _, rest = _written(sink).partition("://")
    bucket, _, key = rest.partition("/")
    return scheme, bucket, key


def live_granted(b: Build) -> Iterator[Violation]:
    """Vector writes every sink on the target's own scheme with its cloud identity (no Secret covers the scheme):
    its Deployment's ServiceAccount -> the identity bound to it -> a grant with a write verb covering an object under
    the sink's prefix (s3 PutObject, gs objectCreator/objectAdmin, az Blob Data Contributor), and the ServiceAccount
    names that identity."""
    own, by_secret = wiring_grants.OWN_SCHEME.get(b.provider), {c.scheme for c in b.env.target.storage_credentials}
    for obj, spec, _ in pods(b):
        if not any(c["image"] == runtimes.VECTOR_IMAGE for c in spec["containers"]):
            continue
        sa, written = spec["serviceAccountName"], False
        for store, bucket, key in (_location(s) for s in _sinks(b)):
            if store != own or store in by_secret:
                continue
            written = True
            # an object as Vector names it: the prefix's day, then a timestamp and a UUID (aws_s3.cue:1028-1041)
            sample = key.replace("%F", "2026-12-01") + "1764547200-0b1c.log.gz"
            if not wiring_grants._written(b, sa, store, bucket, sample):
                yield Violation("live-granted", name(obj), f"{store}://{bucket}/{key} is written without the "
                                                           f"{b.provider} identity of ServiceAccount {sa}")
        if written and (why := wiring_grants.annotation_gap(b, sa)):
            yield Violation("live-granted", f"ServiceAccount/{sa}", why)


def request_logging(b: Build) -> Iterator[Violation]:
    yield from agents_reach_vector(b)
    yield from traffic_through_agent(b)
    yield from live_written(b)
