"""The wiring contract over every example × environment × provider: each rule of `wiring_rules.RULES` holds."""

from __future__ import annotations

import pytest

from .wiring_build import build, cases
from .wiring_rules import RULES, check

CASES = list(cases())


def test_every_rule_is_listed() -> None:
    assert sorted(RULES) == ["alerts-routed", "analysis-refs", "certificates-sourced", "credential-files",
                             "drift-webhook", "images-mirrored", "init-args", "labels-carried", "live-granted",
                             "metrics-scraped", "netpol-enforced", "pull-secrets", "request-logging", "rollouts-plugin",
                             "routes-attached", "secrets-referenced", "services-select", "storage-granted",
                             "trigger-access", "urls-resolve", "users-defined", "workflow-accounts", "workflow-config",
                             "workflow-images", "workflow-refs"]


@pytest.mark.parametrize(("example", "env", "provider"), CASES, ids=["/".join(c) for c in CASES])
def test_wiring_contract(example: str, env: str, provider: str) -> None:
    b = build(example, env, provider)
    if isinstance(b, str):
        pytest.skip(f"the spec refuses {example}/{env} on {provider}: {b}")
    broken = [str(v) for v in check(b)]
    assert not broken, "\n".join(broken)
