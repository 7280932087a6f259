"""mlops.targets: the Target protocol, as every registered provider implements it."""

from __future__ import annotations

import pytest

from mlops import ir, targets
from tests.support.infra_helpers import north_star


@pytest.mark.parametrize("provider, expected", [
    ("aws", {"aws:region": "r1", "aws:allowedAccountIds": ["111122223333"]}),
    ("gcp", {"gcp:project": "p1", "gcp:region": "r1"}),
    ("azure", {"azure-native:location": "r1", "azure-native:subscriptionId": "s1"}),
    ("onprem", {"kubernetes:context": "c1"}),
])
def test_each_target_configures_its_default_provider(provider: str, expected: dict[str, object]) -> None:
    import dataclasses

    env = north_star("production")
    target = ir.Target(name="t", provider=provider, region="r1", project="p1", account="111122223333",
                       subscription="s1", context="c1")
    assert targets.get(provider).stack_config(dataclasses.replace(env, target=target)) == expected
