"""Objects shaped like those mlops emits, valid against the upstream schemas."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def deployment() -> Obj:
    labels = {"app.kubernetes.io/name": "fraud"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "fraud", "namespace": "ml", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec()},
        },
    }


def pod_spec() -> Obj:
    return {
        "serviceAccountName": "fraud",
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}],
        "containers": [
            {
                "name": "server",
                "image": "registry.example.com/fraud:1.0",
                "ports": [{"name": "http", "containerPort": 8080}],
                "resources": {"limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"}},
                "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": "http"}},
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                    "readOnlyRootFilesystem": True,
                },
            }
        ],
    }


def rollout() -> Obj:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "fraud", "namespace": "ml"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "fraud"}},
            "template": {"metadata": {"labels": {"app": "fraud"}}, "spec": pod_spec()},
            "strategy": {
                "canary": {
                    "canaryService": "fraud-canary",
                    "stableService": "fraud-stable",
                    "trafficRouting": {
                        "plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "fraud", "namespace": "ml"}}
                    },
                    "steps": [
                        {"setWeight": 10},
                        {"pause": {"duration": "5m"}},
                        {"analysis": {"templates": [{"templateName": "fraud-health"}]}},
                        {"setWeight": 50},
                        {"pause": {}},
                    ],
                }
            },
        },
    }


def blue_green_rollout() -> Obj:
    obj = rollout()
    obj["spec"]["strategy"] = {
        "blueGreen": {
            "activeService": "fraud-stable",
            "previewService": "fraud-preview",
            "autoPromotionEnabled": False,
            "prePromotionAnalysis": {"templates": [{"templateName": "fraud-health"}]},
        }
    }
    return obj


def analysis_template() -> Obj:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": {"name": "fraud-health", "namespace": "ml"},
        "spec": {
            "metrics": [
                {
                    "name": "error-rate",
                    "interval": "1m",
                    "failureLimit": 1,
                    "successCondition": "result[0] < 0.01",
                    "provider": {
                        "prometheus": {
                            "address": "http://prometheus.monitoring:9090",
                            "query": 'sum(rate(http_requests_total{code=~"5.."}[5m]))',
                        }
                    },
                }
            ]
        },
    }


def scaled_object() -> Obj:
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "fraud", "namespace": "ml"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "fraud"},
            "minReplicaCount": 0,
            "maxReplicaCount": 10,
            "triggers": [
                {
                    "type": "prometheus",
                    "metadata": {
                        "serverAddress": "http://prometheus.monitoring:9090",
                        "query": "sum(rate(http_requests_total[1m]))",
                        "threshold": "50",
                    },
                }
            ],
        },
    }


def http_route() -> Obj:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "fraud", "namespace": "ml"},
        "spec": {
            "parentRefs": [{"name": "ml-gateway", "namespace": "gateway"}],
            "hostnames": ["fraud.example.com"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [
                        {"name": "fraud-a", "port": 8080, "weight": 90},
                        {"name": "fraud-b", "port": 8080, "weight": 10},
                    ],
                    "filters": [
                        {
                            "type": "RequestMirror",
                            "requestMirror": {"backendRef": {"name": "fraud-shadow", "port": 8080}, "percent": 25},
                        }
                    ],
                }
            ],
        },
    }


def gateway() -> Obj:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "ml-gateway", "namespace": "gateway"},
        "spec": {
            "gatewayClassName": "eg",
            "listeners": [
                {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}
            ],
        },
    }


def service_monitor() -> Obj:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "fraud", "namespace": "ml", "labels": {"release": "prometheus"}},
        "spec": {
            "selector": {"matchLabels": {"app": "fraud"}},
            "endpoints": [{"port": "http", "interval": "30s", "path": "/metrics"}],
        },
    }


def prometheus_rule() -> Obj:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "fraud", "namespace": "ml"},
        "spec": {
            "groups": [
                {
                    "name": "fraud.rules",
                    "rules": [
                        {
                            "alert": "FraudHighErrorRate",
                            "expr": "sum(rate(http_requests_total{code=~\"5..\"}[5m])) > 1",
                            "for": "5m",
                            "labels": {"severity": "page"},
                            "annotations": {"summary": "fraud errors above 1/s"},
                        }
                    ],
                }
            ]
        },
    }


def core_objects() -> list[Obj]:
    meta = {"name": "fraud", "namespace": "ml"}
    selector = {"matchLabels": {"app": "fraud"}}
    return [
        deployment(),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"dashboard.json": "{}"}},
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {"selector": {"app": "fraud"}, "ports": [{"name": "http", "port": 8080, "targetPort": "http"}]},
        },
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
         "spec": {"minAvailable": 1, "selector": selector}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
         "spec": {"podSelector": selector, "policyTypes": ["Ingress"],
                  "ingress": [{"ports": [{"port": 8080, "protocol": "TCP"}]}]}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "fraud"},
                  "minReplicas": 1, "maxReplicas": 4,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                               "target": {"type": "Utilization", "averageUtilization": 70}}}]}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
         "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
             "restartPolicy": "Never", "containers": [{"name": "drift", "image": "drift:1"}]}}}}}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta,
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]},
    ]


def crd_objects() -> list[Obj]:
    return [rollout(), blue_green_rollout(), analysis_template(), scaled_object(), http_route(), gateway(),
            service_monitor(), prometheus_rule()]
