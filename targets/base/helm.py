"""The add-ons as Pulumi resources, installed on a target's cluster: one Helm release per chart
`mlops.targets.base.addons.installed` picks (with the values of that table), the GatewayClass, the PodMonitor
scraping the Envoy proxies, and Grafana's generated admin credentials.

cert-manager (only when `gateway.tls.acme` asks for it) waits for Envoy Gateway's release: the Gateway API CRDs
must exist before cert-manager starts, or its Gateway controller stays off until it is restarted
(envoyproxy/gateway@v1.5.2:site/content/en/latest/tasks/security/tls-cert-manager.md:27)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from mlops import ir
from mlops.targets.base import addons, chart_images
from mlops.targets.base.addons import CHARTS, Chart
from mlops.targets.base.tags import k8s_labels


class AddOns(pulumi.ComponentResource):
    """The Helm releases and the objects beside them, installed through `k8s_provider`."""

    releases: dict[str, k8s.helm.v3.Release]

    def __init__(self, name: str, env: ir.Environment, k8s_provider: k8s.Provider, *, nvidia_device_plugin: bool,
                 depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:k8s:AddOns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=k8s_provider, depends_on=list(depends_on))
        wanted = addons.installed(env, ("nvidia-device-plugin",) if nvidia_device_plugin else ())
        chosen = {n: chart_images.merged(addons.values(n, env), chart_images.values(n, env)) for n in wanted}
        if not env.addons_from:
            chosen.update({n: chart_images.merged(dict(v), chart_images.values(n, env))
                           for n, v in (extra or {}).items()})
        self.releases = {}
        if "kube-prometheus-stack" in chosen:
            secret = self._grafana_admin(name, env, child)
            self.releases["kube-prometheus-stack"] = self._release(
                name, CHARTS["kube-prometheus-stack"], chosen.pop("kube-prometheus-stack"), _after(child, secret))
        operator = [self.releases["kube-prometheus-stack"]] if "kube-prometheus-stack" in self.releases else []
        certificates = chosen.pop(addons.CERT_MANAGER, None)
        for n in sorted(chosen):   # the pushgateway's ServiceMonitor needs the operator's CRDs
            self.releases[n] = self._release(name, CHARTS[n], chosen[n], _after(child, *operator))
        if certificates is not None:
            gateway = [self.releases[n] for n in ("envoy-gateway",) if n in self.releases]
            self.releases[addons.CERT_MANAGER] = self._release(name, CHARTS[addons.CERT_MANAGER], certificates,
                                                               _after(child, *gateway))
        if "envoy-gateway" in self.releases:
            self.gateway_class = k8s.apiextensions.CustomResource(
                f"{name}-gatewayclass", api_version="gateway.networking.k8s.io/v1", kind="GatewayClass",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=addons.GATEWAY_CLASS, labels=k8s_labels(env)),
                spec={"controllerName": addons.ENVOY_CONTROLLER},
                opts=_after(child, self.releases["envoy-gateway"]))
        if not env.addons_from:
            monitor = addons.proxy_pod_monitor(env)
            self.proxy_monitor = k8s.apiextensions.CustomResource(
                f"{name}-proxy-metrics", api_version=monitor["apiVersion"], kind=monitor["kind"],
                metadata=k8s.meta.v1.ObjectMetaArgs(**monitor["metadata"]), spec=monitor["spec"],
                opts=_after(child, *operator, *[self.releases[n] for n in ("envoy-gateway",) if n in self.releases]))
        self.pull_secret_namespaces = chart_images.namespaces(env, tuple(self.releases))
        self.register_outputs({"charts": {n: CHARTS[n].version for n in sorted(self.releases)},
                               "sharedFrom": env.addons_from, "pullSecretNamespaces": self.pull_secret_namespaces})

    @staticmethod
    def _grafana_admin(prefix: str, env: ir.Environment, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        """Grafana's admin login, generated once and kept in the stack's state (never the chart's default).

        With pull secrets the namespace is the user's: it must hold the pull Secret before the chart's pods start,
        and since pulumi-kubernetes 4.29 creating an object that exists fails (AlreadyExists; pulumi/pulumi-kubernetes
        #2926, v4.29.0 release notes), so the stack makes it only without them."""
        after: list[pulumi.Resource] = []
        if not env.target.pull_secrets:
            after.append(k8s.core.v1.Namespace(f"{prefix}-monitoring", metadata=k8s.meta.v1.ObjectMetaArgs(
                name=addons.MONITORING_NAMESPACE, labels=k8s_labels(env)), opts=opts))
        password = random.RandomPassword(f"{prefix}-grafana-admin", length=32, special=False,
                                         opts=pulumi.ResourceOptions(parent=opts.parent))
        return k8s.core.v1.Secret(
            f"{prefix}-grafana-admin", metadata=k8s.meta.v1.ObjectMetaArgs(
                name=addons.GRAFANA_ADMIN_SECRET, namespace=addons.MONITORING_NAMESPACE, labels=k8s_labels(env)),
            string_data={"admin-user": "admin", "admin-password": password.result},
            opts=_after(opts, *after))

    @staticmethod
    def _release(prefix: str, chart: Chart, chart_values: dict[str, Any],
                 opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
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


def _after(opts: pulumi.ResourceOptions, *resources: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(resources)))


def install(env: ir.Environment, k8s_provider: k8s.Provider, parent: pulumi.Resource, *, nvidia_device_plugin: bool,
            depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None) -> AddOns:
    """The add-ons of `env`'s cluster, as a child of `parent`. `extra`: provider-specific charts of `CHARTS`
    (by name) with their values. Nothing is installed when another environment's stack installs them."""
    return AddOns(f"{env.stack}-addons", env, k8s_provider, nvidia_device_plugin=nvidia_device_plugin,
                  depends_on=depends_on, extra=extra, opts=pulumi.ResourceOptions(parent=parent))
