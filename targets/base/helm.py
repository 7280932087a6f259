"""The add-ons as Pulumi resources: one Helm release per chart of `mlops.targets.base.addons.CHARTS` (with the
values from that table), and the GatewayClass, installed on a target's cluster.

cert-manager (only when `gateway.tls.acme` asks for it) waits for Envoy Gateway's release: the Gateway API CRDs
must exist before cert-manager starts, or its Gateway controller stays off until it is restarted
(envoyproxy/gateway@v1.5.2:site/content/en/latest/tasks/security/tls-cert-manager.md:27)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from mlops import ir
from mlops.targets.base.addons import CERT_MANAGER, CHARTS, ENVOY_CONTROLLER, GATEWAY_CLASS, Chart, values, wanted
from mlops.targets.base.tags import k8s_labels


class AddOns(pulumi.ComponentResource):
    """The Helm releases and the GatewayClass, installed through `k8s_provider`."""

    releases: dict[str, k8s.helm.v3.Release]

    def __init__(self, name: str, env: ir.Environment, k8s_provider: k8s.Provider, *, nvidia_device_plugin: bool,
                 depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:k8s:AddOns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=k8s_provider, depends_on=list(depends_on))
        acme = env.gateway.tls is not None and env.gateway.tls.acme_email is not None
        chosen = {n: values(n) for n in wanted(acme, nvidia_device_plugin)}
        chosen.update({n: dict(v) for n, v in (extra or {}).items()})
        names = sorted(chosen)
        self.releases = {n: self._release(name, CHARTS[n], chosen[n], child) for n in names if n != CERT_MANAGER}
        if CERT_MANAGER in chosen:
            after_gateway = pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[self.releases["envoy-gateway"]]))
            self.releases[CERT_MANAGER] = self._release(name, CHARTS[CERT_MANAGER], chosen[CERT_MANAGER], after_gateway)
        self.gateway_class = k8s.apiextensions.CustomResource(
            f"{name}-gatewayclass",
            api_version="gateway.networking.k8s.io/v1",
            kind="GatewayClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_CLASS, labels=k8s_labels(env)),
            spec={"controllerName": ENVOY_CONTROLLER},
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.releases["envoy-gateway"]])),
        )
        self.register_outputs({"charts": {n: CHARTS[n].version for n in names}, "gatewayClass": GATEWAY_CLASS})

    @staticmethod
    def _release(prefix: str, chart: Chart, chart_values: dict[str, Any], opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            f"{prefix}-{chart.release}",
            k8s.helm.v3.ReleaseArgs(
                name=chart.release,                       # explicit: Pulumi would otherwise add a random suffix
                chart=chart.chart,
                version=chart.version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo) if chart.repo else None,
                namespace=chart.namespace,
                create_namespace=True,
                values=chart_values,
                atomic=True,
                cleanup_on_fail=True,
            ),
            opts=opts,
        )


def install(env: ir.Environment, k8s_provider: k8s.Provider, parent: pulumi.Resource, *, nvidia_device_plugin: bool,
            depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None) -> AddOns:
    """The add-ons of `env`'s cluster, as a child of `parent`. `extra`: provider-specific charts of `CHARTS`
    (by name) with their values."""
    return AddOns(f"{env.stack}-addons", env, k8s_provider, nvidia_device_plugin=nvidia_device_plugin,
                  depends_on=depends_on, extra=extra, opts=pulumi.ResourceOptions(parent=parent))
