"""mlops.emit.argocd: the Argo CD Application of an environment."""

from __future__ import annotations

import dataclasses
from typing import Any

from mlops.emit import argocd
from tests.support.infra_helpers import north_star

SOURCE = argocd.Source(repo_url="https://git.example.com/ml.git", revision="main", out="build")


def rollout(route: dict[str, Any]) -> dict[str, Any]:
    canary = {"trafficRouting": {"plugins": {argocd.PLUGIN: route}}}
    return {"kind": "Rollout", "spec": {"strategy": {"canary": canary}}}


def test_routes_a_canary_shifts_are_found_by_either_plugin_field() -> None:
    objects = [rollout({"httpRoute": "b"}), rollout({"httpRoutes": [{"name": "a"}, {"name": "c"}]}),
               {"kind": "Rollout", "spec": {"strategy": {"blueGreen": {"activeService": "x"}}}},
               {"kind": "HTTPRoute", "metadata": {"name": "d"}}]
    assert argocd.plugin_routes(objects) == ["a", "b", "c"]


def test_an_approved_environment_is_synced_by_a_person() -> None:
    env = north_star("production")
    assert env.require_approval
    app = argocd.application(env, [rollout({"httpRoute": "fraud-scorer"})], SOURCE)
    assert app["spec"]["syncPolicy"] == {"syncOptions": ["RespectIgnoreDifferences=true"]}
    assert app["spec"]["ignoreDifferences"] == [{
        "group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "fraud-scorer",
        "namespace": env.namespace, "jqPathExpressions": [".spec.rules[].backendRefs[].weight"]}]
    assert app["spec"]["source"] == {"repoURL": SOURCE.repo_url, "targetRevision": "main",
                                     "path": "build/production/manifests"}
    assert app["spec"]["destination"] == {"name": "$(infra.clusterName)", "namespace": env.namespace}


def test_otherwise_automated_with_prune_and_self_heal_and_nothing_ignored_without_a_canary() -> None:
    env = dataclasses.replace(north_star("staging"), require_approval=False)
    app = argocd.application(env, [], SOURCE)
    assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "ignoreDifferences" not in app["spec"]
    assert app["metadata"] == {"name": "fraud-platform-staging", "namespace": "argocd", "labels": {
        "app.kubernetes.io/managed-by": "mlops", "app.kubernetes.io/part-of": "fraud-platform"}}
