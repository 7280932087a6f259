"""Pulumi.<env>.yaml merged, not rewritten: what mlops does not own survives, what it owns is replaced."""

from __future__ import annotations

import pytest
import yaml

from mlops.emit.stackconfig import StackSettingsUnreadable, merge

OWNED = frozenset({"aws:region", "gcp:project", "gcp:region"})
FRESH = {"config": {"mlops:environment": {"name": "prod"}, "gcp:project": "p-1", "gcp:region": "europe-west4"}}


def test_a_missing_file_is_the_fresh_one() -> None:
    assert yaml.safe_load(merge(None, FRESH, OWNED, "f")) == FRESH


def test_foreign_keys_survive_and_owned_keys_are_replaced() -> None:
    previous = yaml.safe_dump({
        "secretsprovider": "awskms://alias/stack", "encryptedkey": "AQICAHh...", "encryptionsalt": "v1:salt:v1:abc",
        "environment": ["acme/prod"],
        "config": {"mlops:environment": {"name": "old"}, "mlops:gone": 1, "aws:region": "eu-west-1",
                   "aws:profile": "ops", "app:token": {"secure": "v1:c2VjcmV0"}, "plain": "kept"}}).encode()
    merged = yaml.safe_load(merge(previous, FRESH, OWNED, "f"))
    assert merged == {
        "secretsprovider": "awskms://alias/stack", "encryptedkey": "AQICAHh...", "encryptionsalt": "v1:salt:v1:abc",
        "environment": ["acme/prod"],
        "config": {"mlops:environment": {"name": "prod"}, "gcp:project": "p-1", "gcp:region": "europe-west4",
                   "aws:profile": "ops", "app:token": {"secure": "v1:c2VjcmV0"}, "plain": "kept"}}


def test_the_merge_is_deterministic_and_stable() -> None:
    previous = b"config:\n  zz:user: 1\n  aa:user: 2\nencryptionsalt: v1:x\n"
    once = merge(previous, FRESH, OWNED, "f")
    assert once == merge(previous, FRESH, OWNED, "f") == merge(once, FRESH, OWNED, "f")


@pytest.mark.parametrize(("previous", "why"), [
    (b"- a\n- b\n", "not a mapping"),
    (b"config: [1]\n", "not a mapping"),
    (b"config: {a: [\n", "not YAML"),
    (b"a: &x [1]\nb: *x\n", "aliases"),
    (b"\xff\xfe", "not YAML"),
])
def test_a_file_that_is_not_stack_settings_is_refused(previous: bytes, why: str) -> None:
    with pytest.raises(StackSettingsUnreadable, match="nothing written: cannot keep the stack settings in f") as e:
        merge(previous, FRESH, OWNED, "f")
    assert why in str(e.value)


def test_every_key_a_target_sets_is_one_it_owns() -> None:
    from mlops import targets
    from mlops.pipeline import environments
    from mlops.spec.load import load
    from tests.support import EXAMPLES

    for example in EXAMPLES:
        for env in environments(load(str(example / "mlops.yaml")))[0]:
            target = targets.get(env.target.provider)
            assert set(target.stack_config(env)) <= target.config_keys, (example.name, env.name)
