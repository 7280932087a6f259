"""Vector's write on data.live in the wiring contract, on each cloud: the loop's staging (fraud-scorer logs its
requests) compiled with its stores on that cloud's own scheme (test_wiring_trainer.native), so Vector writes
data.live with its own cloud identity. Intact, `live-granted` holds; with the grant dropped, its prefix narrowed to
another folder, or the binding between the ServiceAccount and the identity cut (the EKS Pod Identity association;
the GKE and AKS annotations), the rule names what is missing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from . import wiring_logging
from .test_wiring_trainer import STORES, native
from .wiring_build import Build, Obj

LIVE = {"aws": "s3://fraud-data/live/fraud-scorer/date=%F/", "gcp": "gs://fraud-data/live/fraud-scorer/date=%F/",
        "azure": "az://fraudacct/data/live/fraud-scorer/date=%F/"}
UNGRANTED = "is written without the {provider} identity of ServiceAccount vector"
Cut = Callable[[Build], None]


@pytest.fixture(scope="module", params=sorted(STORES))
def logs(request: pytest.FixtureRequest) -> Build:
    b = native(request.param)
    assert not list(wiring_logging.live_granted(b))        # intact, it holds
    assert any(s["type"] != "http_server" for s in wiring_logging._sinks(b))
    return b


def _grants(b: Build) -> list[Obj]:
    """The write grants made to Vector's identity, as resources (AWS: its role's policy)."""
    if b.provider == "aws":
        return [p for p in b.typed("aws:iam/rolePolicy") if p["inputs"]["role"].endswith("-vector")]
    if b.provider == "gcp":
        return [r for r in b.typed("gcp:storage/bucketIAMMember") if "-vector-write-" in r["name"]]
    return [r for r in b.typed("azure-native:authorization:RoleAssignment")
            if r["inputs"].get("description", "").startswith("mlops: vector writes")]


def drop_grant(b: Build) -> None:
    for grant in _grants(b):
        b.resources.remove(grant)


def narrow_prefix(b: Build) -> None:
    """The grant's folder moved to a sibling of data.live: it no longer covers what Vector writes."""
    for grant in _grants(b):
        text = json.dumps(grant["inputs"]).replace("live/fraud-scorer", "live/other-model")
        grant["inputs"] = json.loads(text)


def unbind(b: Build) -> None:
    """AWS: the association of the role with the ServiceAccount; GKE/AKS: the ServiceAccount's annotation."""
    if b.provider == "aws":
        b.resources[:] = [r for r in b.resources if not (r["type"].startswith("aws:eks/podIdentityAssociation")
                                                         and r["inputs"]["serviceAccount"] == "vector")]
        return
    account = next(o for o in b.objects if o["kind"] == "ServiceAccount" and o["metadata"]["name"] == "vector")
    key = "iam.gke.io/gcp-service-account" if b.provider == "gcp" else "azure.workload.identity/client-id"
    del account["metadata"]["annotations"][key]


@pytest.mark.parametrize("cut", [drop_grant, narrow_prefix])
def test_without_a_write_grant_on_data_live_the_rule_names_it(logs: Build, cut: Cut) -> None:
    b = copy.deepcopy(logs)
    assert _grants(b)
    cut(b)
    found = [str(v) for v in wiring_logging.live_granted(b)]
    wanted = UNGRANTED.format(provider=b.provider)
    assert any(LIVE[b.provider] in v and wanted in v and "Deployment/vector" in v for v in found), found


def test_without_the_binding_to_its_service_account_the_rule_names_it(logs: Build) -> None:
    b = copy.deepcopy(logs)
    unbind(b)
    found = [str(v) for v in wiring_logging.live_granted(b)]
    if b.provider == "aws":      # no association: the role's grant is no longer the ServiceAccount's
        assert any(LIVE["aws"] in v and UNGRANTED.format(provider="aws") in v for v in found), found
    else:
        assert any(v.startswith("[live-granted] ServiceAccount/vector: its ") for v in found), found
