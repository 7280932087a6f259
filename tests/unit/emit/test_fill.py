"""mlops.emit.fill: `$(infra.NAME)` tokens in one environment's manifests replaced from its infra stack outputs."""

from __future__ import annotations

import pytest

from mlops.emit import fill
from mlops.emit.yamlout import dump

SA = {"apiVersion": "v1", "kind": "ServiceAccount",
      "metadata": {"name": "demand", "annotations": {"azure.workload.identity/client-id": "$(infra.clientDemand)"}}}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "$(infra.registryUrl)/demand:v1"}]}}
FILES = {"prod/manifests/serviceaccount-demand.yaml": dump(SA), "prod/manifests/pod-p.yaml": dump(POD),
         "prod/manifests/kustomization.yaml": b"resources: []\n", "lab/manifests/pod-p.yaml": dump(POD),
         "prod/infra/resources.json": b'{"outputs": "$(infra.registryUrl)"}\n'}
OUTPUTS = {"clientDemand": "1111-2222", "registryUrl": "acr.example.io/retail", "kubeconfig": "[secret]"}


def test_every_token_of_the_environment_is_replaced_and_nothing_else_changes() -> None:
    got = fill.fill(FILES, "prod", OUTPUTS, "o.json")
    assert got["prod/manifests/serviceaccount-demand.yaml"] == dump(
        {**SA, "metadata": {"name": "demand", "annotations": {"azure.workload.identity/client-id": "1111-2222"}}})
    assert b"image: acr.example.io/retail/demand:v1\n" in got["prod/manifests/pod-p.yaml"]
    # another environment's manifests and the other layers are not this file's to fill
    assert {p: got[p] for p in FILES if not p.startswith("prod/manifests/")} == {
        p: c for p, c in FILES.items() if not p.startswith("prod/manifests/")}
    assert got["prod/manifests/kustomization.yaml"] == FILES["prod/manifests/kustomization.yaml"]


def test_a_file_without_tokens_keeps_its_bytes() -> None:
    plain = {"prod/manifests/pod-p.yaml": dump({**POD, "spec": {"containers": [{"name": "c", "image": "x:1"}]}})}
    assert fill.fill(plain, "prod", {}, "o.json") == plain


def test_missing_secret_and_non_string_outputs_are_all_named_with_the_environment() -> None:
    with pytest.raises(fill.OutputsMissing) as caught:
        fill.fill(FILES, "prod", {"clientDemand": "[secret]", "registryUrl": ["a"]}, "o.json")
    assert str(caught.value) == (
        "nothing written: the manifests of environment 'prod' need infra stack output(s) that o.json does not "
        "provide: 'clientDemand' (a secret, shown as \"[secret]\": mlops writes no secret into manifests), "
        "'registryUrl' (not a non-empty string: list) (give the output of `pulumi stack output --json` of prod's "
        "infra stack, after `pulumi up`)")
    assert caught.value.exit_code == 1


@pytest.mark.parametrize("value", [None, ""])
def test_a_null_or_empty_output_is_missing(value: str | None) -> None:
    with pytest.raises(fill.OutputsMissing, match="'registryUrl' \\("):
        fill.fill(FILES, "prod", {"clientDemand": "1", "registryUrl": value}, "o.json")
