"""The add-on charts' images through a target's registry mirrors (`targets.<t>.images.mirrors`) and their pull
secrets (`images.pullSecrets`), written at the values keys each chart reads them from at its pinned version
(mlops.targets.base.chart_image_keys). A key whose image's host has no mirror keeps the chart's default.

The pull secrets are named the same in every namespace a pod pulls in: a chart's pods pull with Secrets of their own
namespace (ServiceAccount.imagePullSecrets and PodSpec.imagePullSecrets alike, core/v1: "references to secrets in
the same namespace"), so the Secret must exist in each add-on's namespace too (`namespaces`). The user creates it
there: its value is a registry credential, and mlops handles secrets only by reference (copying it from one
namespace to the others in the infra stack would put the credential in the Pulumi state).
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.ir import runtimes
from mlops.targets.base import addons
from mlops.targets.base.chart_image_keys import KEYS, PULL_SECRETS

COVERED = frozenset(PULL_SECRETS)
# The upstream hosts these charts pull from: a mirror of one of them is used by the add-ons. The Envoy proxies'
# image (addons.ENVOY_PROXY_IMAGE) is on Docker Hub, as the gateway's own.
HOSTS = frozenset({k.upstream if k.form == "registry" else runtimes.split_host(k.upstream)[0]
                   for keys in KEYS.values() for k in keys})


def values(chart: str, env: ir.Environment) -> dict[str, Any]:
    """The values that pull `chart`'s images through the target's mirrors, with its pull secrets."""
    target = env.target
    prefixes = dict(target.mirrors)
    out: dict[str, Any] = {}
    for key in KEYS.get(chart, ()):
        if key.form == "registry":
            if key.upstream in prefixes:
                _set(out, key.path, prefixes[key.upstream])
        elif runtimes.mirrored(key.upstream, target.mirrors) != key.upstream:
            _set(out, key.path, runtimes.mirrored(key.upstream, target.mirrors))
    if target.pull_secrets and chart in PULL_SECRETS:
        path, form = PULL_SECRETS[chart]
        _set(out, path, [{"name": n} for n in target.pull_secrets] if form == "refs" else list(target.pull_secrets))
    return out


def namespaces(env: ir.Environment, charts: tuple[str, ...]) -> tuple[str, ...]:
    """Where a Secret named in `images.pullSecrets` must exist: the environment's namespace (its workloads and
    cert-manager's HTTP-01 solver pods), the namespace Envoy Gateway runs every Gateway's proxies in, and the
    namespace of each chart in `charts` (those the infra stack installs)."""
    if not env.target.pull_secrets:
        return ()
    where = {env.namespace, addons.coordinates(env).gateway_namespace}
    return tuple(sorted(where | {addons.CHARTS[c].namespace for c in charts}))


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`base` with `extra` merged in, mapping by mapping."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _set(out: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        out = out.setdefault(key, {})
    out[path[-1]] = value
