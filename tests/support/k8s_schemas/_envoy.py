"""Envoy Gateway's EnvoyProxy (gateway.envoyproxy.io/v1alpha1): no @kubernetes-models package models it, so the
part mlops emits is checked against this strict schema, written from the Go types of envoyproxy/gateway@v1.5.2
(api/v1alpha1/envoyproxy_types.go: EnvoyProxySpec.Provider, EnvoyProxyProvider {type, kubernetes},
EnvoyProxyKubernetesProvider.EnvoyService; shared_types.go:289-361 KubernetesServiceSpec {annotations, labels,
type (ClusterIP | LoadBalancer | NodePort), loadBalancerClass, allocateLoadBalancerNodePorts,
loadBalancerSourceRanges, loadBalancerIP, externalTrafficPolicy, patch, name}; envoyproxy_types.go:372
EnvoyDeployment, the part of KubernetesDeploymentSpec mlops writes: shared_types.go:104-109 {pod, container},
193 KubernetesPodSpec.imagePullSecrets (LocalObjectReference), 236 KubernetesContainerSpec.image with its CEL
rule, lines 233-234, as a pattern). A key outside it is an error."""

from __future__ import annotations

from typing import Any

import jsonschema

_STRINGS = {"type": "object", "additionalProperties": {"type": "string"}}
_SERVICE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "annotations": _STRINGS,
        "labels": _STRINGS,
        "type": {"enum": ["ClusterIP", "LoadBalancer", "NodePort"]},
        "loadBalancerClass": {"type": "string"},
        "allocateLoadBalancerNodePorts": {"type": "boolean"},
        "loadBalancerSourceRanges": {"type": "array", "items": {"type": "string"}},
        "loadBalancerIP": {"type": "string"},
        "externalTrafficPolicy": {"enum": ["Local", "Cluster"]},
        "name": {"type": "string"},
    },
}
# shared_types.go:233-234 `self.matches(...)`: "Image must include a tag and allowed characters only".
_IMAGE = {"type": "string",
          "pattern": r"^[a-zA-Z0-9._-]+(:[0-9]+)?(/[a-zA-Z0-9._/-]+)?(:[a-zA-Z0-9._-]+)?(@sha256:[a-z0-9]+)?$"}
_REFS = {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": ["name"],
                                    "properties": {"name": {"type": "string"}}}}
_DEPLOYMENT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "pod": {"type": "object", "additionalProperties": False, "properties": {"imagePullSecrets": _REFS}},
        "container": {"type": "object", "additionalProperties": False, "properties": {"image": _IMAGE}},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "gateway.envoyproxy.io/v1alpha1"},
        "kind": {"const": "EnvoyProxy"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"provider": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type"],
                "properties": {
                    "type": {"const": "Kubernetes"},
                    "kubernetes": {"type": "object", "additionalProperties": False,
                                   "properties": {"envoyService": _SERVICE, "envoyDeployment": _DEPLOYMENT}},
                },
            }},
        },
    },
}
GROUP = "gateway.envoyproxy.io"


def validate_envoy(obj: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))]
