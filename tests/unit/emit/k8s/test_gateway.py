"""mlops.emit.k8s.gateway: one Gateway per reach (internal, public, in-cluster), its EnvoyProxy, TLS listeners,
the HTTPS redirect and the ACME Issuer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.specs import AZURE, GCP, manifests, sklearn, spec

AWS = {"provider": "aws", "region": "eu-west-1"}
ACME = {"tls": {"acme": {"email": "ops@example.com"}}}


def _doc(models: dict[str, Any], gateway: dict[str, Any] | None = None, target: dict[str, Any] | None = None
         ) -> dict[str, Any]:
    doc = spec(models, target=target)
    if gateway is not None:
        doc["gateway"] = gateway
    return doc


def _service(files: dict[str, Any], name: str) -> dict[str, Any]:
    service: dict[str, Any] = files[f"envoyproxy-{name}.yaml"]["spec"]["provider"]["kubernetes"]["envoyService"]
    return service


def test_the_load_balancer_is_internal_by_default_on_every_cloud(tmp_path: Path) -> None:
    internal = {"aws": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                        "service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
                "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
                "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}}
    stores = {"aws": "s3://models/m/", "gcp": "gs://models/m/", "azure": "az://acct/models/m/"}
    for provider, target in (("aws", AWS), ("gcp", GCP), ("azure", AZURE)):
        (tmp_path / provider).mkdir()
        model = sklearn(artifact=stores[provider], endpoint={"host": "m.example.com"})
        files = manifests(tmp_path / provider, _doc({"m": model}, target=target))
        assert _service(files, "shop") == {"type": "LoadBalancer", "annotations": internal[provider]}
        gateway = files["gateway-shop.yaml"]["spec"]["infrastructure"]
        assert gateway == {"parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": "shop"},
                           "annotations": internal[provider]}
        assert "gateway-shop-public.yaml" not in files


def test_a_public_endpoint_gets_its_own_internet_facing_gateway(tmp_path: Path) -> None:
    models = {"a": sklearn(endpoint={"host": "a.example.com", "visibility": "public"}),
              "b": sklearn(endpoint={"host": "b.example.com"})}
    files = manifests(tmp_path, _doc(models, target=AWS))
    assert _service(files, "shop-public") == {
        "type": "LoadBalancer", "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}
    assert files["httproute-a.yaml"]["spec"]["parentRefs"] == [{"name": "shop-public", "sectionName": "http"}]
    assert files["httproute-b.yaml"]["spec"]["parentRefs"] == [{"name": "shop", "sectionName": "http"}]


def test_gateway_visibility_public_is_every_endpoints_default(tmp_path: Path) -> None:
    model = sklearn(artifact="gs://models/a/", endpoint={"host": "a.example.com"})
    files = manifests(tmp_path, _doc({"a": model}, {"visibility": "public"}, target=GCP))
    assert files["httproute-a.yaml"]["spec"]["parentRefs"][0]["name"] == "shop-public"
    assert "annotations" not in _service(files, "shop-public")        # GKE: external unless asked


def test_a_model_without_endpoint_is_reachable_in_the_cluster_only(tmp_path: Path) -> None:
    files = manifests(tmp_path, _doc({"batch": sklearn()}, target=AWS))
    assert _service(files, "shop-cluster") == {"type": "ClusterIP", "name": "shop-dev-models"}
    route = files["httproute-batch.yaml"]["spec"]
    assert route["parentRefs"] == [{"name": "shop-cluster", "sectionName": "http"}]
    assert "hostnames" not in route
    assert "annotations" not in files["gateway-shop-cluster.yaml"]["spec"]["infrastructure"]


def test_acme_gives_one_https_listener_per_host_and_a_redirect(tmp_path: Path) -> None:
    models = {"a": sklearn(endpoint={"host": "a.example.com", "path": "/v1"}),
              "b": sklearn(endpoint={"host": "a.example.com", "path": "/v2"}),
              "c": sklearn(endpoint={"host": "c.example.com", "visibility": "public"})}
    files = manifests(tmp_path, _doc(models, ACME, target=AWS))
    gateway = files["gateway-shop.yaml"]
    assert gateway["metadata"]["annotations"]["cert-manager.io/issuer"] == "shop-acme"
    assert [(lis["name"], lis["port"], lis.get("hostname")) for lis in gateway["spec"]["listeners"]] == [
        ("http", 80, None), ("https-a.example.com", 443, "a.example.com")]
    assert gateway["spec"]["listeners"][1]["tls"] == {
        "mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "tls-a.example.com"}]}
    for model in ("a", "b"):
        assert files[f"httproute-{model}.yaml"]["spec"]["parentRefs"] == [
            {"name": "shop", "sectionName": "https-a.example.com"}]
    assert files["httproute-c.yaml"]["spec"]["parentRefs"] == [{"name": "shop-public",
                                                                 "sectionName": "https-c.example.com"}]
    redirect = files["httproute-shop-https-redirect.yaml"]["spec"]
    assert redirect == {"parentRefs": [{"name": "shop", "sectionName": "http"}], "rules": [{"filters": [
        {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]}
    assert "httproute-shop-public-https-redirect.yaml" in files


def test_the_acme_issuer_answers_http01_through_the_load_balanced_gateways(tmp_path: Path) -> None:
    models = {"a": sklearn(endpoint={"host": "a.example.com", "visibility": "public"}), "batch": sklearn()}
    files = manifests(tmp_path, _doc(models, {"tls": {"acme": {"email": "ops@example.com",
                                                               "server": "https://acme.internal/dir"}}}))
    acme = files["issuer-shop-acme.yaml"]["spec"]["acme"]
    assert acme == {"server": "https://acme.internal/dir", "email": "ops@example.com",
                    "privateKeySecretRef": {"name": "shop-acme-account"},
                    "solvers": [{"http01": {"gatewayHTTPRoute": {"parentRefs": [
                        {"kind": "Gateway", "name": "shop", "namespace": "shop-dev"},
                        {"kind": "Gateway", "name": "shop-public", "namespace": "shop-dev"}]}}}]}
    solver = files["networkpolicy-acme-http01-solver.yaml"]["spec"]
    assert solver["podSelector"] == {"matchLabels": {"acme.cert-manager.io/http01-solver": "true"}}
    assert solver["ingress"][0]["ports"] == [{"port": 8089, "protocol": "TCP"}]
    assert [lis["name"] for lis in files["gateway-shop-cluster.yaml"]["spec"]["listeners"]] == ["http"]


def test_a_secret_ref_is_one_https_listener_for_every_host_and_no_issuer(tmp_path: Path) -> None:
    models = {"a": sklearn(endpoint={"host": "a.example.com"}), "b": sklearn(endpoint={"host": "b.example.com"})}
    files = manifests(tmp_path, _doc(models, {"tls": {"secretRef": {"name": "wildcard-cert"}}}))
    listeners = files["gateway-shop.yaml"]["spec"]["listeners"]
    assert listeners[1] == {"name": "https", "protocol": "HTTPS", "port": 443, "allowedRoutes": {
        "namespaces": {"from": "Same"}}, "tls": {"mode": "Terminate", "certificateRefs": [
            {"kind": "Secret", "name": "wildcard-cert"}]}}
    assert files["httproute-a.yaml"]["spec"]["parentRefs"] == [{"name": "shop", "sectionName": "https"}]
    assert not any(name.startswith(("issuer-", "networkpolicy-acme")) for name in files)
    assert "cert-manager.io/issuer" not in files["gateway-shop.yaml"]["metadata"]["annotations"]


def test_without_tls_there_is_no_https_and_no_redirect(tmp_path: Path) -> None:
    files = manifests(tmp_path, _doc({"a": sklearn(endpoint={"host": "a.example.com"})}))
    assert [lis["name"] for lis in files["gateway-shop.yaml"]["spec"]["listeners"]] == ["http"]
    assert not any("redirect" in name or name.startswith("issuer-") for name in files)
