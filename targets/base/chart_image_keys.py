"""Where each add-on chart reads its images and its pull secrets, at its pinned version
(mlops.targets.base.addons.CHARTS): pure data, read by mlops.targets.base.chart_images. Every key was read at the
pinned tag; the line beside it is where.

A `Key` is one values path and what the chart renders there by default, in one of three forms:
- "registry": the chart renders `<registry>/<repository>:<tag>`: the key holds the upstream host, and the mirror
  prefix of that host stands for it (the repository keeps its path, as `mlops.ir.runtimes.mirrored` does);
- "repository": the key holds the host and the path (`nvcr.io/nvidia/k8s-device-plugin`): the whole repository is
  mirrored, the chart still adds its tag;
- "image": the key holds a whole image reference, tag included: it is mirrored whole.

Images no key reaches: none. Every image of every chart here, the subcharts' included, is covered; the one download
that does not go through a registry is the Argo Rollouts Gateway API plugin (a binary the controller fetches from
github.com at start, `addons.GATEWAY_PLUGIN_URL`): `NOT_MIRRORED` says so, and `images.rolloutsGatewayPlugin` names
its copy (the README's air-gapped section).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

QUAY, GHCR, K8S, HUB, NVCR = "quay.io", "ghcr.io", "registry.k8s.io", "docker.io", "nvcr.io"


@dataclass(frozen=True)
class Key:
    path: tuple[str, ...]
    upstream: str                   # the host, or the repository or image with its host
    form: Literal["registry", "repository", "image"] = "registry"


def _at(path: str, upstream: str, form: Literal["registry", "repository", "image"] = "registry") -> Key:
    return Key(tuple(path.split(".")), upstream, form)


KEYS: dict[str, tuple[Key, ...]] = {
    # argoproj/argo-helm@argo-rollouts-2.40.9:charts/argo-rollouts/values.yaml:106-110,383-387; rendered
    # "{{ registry }}/{{ repository }}:{{ tag }}" (templates/controller/deployment.yaml:49).
    "argo-rollouts": (_at("controller.image.registry", QUAY), _at("dashboard.image.registry", QUAY)),
    # argoproj/argo-helm@argo-workflows-1.0.18:charts/argo-workflows/values.yaml:131-135 (controller), 548-552
    # (executor: the init and wait containers of every Workflow pod, passed as --executor-image), 574-578 (server);
    # templates/_helpers.tpl:158-162. `crds.full: false` in mlops' values: the CRD Job's kubectl image is not used.
    "argo-workflows": (_at("controller.image.registry", QUAY), _at("executor.image.registry", QUAY),
                       _at("server.image.registry", QUAY)),
    # kedacore/charts@v2.16.0:keda/values.yaml:10-29; templates/manager/deployment.yaml:72-76.
    "keda": (_at("image.keda.registry", GHCR), _at("image.metricsApiServer.registry", GHCR),
             _at("image.webhooks.registry", GHCR)),
    # prometheus-community/helm-charts@prometheus-pushgateway-3.8.0:charts/prometheus-pushgateway/values.yaml:18-22
    # (an empty image.registry, the host inside image.repository; templates/_helpers.tpl:135-144).
    "prometheus-pushgateway": (_at("image.repository", "quay.io/prometheus/pushgateway", "repository"),),
    # kube-prometheus-stack 67.8.0 (prometheus-community/helm-charts@kube-prometheus-stack-67.8.0:
    # charts/kube-prometheus-stack/values.yaml): Alertmanager 705, Prometheus 3653, the operator 2978, the config
    # reloader it injects into both 3005, the Thanos image it defaults to 3026, the admission webhook Deployment
    # 2492 and its certificate patch Jobs 2604 (registry.k8s.io), Thanos Ruler 4719; each rendered
    # `<registry>/<repository>` (templates/prometheus/prometheus.yaml:50-58, alertmanager/alertmanager.yaml:16-24,
    # prometheus-operator/deployment.yaml:50-56,
    # prometheus-operator/admission-webhooks/job-patch/job-createSecret.yaml:34-38).
    # Its subcharts, as the 67.8.0 package bundles them (the newest of its ranges on its release day, 2025-01-06,
    # Chart.yaml dependencies `5.28.*`, `4.43.*`, `8.8.*`): kube-state-metrics 5.28.0 (values.yaml:4 registry.k8s.io,
    # 107 kube-rbac-proxy; templates/_helpers.tpl:125-153), prometheus-node-exporter 4.43.1 (values.yaml:5, 46;
    # templates/_helpers.tpl:81-90, daemonset.yaml:219-221), grafana 8.8.2 (grafana/helm-charts@grafana-8.8.2:
    # charts/grafana/values.yaml:99 grafana, 930 the dashboards sidecar, 457 init-chown, 187 dashboards download,
    # 123 the test pod, 1329 the image renderer; templates/_pod.tpl:32,61,110,931). The Windows exporter subchart
    # is not rendered (windowsMonitoring.enabled: false, values.yaml:237-239).
    "kube-prometheus-stack": (
        _at("alertmanager.alertmanagerSpec.image.registry", QUAY),
        _at("prometheus.prometheusSpec.image.registry", QUAY),
        _at("prometheusOperator.image.registry", QUAY),
        _at("prometheusOperator.prometheusConfigReloader.image.registry", QUAY),
        _at("prometheusOperator.thanosImage.registry", QUAY),
        _at("prometheusOperator.admissionWebhooks.deployment.image.registry", QUAY),
        _at("prometheusOperator.admissionWebhooks.patch.image.registry", K8S),
        _at("thanosRuler.thanosRulerSpec.image.registry", QUAY),
        _at("kube-state-metrics.image.registry", K8S), _at("kube-state-metrics.kubeRBACProxy.image.registry", QUAY),
        _at("prometheus-node-exporter.image.registry", QUAY),
        _at("prometheus-node-exporter.kubeRBACProxy.image.registry", QUAY),
        _at("grafana.image.registry", HUB), _at("grafana.sidecar.image.registry", QUAY),
        _at("grafana.initChownData.image.registry", HUB), _at("grafana.downloadDashboardsImage.registry", HUB),
        _at("grafana.testFramework.image.registry", HUB), _at("grafana.imageRenderer.image.registry", HUB)),
    # envoyproxy/gateway@v1.5.2:charts/gateway-helm/values.tmpl.yaml:14 `global.images.envoyGateway.image`, filled
    # at release with docker.io/envoyproxy/gateway and the release tag (.github/workflows/release.yaml:77, the chart
    # version = the tag); it is the controller's, the certgen Job's and every proxy pod's shutdown-manager image
    # (templates/_helpers.tpl:67-96, 155-182: `shutdownManager.image: {{ include "eg.image" . }}`); the chart splits
    # it at the first "/" into registry and repository, so a prefix with a path keeps it whole. The rate limiter:
    # values.tmpl.yaml:22 (helpers 125-134). The proxies' own Envoy image is not a chart value: the EnvoyProxy of
    # each Gateway names it (mlops.emit.k8s.mirrors, addons.ENVOY_PROXY_IMAGE).
    "envoy-gateway": (_at("global.images.envoyGateway.image", "docker.io/envoyproxy/gateway:v1.5.2", "image"),
                      _at("global.images.ratelimit.image", "docker.io/envoyproxy/ratelimit:e74a664a", "image")),
    # cert-manager/cert-manager@v1.21.1:deploy/charts/cert-manager/values.yaml:179-182: `imageRegistry` (quay.io)
    # "used for all cert-manager images by default. This can include path prefixes": the controller, webhook,
    # cainjector, startupapicheck and the ACME HTTP-01 solver (templates/_helpers.tpl:182-230; the solver's image is
    # passed as --acme-http01-solver-image, templates/deployment.yaml:117).
    "cert-manager": (_at("imageRegistry", QUAY),),
    # NVIDIA/k8s-device-plugin@v0.17.1:deployments/helm/nvidia-device-plugin/values.yaml:48-49 (templates/
    # _helpers.tpl:85); node-feature-discovery, its only subchart, is off (condition nfd.enabled,gfd.enabled,
    # Chart.yaml; gfd.enabled: false, values.yaml:105-106).
    "nvidia-device-plugin": (_at("image.repository", "nvcr.io/nvidia/k8s-device-plugin", "repository"),),
    # kubernetes/autoscaler@cluster-autoscaler-chart-9.43.2:charts/cluster-autoscaler/values.yaml:256-260
    # (templates/deployment.yaml:55 `{{ .Values.image.repository }}:{{ .Values.image.tag }}`).
    "cluster-autoscaler": (_at("image.repository", "registry.k8s.io/autoscaling/cluster-autoscaler", "repository"),),
}

# Where each chart reads its pull secrets, and in which form: "refs" a list of {name: ...} (LocalObjectReference),
# "names" a list of names.
# - argo-rollouts values.yaml:309 (templates/controller/deployment.yaml:43-46); argo-workflows values.yaml:7
#   `images.pullSecrets` (workflow-controller-deployment.yaml:118-121); keda values.yaml:54
#   (templates/manager/deployment.yaml:51-54); prometheus-pushgateway values.yaml:26 (_helpers.tpl:159-162).
# - kube-prometheus-stack 67.8.0 values.yaml:232 `global.imagePullSecrets`, on the operator, Prometheus,
#   Alertmanager, the webhook Jobs and their ServiceAccounts (templates/_helpers.tpl:301-308,
#   prometheus/prometheus.yaml:316-318, prometheus-operator/deployment.yaml:44-46). Helm hands `global` to every
#   subchart ("Global values are values that can be accessed from any chart or subchart by exactly the same name",
#   helm.sh/docs/chart_template_guide/subcharts_and_globals/), and each reads it: kube-state-metrics 5.28.0
#   templates/deployment.yaml:304-306, prometheus-node-exporter 4.43.1 templates/daemonset.yaml:263-265,
#   grafana 8.8.2 templates/_pod.tpl:313-315.
# - envoy-gateway v1.5.2 values.tmpl.yaml:7 `global.imagePullSecrets`: "take highest precedence" for the controller,
#   the certgen Job and the rate limiter (templates/_helpers.tpl:107-120,139-149). The proxies': their EnvoyProxy.
# - cert-manager v1.21.1 values.yaml:13 `global.imagePullSecrets` (templates/deployment.yaml:56-58, and the same in
#   webhook, cainjector, startupapicheck). The HTTP-01 solver pods: the Issuer's podTemplate (mlops.emit.k8s.mirrors).
# - nvidia-device-plugin v0.17.1 values.yaml:47 (templates/daemonset-device-plugin.yml:49-51).
# - cluster-autoscaler 9.43.2 values.yaml:268 `image.pullSecrets`, names (templates/deployment.yaml:337-341).
PULL_SECRETS: dict[str, tuple[tuple[str, ...], Literal["refs", "names"]]] = {
    "argo-rollouts": (("imagePullSecrets",), "refs"),
    "argo-workflows": (("images", "pullSecrets"), "refs"),
    "keda": (("imagePullSecrets",), "refs"),
    "prometheus-pushgateway": (("imagePullSecrets",), "refs"),
    "kube-prometheus-stack": (("global", "imagePullSecrets"), "refs"),
    "envoy-gateway": (("global", "imagePullSecrets"), "refs"),
    "cert-manager": (("global", "imagePullSecrets"), "refs"),
    "nvidia-device-plugin": (("imagePullSecrets",), "refs"),
    "cluster-autoscaler": (("image", "pullSecrets"), "names"),
}

# What an add-on downloads outside any registry, so no mirror covers it (said in the README's mirrors section).
NOT_MIRRORED: dict[str, str] = {
    "argo-rollouts": "the Gateway API traffic-router plugin binary, downloaded from github.com at start (or from "
                     "images.rolloutsGatewayPlugin)",
}
