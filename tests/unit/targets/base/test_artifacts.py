"""mlops.targets.base.artifacts: what an environment deploys from its registry, by repository."""

from __future__ import annotations

from pathlib import Path

from mlops.targets.base.artifacts import Pins, registry_pins, registry_repo
from tests.support import infra_helpers as helpers
from tests.support.specs import AZURE_PLATFORM as SPEC

DIGEST = "sha256:" + "c" * 64


def test_registry_repo_forms() -> None:
    assert registry_repo("registry://team/ranker:v3") == "team/ranker"
    assert registry_repo(f"registry://ranker@{DIGEST}") == "ranker"
    assert registry_repo("s3://bucket/ranker") is None


def test_pins_by_tag_and_digest(tmp_path: Path) -> None:
    text = SPEC.replace("registry://embedder:v2", f"registry://embedder@{DIGEST}")
    assert registry_pins(helpers.environment(text, "prod", tmp_path)) == {
        "embedder": Pins((), (DIGEST,)), "ranker": Pins(("v3",), ())}
