"""Registry mirrors (`targets.<t>.images.mirrors`): a mirror nothing pulls through, or a pinned runtime image on
a host no mirror proxies, is said (a warning: the cluster may still reach that host), not silently ignored. The
Rollouts plugin's mirror (`images.rolloutsGatewayPlugin`) is refused where mlops installs no Argo Rollouts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, shown
from mlops.ir import runtimes
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of
from mlops.targets.base import chart_images

# The pinned images every environment may pull besides its runtimes: the storage initializer
# (mlops.emit.k8s.runtimes.STORAGE_INITIALIZER_IMAGE, on Docker Hub) and the add-on charts' images.
_ALWAYS = (runtimes.DOCKER_HUB, *sorted(chart_images.HOSTS))


def mirrors(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    images = mapping(mapping(target).get("images"))
    written = mapping(images.get("mirrors"))
    if not written:
        return
    name = mapping(target)["_name"]
    used = set(_ALWAYS) | ({runtimes.split_host(runtimes.JOBS_REPOSITORY)[0]} if not images.get("jobs") else set())
    for model_name, model in models_of(doc):
        pin = mapping(model.get("runtime")).get("image")
        framework = model.get("framework")
        default = runtimes.default_image(framework, False) if isinstance(framework, str) else None
        image = pin if isinstance(pin, str) else default
        if image is None:
            continue
        host = runtimes.split_host(image)[0]
        used.add(host)
        if isinstance(pin, str) and host not in written:
            yield at.error(("models", model_name, "runtime", "image"),
                           f"runtime.image {shown(pin)} is on {host}, which targets.{name}.images.mirrors does not "
                           "proxy: the cluster pulls it from there directly", severity="warning")
    for host in sorted(h for h in set(written) - used if isinstance(h, str) and h == h.lower() and "." in h):
        yield at.error(("targets", name, "images", "mirrors", host),
                       f"no image mlops emits or installs for this environment is on {host}: the mirror is unused",
                       key=True, severity="warning")


def gateway_plugin(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """An existing Argo Rollouts (`addons.argoRollouts: existing`) loads the plugins its own argo-rollouts-config
    ConfigMap lists: mlops installs no controller there, so a plugin URL would be silently ignored. Refused, since
    the schema cannot tie one field to another with a message saying why."""
    images = mapping(mapping(target).get("images"))
    if "rolloutsGatewayPlugin" not in images or "argoRollouts" not in mapping(mapping(target).get("addons")):
        return
    name = mapping(target)["_name"]
    yield at.error(("targets", name, "images", "rolloutsGatewayPlugin"),
                   f"targets.{name}.addons.argoRollouts is existing: mlops installs no Argo Rollouts controller there, "
                   "so it sets no plugin location; register the plugin in that controller's argo-rollouts-config "
                   "ConfigMap (trafficRouterPlugins) instead, and remove this setting", key=True)
