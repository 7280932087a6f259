"""mlops.emit.k8s.mirrors on the objects whose pods run under no ServiceAccount mlops emits: the Envoy proxies
(their EnvoyProxy) and cert-manager's HTTP-01 solvers (the ACME Issuer)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mlops import ir
from mlops.emit.k8s import mirrors
from mlops.targets.base import addons
from tests.support import ir_factory as factory

HUB = (("docker.io", "h.example.com/hub"),)
PROXY = "h.example.com/hub/envoyproxy/envoy:distroless-v1.35.3"


def env_of(**target: Any) -> ir.Environment:
    env = factory.environment()
    return replace(env, target=replace(env.target, **target))


def proxy(kubernetes: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"apiVersion": addons.ENVOY_PROXY_API, "kind": "EnvoyProxy", "metadata": {"name": "gw"},
            "spec": {"provider": {"type": "Kubernetes", "kubernetes": kubernetes or {"envoyService": {}}}}}


def issuer() -> dict[str, Any]:
    solver = {"http01": {"gatewayHTTPRoute": {"parentRefs": [{"kind": "Gateway", "name": "gw"}]}}}
    return {"apiVersion": addons.CERT_MANAGER_API, "kind": "Issuer", "metadata": {"name": "acme"},
            "spec": {"acme": {"solvers": [solver]}}}


def test_proxies_pull_through_the_mirror_with_the_secrets() -> None:
    (out,) = mirrors.apply(env_of(mirrors=HUB, pull_secrets=("p",)), [proxy()])
    assert out["spec"]["provider"]["kubernetes"]["envoyDeployment"] == {
        "container": {"image": PROXY}, "pod": {"imagePullSecrets": [{"name": "p"}]}}


def test_a_patched_deployment_is_kept() -> None:
    patched = proxy({"envoyDeployment": {"replicas": 2, "container": {"resources": {}}}})
    (out,) = mirrors.apply(env_of(mirrors=HUB), [patched])
    assert out["spec"]["provider"]["kubernetes"]["envoyDeployment"] == {
        "replicas": 2, "container": {"resources": {}, "image": PROXY}}


def test_an_existing_gateway_keeps_its_proxy_image() -> None:
    env = env_of(mirrors=HUB, addons=(ir.ExistingAddon("envoyGateway"),))
    (out,) = mirrors.apply(env, [proxy()])
    assert "envoyDeployment" not in out["spec"]["provider"]["kubernetes"]


def test_no_mirror_no_change() -> None:
    (out,) = mirrors.apply(env_of(), [proxy()])
    assert out == proxy()
    (out,) = mirrors.apply(env_of(mirrors=(("quay.io", "h.example.com/quay"),)), [issuer()])
    assert out == issuer()


def test_solver_pods_pull_with_the_secrets() -> None:
    (out,) = mirrors.apply(env_of(pull_secrets=("p", "q")), [issuer()])
    route = out["spec"]["acme"]["solvers"][0]["http01"]["gatewayHTTPRoute"]
    assert route["podTemplate"] == {"spec": {"imagePullSecrets": [{"name": "p"}, {"name": "q"}]}}
