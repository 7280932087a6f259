"""Environments on one existing cluster: they share one installation of the add-ons, or the spec is refused.

Two environments whose targets (onprem) name the same kubeconfig context run on one cluster. Each has its own infra
stack, and Helm releases, the GatewayClass and the add-ons' CRDs are cluster-wide: installed by both stacks they
would collide (the second `pulumi up` fails; destroying one stack would remove the other's add-ons). So the
alphabetically first of them installs the add-ons and the others use that installation (`ir.Environment.
addons_from`). One installation can only be configured one way: environments asking it for different things
(Prometheus retention or storage, existing add-ons, storage class, the Rollouts plugin's location, the GPU pools
the device plugin runs on) are refused, each at its `target`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.spec.load import Source
from mlops.spec.overlay import EnvSource, environment_document
from mlops.spec.raw import mapping, pools_of
from mlops.targets import owners


def _cluster(doc: dict[str, Any], env: str) -> str | None:
    """The kubeconfig context of `env`'s cluster when its target is an existing one."""
    target_name = mapping(mapping(doc.get("environments")).get(env)).get("target")
    target = mapping(mapping(doc.get("targets")).get(target_name)) if isinstance(target_name, str) else {}
    context = target.get("context")
    # A target reached through a kubeconfig context is an existing cluster, which environments may share.
    existing = target.get("provider") in owners("context")
    return context if existing and isinstance(context, str) else None


def _sharing(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Contexts used by more than one environment -> those environments, sorted."""
    groups: dict[str, list[str]] = {}
    for env in sorted(mapping(doc.get("environments"))):
        context = _cluster(doc, env)
        if context is not None:
            groups.setdefault(context, []).append(env)
    return {context: envs for context, envs in groups.items() if len(envs) > 1}


def addons_owner(source: Source, env: str) -> str | None:
    """The environment whose stack installs the add-ons `env` uses, when that is another one."""
    doc = mapping(source.data)
    context = _cluster(doc, env)
    owner = _sharing(doc).get(context, [env])[0] if context is not None else env
    return None if owner == env else owner


def _view(doc: dict[str, Any], env: str) -> dict[str, Any]:
    """What one add-on installation is configured from, as `env` asks for it."""
    merged = environment_document(doc, env)
    name = mapping(merged["environments"][env]).get("target")
    target = mapping(mapping(merged.get("targets")).get(name)) if isinstance(name, str) else {}
    monitoring = mapping(merged.get("monitoring"))
    return {"monitoring.retention": monitoring.get("retention"), "monitoring.storage": monitoring.get("storage"),
            "target addons": target.get("addons"), "target storageClass": target.get("storageClass"),
            # the add-ons' images are pulled through these (mlops.targets.base.chart_images)
            **{f"target images.{key}": mapping(target.get("images")).get(key)
               for key in ("mirrors", "pullSecrets", "rolloutsGatewayPlugin")},
            "GPU node pools": sorted(n for n, p in pools_of(merged).items() if p.get("accelerator"))}


def shared_clusters(source: Source) -> Iterator[Diagnostic]:
    doc = mapping(source.data)
    at = EnvSource(source, None)
    for context, envs in sorted(_sharing(doc).items()):
        owner, *others = envs
        wanted = _view(doc, owner)
        for env in others:
            asked = _view(doc, env)
            differ = [k for k in wanted if wanted[k] != asked[k]]
            if differ:
                yield at.error(("environments", env, "target"),
                               f"environments '{owner}' and '{env}' run on one existing cluster (kubeconfig context "
                               f"'{context}') and share its add-ons, installed once by '{owner}', but ask them for "
                               f"different {', '.join(differ)}: give them the same, or put them on separate clusters")
