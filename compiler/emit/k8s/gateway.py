"""The environment's Gateways: who can reach a model, and over what.

A Gateway is one Envoy deployment behind one Kubernetes Service, so one load balancer, and a load balancer is
either internal or internet-facing. Hence one Gateway per reach, each emitted only when a model uses it (the
internal one always, as the environment's own):

- `<platform>`: a private load balancer (the target's `internal_lb_annotations`): endpoints by default;
- `<platform>-public`: an internet-facing one, for endpoints with `visibility: public`. A second listener set
  (ListenerSet) would not do: its listeners are served by the parent Gateway's Service, the same load balancer;
- `<platform>-cluster`: no load balancer at all (a ClusterIP Service `<namespace>-models` in the proxies'
  namespace), for models without an endpoint: reachable from inside the cluster only, at `/models/<model>`.
  Their route stays, because it carries what the rollout needs (A/B weights, the shadow mirror, the canary
  weights, the blue-green preview header, the scale-from-zero trigger and the metrics of custom images).

The load balancer settings reach Envoy Gateway through an EnvoyProxy per Gateway
(`spec.provider.kubernetes.envoyService`, referenced by `spec.infrastructure.parametersRef`). The same annotations
also sit on the Gateway's `spec.infrastructure.annotations` (copied to the Service as well; the EnvoyProxy's win on
conflict): Envoy Gateway silently falls back to the GatewayClass's settings, an internet-facing LoadBalancer,
while the EnvoyProxy it refers to does not exist yet (envoyproxy/gateway@v1.5.2: internal/gatewayapi/
contexts.go:49-62; translator.go:349-350,410-419; infrastructure/kubernetes/proxy/resource_provider.go:230-238).

TLS (`gateway.tls`) on the load-balanced Gateways: one HTTPS listener (443) per endpoint host, terminating with
the Secret `tls-<host>`: filled and renewed by cert-manager from the ACME Issuer `<platform>-acme` (the Gateway's
`cert-manager.io/issuer` annotation; cert-manager's gateway-shim needs a hostname, `mode: Terminate` and a Secret
of the same namespace per listener: cert-manager@v1.21.1 pkg/controller/certificate-shim/sync.go:270-311), or
the user's Secret (`secretRef`) on one HTTPS listener for every host. Port 80 then only redirects to HTTPS (301),
and answers the ACME CA's HTTP-01 challenges: cert-manager's challenge route names the host and an Exact path, so
it wins over the catch-all redirect (Gateway API route precedence: hostname, then path match).

A namespaced Issuer rather than a ClusterIssuer: it lives and goes with the environment's namespace (kustomize sets
its namespace like every other object), and two environments on one cluster cannot overwrite each other's.
"""

from __future__ import annotations

from typing import Literal

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope, new, source
from mlops.ir import names
from mlops.targets.base import addons

GATEWAY_API = "gateway.networking.k8s.io/v1"
ISSUER_ANNOTATION = "cert-manager.io/issuer"   # cert-manager@v1.21.1 pkg/apis/certmanager/v1/types.go:147

Reach = Literal["internal", "public", "cluster"]
REACHES: tuple[Reach, ...] = ("internal", "public", "cluster")


def reach(model: ir.Model) -> Reach:
    return model.endpoint.visibility if model.endpoint else "cluster"


def name(scope: Scope, where: Reach) -> str:
    return scope.env.platform if where == "internal" else names.fit(f"{scope.env.platform}-{where}")


def reaches(env: ir.Environment) -> list[Reach]:
    used = {reach(m) for m in env.models} | {"internal"}
    return [r for r in REACHES if r in used]


def tls_secret(tls: ir.Tls, host: str) -> str:
    return tls.secret or names.fit(f"tls-{host.replace('*', 'wildcard')}", 253)


def https_listener_name(tls: ir.Tls, host: str) -> str:
    return "https" if tls.secret else names.fit(f"https-{host.replace('*', 'wildcard')}")


def section(scope: Scope, model: ir.Model) -> str:
    """The listener a model's route attaches to: its host's HTTPS listener when TLS is on, else `http`."""
    tls = scope.env.gateway.tls
    if tls is None or model.endpoint is None:
        return "http"
    return https_listener_name(tls, model.endpoint.host)


def issuer_name(scope: Scope) -> str:
    return names.fit(f"{scope.env.platform}-acme")


def _hosts(env: ir.Environment, where: Reach) -> list[str]:
    return sorted({m.endpoint.host for m in env.models if m.endpoint and reach(m) == where})


def _listeners(scope: Scope, where: Reach) -> list[Obj]:
    same = {"namespaces": {"from": "Same"}}
    out: list[Obj] = [{"name": "http", "protocol": "HTTP", "port": addons.GATEWAY_HTTP_PORT, "allowedRoutes": same}]
    tls = scope.env.gateway.tls
    if tls is None or where == "cluster":
        return out
    hosts = _hosts(scope.env, where)
    listed = [None] if tls.secret and hosts else hosts   # one listener for the user's Secret, else one per host
    for host in listed:
        listener: Obj = {"name": https_listener_name(tls, host or ""), "protocol": "HTTPS",
                         "port": addons.GATEWAY_HTTPS_PORT}
        if host:
            listener["hostname"] = host
        listener["tls"] = {"mode": "Terminate", "certificateRefs": [{"kind": "Secret",
                                                                   "name": tls_secret(tls, host or "")}]}
        listener["allowedRoutes"] = same
        out.append(listener)
    return out


def _service(scope: Scope, where: Reach) -> Obj:
    if where == "cluster":
        return {"type": "ClusterIP", "name": names.fit(f"{scope.namespace}-models")}
    hints = scope.hints.internal_lb_annotations if where == "internal" else scope.hints.public_lb_annotations
    return {"type": "LoadBalancer", **({"annotations": dict(hints)} if hints else {})}


def envoy_proxy(scope: Scope, where: Reach) -> Obj:
    meta = scope.metadata(name(scope, where), app=scope.env.platform, instance=name(scope, where),
                          component="gateway", source=source("environments", scope.env.name))
    return new(addons.ENVOY_PROXY_API, "EnvoyProxy", meta,
               spec={"provider": {"type": "Kubernetes", "kubernetes": {"envoyService": _service(scope, where)}}})


def gateway(scope: Scope, where: Reach) -> Obj:
    env = scope.env
    infra: Obj = {"parametersRef": {"group": addons.ENVOY_PROXY_API.split("/")[0], "kind": "EnvoyProxy",
                                    "name": name(scope, where)}}
    annotations = _service(scope, where).get("annotations")
    if annotations:
        infra["annotations"] = annotations
    spec: Obj = {"gatewayClassName": scope.addons.gateway_class, "infrastructure": infra,
                 "listeners": _listeners(scope, where)}
    acme = env.gateway.tls is not None and env.gateway.tls.acme_email is not None and where != "cluster"
    meta = scope.metadata(name(scope, where), app=env.platform, instance=name(scope, where), component="gateway",
                          source=source("environments", env.name),
                          annotations={ISSUER_ANNOTATION: issuer_name(scope)} if acme else None)
    return new(GATEWAY_API, "Gateway", meta, spec=spec)


def redirect(scope: Scope, where: Reach) -> Obj:
    """Port 80 answers every request with a 301 to HTTPS (envoyproxy/gateway@v1.5.2:
    site/content/en/latest/tasks/traffic/http-redirect.md:18-40)."""
    gw = name(scope, where)
    rule = {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
    meta = scope.metadata(names.fit(f"{gw}-https-redirect"), app=scope.env.platform, instance=gw,
                          component="route", source=source("gateway", "tls"))
    return new(GATEWAY_API, "HTTPRoute", meta, spec={"parentRefs": [{"name": gw, "sectionName": "http"}],
                                                     "rules": [rule]})


def issuer(scope: Scope, tls: ir.Tls) -> Obj:
    """ACME account and HTTP-01 solver: cert-manager answers the challenges through the environment's load-balanced
    Gateways (cert-manager@v1.21.1 pkg/apis/acme/v1/types_issuer.go:250-255,300-317: `gatewayHTTPRoute.parentRefs`)."""
    parents = [{"kind": "Gateway", "name": name(scope, r), "namespace": scope.namespace}
               for r in reaches(scope.env) if r != "cluster"]
    acme = {"server": tls.acme_server, "email": tls.acme_email,
            "privateKeySecretRef": {"name": names.fit(f"{issuer_name(scope)}-account")},
            "solvers": [{"http01": {"gatewayHTTPRoute": {"parentRefs": parents}}}]}
    meta = scope.metadata(issuer_name(scope), app=scope.env.platform, instance=issuer_name(scope),
                          component="certificates", source=source("gateway", "tls", "acme"))
    return new(addons.CERT_MANAGER_API, "Issuer", meta, spec={"acme": acme})


def build(scope: Scope) -> list[Obj]:
    """Every Gateway with its EnvoyProxy, and with TLS the HTTPS redirects and the ACME Issuer."""
    tls = scope.env.gateway.tls
    out: list[Obj] = []
    for where in reaches(scope.env):
        out += [envoy_proxy(scope, where), gateway(scope, where)]
        if tls is not None and where != "cluster":
            out.append(redirect(scope, where))
    if tls is not None and tls.acme_email is not None:
        out.append(issuer(scope, tls))
    return out
