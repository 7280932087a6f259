"""mlops.gitops.plan.infra_diff: which input changes replace a resource, what follows a replacement, and which
changes are destructive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops.gitops.plan import Side, infra_diff
from mlops.pipeline import compile_source
from mlops.spec.load import parse
from mlops.targets.base import addons


def graph(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resources": list(resources)}


def res(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": type_, "name": name, "parent": extra.pop("parent", None), "protect": extra.pop("protect", False),
            "inputs": inputs, **extra}


NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
EKS = "aws:eks/cluster:Cluster"


@pytest.mark.parametrize(("type_", "before", "after", "action"), [
    (EKS, {"name": "a", "version": "1.30"}, {"name": "a", "version": "1.31"}, "update"),
    (EKS, {"name": "a"}, {"name": "b"}, "replace"),
    (NODE_GROUP, {"instanceTypes": ["m7i.xlarge"]}, {"instanceTypes": ["m7i.2xlarge"]}, "replace"),
    (NODE_GROUP, {"scalingConfig": {"maxSize": 4}}, {"scalingConfig": {"maxSize": 6}}, "update"),
    ("aws:ecr/repository:Repository", {"name": "p/a"}, {"name": "p/b"}, "replace"),
    ("aws:ecr/repository:Repository", {"imageTagMutability": "MUTABLE"}, {"imageTagMutability": "IMMUTABLE"}, "update"),
    ("gcp:container/cluster:Cluster", {"location": "europe-west4"}, {"location": "europe-west1"}, "replace"),
    ("gcp:container/cluster:Cluster", {"minMasterVersion": "1.30"}, {"minMasterVersion": "1.31"}, "update"),
    ("gcp:container/nodePool:NodePool", {"nodeConfig": {"machineType": "a"}}, {"nodeConfig": {"machineType": "b"}},
     "replace"),
    ("azure-native:containerservice:AgentPool", {"maxCount": 2}, {"maxCount": 3}, "update"),
    ("azure-native:containerservice:AgentPool", {"vmSize": "a"}, {"vmSize": "b"}, "replace"),
    ("some:unlisted:Type", {"name": "a"}, {"name": "b"}, "update"),
])
def test_which_input_changes_replace(type_: str, before: dict[str, Any], after: dict[str, Any], action: str) -> None:
    [change] = infra_diff.diff_graphs(graph(res(type_, "x", before)), graph(res(type_, "x", after)))
    assert change.action == action
    assert bool(change.reasons) == (action == "replace")


def test_a_replaced_provider_replaces_what_it_manages_and_a_type_change_is_remove_plus_add() -> None:
    before = graph(res("pulumi:providers:aws", "p", {"region": "eu-west-1"}),
                   res(NODE_GROUP, "pool", {"scalingConfig": {"maxSize": 1}}, provider="p"),
                   res(EKS, "c", {"name": "c"}, provider="p", protect=True))
    after = graph(res("pulumi:providers:aws", "p", {"region": "eu-central-1"}),
                  res(NODE_GROUP, "pool", {"scalingConfig": {"maxSize": 2}}, provider="p"),
                  res("gcp:container/cluster:Cluster", "c", {"name": "c"}))
    changes = {(c.type, c.name): c for c in infra_diff.diff_graphs(before, after)}
    assert changes[("pulumi:providers:aws", "p")].action == "replace"
    pool = changes[(NODE_GROUP, "pool")]
    assert pool.action == "replace" and pool.reasons == ("its provider p is replaced",) and pool.fields
    assert changes[(EKS, "c")].action == "remove" and changes[(EKS, "c")].protect
    assert changes[("gcp:container/cluster:Cluster", "c")].action == "add"
    flagged = infra_diff.hazards(tuple(changes.values()))
    assert [(h.role, h.action) for h in flagged] == [("cluster", "remove"), ("node pool", "replace")]
    assert "is replaced by c (gcp:container/cluster:Cluster)" in flagged[0].message
    assert "protected" in flagged[0].message


def test_a_changed_parent_replaces_and_unchanged_resources_are_not_listed() -> None:
    same = res("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})
    changes = infra_diff.diff_graphs(graph(same, res("aws:iam/role:Role", "r", {}, parent="a")),
                                     graph(same, res("aws:iam/role:Role", "r", {}, parent="b")))
    assert [(c.name, c.action, c.reasons) for c in changes] == [("r", "replace", ("its parent changed",))]


def test_node_pools_deleted_and_registries_replaced_are_destructive_updates_are_not() -> None:
    repo = "aws:ecr/repository:Repository"
    before = graph(res(NODE_GROUP, "gpu", {}), res(repo, "repo", {"name": "a"}, protect=True),
                   res(EKS, "c", {"version": "1.30"}))
    after = graph(res(repo, "repo", {"name": "b"}, protect=True), res(EKS, "c", {"version": "1.31"}))
    flagged = infra_diff.hazards(infra_diff.diff_graphs(before, after))
    assert [(h.role, h.action, h.name) for h in flagged] == [("registry", "replace", "repo"),
                                                              ("node pool", "remove", "gpu")]
    assert flagged[0].message.startswith("registry repo (aws:ecr/repository:Repository) is replaced (deleted and "
                                         "created again), because name cannot change in place: with the images")


def test_the_kubernetes_provider_follows_its_cluster_and_a_new_context_is_a_cluster_change() -> None:
    k8s = infra_diff.KUBERNETES_PROVIDER
    release = "kubernetes:helm.sh/v3:Release"
    before = graph(res(EKS, "c", {"name": "a"}), res(k8s, "k", {"kubeconfig": "[secret]"}),
                   res(release, "keda", {"version": "1"}, provider="k"))
    after = graph(res(EKS, "c", {"name": "b"}), res(k8s, "k", {"kubeconfig": "[secret]"}),
                  res(release, "keda", {"version": "1"}, provider="k"))
    changes = {c.name: c for c in infra_diff.diff_graphs(before, after)}
    assert changes["k"].reasons == ("its cluster c is replaced",)
    assert changes["keda"].reasons == ("its provider k is replaced",)
    assert [h.name for h in infra_diff.hazards(tuple(changes.values()))] == ["c"]
    onprem = infra_diff.diff_graphs(graph(res(k8s, "k", {"context": "kind-a"}), res(release, "keda", {}, provider="k")),
                                    graph(res(k8s, "k", {"context": "kind-b"}), res(release, "keda", {}, provider="k")))
    [hazard] = infra_diff.hazards(onprem)
    assert hazard.message == ("the Kubernetes provider k points at another cluster (context cannot change in place): "
                              "add-ons and workloads are created there and deleted from the old one")


def test_the_rollouts_plugin_mirror_shows_as_an_update_of_its_release(tmp_path: Path) -> None:
    """images.rolloutsGatewayPlugin changes the argo-rollouts release's values: the plan lists that one field, the
    pinned digest unchanged (no sentence of its own: add-on settings are told as their releases' field changes)."""
    mirror = "https://files.dc1.example.com/plugins/v0.17.0/gatewayapi-plugin-linux-amd64"
    spec = ("apiVersion: mlops/v1\nkind: Platform\nmetadata: {name: lab}\ntargets:\n  dc1: {provider: onprem, "
            "context: dc1-admin, registry: harbor.dc1.example.com/ml IMAGES}\nenvironments:\n  dev: {target: dc1}\n"
            "models:\n  m: {framework: sklearn, artifact: registry://m:v1}\n")

    def graph_of(images: str) -> dict[str, Any] | None:
        build = compile_source(parse(spec.replace(" IMAGES", images), str(tmp_path / "mlops.yaml")))
        return Side.of(build).graph("dev")

    [change] = infra_diff.diff_graphs(graph_of(""), graph_of(f", images: {{rolloutsGatewayPlugin: {mirror}}}"))
    assert (change.action, change.type, change.name) == ("update", "kubernetes:helm.sh/v3:Release",
                                                         "lab-dev-addons-argo-rollouts")
    [field] = change.fields
    assert field.path == "values.controller.trafficRouterPlugins[argoproj-labs/gatewayAPI].location"
    assert (field.before, field.after) == (addons.GATEWAY_PLUGIN_URL, mirror)
