"""mlops.runtime.workloads: the workloads program under mocks, applying a fake manifests folder with the infra
stack's values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.emit.preview import Preview, Setup, run
from mlops.runtime import workloads
from tests.support.infra_helpers import one

KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                 "resources": ["namespace.yaml", "model.yaml"]}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "rec", "namespace": "shop"},
              "spec": {"template": {"spec": {"initContainers": [{"name": "fetch", "image": "oras:1",
                                                                  "args": ["pull", "$(infra.registryUrl)/rec:v1"]}],
                                             "containers": [{"name": "serve", "image": "seldonio/mlserver:1.6.1",
                                                             "env": [{"name": "A", "value": "$(keep.me)"}]}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "rec", "namespace": "shop"}}


def manifests(folder: Path) -> Path:
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(KUSTOMIZATION))
    (folder / "namespace.yaml").write_text(yaml.safe_dump(NAMESPACE))
    (folder / "model.yaml").write_text(yaml.safe_dump_all([DEPLOYMENT, SERVICE]))
    (folder / "unlisted.yaml").write_text(yaml.safe_dump(SERVICE | {"metadata": {"name": "stray"}}))
    return folder


def apply(folder: Path, stack_outputs: Mapping[str, Any], infra_stack: str = "shop-infra/live") -> Preview:
    def reference(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
        return {"outputs": dict(stack_outputs), "secretOutputNames": [k for k in stack_outputs if k == "kubeconfig"]}

    config = {"mlops:infraStack": infra_stack, "mlops:manifests": str(folder)}
    return run(workloads.main, Setup("shop-workloads", "live", config=config,
                                     outputs={"pulumi:pulumi:StackReference": reference}))


def test_applies_listed_manifests_with_infra_values(tmp_path: Path) -> None:
    result = apply(manifests(tmp_path / "manifests"), {"registryUrl": "123.dkr.ecr.eu-west-1.amazonaws.com/shop-live",
                                                        "kubeconfig": "{\"apiVersion\": \"v1\"}"})
    group = one(list(result.resources), "kubernetes:yaml/v2:ConfigGroup")
    objs = group.inputs["objs"]
    # kustomization order, unlisted left out
    assert [o["kind"] for o in objs] == ["Namespace", "Deployment", "Service"]
    pod = objs[1]["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["args"][1] == "123.dkr.ecr.eu-west-1.amazonaws.com/shop-live/rec:v1"
    assert pod["containers"][0]["env"][0]["value"] == "$(keep.me)"                 # only $(infra.…) is ours
    assert group.provider == "cluster"
    provider = one(list(result.resources), "pulumi:providers:kubernetes")
    assert provider.inputs == {"enableServerSideApply": True, "kubeconfig": "[secret]"}
    reference = one(list(result.resources), "pulumi:pulumi:StackReference")
    assert reference.name == "organization/shop-infra/live"
    assert result.outputs["objects"] == 3


def test_onprem_context_from_the_infra_stack(tmp_path: Path) -> None:
    result = apply(manifests(tmp_path / "manifests"), {"registryUrl": "harbor/ml", "kubeContext": "dc1-admin"},
                   infra_stack="acme/shop-infra/live")
    provider = one(list(result.resources), "pulumi:providers:kubernetes")
    assert provider.inputs == {"context": "dc1-admin", "enableServerSideApply": True}
    assert one(list(result.resources), "pulumi:pulumi:StackReference").name == "acme/shop-infra/live"


def test_missing_infra_output_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="the infra stack exports no 'registryUrl'"):
        apply(manifests(tmp_path / "manifests"), {"kubeconfig": "{}"})


def test_manifest_values_are_never_templated(tmp_path: Path) -> None:
    """A value that looks like YAML stays one string: substitution happens after parsing."""
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["cm.yaml"]}))
    (folder / "cm.yaml").write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                                                     "data": {"k": "$(infra.registryUrl)"}}))
    result = apply(folder, {"registryUrl": "a: b\nc: [d]", "kubeconfig": "{}"})
    objs = one(list(result.resources), "kubernetes:yaml/v2:ConfigGroup").inputs["objs"]
    assert objs[0]["data"] == {"k": "a: b\nc: [d]"}
    json.dumps(objs)
