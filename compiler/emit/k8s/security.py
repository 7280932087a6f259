"""Security: the restricted Pod Security Standard, ServiceAccounts, and default-deny networking.

Every pod runs non-root with a read-only root filesystem, no privilege escalation, all capabilities dropped
and the RuntimeDefault seccomp profile; the namespace enforces `restricted` so a pod that does not is refused.
No pod mounts a Kubernetes API token: workload identity (EKS Pod Identity, GKE metadata server, Azure's
projected token) does not need one.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope, new, selector, source
from mlops.emit.k8s.runtimes import RUN_AS
from mlops.ir import names
from mlops.targets.base import addons

LINK_LOCAL = "169.254.0.0/16"    # every cloud serves instance metadata and pod identity tokens here


def container_security(run_as: int | None = None) -> Obj:
    out: Obj = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                "readOnlyRootFilesystem": True, "runAsNonRoot": True}
    return {**out, "runAsUser": run_as} if run_as is not None else out


def init_security() -> Obj:
    """Init containers run images not built for us (modelcars are often root-owned): pin a non-root uid."""
    return container_security(RUN_AS)


def pod_security(run_as: int | None) -> Obj:
    out: Obj = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    return {**out, "runAsUser": run_as, "runAsGroup": run_as, "fsGroup": run_as} if run_as is not None else out


def namespace(scope: Scope) -> Obj:
    env = scope.env
    version = f"v{env.kubernetes_version}"
    pss = {f"pod-security.kubernetes.io/{mode}{suffix}": value
           for mode in ("enforce", "audit", "warn")
           for suffix, value in (("", "restricted"), ("-version", version))}
    meta = scope.metadata(env.namespace, app=env.platform, instance=env.namespace, component="namespace",
                          source=source("environments", env.name), namespaced=False, labels=pss)
    return new("v1", "Namespace", meta)


def service_account(scope: Scope, model: ir.Model) -> Obj:
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="identity",
                          source=source("models", model.name),
                          annotations=scope.hints.service_account(model.name))
    return new("v1", "ServiceAccount", meta, automountServiceAccountToken=False)


def _policy(scope: Scope, name: str, app: str, path: str, spec: Obj) -> Obj:
    meta = scope.metadata(name, app=app, instance=name, component="network-policy", source=path)
    return new("networking.k8s.io/v1", "NetworkPolicy", meta, spec=spec)


def _namespace_peer(name: str) -> Obj:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def _tcp(*ports: int) -> list[Obj]:
    return [{"port": p, "protocol": "TCP"} for p in ports]


def baseline_policies(scope: Scope, download_ports: list[int]) -> list[Obj]:
    """Deny everything in the namespace, then allow what every pod needs out: DNS, downloads, identity."""
    env = scope.env
    path = source("environments", env.name)
    deny = _policy(scope, "default-deny", env.platform, path,
                   {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    egress = [{"ports": [{"port": 53, "protocol": "UDP"}, *_tcp(53)]},
              {"ports": _tcp(*download_ports)},
              {"to": [{"ipBlock": {"cidr": LINK_LOCAL, **({"except": list(scope.hints.link_local_except)}
                                                          if scope.hints.link_local_except else {})}}]}]
    allow = _policy(scope, "allow-egress", env.platform, path,
                    {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress})
    return [deny, allow]


def serving_policy(scope: Scope, model: ir.Model, http_port: int, metrics_port: int) -> Obj:
    """Requests in from the Gateway's proxies, scrapes in from Prometheus; nothing else reaches the model."""
    where = scope.addons
    ingress = [{"from": [_namespace_peer(where.gateway_namespace)], "ports": _tcp(http_port)},
               {"from": [_namespace_peer(where.prometheus.namespace)], "ports": _tcp(metrics_port)}]
    spec = {"podSelector": {"matchLabels": selector(model.name)}, "policyTypes": ["Ingress"], "ingress": ingress}
    return _policy(scope, names.ingress_policy(model.name), model.name, source("models", model.name), spec)


def acme_solver_policy(scope: Scope) -> Obj:
    """cert-manager's HTTP-01 solver pods (in this namespace) answer the ACME CA's challenges through the Gateway."""
    env = scope.env
    key, value = addons.ACME_SOLVER_LABEL
    ingress = [{"from": [_namespace_peer(scope.addons.gateway_namespace)], "ports": _tcp(addons.ACME_SOLVER_PORT)}]
    spec = {"podSelector": {"matchLabels": {key: value}}, "policyTypes": ["Ingress"], "ingress": ingress}
    return _policy(scope, "acme-http01-solver", env.platform, source("gateway", "tls", "acme"), spec)


def drift_policy(scope: Scope, model: ir.Model) -> Obj:
    """The drift job pushes its score to the Pushgateway."""
    return push_policy(scope, model, "drift", names.drift(model.name))


def push_policy(scope: Scope, model: ir.Model, job: str, name: str) -> Obj:
    """A monitor's pods (component `job`) push their metrics to the Pushgateway."""
    push = scope.addons.pushgateway
    egress = [{"to": [_namespace_peer(push.namespace)], "ports": _tcp(push.port)}]
    spec = {"podSelector": {"matchLabels": selector(model.name, component=job)},
            "policyTypes": ["Egress"], "egress": egress}
    return _policy(scope, name, model.name, source("models", model.name, "monitoring", _SECTIONS.get(job, job)), spec)


_SECTIONS = {"datacheck": "dataChecks"}       # a monitor's section under `monitoring`

