"""The trainer's grants in the wiring contract: the loop's staging, where fraud-scorer retrains, compiled on each cloud
with its stores moved to that cloud's own scheme, so the workflow reads and writes them with the identity of
`fraud-scorer-train` (no storageCredentials Secret). Intact, `storage-granted` holds; with the trainer's read grant
on data.training or its write grant on training.output dropped, the rule names the store and the ServiceAccount."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
import yaml

from . import wiring_grants
from .wiring_build import Build, Obj, _compiled, _load, _moved, outputs, scratch

SA = "fraud-scorer-train"
# the loop's stores, on each cloud's own scheme (az:// is ACCOUNT/CONTAINER/PATH)
STORES = {"aws": {}, "gcp": {"s3://": "gs://"},
          "azure": {"s3://fraud-data/": "az://fraudacct/data/", "s3://fraud-models/": "az://fraudacct/models/"}}
# how each init container names the training data (az as its blob URL)
TRAINING = {"aws": "s3://fraud-data/train/", "gcp": "gs://fraud-data/train/", "azure": "https://fraudacct.blob.core.windows.net/data/train/"}
OUTPUT = {"aws": "s3://fraud-models/fraud-scorer/", "gcp": "gs://fraud-models/fraud-scorer/",
          "azure": "az://fraudacct/models/fraud-scorer/"}


def native(provider: str) -> Build:
    text = _moved("loop", "staging", provider)
    for old, new in STORES[provider].items():
        text = text.replace(old, new)
    doc = yaml.safe_load(text)
    scheme = {"aws": "s3", "gcp": "gs", "azure": "az"}[provider]
    for target, fields in doc["targets"].items():     # the other environments read the moved stores by a Secret
        if target != f"wiring-{provider}" and fields["provider"] != provider:
            fields.setdefault("storageCredentials", {})[scheme] = {"secretRef": {"name": f"other-{scheme}-reader"}}
    text = yaml.safe_dump(doc, sort_keys=False)
    result = _compiled("loop", text, ("staging",), str(scratch()))
    env, objects, resources = _load(result, "staging")
    return Build("loop", env, objects, resources, resources, outputs(result, "staging"))


@pytest.fixture(scope="module", params=sorted(STORES))
def trains(request: pytest.FixtureRequest) -> Build:
    b = native(request.param)
    assert not list(wiring_grants.storage_granted(b))        # intact, it holds
    return b


def found(b: Build) -> list[str]:
    return [str(v) for v in wiring_grants.storage_granted(b)]


def test_the_workflow_reads_and_writes_with_the_trainer(trains: Build) -> None:
    """The rule sees the workflow: its fetches and its outputs, all with the trainer's ServiceAccount."""
    fetches = [sa for where, sa, _, _ in wiring_grants.fetched(trains) if where.startswith("WorkflowTemplate/")]
    outputs = [a for _, sa, t in wiring_grants.steps(trains) for a in t.get("outputs", {}).get("artifacts", [])]
    assert fetches and set(fetches) == {SA}
    schemes = {d[0] for a in outputs if (d := wiring_grants._destination(a))}
    assert schemes == {{"aws": "s3", "gcp": "gs", "azure": "az"}[trains.provider]}


def _without(b: Build, keep: Callable[[Obj], bool]) -> Build:
    cut = copy.deepcopy(b)
    cut.resources[:] = [r for r in cut.resources if keep(r)]
    return cut


def _drop_read(b: Build) -> Build:
    if b.provider == "aws":
        cut = copy.deepcopy(b)
        for p in cut.typed("aws:iam/rolePolicy"):
            if p["inputs"]["role"].endswith("-train-fraud-scorer"):
                policy = json.loads(p["inputs"]["policy"])
                policy["Statement"] = [s for s in policy["Statement"] if "fraud-data/train" not in json.dumps(s)]
                p["inputs"]["policy"] = json.dumps(policy)
        return cut
    if b.provider == "gcp":
        return _without(b, lambda r: not (r["type"].startswith("gcp:storage/bucketIAMMember")
                                          and SA in r["name"] and r["inputs"]["bucket"] == "fraud-data"
                                          and "train" in r["inputs"]["condition"]["expression"]))
    return _without(b, lambda r: not (r["type"] == "azure-native:authorization:RoleAssignment"
                                      and r["inputs"].get("description", "").startswith(f"mlops: {SA} reads")
                                      and "data/train" in r["inputs"]["description"]))


def _without_action(b: Build, action: str) -> Build:
    """`b` with the trainer's IAM policy statements granting only `action` removed."""
    cut = copy.deepcopy(b)
    for p in cut.typed("aws:iam/rolePolicy"):
        if p["inputs"]["role"].endswith("-train-fraud-scorer"):
            policy = json.loads(p["inputs"]["policy"])
            policy["Statement"] = [s for s in policy["Statement"] if s["Action"] != [action]]
            p["inputs"]["policy"] = json.dumps(policy)
    return cut


def _drop_write(b: Build) -> Build:
    if b.provider == "aws":
        return _without_action(b, "s3:PutObject")
    if b.provider == "gcp":
        return _without(b, lambda r: r["inputs"].get("role") != "roles/storage.objectCreator")
    return _without(b, lambda r: r["type"] != "azure-native:authorization:RoleDefinition"
                    or f"{wiring_grants.BLOBS}/write" not in r["inputs"]["permissions"][0]["dataActions"])


def test_no_read_grant_names_the_store_and_the_account(trains: Build) -> None:
    violations = found(_drop_read(trains))
    wanted = f"{TRAINING[trains.provider]} is read without the {trains.provider} identity of ServiceAccount {SA}"
    assert any(wanted in v and "WorkflowTemplate/fraud-scorer-retrain" in v for v in violations), violations


def test_no_write_grant_names_the_store_and_the_account(trains: Build) -> None:
    violations = found(_drop_write(trains))
    wanted = f"is written without the {trains.provider} identity of ServiceAccount {SA}"
    assert any(OUTPUT[trains.provider] in v and wanted in v for v in violations), violations


def test_no_region_lookup_on_the_output_bucket_is_a_write_argo_cannot_make(trains: Build) -> None:
    """Argo's S3 driver looks the bucket's region up before it uploads (no `region` in the artifact)."""
    if trains.provider != "aws":
        pytest.skip("the region lookup is S3's")
    cut = _without_action(trains, "s3:GetBucketLocation")
    wanted = f"is written without the aws identity of ServiceAccount {SA}"
    assert any(OUTPUT["aws"] in v and wanted in v for v in found(cut)), found(cut)


@pytest.mark.parametrize(("verb", "done"), [("read", "read"), ("write", "written")])
def test_a_blob_role_with_a_control_plane_action_grants_nothing(verb: str, done: str) -> None:
    """An ABAC condition holds only the role's data actions: a role that also deletes containers (as the built-in
    Storage Blob Data Contributor does) would reach every container of the subscription, so the rule refuses it."""
    cut = native("azure")
    roles = [r for r in cut.typed("azure-native:authorization:RoleDefinition")
             if r["inputs"]["roleName"].endswith(f" blob {verb}")]
    assert len(roles) == 1
    delete = "Microsoft.Storage/storageAccounts/blobServices/containers/delete"
    roles[0]["inputs"]["permissions"][0]["actions"] = [delete]
    wanted = f"is {done} without the azure identity of ServiceAccount {SA}"
    assert any(wanted in v for v in found(cut)), found(cut)


@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_a_service_account_without_its_identity_annotation_reads_nothing(provider: str) -> None:
    """The grant alone is not enough on GKE and AKS: the pod gets the cloud identity only through its
    ServiceAccount's annotation (EKS Pod Identity's association names the ServiceAccount instead)."""
    cut = native(provider)
    [account] = [o for o in cut.of_kind("ServiceAccount") if o["metadata"]["name"] == SA]
    account["metadata"]["annotations"] = {}
    assert any(v.startswith(f"[storage-granted] ServiceAccount/{SA}: its ") for v in found(cut)), found(cut)
