"""The loop spec's serving contract: HTTPS with certificates on every endpoint, internal load balancers unless an
endpoint says public (per provider), in-cluster only without an endpoint; and, over every example, the TLS and
route wiring: each HTTPS listener's Secret comes from the Issuer the Gateway names or from `gateway.tls.secretRef`,
each route attaches to a listener that exists, and no endpoint with TLS is served on plain HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.pipeline import compile_spec
from tests.support import ROOT

LOOP = ROOT / "examples" / "loop" / "mlops.yaml"
EXAMPLES = sorted(ROOT.glob("examples/*/mlops.yaml"))
TARGETS = {  # production switched to each provider (the loop spec names aws-prod, gcp-staging and dc1)
    "aws": "aws-prod", "gcp": "gcp-staging", "onprem": "dc1", "azure": "azure-prod"}
# The loop's s3:// stores are another cloud's to Azure and to an existing cluster: read with a Secret, by reference.
S3_SECRET = "    storageCredentials:\n      s3: {secretRef: {name: fraud-data-aws-reader}}\n"
AZURE = "  azure-prod:\n    provider: azure\n    region: westeurope\n" + S3_SECRET
INTERNAL = {
    "aws": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
    "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
    "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
    "onprem": None,
}
PUBLIC = {"aws": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}, "gcp": None, "azure": None,
          "onprem": None}


def _manifests(path: Path, env: str) -> dict[str, dict[str, Any]]:
    files = compile_spec(str(path), layers=("manifests",)).files
    prefix = f"{env}/manifests/"
    return {p[len(prefix):]: yaml.safe_load(c) for p, c in files.items()
            if p.startswith(prefix) and not p.endswith("kustomization.yaml")}


def _loop_on(provider: str, tmp_path: Path) -> Path:
    text = LOOP.read_text(encoding="utf-8").replace("targets:\n", "targets:\n" + AZURE, 1)
    text = text.replace("  production:\n    target: aws-prod", f"  production:\n    target: {TARGETS[provider]}")
    dc1 = "    registry: harbor.dc1.example.com/ml\n"
    text = text.replace(dc1, dc1 + S3_SECRET)
    path = tmp_path / "mlops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("provider", sorted(TARGETS))
def test_assistant_is_https_on_the_internal_load_balancer(provider: str, tmp_path: Path) -> None:
    files = _manifests(_loop_on(provider, tmp_path), "production")
    gateway = files["gateway-fraud-platform.yaml"]
    https = [lis for lis in gateway["spec"]["listeners"] if lis["protocol"] == "HTTPS"]
    assert https == [{"name": "https-assistant.internal.example.com", "protocol": "HTTPS", "port": 443,
                      "hostname": "assistant.internal.example.com", "allowedRoutes": {"namespaces": {"from": "Same"}},
                      "tls": {"mode": "Terminate", "certificateRefs": [
                          {"kind": "Secret", "name": "tls-assistant.internal.example.com"}]}}]
    assert gateway["metadata"]["annotations"]["cert-manager.io/issuer"] == "fraud-platform-acme"
    assert files["httproute-assistant.yaml"]["spec"]["parentRefs"] == [
        {"name": "fraud-platform", "sectionName": "https-assistant.internal.example.com"}]
    service = files["envoyproxy-fraud-platform.yaml"]["spec"]["provider"]["kubernetes"]["envoyService"]
    assert service.get("annotations") == INTERNAL[provider]


@pytest.mark.parametrize("provider", sorted(TARGETS))
def test_fraud_scorer_is_https_on_the_public_load_balancer(provider: str, tmp_path: Path) -> None:
    files = _manifests(_loop_on(provider, tmp_path), "production")
    listeners = files["gateway-fraud-platform-public.yaml"]["spec"]["listeners"]
    assert [(lis["name"], lis["port"]) for lis in listeners] == [("http", 80), ("https-fraud.example.com", 443)]
    assert listeners[1]["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "tls-fraud.example.com"}]
    assert files["httproute-fraud-scorer.yaml"]["spec"]["parentRefs"] == [
        {"name": "fraud-platform-public", "sectionName": "https-fraud.example.com"}]
    service = files["envoyproxy-fraud-platform-public.yaml"]["spec"]["provider"]["kubernetes"]["envoyService"]
    assert service.get("annotations") == PUBLIC[provider]
    parents = files["issuer-fraud-platform-acme.yaml"]["spec"]["acme"]["solvers"][0]["http01"]["gatewayHTTPRoute"]
    assert {p["name"] for p in parents["parentRefs"]} == {"fraud-platform", "fraud-platform-public"}


def test_models_without_endpoint_have_no_load_balanced_route() -> None:
    files = _manifests(LOOP, "production")
    for model in ("ranker", "embedder"):
        assert files[f"httproute-{model}.yaml"]["spec"]["parentRefs"] == [
            {"name": "fraud-platform-cluster", "sectionName": "http"}]
    service = files["envoyproxy-fraud-platform-cluster.yaml"]["spec"]["provider"]["kubernetes"]["envoyService"]
    assert service["type"] == "ClusterIP"


def _environments(example: Path) -> list[str]:
    return sorted(yaml.safe_load(example.read_text(encoding="utf-8"))["environments"])


def _wiring(example: Path, env: str) -> list[str]:
    spec = yaml.safe_load(example.read_text(encoding="utf-8"))
    secret_ref = (spec.get("gateway", {}).get("tls", {}).get("secretRef") or {}).get("name")
    objs = list(_manifests(example, env).values())
    issuers = {o["metadata"]["name"] for o in objs if o["kind"] == "Issuer"}
    gateways = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Gateway"}
    problems = []
    for name, gw in gateways.items():
        issuer = gw["metadata"]["annotations"].get("cert-manager.io/issuer")
        for lis in gw["spec"]["listeners"]:
            for ref in lis.get("tls", {}).get("certificateRefs", []):
                if not (ref["name"] == secret_ref or (issuer in issuers and lis.get("hostname"))):
                    problems.append(f"{name}/{lis['name']}: Secret {ref['name']} is neither issued nor secretRef")
    for route in (o for o in objs if o["kind"] == "HTTPRoute"):
        for parent in route["spec"]["parentRefs"]:
            listeners = {lis["name"]: lis for lis in gateways.get(parent["name"], {"spec": {"listeners": []}})
                         ["spec"]["listeners"]}
            if parent["sectionName"] not in listeners:
                problems.append(f"{route['metadata']['name']}: no listener {parent['name']}/{parent['sectionName']}")
            tls_gateway = any(lis["protocol"] == "HTTPS" for lis in listeners.values())
            serves = any(rule.get("backendRefs") for rule in route["spec"]["rules"])
            if tls_gateway and serves and listeners.get(parent["sectionName"], {}).get("protocol") == "HTTP":
                problems.append(f"{route['metadata']['name']}: served over plain HTTP beside HTTPS")
    return problems


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_tls_and_route_wiring(example: Path) -> None:
    for env in _environments(example):
        assert _wiring(example, env) == [], env
