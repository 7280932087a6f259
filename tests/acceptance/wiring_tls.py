"""Wiring rules of the serving edge: every HTTPS listener's certificate has a source, every route a listener.

What cert-manager does is stated from its source (cert-manager@v1.21.1): its gateway-shim issues the Secret of an
HTTPS listener of a Gateway annotated `cert-manager.io/issuer: <Issuer>` when the listener names a hostname and
terminates TLS (pkg/controller/certificate-shim/sync.go:270-311), and only when cert-manager runs with Gateway API
support (`config.gatewayAPI.enabled`, pkg/apis/config/controller/v1alpha1/types.go:269-272).
"""

from __future__ import annotations

from collections.abc import Iterator

from .wiring_build import Build, Obj, Violation, name

ISSUER = "cert-manager.io/issuer"


def _cert_manager(b: Build) -> bool:
    """cert-manager is installed for this cluster with its Gateway API controller on."""
    for r in b.typed("kubernetes:helm.sh/v3:Release", cluster=True):
        if r["inputs"].get("chart") == "cert-manager":
            return bool(r["inputs"].get("values", {}).get("config", {}).get("gatewayAPI", {}).get("enabled"))
    return False


def _issued(b: Build, gateway: Obj, listener: Obj) -> bool:
    issuer = gateway["metadata"].get("annotations", {}).get(ISSUER)
    issuers = {i["metadata"]["name"] for i in b.of_kind("Issuer")}
    return (issuer in issuers and _cert_manager(b) and bool(listener.get("hostname"))
            and listener.get("tls", {}).get("mode") == "Terminate")


def certificates_sourced(b: Build) -> Iterator[Violation]:
    """Each HTTPS listener's Secret is issued by cert-manager or is the one `gateway.tls.secretRef` names."""
    tls = b.env.gateway.tls
    for gateway in b.of_kind("Gateway"):
        for listener in gateway["spec"]["listeners"]:
            for ref in listener.get("tls", {}).get("certificateRefs", []):
                if not ((tls is not None and ref["name"] == tls.secret) or _issued(b, gateway, listener)):
                    yield Violation("certificates-sourced", f"{b.case} {name(gateway)}/{listener['name']}",
                                    f"Secret {ref['name']} is neither issued by cert-manager nor gateway.tls.secretRef")


def routes_attached(b: Build) -> Iterator[Violation]:
    """Each HTTPRoute's parent is a listener of an emitted Gateway; none serves a model on HTTP beside HTTPS."""
    gateways = {g["metadata"]["name"]: {lis["name"]: lis for lis in g["spec"]["listeners"]}
                for g in b.of_kind("Gateway")}
    for route in b.of_kind("HTTPRoute"):
        for parent in route["spec"]["parentRefs"]:
            listeners = gateways.get(parent["name"], {})
            where = f"{b.case} {name(route)}"
            if parent.get("sectionName") not in listeners:
                yield Violation("routes-attached", where, f"no listener {parent['name']}/{parent.get('sectionName')}")
                continue
            serves = any(rule.get("backendRefs") for rule in route["spec"]["rules"])
            https = any(lis["protocol"] == "HTTPS" for lis in listeners.values())
            if serves and https and listeners[parent["sectionName"]]["protocol"] == "HTTP":
                yield Violation("routes-attached", where, "served over plain HTTP on a Gateway with HTTPS")
