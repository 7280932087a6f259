"""The cloud-agnostic Kubernetes layer, one module per concern.

`compiler.emit.manifests` wires them. `plan` decides a model's serving instances from its strategy;
`serving` builds their pods and Services (with `artifacts` for the init container fetching the model);
`rollout` the Deployment / Argo Rollout / AnalysisTemplate; `routing` the Gateway and HTTPRoutes; `scaling`
KEDA, HPA and PDBs; `monitoring` the ServiceMonitor, PrometheusRule (`alerts`) and dashboard; `alerting` the
AlertmanagerConfig; `drift` the drift CronJob (running mlops.jobs.drift); `security` the Namespace,
NetworkPolicies and ServiceAccounts. `runtimes` is the one pinned table of serving images, `addons` says where
the cluster add-ons live, `meta` and `names` make labels, annotations and object names.
"""
