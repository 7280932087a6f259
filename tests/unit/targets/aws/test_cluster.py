"""The EKS program under Pulumi mocks, finding by finding of the infra review (A1, A2, A6, A7, A9, A10, m7): the inputs
that fix each one, on the recorded resource graph."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from mlops.emit.infra import preview
from mlops.targets.aws import mocks as aws_mocks
from tests.support.infra_helpers import environment, of_type, one

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"


def spec(api_access: str = "{allowedCidrs: [203.0.113.0/24, 198.51.100.7/32]}", version: str = "1.35") -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop, labels: {cost-center: cc-7}}",
        "targets:", "  prod: {provider: aws, region: us-east-1}", "environments:", "  live: {target: prod}",
        "cluster:", f'  kubernetesVersion: "{version}"', f"  apiAccess: {api_access}", "  nodePools:",
        "    cpu: {machine: {cpu: 2, memory: 8Gi}}",
        "    t4: {machine: {cpu: 4, memory: 16Gi}, accelerator: {type: nvidia-t4}, scaling: {min: 0, max: 2}}",
        "models:", "  churn: {framework: sklearn, artifact: s3://shop-models/churn/v3/}", ""])


def graph(tmp_path: Path, text: str) -> list[Any]:
    return preview(environment(text, "live", tmp_path))


def test_a1_the_cluster_and_every_node_group_run_the_asked_version(tmp_path: Path) -> None:
    resources = graph(tmp_path, spec(version="1.36"))
    assert one(resources, CLUSTER).inputs["version"] == "1.36"
    assert {g.inputs["version"] for g in of_type(resources, NODE_GROUP)} == {"1.36"}     # m7: nodes follow


def test_a2_subnet_zones_skip_local_zones_and_the_zone_ids_eks_refuses(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Mapping[str, Any]] = []
    answer = aws_mocks.CALLS[ZONES]
    monkeypatch.setitem(aws_mocks.CALLS, ZONES, lambda args, provider: asked.append(args) or answer(args, provider))
    graph(tmp_path, spec())
    [args] = asked
    assert args["state"] == "available"
    assert args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
    assert sorted(args["excludeZoneIds"]) == ["cac1-az3", "use1-az3", "usw1-az2"]


@pytest.mark.parametrize(("access", "expected"), [
    ("{allowedCidrs: [203.0.113.0/24]}", {"endpointPrivateAccess": True, "endpointPublicAccess": True,
                                          "publicAccessCidrs": ["203.0.113.0/24"]}),
    ("{allowedCidrs: []}", {"endpointPrivateAccess": True, "endpointPublicAccess": False}),
])
def test_a6_the_api_endpoint_is_open_only_to_the_allowed_cidrs(tmp_path: Path, access: str,
                                                               expected: dict[str, Any]) -> None:
    vpc = one(graph(tmp_path, spec(access)), CLUSTER).inputs["vpcConfig"]
    assert {k: v for k, v in vpc.items() if k != "subnetIds"} == expected


def test_a7_the_autoscaler_resizes_only_this_clusters_groups(tmp_path: Path) -> None:
    policy = one(graph(tmp_path, spec()), "aws:iam/rolePolicy:RolePolicy", "shop-live-autoscaler-access")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    writes = [s for s in statements if "autoscaling:SetDesiredCapacity" in s["Action"]]
    assert writes == [{"Effect": "Allow", "Resource": "*",
                       "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                       "Condition": {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                                                      "aws:ResourceTag/k8s.io/cluster-autoscaler/shop-live": "owned"}}}]
    unconditioned = [a for s in statements if "Condition" not in s for a in s["Action"]]
    assert all(":Describe" in a or ":Get" in a for a in unconditioned)


def test_a9_gpu_nodes_carry_the_accelerator_label_the_autoscaler_reads(tmp_path: Path) -> None:
    groups = {g.inputs["nodeGroupName"]: g.inputs["labels"] for g in of_type(graph(tmp_path, spec()), NODE_GROUP)}
    assert groups["shop-live-t4"]["k8s.amazonaws.com/accelerator"] == "nvidia-t4"
    assert "k8s.amazonaws.com/accelerator" not in groups["shop-live-cpu"]


def test_a10_instances_volumes_and_interfaces_are_tagged_through_a_launch_template(tmp_path: Path) -> None:
    resources = graph(tmp_path, spec())
    for group in of_type(resources, NODE_GROUP):
        name = group.inputs["nodeGroupName"]
        template = one(resources, LAUNCH_TEMPLATE, name=f"shop-live-eks-launch-{name.rsplit('-', 1)[1]}")
        assert group.inputs["launchTemplate"]["version"] == "1" and group.inputs["launchTemplate"]["id"]
        specs = {t["resourceType"]: t["tags"] for t in template.inputs["tagSpecifications"]}
        assert sorted(specs) == ["instance", "network-interface", "volume"]
        assert all(t["cost-center"] == "cc-7" and t["Name"] == name for t in specs.values())
        # IMDSv2, no hop for pods; and nothing EKS forbids in a managed node group's template
        assert template.inputs["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                                      "httpPutResponseHopLimit": 1}
        assert not {"instanceType", "iamInstanceProfile", "networkInterfaces", "vpcSecurityGroupIds",
                    "instanceInitiatedShutdownBehavior"} & set(template.inputs)
        assert "diskSize" not in group.inputs


def test_a10_network_resources_are_tagged_by_the_provider_default_tags(tmp_path: Path) -> None:
    provider = one(graph(tmp_path, spec()), "pulumi:providers:aws")
    assert provider.inputs["defaultTags"]["tags"]["cost-center"] == "cc-7"


def test_a_pool_running_a_model_with_disk_gets_a_root_volume_that_holds_it(tmp_path: Path) -> None:
    text = spec().replace("models:\n", "models:\n  llm: {framework: sklearn, artifact: s3://shop-models/llm/v1/, "
                                       "nodePool: cpu, resources: {disk: 100Gi}}\n")
    resources = graph(tmp_path, text)
    cpu = one(resources, LAUNCH_TEMPLATE, name="shop-live-eks-launch-cpu")
    # AL2023's root device, in the launch template (EKS refuses diskSize on the node group beside one)
    assert cpu.inputs["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {
        "volumeSize": 157, "volumeType": "gp3", "deleteOnTermination": "true"}}]
    assert "blockDeviceMappings" not in one(resources, LAUNCH_TEMPLATE, name="shop-live-eks-launch-t4").inputs
    assert all("diskSize" not in g.inputs for g in of_type(resources, NODE_GROUP))
