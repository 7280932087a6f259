"""The cloud-agnostic Kubernetes layer, one module per concern.

`compiler.emit.manifests` wires them: serving (pods, Services), rollout (Deployment / Argo Rollout /
AnalysisTemplate per strategy), routing (Gateway, HTTPRoute), scaling (KEDA, HPA, PDB), monitoring
(ServiceMonitor, PrometheusRule, dashboard, drift CronJob) and security (Namespace, NetworkPolicy,
ServiceAccount). `runtimes` is the one pinned table of serving images; `addons` names the cluster
add-ons the manifests rely on; `meta` makes labels, annotations and names.
"""
