"""mlops.gitops.plan.prerequisites: the namespaces an environment's pull Secrets must exist in, told in the plan when
they change, from the same function the infra stack exports them with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlops.gitops.plan import Plan, Side, environment_plan, prerequisites
from mlops.gitops.plan import report as plan_report
from mlops.gitops.plan.report import as_json, as_markdown
from mlops.pipeline import compile_source
from mlops.spec.load import parse
from mlops.targets.base import addons, chart_images

SPEC = """apiVersion: mlops/v1
kind: Platform
metadata: {name: lab}
targets:
  dc1:
    provider: onprem
    context: dc1-admin
    registry: harbor.dc1.example.com/ml
    IMAGES
environments:
  dev: {target: dc1}
cluster:
  nodePools:
    gpu: {machine: {cpu: 8, memory: 32Gi}, accelerator: {type: nvidia-l4, count: 1}}
models:
  m: {framework: sklearn, artifact: registry://m:v1}
"""
PULL = "images: {pullSecrets: [harbor-pull]}"
BASE_NAMESPACES = ("argo-rollouts", "envoy-gateway-system", "keda", "lab-dev", "monitoring")


def side(tmp_path: Path, images: str, layers: tuple[str, ...] = ("manifests", "infra")) -> Side:
    text = SPEC.replace("IMAGES", images) if images else SPEC.replace("    IMAGES\n", "")
    return Side.of(compile_source(parse(text, str(tmp_path / "mlops.yaml")), None, layers))


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Side:
    return side(tmp_path_factory.mktemp("pulled"), PULL)


def test_the_namespaces_are_the_stacks_own(pulled: Side) -> None:
    """The graph's releases give the charts: the onprem program adds the device plugin for the GPU pool, in
    kube-system, which only the program knows; the namespaces are chart_images.namespaces of those charts."""
    env, graph = pulled.environments["dev"], pulled.graph("dev")
    assert graph is not None
    assert prerequisites.charts(graph) == tuple(sorted((*addons.installed(env), "nvidia-device-plugin")))
    need = prerequisites.needed(env, graph)
    assert need == prerequisites.Need(("harbor-pull",), tuple(sorted((*BASE_NAMESPACES, "kube-system"))), True)
    assert need.namespaces == chart_images.namespaces(env, prerequisites.charts(graph))


def test_a_new_environment_with_pull_secrets_is_told(pulled: Side) -> None:
    plan = environment_plan("dev", Side({}, {}), pulled, ())
    assert plan.before_apply == (
        "create the pull Secret harbor-pull (kubernetes.io/dockerconfigjson) in each of 6 namespaces before `mlops "
        "apply`: argo-rollouts, envoy-gateway-system, keda, kube-system, lab-dev, monitoring; mlops references it by "
        "name and never copies a registry credential",)


def test_unchanged_secrets_and_namespaces_say_nothing(pulled: Side, tmp_path: Path) -> None:
    assert environment_plan("dev", pulled, pulled, ()).before_apply == ()
    assert environment_plan("dev", side(tmp_path, ""), side(tmp_path, ""), ()).before_apply == ()   # none at all


def test_secrets_added_to_an_environment_are_told(pulled: Side, tmp_path: Path) -> None:
    [said] = environment_plan("dev", side(tmp_path, ""), pulled, ()).before_apply
    assert said.startswith("create the pull Secret harbor-pull ") and "new since the base" not in said


def test_a_namespace_more_says_which(pulled: Side, tmp_path: Path) -> None:
    head = side(tmp_path, PULL + "\ngateway: {tls: {acme: {email: ops@example.com}}}")     # ACME: cert-manager
    [said] = environment_plan("dev", pulled, head, ()).before_apply
    assert "(new since the base: cert-manager)" in said and "7 namespaces" in said
    two = side(tmp_path, "images: {pullSecrets: [harbor-pull, quay-pull]}")
    [renamed] = environment_plan("dev", pulled, two, ()).before_apply
    assert renamed.startswith("create the pull Secrets harbor-pull, quay-pull ") and "references them" in renamed


def test_without_a_preview_it_says_what_it_cannot_count(tmp_path: Path) -> None:
    bare = side(tmp_path, PULL, ("manifests",))
    need = prerequisites.needed(bare.environments["dev"], None)
    assert need is not None and need.namespaces == BASE_NAMESPACES and not need.previewed
    assert prerequisites.sentence(need).endswith(
        "; infrastructure was not previewed, so the namespaces of add-ons only the target's program installs "
        "(kube-system: the device plugin, the EKS autoscaler) are not counted")


def test_markdown_json_and_text_carry_it(pulled: Side) -> None:
    plan = Plan("mlops.yaml", "origin/main", "0" * 40, False, (environment_plan("dev", Side({}, {}), pulled, ()),))
    [said] = plan.environments[0].before_apply
    assert json.loads(as_json(plan))["environments"][0]["beforeApply"] == [said]
    markdown = as_markdown(plan)
    assert "\n**Before apply**\n\n- **dev**: create the pull Secret harbor-pull " in markdown
    assert markdown.index("**Before apply**") < markdown.index("**At apply time**")
    assert f"  before apply: {said}\n" in plan_report.as_text(plan)
