"""The AWS program under Pulumi mocks: the resource graph it registers for the north-star spec and small inline
specs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mlops.emit.infra import preview
from mlops.emit.preview import Recorded, preview_environment
from mlops.errors import SpecError
from mlops.pipeline import compile_spec
from mlops.targets.aws import TARGET as AWS
from mlops.targets.aws.access import ECR_PULL
from mlops.targets.base import addons
from tests.support.infra_helpers import environment, north_star, of_type, one, policy
from tests.support.specs import logged_platform, trained_platform

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"

SMALL = """
apiVersion: mlops/v1
kind: Platform
metadata:
  name: shop
  labels: {team: search, cost-center: cc-1}
targets:
  prod: {provider: aws, region: us-east-1, account: "210987654321"}
environments:
  live: {target: prod}
cluster:
  kubernetesVersion: "1.36"
  nodePools:
    cpu:
      machine: {cpu: 2, memory: 8Gi}
      scaling: {min: 1, max: 5}
      capacity: spot
    t4:
      machine: {cpu: 4, memory: 16Gi}
      accelerator: {type: nvidia-t4}
      scaling: {min: 0, max: 2}
registry: {immutableTags: false, scanOnPush: false, keepLast: 7}
models:
  rec:
    framework: pytorch
    artifact: registry://rec:v1
    nodePool: t4
    resources: {cpu: "2", memory: 8Gi, gpu: 1}
  churn:
    framework: sklearn
    artifact: s3://shop-models/churn/v3
"""


@pytest.fixture(scope="module")
def prod() -> tuple:
    env = north_star("production")
    return env, preview(env)


@pytest.fixture
def small(tmp_path: Path) -> tuple:
    env = environment(SMALL, "live", tmp_path)
    return env, preview(env)


def test_cluster_version_api_auth_and_protect(prod: tuple) -> None:
    env, graph = prod
    cluster = one(graph, CLUSTER)
    assert cluster.inputs["version"] == "1.35" == env.kubernetes_version
    assert cluster.inputs["name"] == "fraud-platform-production"
    assert cluster.inputs["accessConfig"]["authenticationMode"] == "API"
    assert cluster.protect is True


def test_nodes_are_private(prod: tuple) -> None:
    _, graph = prod
    private = {r.name for r in of_type(graph, "aws:ec2/subnet:Subnet") if "-private-" in r.name}
    assert len(private) == 3
    for subnet in of_type(graph, "aws:ec2/subnet:Subnet"):
        assert subnet.inputs.get("mapPublicIpOnLaunch") is not True
    for group in of_type(graph, NODE_GROUP):
        assert len(group.inputs["subnetIds"]) == 3 and all(s.startswith("subnet-") for s in group.inputs["subnetIds"])
    assert one(graph, "aws:ec2/natGateway:NatGateway")
    routes = one(graph, "aws:ec2/routeTable:RouteTable", "fraud-platform-production-network-private").inputs["routes"]
    assert routes[0]["natGatewayId"].startswith("nat-")


def test_node_groups_per_pool(prod: tuple) -> None:
    env, graph = prod
    groups = {r.inputs["nodeGroupName"]: r.inputs for r in of_type(graph, NODE_GROUP)}
    general, gpu = env.pool("general"), env.pool("gpu")
    assert general and gpu
    g = groups[AWS.nodegroup(env, general)]
    assert g["instanceTypes"] == [general.instance_type]
    assert g["capacityType"] == "ON_DEMAND" and g["amiType"] == "AL2023_x86_64_STANDARD"
    assert g["scalingConfig"] == {"minSize": 2, "maxSize": 6, "desiredSize": 2}
    assert "taints" not in g and g["labels"] == {"mlops.dev/pool": "general"}
    n = groups[AWS.nodegroup(env, gpu)]
    assert n["instanceTypes"] == [gpu.instance_type]
    assert n["capacityType"] == "SPOT" and n["amiType"] == "AL2023_x86_64_NVIDIA"
    assert n["scalingConfig"] == {"minSize": 0, "maxSize": 4, "desiredSize": 0}
    assert n["taints"] == [{"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert n["labels"]["mlops.dev/pool"] == "gpu"


def test_hint_selectors_match_node_group_names(prod: tuple) -> None:
    env, graph = prod
    names = {r.inputs["nodeGroupName"] for r in of_type(graph, NODE_GROUP)}
    hints = AWS.hints(env)
    assert {dict(p.node_selector)["eks.amazonaws.com/nodegroup"] for p in hints.pools.values()} == names
    assert dict(hints.pools["gpu"].node_selector) and hints.pools["gpu"].tolerations


def test_ecr_repositories_and_policies(prod: tuple) -> None:
    env, graph = prod
    repos = {r.inputs["name"]: r for r in of_type(graph, REPO)}
    assert sorted(repos) == [f"{env.stack}/embedder", f"{env.stack}/fraud-scorer", f"{env.stack}/ranker"]
    for repo in repos.values():
        assert repo.protect is True
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    rules = {r.inputs["repository"]: policy(r.inputs["policy"])["rules"] for r in of_type(graph, LIFECYCLE)}
    assert sorted(rules) == sorted(repos)
    # Each deployed tag is claimed by a higher-priority rule that expires nothing, so keep-last cannot reach it (S5)
    kept = {repo: [r["selection"]["tagPatternList"] for r in repo_rules if r["selection"]["tagStatus"] == "tagged"]
            for repo, repo_rules in rules.items()}
    assert kept == {f"{env.stack}/embedder": [["v2"], ["v3"]], f"{env.stack}/fraud-scorer": [["v12"]],
                    f"{env.stack}/ranker": [["v3"], ["v4"]]}
    for repo_rules in rules.values():
        assert [r["rulePriority"] for r in repo_rules] == list(range(1, len(repo_rules) + 1))
        assert all(r["selection"]["countNumber"] == 1 for r in repo_rules[:-1])
        assert repo_rules[-1]["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}


def test_pod_identity_per_model(prod: tuple) -> None:
    env, graph = prod
    bindings = {r.inputs["serviceAccount"]: r.inputs for r in of_type(graph, ASSOCIATION)
                if r.inputs["namespace"] == env.namespace}
    assert sorted(bindings) == sorted(m.name for m in env.models)
    for name, binding in bindings.items():
        assert binding["clusterName"] == "fraud-platform-production"
        assert binding["roleArn"].endswith(f":role/{env.stack}-model-{name}")
    assert one(graph, "aws:eks/addon:Addon", addonName="eks-pod-identity-agent")


def test_model_role_reads_exactly_its_artifacts(prod: tuple) -> None:
    env, graph = prod
    scorer = policy(one(graph, ROLE_POLICY, "fraud-platform-production-model-fraud-scorer-access").inputs["policy"])
    actions = {a for s in scorer["Statement"] for a in s["Action"]}
    assert {"s3:GetObject", "s3:ListBucket", "ecr:GetAuthorizationToken", *ECR_PULL} == actions
    gets = {r for s in scorer["Statement"] if s["Action"] == ["s3:GetObject"] for r in s["Resource"]}
    # the drift baseline (an object) and the drift job's live inputs (a folder, no `//`)
    assert {"arn:aws:s3:::fraud-data/train-2026-10.parquet", "arn:aws:s3:::fraud-data/live/fraud-scorer/*"} <= gets
    pulls = next(s for s in scorer["Statement"] if s["Action"] == ECR_PULL)
    assert pulls["Resource"] == [f"arn:aws:ecr:eu-west-1:123456789012:repository/{env.stack}/fraud-scorer"]
    role = one(graph, "aws:iam/role:Role", "fraud-platform-production-model-fraud-scorer-role")
    trust = policy(role.inputs["assumeRolePolicy"])
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "fraud-scorer"
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == env.namespace


def test_every_aws_resource_is_tagged_by_the_provider(prod: tuple) -> None:
    env, graph = prod
    provider = one(graph, "pulumi:providers:aws")
    assert provider.inputs["defaultTags"]["tags"] == {"cost-center": "cc-4242", "mlops.dev/environment": "production",
                                                      "mlops.dev/platform": "fraud-platform"}
    assert provider.inputs["region"] == "eu-west-1"
    cloud = [r for r in graph if r.type.startswith("aws:")]
    assert cloud and all(r.provider == provider.name for r in cloud)


def test_addons_with_pinned_versions(prod: tuple) -> None:
    _, graph = prod
    releases = {r.inputs["name"]: r for r in of_type(graph, RELEASE)}
    assert sorted(releases) == sorted([*addons.BASE, "nvidia-device-plugin", "cluster-autoscaler"])
    for name, release in releases.items():
        chart = addons.CHARTS[name]
        assert release.inputs["version"] == chart.version and release.inputs["namespace"] == chart.namespace
        assert release.provider == "fraud-platform-production-k8s"
    autoscaler = releases["cluster-autoscaler"].inputs["values"]
    assert autoscaler["autoDiscovery"]["clusterName"] == "fraud-platform-production"
    assert autoscaler["rbac"]["serviceAccount"]["name"] == "cluster-autoscaler"
    bound = {r.inputs["serviceAccount"]: r.inputs["namespace"] for r in of_type(graph, ASSOCIATION)}
    assert bound["cluster-autoscaler"] == "kube-system"


def test_exports(prod: tuple) -> None:
    env, _ = prod
    outputs = preview_environment(env).outputs
    assert outputs["kubeconfig"] == "[secret]"
    assert outputs["clusterName"] == "fraud-platform-production"
    assert outputs["registryUrl"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-platform-production"


def test_small_spec_registry_policy_account_and_version(small: tuple) -> None:
    env, graph = small
    assert one(graph, CLUSTER).inputs["version"] == "1.36"
    repo = one(graph, REPO)
    assert repo.inputs["name"] == "shop-live/rec"
    assert repo.inputs["imageTagMutability"] == "MUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": False}
    assert policy(one(graph, LIFECYCLE).inputs["policy"])["rules"][-1]["selection"]["countNumber"] == 7
    provider = one(graph, "pulumi:providers:aws")
    assert provider.inputs["allowedAccountIds"] == ["210987654321"]
    assert provider.inputs["defaultTags"]["tags"]["team"] == "search"
    outputs = preview_environment(env).outputs
    assert outputs["registryUrl"] == AWS.hints(env).registry == "210987654321.dkr.ecr.us-east-1.amazonaws.com/shop-live"


def test_small_spec_pools(small: tuple) -> None:
    env, graph = small
    groups = {r.inputs["nodeGroupName"]: r.inputs for r in of_type(graph, NODE_GROUP)}
    cpu = groups["shop-live-cpu"]
    assert cpu["capacityType"] == "SPOT" and cpu["scalingConfig"] == {"minSize": 1, "maxSize": 5, "desiredSize": 1}
    t4 = groups["shop-live-t4"]
    assert t4["instanceTypes"] == [env.pool("t4").instance_type] and t4["instanceTypes"][0].startswith("g4dn.")
    assert t4["capacityType"] == "ON_DEMAND" and t4["amiType"] == "AL2023_x86_64_NVIDIA"


def test_small_spec_s3_artifact_read_scoped(small: tuple) -> None:
    _, graph = small
    churn = policy(one(graph, ROLE_POLICY, "shop-live-model-churn-access").inputs["policy"])
    assert [s["Action"] for s in churn["Statement"]] == [["s3:GetObject"], ["s3:ListBucket"]]   # no ECR: no registry://
    assert churn["Statement"][0]["Resource"] == ["arn:aws:s3:::shop-models/churn/v3",
                                                 "arn:aws:s3:::shop-models/churn/v3/*"]
    assert churn["Statement"][1]["Condition"] == {"StringLike": {"s3:prefix": ["churn/v3", "churn/v3/*"]}}


def test_external_registry_means_no_ecr(tmp_path: Path) -> None:
    spec = SMALL.replace('account: "210987654321"', 'registry: registry.example.com/shop')
    env = environment(spec, "live", tmp_path)
    graph = preview(env)
    assert not of_type(graph, REPO) and not of_type(graph, LIFECYCLE)
    assert [r.name for r in of_type(graph, ROLE_POLICY)] == ["shop-live-autoscaler-access",
                                                              "shop-live-model-churn-access"]
    assert one(graph, ASSOCIATION, "shop-live-model-rec-association")   # an identity still, with nothing to read
    assert preview_environment(env).outputs["registryUrl"] == "registry.example.com/shop"


def test_every_resource_has_a_distinct_identity(prod: tuple) -> None:
    _, graph = prod
    keys = [(r.type, r.name) for r in graph]
    assert len(keys) == len(set(keys))
    components = [r.name for r in graph if r.type.startswith("mlops:")]
    assert len(components) == len(set(components))
    assert {r.parent for r in graph if r.parent} <= set(components) | {r.name for r in graph}


def test_unfulfillable_accelerator_is_a_located_error(tmp_path: Path) -> None:
    spec = SMALL.replace("accelerator: {type: nvidia-t4}", "accelerator: {type: tpu-v5e, count: 4}")
    (tmp_path / "mlops.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        compile_spec(str(tmp_path / "mlops.yaml"), ["live"], ("infra",))
    text = "\n".join(d.message for d in caught.value.diagnostics)
    assert "aws has no 4x tpu-v5e" in text and "nvidia-t4" in text
    assert any(d.line for d in caught.value.diagnostics)


def test_program_runs_the_same_from_stack_config(prod: tuple) -> None:
    """What `pulumi up` would run (`targets.program.main`, IR from the stack config) registers the same graph."""
    from mlops import ir
    from mlops.emit.preview import Setup, run
    from mlops.runtime.infra import main

    env, graph = prod
    config = {"mlops:environment": json.dumps(ir.to_dict(env))}
    again = run(main, Setup("fraud-platform-infra", "production", "aws", config=config))
    assert list(again.resources) == graph


def test_recorded_is_plain_json(prod: tuple) -> None:
    _, graph = prod
    assert all(isinstance(r, Recorded) for r in graph)
    json.dumps([r.to_json() for r in graph])
    assert dataclasses.asdict(graph[0])


def test_trainer_role_reads_its_inputs_and_writes_only_the_output(tmp_path: Path) -> None:
    env = environment(trained_platform({"provider": "aws", "region": "us-east-1", "account": "210987654321"}), "dev",
                      tmp_path)
    graph = preview(env)
    bindings = {r.inputs["serviceAccount"]: r.inputs for r in of_type(graph, ASSOCIATION)
                if r.inputs["namespace"] == env.namespace}
    assert sorted(bindings) == ["fraud", "fraud-train"]
    assert bindings["fraud-train"]["roleArn"].endswith(f":role/{env.stack}-train-fraud")
    trainer = policy(one(graph, ROLE_POLICY, f"{env.stack}-train-fraud-access").inputs["policy"])
    by_action = {tuple(s["Action"]): s["Resource"] for s in trainer["Statement"] if "Condition" not in s}
    assert by_action[("s3:PutObject",)] == ["arn:aws:s3:::fraud-models/fraud/*"]     # the output only
    assert by_action[("s3:GetBucketLocation",)] == ["arn:aws:s3:::fraud-models"]      # Argo's region lookup
    gets = {r for s in trainer["Statement"] if s["Action"] == ["s3:GetObject"] for r in s["Resource"]}
    assert gets == {"arn:aws:s3:::fraud-data/train", "arn:aws:s3:::fraud-data/train/*",
                    "arn:aws:s3:::fraud-data/holdout.parquet", "arn:aws:s3:::fraud-data/holdout.parquet/*",
                    "arn:aws:s3:::fraud-models/fraud", "arn:aws:s3:::fraud-models/fraud/*"}
    pulls = next(s for s in trainer["Statement"] if s["Action"] == ECR_PULL)     # the champion, a modelcar
    assert pulls["Resource"] == [f"arn:aws:ecr:us-east-1:210987654321:repository/{env.stack}/fraud"]
    serving = policy(one(graph, ROLE_POLICY, f"{env.stack}-model-fraud-access").inputs["policy"])
    assert not any("s3:PutObject" in s["Action"] for s in serving["Statement"])   # serving never writes
    trust = policy(one(graph, "aws:iam/role:Role", f"{env.stack}-train-fraud-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == \
        "fraud-train"


def test_vector_role_only_creates_objects_under_data_live(tmp_path: Path) -> None:
    env = environment(logged_platform({"provider": "aws", "region": "us-east-1"}, "s3://shop-data/"), "dev", tmp_path)
    graph = preview(env)
    binding = one(graph, ASSOCIATION, serviceAccount="vector")
    assert binding.inputs["namespace"] == env.namespace
    assert binding.inputs["roleArn"].endswith(f":role/{env.stack}-vector")
    statements = policy(one(graph, ROLE_POLICY, f"{env.stack}-vector-access").inputs["policy"])["Statement"]
    # write only, on the live folder only: no read, no listing, no delete (the bucket's region is the writers'
    # shared grant, which Argo's S3 driver needs; it reads no object)
    assert statements == [{"Action": ["s3:PutObject"], "Effect": "Allow",
                           "Resource": ["arn:aws:s3:::shop-data/live/fraud/*"]},
                          {"Action": ["s3:GetBucketLocation"], "Effect": "Allow",
                           "Resource": ["arn:aws:s3:::shop-data"]}]
    trust = policy(one(graph, "aws:iam/role:Role", f"{env.stack}-vector-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "vector"


def test_no_vector_role_when_a_secret_writes_data_live(tmp_path: Path) -> None:
    target = {"provider": "aws", "region": "us-east-1", "storageCredentials": {"s3": {"secretRef": {"name": "s3-w"}}}}
    graph = preview(environment(logged_platform(target, "s3://shop-data/"), "dev", tmp_path))
    assert not [r for r in of_type(graph, ASSOCIATION) if r.inputs["serviceAccount"] == "vector"]
